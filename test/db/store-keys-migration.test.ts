// 0016 store keys, replayed on a database holding store data in the old shape (keyed by workspace).
import { applyD1Migrations } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { migrationsBefore as before, migrationsFrom as from } from '../helpers/migrations';

describe('0016 store keys', () => {
  it('gives existing rows the connection when it is unambiguous, keeps the rest as history, and keeps every row valid', async () => {
    const db = env.MIGRATION_TEST_DB;
    await applyD1Migrations(db, before('0016'));
    const now = Date.now();
    const workspace = (id: string) => db.prepare("INSERT INTO workspaces (id, name, time_zone, created_at, updated_at) VALUES (?, 'Shop', 'UTC', ?, ?)").bind(id, now, now);
    const connection = (id: string, workspaceId: string, lastEventAt: number | null) =>
      db
        .prepare("INSERT INTO store_connections (id, workspace_id, platform, name, currency, secret_ciphertext, created_at, last_event_at) VALUES (?, ?, 'woocommerce', 'Store', 'USD', 'x', ?, ?)")
        .bind(id, workspaceId, now, lastEventAt);
    const storeData = (workspaceId: string) => [
      db.prepare("INSERT INTO contacts (id, workspace_id, email, external_id, created_at, updated_at) VALUES (?, ?, 'ann@example.com', '25', ?, ?)").bind(`c-${workspaceId}`, workspaceId, now, now),
      db
        .prepare("INSERT INTO orders (id, workspace_id, contact_id, external_id, status, currency, total_cents, placed_at, updated_at) VALUES (?, ?, ?, '727', 'paid', 'USD', 2935, ?, ?)")
        .bind(`o-${workspaceId}`, workspaceId, `c-${workspaceId}`, now, now),
      db.prepare("INSERT INTO order_refunds (workspace_id, order_external_id, external_id, amount_cents, refunded_at) VALUES (?, '727', '730', 1000, ?)").bind(workspaceId, now),
      db
        .prepare("INSERT INTO products (id, workspace_id, sku, title, currency, price_cents, inventory_item_id, created_at, updated_at) VALUES (?, ?, 'TEE', 'Tee', 'USD', 1999, '42', ?, ?)")
        .bind(`p-${workspaceId}`, workspaceId, now, now),
      db
        .prepare("INSERT INTO carts (id, workspace_id, external_id, contact_id, status, currency, value_cents, items, created_at, updated_at) VALUES (?, ?, 'k1', ?, 'open', 'USD', 1000, '[]', ?, ?)")
        .bind(`k-${workspaceId}`, workspaceId, `c-${workspaceId}`, now, now),
    ];
    await db.batch([
      // One connection; two of which one received events; two that never did; none.
      ...['only', 'used', 'unsure', 'none'].map(workspace),
      connection('only-1', 'only', null),
      connection('used-1', 'used', null),
      connection('used-2', 'used', now),
      connection('unsure-1', 'unsure', null),
      connection('unsure-2', 'unsure', null),
      ...['only', 'used', 'unsure', 'none'].flatMap(storeData),
    ]);

    await applyD1Migrations(db, from('0016'));

    const expected = { only: 'only-1', used: 'used-2', unsure: null, none: null };
    for (const table of ['orders', 'order_refunds', 'products', 'carts']) {
      const rows = (await db.prepare(`SELECT workspace_id, connection_id FROM ${table} ORDER BY workspace_id`).all<{ workspace_id: string; connection_id: string | null }>()).results;
      expect(Object.fromEntries(rows.map((row) => [row.workspace_id, row.connection_id])), table).toEqual(expected);
    }
    expect((await db.prepare('SELECT workspace_id, connection_id, external_id, contact_id FROM contact_store_ids ORDER BY workspace_id').all()).results).toEqual([
      { workspace_id: 'only', connection_id: 'only-1', external_id: '25', contact_id: 'c-only' },
      { workspace_id: 'used', connection_id: 'used-2', external_id: '25', contact_id: 'c-used' },
    ]);
    expect(await db.prepare('SELECT amount_cents FROM order_refunds WHERE workspace_id = ?').bind('only').first('amount_cents')).toBe(1000);
    expect((await db.prepare('PRAGMA foreign_key_check').all()).results).toEqual([]);
    expect((await db.prepare("SELECT name FROM sqlite_master WHERE name = 'store_keys_backfill'").all()).results).toEqual([]);

    // The same order number and SKU from a second store of the workspace now stand beside the first.
    await db.batch([
      connection('only-2', 'only', null),
      db
        .prepare(
          "INSERT INTO orders (id, workspace_id, connection_id, external_id, status, currency, total_cents, placed_at, updated_at) VALUES ('o-2', 'only', 'only-2', '727', 'paid', 'USD', 100, ?, ?)",
        )
        .bind(now, now),
      db
        .prepare("INSERT INTO products (id, workspace_id, connection_id, sku, title, currency, price_cents, created_at, updated_at) VALUES ('p-2', 'only', 'only-2', 'TEE', 'Tee', 'USD', 999, ?, ?)")
        .bind(now, now),
    ]);
    await expect(
      db
        .prepare(
          "INSERT INTO orders (id, workspace_id, connection_id, external_id, status, currency, total_cents, placed_at, updated_at) VALUES ('o-3', 'only', 'only-2', '727', 'paid', 'USD', 1, ?, ?)",
        )
        .bind(now, now)
        .run(),
    ).rejects.toThrow(/UNIQUE/);
    // Deleting a connection keeps its rows, without it.
    await db.prepare("DELETE FROM store_connections WHERE id = 'only-1'").run();
    expect(await db.prepare("SELECT connection_id FROM orders WHERE id = 'o-only'").first('connection_id')).toBeNull();
    expect(await db.prepare("SELECT count(*) AS n FROM contact_store_ids WHERE workspace_id = 'only'").first('n')).toBe(0);
  });
});
