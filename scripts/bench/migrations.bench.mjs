// Benchmark (issue 19): how long the migrations that fill a new table from the rows
// already there (0033 delivery_daily, 0034 contact_counts, 0036 engagement_counts and
// campaign_first_hours) take on a database holding a large merchant: each is one GROUP BY
// over the rows in one statement, and D1 stops a query that runs longer than 30 s
// (`wrangler d1 migrations apply` would then fail and roll the migration back). The
// migrations before the first of them are applied by Debian's sqlite3 to a file, the rows
// are written, and each later migration is applied with every statement timed. Target:
// the longest statement well under D1's limit. sqlite3 runs with its default page cache,
// so these are an upper bound of D1's own times.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './dev-server.mjs';
import { benchResult, QUICK, row } from './report.mjs';

const ROWS = Number(process.env.BENCH_MIGRATION_ROWS ?? (QUICK ? 100_000 : 1_000_000));
const CAMPAIGNS = 200;
// Half of D1's 30 s query limit, so a database twice this size would still migrate.
const TARGET_SECONDS = 15;
const TIMED = ['0033', '0034', '0036'];
const WORKSPACE = '01BENCHMIGRATIONS000000000';
const DAY = 86_400_000;

const migrationsDir = join(ROOT, 'migrations');
const migrationFiles = readdirSync(migrationsDir)
  .filter((file) => file.endsWith('.sql'))
  .sort();

function sqlite(file, sql) {
  const run = spawnSync('sqlite3', [file], { input: sql, encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
  if (run.error || run.status !== 0 || run.stderr.trim()) throw new Error(`sqlite3 failed (install Debian's sqlite3): ${run.error?.message ?? run.stderr}`);
  return run.stdout;
}

const migrationSql = (file) => `PRAGMA foreign_keys = ON;\n${readFileSync(join(migrationsDir, file), 'utf8').replaceAll('--> statement-breakpoint', '')}`;

/** A merchant's rows, as the product writes them by the time `before` is the next migration. */
function seedSql(now) {
  const seq = `WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < ${ROWS})`;
  const id = (prefix) => `printf('${prefix}%0${26 - prefix.length}d', n)`;
  return `PRAGMA foreign_keys = ON;
INSERT INTO workspaces (id, name, time_zone, created_at, updated_at) VALUES ('${WORKSPACE}', 'Migrations', 'UTC', ${now}, ${now});
INSERT INTO contents (id, workspace_id, channel, name, created_at, updated_at) VALUES ('01BENCHCONTENT000000000000', '${WORKSPACE}', 'email', 'Design', ${now}, ${now});
WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < ${CAMPAIGNS})
INSERT INTO campaigns (id, workspace_id, name, channel, status, content_id, sending_filter, started_at, finished_at, fan_out_done, recipients, created_at, updated_at)
SELECT ${id('01M')}, '${WORKSPACE}', 'Campaign ' || n, 'email', 'sent', '01BENCHCONTENT000000000000', 'subscribed', ${now} - n * ${DAY}, ${now} - n * ${DAY} + 3600000, 1, 0, ${now}, ${now} FROM seq;
${seq} INSERT INTO contacts (id, workspace_id, email, email_consent, created_at, updated_at)
SELECT ${id('01C')}, '${WORKSPACE}', 'customer' || n || '@example-store.com', 'subscribed', ${now} - n * 1000, ${now} FROM seq;
${seq} INSERT INTO deliveries (id, workspace_id, contact_id, channel, source_type, source_id, step_key, occurrence_key, content_id, status, queued_at, sent_at, updated_at)
SELECT ${id('01D')}, '${WORKSPACE}', ${id('01C')}, 'email', 'campaign', printf('01M%023d', 1 + n % ${CAMPAIGNS}), '', '', '01BENCHCONTENT000000000000',
  CASE WHEN n % 50 = 0 THEN 'failed' ELSE 'sent' END, ${now} - (1 + n % ${CAMPAIGNS}) * ${DAY}, CASE WHEN n % 50 = 0 THEN NULL ELSE ${now} - (1 + n % ${CAMPAIGNS}) * ${DAY} + 60000 END, ${now} FROM seq;
${seq} INSERT INTO delivery_engagements (delivery_id, workspace_id, opened_at, clicked_at)
SELECT ${id('01D')}, '${WORKSPACE}', ${now} - (1 + n % ${CAMPAIGNS}) * ${DAY} + (n % 72) * 3600000, CASE WHEN n % 5 = 0 THEN ${now} - (1 + n % ${CAMPAIGNS}) * ${DAY} + 7200000 END
FROM seq WHERE n % 3 = 0 AND n % 50 <> 0;
`;
}

export async function run() {
  const dir = mkdtempSync(join(tmpdir(), 'bench-migrations-'));
  const file = join(dir, 'db.sqlite');
  try {
    const first = migrationFiles.findIndex((name) => name.startsWith(TIMED[0]));
    sqlite(file, migrationFiles.slice(0, first).map(migrationSql).join('\n'));
    const seeded = performance.now();
    sqlite(file, seedSql(Date.now()));
    console.log(`migrations: ${ROWS.toLocaleString()} contacts and deliveries, ${Math.round(ROWS / 3).toLocaleString()} engagements written in ${((performance.now() - seeded) / 1000).toFixed(1)} s`);
    const rows = [];
    for (const name of migrationFiles.slice(first)) {
      // sqlite3 times each statement: the limit is per query, so the longest one is the figure.
      const times = [...sqlite(file, `.timer on\n${migrationSql(name)}`).matchAll(/Run Time: real ([\d.]+)/g)].map((match) => Number(match[1]));
      if (!TIMED.some((prefix) => name.startsWith(prefix))) continue;
      const longest = Math.max(...times);
      const total = times.reduce((sum, t) => sum + t, 0);
      const pass = longest < TARGET_SECONDS;
      console.log(`migrations: ${name}: ${times.length} statements in ${total.toFixed(1)} s, the longest ${longest.toFixed(1)} s ${pass ? 'PASS' : 'FAIL'}`);
      rows.push(
        row({
          path: `migration ${name.replace('.sql', '')} on ${ROWS.toLocaleString()} deliveries and contacts`,
          figure: `longest statement ${longest.toFixed(1)} s (${times.length} in ${total.toFixed(1)} s)`,
          baseline: 'sqlite3, one file',
          target: `< ${TARGET_SECONDS} s a statement (D1 stops a query at 30 s)`,
          pass,
        }),
      );
    }
    // The filled counts must equal the rows, or the timing measured the wrong thing.
    const check = sqlite(
      file,
      `SELECT (SELECT sum(n) FROM delivery_counts) = (SELECT count(*) FROM deliveries), (SELECT n FROM contact_counts) = (SELECT count(*) FROM contacts), (SELECT sum(unique_opens) FROM engagement_counts) = (SELECT count(opened_at) FROM delivery_engagements);`,
    ).trim();
    if (check !== '1|1|1') throw new Error(`the filled counts differ from the rows: ${check}`);
    return benchResult('migrations', rows);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
