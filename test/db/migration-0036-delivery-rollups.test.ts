// Migration 0036 (engagement counts and a campaign's first hours), replayed on a database
// holding engagements written before it. Its own file: the migration database is fresh
// for each file, and migrations apply once.
import { applyD1Migrations } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { migrationsBefore as before, migrationsFrom as from } from '../helpers/migrations';
import { HOUR, MINUTE } from '../../src/lib/time';

describe('0036 engagement_counts and campaign_first_hours', () => {
  it("counts each source's engagements as the report's join did, per workspace, and the chart's first 48 hours", async () => {
    const db = env.MIGRATION_TEST_DB;
    await applyD1Migrations(db, before('0036'));
    const start = Date.UTC(2026, 10, 2, 9, 30);
    const delivery = (id: string, workspace: string, contact: string, sourceType: string, sourceId: string, content: string) =>
      db
        .prepare(
          "INSERT INTO deliveries (id, workspace_id, contact_id, channel, source_type, source_id, step_key, occurrence_key, content_id, status, queued_at, sent_at, updated_at) VALUES (?, ?, ?, 'email', ?, ?, '', ?, ?, 'sent', ?, ?, ?)",
        )
        .bind(id, workspace, contact, sourceType, sourceId, id, content, start, start, start);
    const engagement = (deliveryId: string, workspace: string, opened: number | null, clicked: number | null, unsubscribed: number | null = null) =>
      db
        .prepare('INSERT INTO delivery_engagements (delivery_id, workspace_id, opened_at, clicked_at, unsubscribed_at) VALUES (?, ?, ?, ?, ?)')
        .bind(deliveryId, workspace, opened, clicked, unsubscribed);
    await db.batch([
      db.prepare("INSERT INTO workspaces (id, name, time_zone, created_at, updated_at) VALUES ('w1', 'One', 'UTC', 0, 0), ('w2', 'Two', 'UTC', 0, 0)"),
      db.prepare(
        "INSERT INTO contacts (id, workspace_id, email, created_at, updated_at) VALUES ('c1', 'w1', 'a@x.example', 0, 0), ('c2', 'w1', 'b@x.example', 0, 0), ('c3', 'w2', 'c@x.example', 0, 0)",
      ),
      db.prepare("INSERT INTO contents (id, workspace_id, channel, name, created_at, updated_at) VALUES ('t1', 'w1', 'email', 'One', 0, 0), ('t2', 'w2', 'email', 'Two', 0, 0)"),
      db
        .prepare(
          "INSERT INTO campaigns (id, workspace_id, name, channel, status, started_at, created_at, updated_at) VALUES ('k1', 'w1', 'K1', 'email', 'sent', ?, 0, 0), ('k2', 'w2', 'K2', 'email', 'sent', ?, 0, 0)",
        )
        .bind(start, start),
      delivery('d1', 'w1', 'c1', 'campaign', 'k1', 't1'),
      delivery('d2', 'w1', 'c2', 'campaign', 'k1', 't1'),
      delivery('d3', 'w1', 'c1', 'flow', 'f1', 't1'),
      delivery('d4', 'w2', 'c3', 'campaign', 'k2', 't2'),
      delivery('d5', 'w1', 'c2', 'campaign', 'k1', 't1'),
      engagement('d1', 'w1', start + 10 * MINUTE, start + 70 * MINUTE),
      engagement('d2', 'w1', start + 47 * HOUR + 59 * MINUTE, null, start + 48 * HOUR),
      engagement('d3', 'w1', start, start),
      engagement('d4', 'w2', start + 48 * HOUR, null),
      engagement('d5', 'w1', null, null, start + HOUR),
    ]);

    await applyD1Migrations(db, from('0036'));

    const counts = await db.prepare('SELECT workspace_id, source_type, source_id, unique_opens, unique_clicks, unsubscribes FROM engagement_counts ORDER BY workspace_id, source_type').all();
    expect(counts.results).toEqual([
      { workspace_id: 'w1', source_type: 'campaign', source_id: 'k1', unique_opens: 2, unique_clicks: 1, unsubscribes: 2 },
      { workspace_id: 'w1', source_type: 'flow', source_id: 'f1', unique_opens: 1, unique_clicks: 1, unsubscribes: 0 },
      { workspace_id: 'w2', source_type: 'campaign', source_id: 'k2', unique_opens: 1, unique_clicks: 0, unsubscribes: 0 },
    ]);
    // k2's only open is 48 hours in, past the chart; flows have no chart.
    const hours = await db.prepare('SELECT workspace_id, campaign_id, hour, opens, clicks FROM campaign_first_hours ORDER BY campaign_id, hour').all();
    expect(hours.results).toEqual([
      { workspace_id: 'w1', campaign_id: 'k1', hour: 0, opens: 1, clicks: 0 },
      { workspace_id: 'w1', campaign_id: 'k1', hour: 1, opens: 0, clicks: 1 },
      { workspace_id: 'w1', campaign_id: 'k1', hour: 47, opens: 1, clicks: 0 },
    ]);
  });
});
