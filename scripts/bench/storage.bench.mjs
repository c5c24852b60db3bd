// Benchmark (issue 19): what each row a merchant adds costs in D1, indexes included, and
// what that means for one database of 10 GB. Migrations are applied by wrangler to a
// fresh local D1 (the real schema, triggers included), rows shaped like real ones are
// written through wrangler, and SQLite's dbstat (Debian's sqlite3, read-only on the
// closed file) says how many bytes each table and its indexes take. The monthly growth of
// a merchant follows from those bytes and the usage assumptions below, which the README's
// capacity plan repeats.
import { spawnSync } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { executeSql, migratedState } from './dev-server.mjs';
import { benchResult, QUICK, row } from './report.mjs';

const ROWS = Number(process.env.BENCH_STORAGE_ROWS ?? (QUICK ? 20_000 : 200_000));
const DATABASE_BYTES = 10 * 2 ** 30; // D1's largest database
const WORKSPACE = '01STORAGEWORKSPACE00000000';

// A merchant's month, per contact: a weekly campaign to the 80% who are subscribed plus
// ~0.3 flow messages; a quarter of messages opened or clicked; 3% of contacts order (two
// lines each); about five store webhooks per order (created, paid, fulfilled, customer,
// checkout) plus 0.1 per contact for carts and profile updates.
// The default retention window (DELIVERY_RETENTION_DAYS, 180 days).
const RETENTION_MONTHS = 6;

export const MONTHLY_PER_CONTACT = { delivery: 4.33 * 0.8 + 0.3, engagement: (4.33 * 0.8 + 0.3) * 0.25, order: 0.03, event: 0.03 * 5 + 0.1 };
// Deliveries credited with an order, at most one per order (every order credited): under 1%.
const CREDITED = MONTHLY_PER_CONTACT.order / MONTHLY_PER_CONTACT.delivery;

/** SQL writing ROWS of each kind, shaped like the product writes them (ULID-length ids, real-looking values). */
function seedSql(now) {
  const seq = `WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < ${ROWS})`;
  const id = (prefix) => `printf('${prefix}%0${26 - prefix.length}d', n)`;
  return `
INSERT INTO workspaces (id, name, time_zone, created_at, updated_at) VALUES ('${WORKSPACE}', 'Storage', 'UTC', ${now}, ${now});
INSERT INTO store_connections (id, workspace_id, platform, name, currency, secret_ciphertext, created_at) VALUES ('01STORAGECONNECTION0000000', '${WORKSPACE}', 'shopify', 'Shop', 'USD', 'x', ${now});
INSERT INTO contents (id, workspace_id, channel, name, created_at, updated_at) VALUES ('01STORAGECONTENT0000000000', '${WORKSPACE}', 'email', 'Design', ${now}, ${now});
${seq} INSERT INTO contacts (id, workspace_id, email, first_name, last_name, email_consent, sms_consent, registered, total_spent_cents, order_count, first_order_at, last_order_at, external_id, email_consent_at, email_consent_source, source_updated_at, last_opened_at, created_at, updated_at)
SELECT ${id('01C')}, '${WORKSPACE}', 'customer' || n || '@example-store.com', 'Alexandra', 'Johnson', 'subscribed', 'not_subscribed', n % 2, 12900 + n % 50000, 1 + n % 4, ${now} - n * 1000, ${now} - n * 500, 'gid://shopify/Customer/' || (7000000000 + n), ${now} - n, 'shopify', ${now} - n, ${now} - n * 3, ${now} - n * 1000, ${now} FROM seq;
${seq} INSERT INTO contact_tags (workspace_id, contact_id, tag) SELECT '${WORKSPACE}', ${id('01C')}, 'newsletter' FROM seq;
${seq} INSERT INTO orders (id, workspace_id, connection_id, contact_id, external_id, name, email, status, currency, total_cents, placed_at, completed_at, source_updated_at, updated_at)
SELECT ${id('01O')}, '${WORKSPACE}', '01STORAGECONNECTION0000000', ${id('01C')}, '' || (5000000000 + n), '#' || (1000 + n), 'customer' || n || '@example-store.com', 'completed', 'USD', 4900 + n % 20000, ${now} - n * 1000, ${now} - n * 900, ${now} - n * 900, ${now} FROM seq;
${seq} INSERT INTO order_items (id, workspace_id, order_id, sku, title, quantity, unit_price_cents)
SELECT ${id('01I')}, '${WORKSPACE}', ${id('01O')}, 'SKU-' || (n % 500), 'Merino wool beanie, charcoal', 1 + n % 3, 2450 FROM seq
UNION ALL SELECT ${id('01J')}, '${WORKSPACE}', ${id('01O')}, 'SKU-' || (n % 300), 'Trail socks, two pairs', 1, 1800 FROM seq;
${seq} INSERT INTO deliveries (id, workspace_id, contact_id, channel, source_type, source_id, step_key, occurrence_key, content_id, status, requires_opt_in, attempts, message_id, queued_at, sent_at, updated_at)
SELECT ${id('01D')}, '${WORKSPACE}', ${id('01C')}, 'email', 'campaign', '01STORAGECAMPAIGN' || printf('%09d', n % 50), '', '', '01STORAGECONTENT0000000000', 'sent', 1, 1, '<' || ${id('01D')} || '@mail.example-store.com>', ${now} - n, ${now} - n + 900, ${now} - n + 900 FROM seq;
${seq} INSERT INTO delivery_engagements (delivery_id, workspace_id, opened_at, clicked_at) SELECT ${id('01D')}, '${WORKSPACE}', ${now}, CASE WHEN n % 4 = 0 THEN ${now} END FROM seq;
${seq} INSERT INTO delivery_archive (id, workspace_id, contact_id) SELECT ${id('01A')}, '${WORKSPACE}', ${id('01C')} FROM seq;
${seq} INSERT INTO inbound_events (id, workspace_id, connection_id, topic, dedupe_key, status, deliveries, received_at, processed_at)
SELECT ${id('01E')}, '${WORKSPACE}', '01STORAGECONNECTION0000000', 'orders/paid', lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) || '-4' || substr(lower(hex(randomblob(2))), 2) || '-a' || substr(lower(hex(randomblob(2))), 2) || '-' || lower(hex(randomblob(6))), 'processed', 1, ${now} - n, ${now} - n + 40 FROM seq;
`;
}

/** Bytes of each table with its indexes, read by sqlite3 from the closed database file. */
function bytesByTable(file) {
  const query = 'SELECT m.tbl_name, sum(s.pgsize) FROM dbstat s JOIN sqlite_master m ON m.name = s.name GROUP BY m.tbl_name;';
  const run = spawnSync('sqlite3', ['-readonly', '-separator', '\t', file, query], { encoding: 'utf8' });
  if (run.error || run.status !== 0) throw new Error(`sqlite3 could not read ${file} (install Debian's sqlite3): ${run.error?.message ?? run.stderr}`);
  return new Map(
    run.stdout
      .trim()
      .split('\n')
      .map((line) => line.split('\t'))
      .map(([table, bytes]) => [table, Number(bytes)]),
  );
}

const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;
const gib = (bytes) => `${(bytes / 2 ** 30).toFixed(2)} GiB`;

export async function run() {
  const state = migratedState('storage');
  try {
    executeSql(state, 'storage', seedSql(Date.now()));
    const dir = join(state, 'v3', 'd1', 'miniflare-D1DatabaseObject');
    const database = readdirSync(dir).find((name) => name.endsWith('.sqlite') && name !== 'metadata.sqlite');
    const bytes = bytesByTable(join(dir, database));
    const of = (...tables) => tables.reduce((sum, table) => sum + (bytes.get(table) ?? 0), 0) / ROWS;

    // Per row kind, with what comes with it: a contact's tag; an order's two lines; a
    // delivery's share of the counts (a few rows per campaign, nothing per delivery).
    const perRow = {
      contact: of('contacts', 'contact_tags'),
      order: of('orders', 'order_items'),
      delivery: of('deliveries'),
      engagement: of('delivery_engagements'),
      event: of('inbound_events'),
      archive: of('delivery_archive'),
    };
    const monthlyPerContact = Object.entries(MONTHLY_PER_CONTACT).reduce((sum, [kind, rows]) => sum + rows * perRow[kind], 0);
    const rows = [
      ['contact (with one tag)', perRow.contact],
      ['order (with two lines)', perRow.order],
      ['delivery (email, sent)', perRow.delivery],
      ['engagement (open/click of a delivery)', perRow.engagement],
      ['store event (processed webhook)', perRow.event],
      ['compacted delivery (its archive row)', perRow.archive],
    ].map(([kind, value]) => row({ path: `storage: bytes per ${kind}, indexes included`, figure: `${value.toFixed(0)} B`, baseline: `${ROWS.toLocaleString()} rows` }));
    for (const contacts of [10_000, 100_000, 1_000_000]) {
      const start = contacts * perRow.contact;
      const monthly = contacts * monthlyPerContact;
      const months = (DATABASE_BYTES - start) / monthly;
      rows.push(
        row({
          path: `storage: merchant of ${contacts.toLocaleString()} contacts`,
          figure: `${gib(start)} at import, +${gib(monthly)}/month`,
          baseline: 'weekly campaign, flows, 3% order monthly',
          target: `one 10 GiB database lasts ${months.toFixed(0)} months`,
        }),
      );
    }
    // With campaigns compacted after the retention window (src/deliveries/delivery-retention.ts):
    // a campaign delivery (and its engagement) lives RETENTION_MONTHS, then leaves an archive
    // row, unless credited with an order (CREDITED of them), which stays whole.
    const campaignDeliveries = 4.33 * 0.8;
    const liveDelivery = perRow.delivery + 0.25 * perRow.engagement;
    const steadyMonthly = monthlyPerContact - campaignDeliveries * liveDelivery + campaignDeliveries * ((1 - CREDITED) * perRow.archive + CREDITED * liveDelivery);
    const windowBytes = RETENTION_MONTHS * campaignDeliveries * liveDelivery;
    for (const contacts of [100_000, 1_000_000]) {
      const atWindow = contacts * (perRow.contact + RETENTION_MONTHS * monthlyPerContact);
      const months = RETENTION_MONTHS + (DATABASE_BYTES - atWindow) / (contacts * steadyMonthly);
      rows.push(
        row({
          path: `storage: merchant of ${contacts.toLocaleString()} contacts, campaigns compacted after ${RETENTION_MONTHS * 30} days`,
          figure: `${gib(atWindow)} at ${RETENTION_MONTHS} months (${gib(contacts * windowBytes)} of it the window's campaign deliveries), then +${gib(contacts * steadyMonthly)}/month`,
          baseline: 'weekly campaign, flows, 3% order monthly',
          target:
            atWindow > DATABASE_BYTES
              ? `over one 10 GiB database within ${RETENTION_MONTHS} months: a database of its own and a shorter window`
              : `one 10 GiB database lasts ${months.toFixed(0)} months`,
        }),
      );
    }
    console.log(`storage: ${ROWS.toLocaleString()} rows of each kind; per contact and month ${kib(monthlyPerContact)}, ${kib(steadyMonthly)} past the retention window`);
    for (const r of rows) console.log(`  ${r.path}: ${r.figure}${r.target ? ` (${r.target})` : ''}`);
    return benchResult('storage', rows);
  } finally {
    rmSync(state, { recursive: true, force: true });
  }
}
