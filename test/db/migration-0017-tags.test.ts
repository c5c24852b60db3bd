// Migration 0017 (case-insensitive tags), replayed on a database holding tags in the old shape.
// Its own file: the migration database is fresh for each file, and migrations apply once.
import { applyD1Migrations } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { migrationsBefore as before, migrationsFrom as from } from '../helpers/migrations';

describe('0017 purchases (case-insensitive tags)', () => {
  it("keeps one row per contact and tag whatever its case, in the workspace's first spelling", async () => {
    const db = env.MIGRATION_TEST_DB;
    await applyD1Migrations(db, before('0017'));
    const now = Date.now();
    const tag = (workspace: string, contact: string, value: string) => db.prepare('INSERT INTO contact_tags (workspace_id, contact_id, tag) VALUES (?, ?, ?)').bind(workspace, contact, value);
    await db.batch([
      db.prepare("INSERT INTO workspaces (id, name, time_zone, created_at, updated_at) VALUES ('t1', 'Tags shop', 'UTC', ?, ?), ('t2', 'Other shop', 'UTC', ?, ?)").bind(now, now, now, now),
      db
        .prepare(
          "INSERT INTO contacts (id, workspace_id, email, created_at, updated_at) VALUES ('ta', 't1', 'a@example.com', ?, ?), ('tb', 't1', 'b@example.com', ?, ?), ('tc', 't2', 'c@example.com', ?, ?)",
        )
        .bind(now, now, now, now, now, now),
      tag('t1', 'ta', 'VIP'),
      tag('t1', 'ta', 'vip'),
      tag('t1', 'tb', 'Vip'),
      tag('t1', 'tb', 'newsletter'),
      tag('t2', 'tc', 'vip'),
    ]);

    await applyD1Migrations(db, from('0017'));

    const rows = await db.prepare("SELECT workspace_id, contact_id, tag FROM contact_tags WHERE workspace_id IN ('t1', 't2') ORDER BY contact_id, tag").all();
    expect(rows.results).toEqual([
      { workspace_id: 't1', contact_id: 'ta', tag: 'VIP' },
      { workspace_id: 't1', contact_id: 'tb', tag: 'VIP' },
      { workspace_id: 't1', contact_id: 'tb', tag: 'newsletter' },
      // Another workspace keeps its own spelling.
      { workspace_id: 't2', contact_id: 'tc', tag: 'vip' },
    ]);
    await expect(tag('t1', 'tb', 'NEWSLETTER').run()).rejects.toThrow(/UNIQUE/);
  });
});
