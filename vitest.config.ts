import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-pool-workers';
import { defineConfig } from 'vitest/config';

// Tests run inside workerd with the real bindings of wrangler.toml: D1 with the
// migrations applied (test/apply-migrations.ts), queues and Durable Objects.
// TEST_PORT_BASE moves the local servers' ports, so two runs can share a machine:
// the SMTP server listens on the base, its message API on base + 1.
const PORT_BASE = Number(process.env.TEST_PORT_BASE ?? 2526);

export default defineConfig(async () => {
  const migrations = await readD1Migrations('migrations');
  return {
    plugins: [
      cloudflareTest({
        main: './src/index.ts',
        wrangler: { configPath: './wrangler.toml' },
        miniflare: {
          // The queues as in wrangler.toml but flushing a batch after 0.1 s instead of 1 s: most
          // webhook, send and import tests wait for the real queue, and that second was half the suite.
          queueConsumers: {
            'marketing-events': { maxBatchSize: 100, maxBatchTimeout: 0.1, maxRetries: 5, deadLetterQueue: 'marketing-events-dlq' },
            'marketing-sends': { maxBatchSize: 100, maxBatchTimeout: 0.1, maxRetries: 8, deadLetterQueue: 'marketing-sends-dlq' },
            'marketing-imports': { maxBatchSize: 10, maxBatchTimeout: 0.1, maxRetries: 5, deadLetterQueue: 'marketing-imports-dlq' },
            'marketing-events-dlq': { maxBatchSize: 100, maxBatchTimeout: 0.5 },
            'marketing-sends-dlq': { maxBatchSize: 100, maxBatchTimeout: 0.5 },
            'marketing-imports-dlq': { maxBatchSize: 100, maxBatchTimeout: 0.5 },
          },
          // An empty database on which a test replays the migrations step by step with old rows in it.
          d1Databases: { MIGRATION_TEST_DB: 'migration-test-db' },
          bindings: {
            TEST_MIGRATIONS: migrations,
            APP_SECRET: 'test-app-secret-0123456789abcdef0123456789',
            // base64 of the 32 bytes "test-encryption-key-32-bytes-ok\n"
            ENCRYPTION_KEY: 'dGVzdC1lbmNyeXB0aW9uLWtleS0zMi1ieXRlcy1vawo=',
            PLATFORM_SMTP_URL: `smtp://test:test@127.0.0.1:${PORT_BASE}`,
            TEST_PORT_BASE: PORT_BASE,
            // Short SMTP waits, so the fault tests (test/global/smtp-faults.mjs) finish in seconds.
            SMTP_REPLY_TIMEOUT_SECONDS: '2',
            SMTP_DATA_TIMEOUT_SECONDS: '5',
            // Workspaces' SMTP servers here are the local sink and fault servers (2599: nothing listens).
            SMTP_ALLOW_LOOPBACK_HOSTS: 'true',
            SMTP_ALLOWED_PORTS: `465,587,2525,2599,${PORT_BASE}-${PORT_BASE + 99}`,
            PUBLIC_BASE_URL: 'https://marketing.example.com',
            UNSUBSCRIBE_MAILBOX: 'unsubscribe@mail.example.com',
            // Platform sender caps above what any test file sends through one workspace; the cap
            // tests (test/email/platform-sender.test.ts) start their workspace's count just below them.
            PLATFORM_SENDER_HOURLY_LIMIT: '2000',
            PLATFORM_SENDER_DAILY_LIMIT: '4000',
            // Test sends per workspace and hour, above what any test file sends; the limit's own
            // test (test/http/test-send-limit.test.ts) starts its workspace's count just below it.
            RATE_LIMIT_TEST_SENDS_PER_HOUR: '500',
            // A local server speaking Twilio's Messages API (test/global/twilio-server.mjs); a stalled answer gives up after 2 s.
            TWILIO_API_BASE: `http://127.0.0.1:${PORT_BASE + 50}`,
            TWILIO_TIMEOUT_SECONDS: '2',
            // A local DNS-over-HTTPS resolver with canned answers (test/global/doh-server.mjs); a stalled answer gives up after 1 s.
            DOH_RESOLVER_URL: `http://127.0.0.1:${PORT_BASE + 60}/dns-query`,
            DOH_TIMEOUT_SECONDS: '1',
          },
        },
      }),
    ],
    test: {
      include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
      exclude: ['test/browser/**'],
      setupFiles: ['./test/apply-migrations.ts'],
      // A real SMTP server on 127.0.0.1:PORT_BASE (its messages readable on PORT_BASE + 1),
      // servers with one fault each on PORT_BASE + 10 and up, Twilio's API on PORT_BASE + 50, and a DNS-over-HTTPS resolver on PORT_BASE + 60.
      globalSetup: ['./test/global/smtp-sink.mjs', './test/global/smtp-faults.mjs', './test/global/twilio-server.mjs', './test/global/doh-server.mjs'],
      // Webhook tests wait for the real queue (batches flush after up to a second).
      testTimeout: 30_000,
      // Three files at once: most of a file's time is spent waiting (queues, SMTP, timers), so
      // a third worker on two cores cuts the suite's wall time without starving the waits
      // (four starved them: 10 s polls and hooks timed out).
      maxWorkers: 3,
      // beforeAll hooks sign merchants up (a deliberately slow password hash): 10 s was too
      // little with three files at once.
      hookTimeout: 30_000,
    },
  };
});
