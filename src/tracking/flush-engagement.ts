// Writing a tracker's flush to D1 in one batch (one transaction): each delivery's first
// open and click, the contacts' last_opened_at / last_clicked_at that segments read, and
// the daily figures per campaign or flow and per link. The batch starts by recording
// (tracker, seq) in tracker_flushes, whose primary key refuses a second copy: a retry of
// a flush that did reach D1 fails as a whole and is recognised, so nothing counts twice.
// Every statement names the workspace, and rows join deliveries of that workspace, so a
// tracker can only ever touch its own workspace's rows; hits for a workspace deleted since
// the send are dropped rather than failing every flush on its foreign keys.
import { openDb } from '../db/client';
import { forWorkspace } from '../db/tenant';
import { attributeOrdersToFlushedTouches } from './attribution';
import type { EngagementFlush } from './engagement-store';

/** Which tracker a flush comes from: its object name and the campaign or flow it counts. */
export type TrackerIdentity = { name: string; workspaceId: string; sourceType: string; sourceId: string };

/** Writes a flush to D1; resolves when it is there (now or by an earlier attempt), throws when it is not. */
export async function writeEngagementFlush(db: D1Database, tracker: TrackerIdentity, flush: EngagementFlush, now: number): Promise<void> {
  const { workspaceId: ws, sourceType: st, sourceId: sid } = tracker;
  const statements = [
    db.prepare('INSERT INTO tracker_flushes (tracker, seq, flushed_at) VALUES (?, ?, ?)').bind(tracker.name, flush.seq, now),
    // Only the latest flush of a tracker can be retried (the next starts after it is acknowledged).
    db.prepare('DELETE FROM tracker_flushes WHERE tracker = ? AND seq < ?').bind(tracker.name, flush.seq),
  ];
  if (flush.deliveries.length) {
    // Deliveries and contacts are found by id; `+(...)` keeps the workspace check from
    // choosing the index (it would walk everything the workspace ever sent, see `keyed` in db/tenant).
    const rows = JSON.stringify(flush.deliveries);
    statements.push(
      db
        .prepare(
          `INSERT INTO delivery_engagements (delivery_id, workspace_id, opened_at, clicked_at, machine_opened_at)
           SELECT d.id, d.workspace_id, j.value ->> 'o', j.value ->> 'c', j.value ->> 'm'
           FROM json_each(?) j JOIN deliveries d ON d.id = j.value ->> 'd' AND +(d.workspace_id = ?) WHERE true
           ON CONFLICT (delivery_id) DO UPDATE SET
             opened_at = coalesce(delivery_engagements.opened_at, excluded.opened_at),
             clicked_at = coalesce(delivery_engagements.clicked_at, excluded.clicked_at),
             machine_opened_at = coalesce(delivery_engagements.machine_opened_at, excluded.machine_opened_at)`,
        )
        .bind(rows, ws),
      db
        .prepare(
          `UPDATE contacts SET
             last_opened_at = CASE WHEN e.lo IS NULL THEN contacts.last_opened_at ELSE max(coalesce(contacts.last_opened_at, 0), e.lo) END,
             last_clicked_at = CASE WHEN e.lc IS NULL THEN contacts.last_clicked_at ELSE max(coalesce(contacts.last_clicked_at, 0), e.lc) END
           FROM (SELECT d.contact_id, max(j.value ->> 'lo') AS lo, max(j.value ->> 'lc') AS lc
                 FROM json_each(?) j JOIN deliveries d ON d.id = j.value ->> 'd' AND +(d.workspace_id = ?)
                 GROUP BY d.contact_id) e
           WHERE contacts.id = e.contact_id AND +(contacts.workspace_id = ?) AND (e.lo IS NOT NULL OR e.lc IS NOT NULL)`,
        )
        .bind(rows, ws, ws),
    );
  }
  if (flush.daily.length) {
    statements.push(
      db
        .prepare(
          `INSERT INTO engagement_daily (workspace_id, source_type, source_id, day, opens, unique_opens, machine_opens, clicks, unique_clicks, machine_clicks)
           SELECT ?, ?, ?, j.value ->> 'day', j.value ->> 'opens', j.value ->> 'uniqueOpens', j.value ->> 'machineOpens', j.value ->> 'clicks', j.value ->> 'uniqueClicks', j.value ->> 'machineClicks'
           FROM json_each(?) j WHERE EXISTS (SELECT 1 FROM workspaces WHERE id = ?)
           ON CONFLICT (workspace_id, source_type, source_id, day) DO UPDATE SET
             opens = opens + excluded.opens, unique_opens = unique_opens + excluded.unique_opens, machine_opens = machine_opens + excluded.machine_opens,
             clicks = clicks + excluded.clicks, unique_clicks = unique_clicks + excluded.unique_clicks, machine_clicks = machine_clicks + excluded.machine_clicks`,
        )
        .bind(ws, st, sid, JSON.stringify(flush.daily), ws),
    );
  }
  if (flush.links.length) {
    statements.push(
      db
        .prepare(
          `INSERT INTO link_clicks_daily (workspace_id, source_type, source_id, day, url, clicks, unique_clicks, machine_clicks)
           SELECT ?, ?, ?, j.value ->> 'day', j.value ->> 'url', j.value ->> 'clicks', j.value ->> 'uniqueClicks', j.value ->> 'machineClicks'
           FROM json_each(?) j WHERE EXISTS (SELECT 1 FROM workspaces WHERE id = ?)
           ON CONFLICT (workspace_id, source_type, source_id, day, url) DO UPDATE SET
             clicks = clicks + excluded.clicks, unique_clicks = unique_clicks + excluded.unique_clicks, machine_clicks = machine_clicks + excluded.machine_clicks`,
        )
        .bind(ws, st, sid, JSON.stringify(flush.links), ws),
    );
  }
  try {
    await db.batch(statements);
  } catch (err) {
    // The batch rolled back. If it failed because this flush is already recorded, an earlier
    // attempt reached D1 and only its acknowledgement was lost: the flush is done.
    const done = await db.prepare('SELECT 1 AS done FROM tracker_flushes WHERE tracker = ? AND seq = ?').bind(tracker.name, flush.seq).first();
    if (!done) throw err;
  }
  // Orders placed since these touches but applied before they reached D1 (attribution.ts).
  // Idempotent, and after the batch: if it fails, the flush fails, and its retry, refused as
  // done above, comes back here.
  await attributeOrdersToFlushedTouches(
    forWorkspace(openDb(db), ws),
    flush.deliveries.map((delivery) => ({ deliveryId: delivery.d, openedAt: delivery.o, clickedAt: delivery.c })),
  );
}
