// Demo data for local development: demo@example.com / demo-password-123, owner of
// "Demo Outfitters" (a UK apparel store with 30 products, 300 contacts and 600 orders)
// and of an empty "Demo Outfitters US".
//
//   npm run seed            (after `npm run db:migrate:local`; `npm start` does both)
//
// The seed is the product's own code (src/demo/demo-seed.ts): this script starts the
// seed Worker (scripts/seed/) in workerd on the local D1 of `npm start`, asks it once,
// and stops it. Idempotent: when demo@example.com exists it changes nothing.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { unstable_startWorker } from 'wrangler';
import { ROOT } from './lib/wrangler.mjs';

/**
 * The Worker's secrets the seed needs, from .dev.vars: ENCRYPTION_KEY encrypts the store
 * connection's secret, APP_SECRET signs the owner's verification link.
 */
function secretBindings() {
  const file = join(ROOT, '.dev.vars');
  const vars = existsSync(file) ? readFileSync(file, 'utf8') : '';
  return Object.fromEntries(
    ['ENCRYPTION_KEY', 'APP_SECRET'].map((name) => {
      const value = new RegExp(`^${name}=(.+)$`, 'm').exec(vars)?.[1]?.trim();
      if (!value) throw new Error(`.dev.vars has no ${name} (copy .dev.vars.example to .dev.vars; npm start does)`);
      return [name, { type: 'secret_text', value }];
    }),
  );
}

/**
 * Seeds the local D1 (.wrangler/state) unless the demo user exists. Needs the local
 * migrations applied. Returns whether it wrote anything and the demo login.
 */
export async function seedDemo({ log = (line) => console.log(`[seed] ${line}`) } = {}) {
  const started = performance.now();
  const worker = await unstable_startWorker({
    config: join(ROOT, 'scripts', 'seed', 'wrangler.toml'),
    bindings: secretBindings(),
    dev: {
      // The same state directory `wrangler dev` uses in the project root.
      persist: join(ROOT, '.wrangler', 'state'),
      server: { hostname: '127.0.0.1', port: 0 },
      inspector: false,
      watch: false,
      // Only errors: the seed reports itself, and offline wrangler warns about its Request.cf lookup.
      logLevel: 'error',
    },
  });
  try {
    await worker.ready;
    const response = await worker.fetch('http://seed.local/', { method: 'POST' });
    const result = await response.json();
    if (!response.ok) throw new Error(result.error ?? `the seed Worker answered ${response.status}`);
    log(result.seeded ? `seeded ${result.summary} in ${Math.round((performance.now() - started) / 1000)} s.` : `${result.login.email} already exists; leaving the local database as it is.`);
    log(`sign in as ${result.login.email} / ${result.login.password}`);
    return { seeded: result.seeded, login: result.login };
  } finally {
    await worker.dispose();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  seedDemo().catch((err) => {
    console.error(`[seed] failed: ${err.message}`);
    process.exit(1);
  });
}
