// Migrations that move data, replayed on a database holding rows in the old shape.
import { applyD1Migrations } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { migrationsBefore as before, migrationsFrom as from } from '../helpers/migrations';

describe('0012 channel-neutral core', () => {
  it('keeps designs, suppressions, deliveries and triggers, and points deliveries and campaigns at contents', async () => {
    const db = env.MIGRATION_TEST_DB;
    await applyD1Migrations(db, before('0012'));
    const now = Date.now();
    await db.batch([
      db.prepare("INSERT INTO workspaces (id, name, time_zone, created_at, updated_at) VALUES ('w1', 'Old shop', 'UTC', ?, ?)").bind(now, now),
      db.prepare("INSERT INTO contacts (id, workspace_id, email, phone, created_at, updated_at) VALUES ('c1', 'w1', 'ann@example.com', '+447700900123', ?, ?)").bind(now, now),
      db
        .prepare(
          "INSERT INTO email_contents (id, workspace_id, name, subject, preheader, html, created_at, updated_at) VALUES ('d1', 'w1', 'Spring', 'Hello {{ contact.first_name }}', 'Pre', '<p>Hi</p>', ?, ?)",
        )
        .bind(now, now),
      db.prepare("INSERT INTO campaigns (id, workspace_id, name, channel, status, content_id, created_at, updated_at) VALUES ('k1', 'w1', 'Spring sale', 'email', 'sent', 'd1', ?, ?)").bind(now, now),
      db
        .prepare(
          "INSERT INTO deliveries (id, workspace_id, contact_id, channel, source_type, source_id, step_key, occurrence_key, content_id, status, reason, queued_at, updated_at) VALUES ('v1', 'w1', 'c1', 'email', 'campaign', 'k1', '', '', 'd1', 'skipped', 'The address is on the suppression list', ?, ?)",
        )
        .bind(now, now),
      db.prepare("INSERT INTO suppressions (workspace_id, email, reason, created_at) VALUES ('w1', 'ann@example.com', 'unsubscribed', ?)").bind(now),
      db.prepare("INSERT INTO store_triggers (id, workspace_id, kind, occurrence_key, contact_id, data, occurred_at) VALUES ('t1', 'w1', 'contact_created', 'contact:c1', 'c1', '{}', ?)").bind(now),
    ]);

    await applyD1Migrations(db, from('0012'));

    expect(await db.prepare('SELECT id, channel, name FROM contents').all()).toMatchObject({ results: [{ id: 'd1', channel: 'email', name: 'Spring' }] });
    expect(await db.prepare('SELECT id, subject, preheader, html FROM email_contents').first()).toEqual({ id: 'd1', subject: 'Hello {{ contact.first_name }}', preheader: 'Pre', html: '<p>Hi</p>' });
    expect(await db.prepare('SELECT channel, address, reason FROM suppressions').first()).toEqual({ channel: 'email', address: 'ann@example.com', reason: 'unsubscribed' });
    expect(await db.prepare('SELECT kind, occurrence_key FROM triggers').first()).toEqual({ kind: 'contact_created', occurrence_key: 'contact:c1' });
    expect(await db.prepare('SELECT reason, reason_code FROM deliveries').first()).toEqual({ reason: 'The address is on the suppression list', reason_code: null });
    // The large tables were not rebuilt: SQLite rewrote their foreign keys to follow the renamed table.
    for (const table of ['deliveries', 'campaigns']) {
      const keys = (await db.prepare(`SELECT "table", "from" FROM pragma_foreign_key_list('${table}')`).all<{ table: string; from: string }>()).results;
      expect(keys).toContainEqual({ table: 'contents', from: 'content_id' });
    }
    expect((await db.prepare('PRAGMA foreign_key_check').all()).results).toEqual([]);
    // A design in use stays; deleting an unused one takes its email body with it.
    await expect(db.prepare("DELETE FROM contents WHERE id = 'd1'").run()).rejects.toThrow(/FOREIGN KEY/);
    await db.batch([
      db.prepare("INSERT INTO contents (id, workspace_id, channel, name, created_at, updated_at) VALUES ('d2', 'w1', 'email', 'Unused', ?, ?)").bind(now, now),
      db.prepare("INSERT INTO email_contents (id, workspace_id, subject, html) VALUES ('d2', 'w1', 'S', '<p>x</p>')"),
    ]);
    await db.prepare("DELETE FROM contents WHERE id = 'd2'").run();
    expect(await db.prepare("SELECT count(*) AS n FROM email_contents WHERE id = 'd2'").first('n')).toBe(0);
  });
});
