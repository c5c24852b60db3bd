// Test-only bindings (added by vitest.config.ts) and the main module's exports.
import type { Env as WorkerEnv } from '../src/env';

declare global {
  namespace Cloudflare {
    interface Env extends WorkerEnv {
      TEST_MIGRATIONS: import('cloudflare:test').D1Migration[];
      // Empty until a test applies migrations to it (test/db/migrations.test.ts).
      MIGRATION_TEST_DB: D1Database;
      // The local SMTP server's port; its message API listens on the next one.
      TEST_PORT_BASE: number;
    }
    interface GlobalProps {
      mainModule: typeof import('../src/index');
      durableNamespaces: 'CampaignTracker';
    }
  }
}
