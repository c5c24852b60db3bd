// Applies the D1 migrations before each test file, in one D1 batch: `applyD1Migrations`
// takes a round trip per migration and per check, which made most of every file's start-up
// (4 s of each file's 4.5 s here, for 27 migrations). The same statements in the same
// order, recorded in d1_migrations as wrangler does; skipped when the file's database
// already has them.
import { env } from 'cloudflare:workers';

const done = await env.DB.prepare("SELECT 1 AS yes FROM sqlite_master WHERE type = 'table' AND name = 'd1_migrations'").first('yes');
if (!done) {
  await env.DB.batch([
    env.DB.prepare('CREATE TABLE d1_migrations (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT UNIQUE, applied_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP)'),
    ...env.TEST_MIGRATIONS.flatMap((migration) => [...migration.queries.map((query) => env.DB.prepare(query)), env.DB.prepare('INSERT INTO d1_migrations (name) VALUES (?)').bind(migration.name)]),
  ]);
}
