// System queries: the only queries that read or write across workspaces, for the
// cron's claims and sweeps and the dead-letter consumer. Everything else reaches tenant
// data through a Tenant (./tenant.ts), so a raw `workspace_id` condition anywhere else
// is a bug. Each function runs over every workspace of one database; once tenant data
// is split across several D1 databases, each runs once per database. The rules (what
// is due, what is stale) stay with the domain code, which passes them in.
import { and, count, eq, gt, inArray, isNotNull, isNull, lt, lte, notExists, or, sql } from 'drizzle-orm';
import { chunk } from '../lib/chunk';
import { newId } from '../lib/ids';
import { inJsonList, runBatch, type Db } from './client';
import {
  campaigns,
  contactBulkJobs,
  contactImports,
  deadLetters,
  deliveries,
  deliveriesCompacting,
  deliveryArchive,
  flowEnrollments,
  flows,
  inboundEvents,
  orderAttributions,
  type CampaignChannel,
  type CampaignStatus,
  type DeliveryStatus,
} from './schema';

// Ids per `IN (...)`: under D1's 100 bound parameters with the other values of the statement.
const IDS_PER_STATEMENT = 90;

/** Across workspaces: up to `limit` scheduled campaigns due by `now`, the longest due first. */
export async function listDueCampaigns(db: Db, now: number, limit: number): Promise<{ id: string; workspaceId: string; channel: CampaignChannel; contentId: string | null }[]> {
  return db
    .select({ id: campaigns.id, workspaceId: campaigns.workspaceId, channel: campaigns.channel, contentId: campaigns.contentId })
    .from(campaigns)
    .where(and(eq(campaigns.status, 'scheduled'), lte(campaigns.scheduledAt, now)))
    .orderBy(campaigns.scheduledAt)
    .limit(limit);
}

/**
 * Across workspaces: claims the campaigns of `ids` still scheduled and due by `now`
 * (scheduled → sending). The conditions are in the UPDATE, so of two overlapping ticks
 * only one gets each row back, and one rescheduled or unscheduled meanwhile stays put.
 */
export async function claimDueCampaigns(db: Db, ids: string[], now: number): Promise<{ id: string; workspaceId: string }[]> {
  if (!ids.length) return [];
  return db
    .update(campaigns)
    .set({ status: 'sending', startedAt: now, updatedAt: now })
    .where(and(inJsonList(campaigns.id, ids), eq(campaigns.status, 'scheduled'), lte(campaigns.scheduledAt, now)))
    .returning({ id: campaigns.id, workspaceId: campaigns.workspaceId });
}

/** Across workspaces: up to `limit` sending campaigns whose whole audience has been paged. */
export async function listFannedOutCampaigns(db: Db, limit: number): Promise<{ id: string; workspaceId: string }[]> {
  return db
    .select({ id: campaigns.id, workspaceId: campaigns.workspaceId })
    .from(campaigns)
    .where(and(eq(campaigns.status, 'sending'), eq(campaigns.fanOutDone, true)))
    .limit(limit);
}

/**
 * Across workspaces: up to `limit` sending campaigns whose unfinished fan-out has not
 * moved since `stalledBefore`, touched (so the next tick leaves them alone) and returned
 * with their cursor.
 */
export async function touchStalledFanOuts(db: Db, stalledBefore: number, limit: number, now: number): Promise<{ id: string; workspaceId: string; cursor: string | null }[]> {
  return db
    .update(campaigns)
    .set({ updatedAt: now })
    .where(
      inArray(
        campaigns.id,
        db
          .select({ id: campaigns.id })
          .from(campaigns)
          .where(and(eq(campaigns.status, 'sending'), eq(campaigns.fanOutDone, false), lt(campaigns.updatedAt, stalledBefore)))
          .limit(limit),
      ),
    )
    .returning({ id: campaigns.id, workspaceId: campaigns.workspaceId, cursor: campaigns.fanOutCursor });
}

/** Across workspaces: the campaigns among `ids` that are in one of `statuses`, by id. */
export async function campaignsInStatus<S extends CampaignStatus>(db: Db, ids: string[], statuses: S[]): Promise<Map<string, S>> {
  const reads = chunk([...new Set(ids)], IDS_PER_STATEMENT).map((slice) =>
    db
      .select({ id: campaigns.id, status: campaigns.status })
      .from(campaigns)
      .where(and(inArray(campaigns.id, slice), inArray(campaigns.status, statuses))),
  );
  const [first, ...rest] = reads;
  const rows = first ? (await db.batch([first, ...rest])).flat() : [];
  return new Map(rows.map((row) => [row.id, row.status as S]));
}

/**
 * Across workspaces: up to `limit` deliveries still queued since before `queuedBefore`,
 * touched (so the next tick leaves them alone) and returned with their source.
 */
export async function touchStaleQueuedDeliveries(db: Db, queuedBefore: number, limit: number, now: number) {
  return db
    .update(deliveries)
    .set({ updatedAt: now })
    .where(
      and(
        inArray(
          deliveries.id,
          db
            .select({ id: deliveries.id })
            .from(deliveries)
            .where(and(eq(deliveries.status, 'queued'), lt(deliveries.updatedAt, queuedBefore)))
            .limit(limit),
        ),
        // Again in the UPDATE, so a send that claimed one meanwhile keeps it.
        eq(deliveries.status, 'queued'),
      ),
    )
    .returning({ workspaceId: deliveries.workspaceId, deliveryId: deliveries.id, channel: deliveries.channel, sourceType: deliveries.sourceType, sourceId: deliveries.sourceId });
}

/** Across workspaces: marks failed, with why, every delivery still sending since before `sendingBefore`. Returns how many. */
export async function failStaleSendingDeliveries(db: Db, sendingBefore: number, why: { reason: string; code: string }, now: number): Promise<number> {
  const failed = await db
    .update(deliveries)
    .set({ status: 'failed', reason: why.reason, reasonCode: why.code, updatedAt: now })
    .where(and(eq(deliveries.status, 'sending'), lt(deliveries.updatedAt, sendingBefore)))
    .returning({ id: deliveries.id });
  return failed.length;
}

/** Across workspaces: up to `limit` webhooks the edge stored that are still queued since before `receivedBefore`. */
export async function listStaleStoredEvents(db: Db, receivedBefore: number, limit: number) {
  return db
    .select({
      id: inboundEvents.id,
      workspaceId: inboundEvents.workspaceId,
      connectionId: inboundEvents.connectionId,
      topic: inboundEvents.topic,
      dedupeKey: inboundEvents.dedupeKey,
      receivedAt: inboundEvents.receivedAt,
    })
    .from(inboundEvents)
    .where(and(eq(inboundEvents.status, 'queued'), isNotNull(inboundEvents.payload), lt(inboundEvents.receivedAt, receivedBefore)))
    .limit(limit);
}

/**
 * Across workspaces: deletes up to `limit` webhooks received before `receivedBefore` whose
 * processing is over (everything but `queued`). The subquery walks the status index.
 */
export async function deleteFinishedInboundEvents(db: Db, receivedBefore: number, limit: number): Promise<number> {
  const finished = db
    .select({ id: inboundEvents.id })
    .from(inboundEvents)
    .where(and(inArray(inboundEvents.status, ['processed', 'ignored', 'test', 'rejected']), lt(inboundEvents.receivedAt, receivedBefore)))
    .limit(limit);
  const result = await db.delete(inboundEvents).where(inArray(inboundEvents.id, finished));
  return result.meta.changes;
}

/**
 * Background work done a part per queue message that records when a part was last done
 * (`progress_at`), with the statuses in which it is unfinished. A lost message leaves such
 * work unfinished and unmoving; the cron finds it here and re-drives it.
 */
const PROGRESS_TRACKED = {
  imports: { table: contactImports, unfinished: ['queued', 'processing'] },
  bulkJobs: { table: contactBulkJobs, unfinished: ['running'] },
} as const;
export type ProgressTracked = keyof typeof PROGRESS_TRACKED;

function stalledWhere(work: ProgressTracked, before: number) {
  const { table, unfinished } = PROGRESS_TRACKED[work];
  return and(inArray(table.status, [...unfinished]), lt(table.progressAt, before));
}

/**
 * Across workspaces: claims up to `limit` unfinished imports or bulk jobs that have not
 * moved since `before`, oldest first, by moving their progress mark to `now` (so an
 * overlapping tick does not take them too, and a re-driven one gets another full wait
 * before the next re-drive).
 */
export async function claimStalledWork(db: Db, work: ProgressTracked, before: number, limit: number, now: number): Promise<{ id: string; workspaceId: string }[]> {
  const { table } = PROGRESS_TRACKED[work];
  const stalled = stalledWhere(work, before);
  const ids = db.select({ id: table.id }).from(table).where(stalled).orderBy(table.progressAt).limit(limit);
  return db
    .update(table)
    .set({ progressAt: now })
    .where(and(inArray(table.id, ids), stalled))
    .returning({ id: table.id, workspaceId: table.workspaceId });
}

/** Across workspaces: how many unfinished imports or bulk jobs have not moved since `before`. */
export async function countStalledWork(db: Db, work: ProgressTracked, before: number): Promise<number> {
  const [row] = await db.select({ n: count() }).from(PROGRESS_TRACKED[work].table).where(stalledWhere(work, before));
  return row?.n ?? 0;
}

/** A queue message that exhausted its retries or could not be read. */
export type DeadLetter = {
  queue: string;
  messageId: string;
  body: unknown;
  attempts: number;
  reason: string;
};

// 8 columns a row: 12 rows stay under D1's 100 bound parameters per statement.
const DEAD_LETTERS_PER_INSERT = 12;

function workspaceOf(body: unknown): string | null {
  if (body && typeof body === 'object' && 'workspaceId' in body && typeof body.workspaceId === 'string') return body.workspaceId;
  return null;
}

/**
 * Across workspaces: records dead letters in D1, so a merchant's logs show what was never
 * done; each under the workspace its body names (none for an unreadable one). A message
 * recorded twice (a redelivered dead-letter batch) is kept once.
 */
export async function recordDeadLetters(db: Db, letters: DeadLetter[], now = Date.now()): Promise<void> {
  const rows = letters.map((letter) => ({
    id: newId(now),
    workspaceId: workspaceOf(letter.body),
    queue: letter.queue,
    messageId: letter.messageId,
    body: JSON.stringify(letter.body) ?? 'null',
    attempts: letter.attempts,
    reason: letter.reason.slice(0, 500),
    recordedAt: now,
  }));
  await runBatch(
    db,
    chunk(rows, DEAD_LETTERS_PER_INSERT).map((slice) => db.insert(deadLetters).values(slice).onConflictDoNothing()),
  );
}

/** Across workspaces: the flows switched on, oldest first (each tick reads their new triggers). */
export async function listEnabledFlows(db: Db, limit: number) {
  return db
    .select({ id: flows.id, workspaceId: flows.workspaceId, kind: flows.kind, version: flows.version, definition: flows.definition, triggerCursor: flows.triggerCursor })
    .from(flows)
    .where(eq(flows.enabled, true))
    .orderBy(flows.createdAt)
    .limit(limit);
}

/**
 * Across workspaces: claims up to `limit` flow enrollments due by `now` until `claimUntil`.
 * The claim condition is in the UPDATE too, so of two overlapping ticks only one gets each
 * row back; a tick that died leaves its rows to be claimed again once the claim lapses.
 */
export async function claimDueEnrollments(db: Db, now: number, claimUntil: number, limit: number) {
  const claimable = and(eq(flowEnrollments.status, 'active'), lte(flowEnrollments.nextRunAt, now), or(isNull(flowEnrollments.claimedUntil), lt(flowEnrollments.claimedUntil, now)));
  const due = db.select({ id: flowEnrollments.id }).from(flowEnrollments).where(claimable).orderBy(flowEnrollments.nextRunAt).limit(limit);
  return db
    .update(flowEnrollments)
    .set({ claimedUntil: claimUntil })
    .where(and(inArray(flowEnrollments.id, due), claimable))
    .returning({ id: flowEnrollments.id, workspaceId: flowEnrollments.workspaceId });
}

type ShortLinkTarget = { url: string; workspaceId: string; deliveryId: string; sourceType: 'campaign' | 'flow'; sourceId: string; sentAt: number | null; queuedAt: number };

// Written out rather than built: this is the one read a recipient's tap costs, on the
// hottest path we serve, and its shape never changes.
const FIND_SHORT_LINK = `SELECT s.url AS url, s.workspace_id AS workspaceId, s.delivery_id AS deliveryId,
  d.source_type AS sourceType, d.source_id AS sourceId, d.sent_at AS sentAt, d.queued_at AS queuedAt
  FROM short_links s JOIN deliveries d ON d.id = s.delivery_id AND d.workspace_id = s.workspace_id
  WHERE s.code = ?1 LIMIT 1`;

/**
 * Across workspaces (the code names its own): a text's short link and its delivery's
 * source, or null; a row whose delivery is not of its own workspace names nothing. A
 * link never changes once written, so the nearest read replica may
 * answer; only a code it does not know yet (a text sent a moment ago, or no such code)
 * is asked of the primary.
 */
export async function findShortLink(d1: D1Database, code: string): Promise<ShortLinkTarget | null> {
  const read = (session: D1DatabaseSession) => session.prepare(FIND_SHORT_LINK).bind(code).first<ShortLinkTarget>();
  return (await read(d1.withSession('first-unconstrained'))) ?? read(d1.withSession('first-primary'));
}

/**
 * Across workspaces: up to `limit` campaigns that finished (sent or cancelled) before
 * `finishedBefore` and whose deliveries are not compacted yet, the oldest first.
 */
export async function listCampaignsToCompact(db: Db, finishedBefore: number, limit: number): Promise<{ id: string; workspaceId: string; cursor: string | null }[]> {
  return (
    db
      .select({ id: campaigns.id, workspaceId: campaigns.workspaceId, cursor: campaigns.compactionCursor })
      .from(campaigns)
      // Written as the partial index campaigns_to_compact_idx is (literals, not bound values), so SQLite can use it.
      .where(and(sql`${campaigns.compactedAt} IS NULL AND ${campaigns.status} IN ('sent', 'cancelled')`, lt(campaigns.finishedAt, finishedBefore)))
      .orderBy(campaigns.finishedAt)
      .limit(limit)
  );
}

/** Where a campaign's compaction stands: the status being walked, and the last rowid done in it. */
export type CompactionPosition = { status: DeliveryStatus; afterRowid: number };

/**
 * The next `limit` deliveries of one campaign in one status after a rowid, with their
 * rowids: the campaign's status index ends with the rowid, so the walk seeks, and the
 * deliveries a compaction keeps are never read again.
 */
export async function readCompactionPage(db: Db, campaign: { id: string; workspaceId: string }, position: CompactionPosition, limit: number): Promise<{ rowid: number; id: string }[]> {
  const rowid = sql<number>`${deliveries}.rowid`;
  return db
    .select({ rowid, id: deliveries.id })
    .from(deliveries)
    .where(
      and(
        eq(deliveries.workspaceId, campaign.workspaceId),
        eq(deliveries.sourceType, 'campaign'),
        eq(deliveries.sourceId, campaign.id),
        eq(deliveries.status, position.status),
        gt(rowid, position.afterRowid),
      ),
    )
    .orderBy(rowid)
    .limit(limit);
}

/**
 * Compacts these deliveries of one campaign in one D1 batch: each one not credited with
 * an order leaves its archive row and is deleted, with its engagement and short links,
 * while the marker row stops the count-down triggers. The same batch stores `cursor` as
 * the campaign's progress, or marks the campaign compacted when it is null. Returns how
 * many deliveries were deleted.
 */
export async function compactCampaignDeliveries(db: Db, campaign: { id: string; workspaceId: string }, ids: string[], cursor: string | null, now: number): Promise<number> {
  const compacted = and(
    inJsonList(deliveries.id, ids),
    eq(deliveries.workspaceId, campaign.workspaceId),
    notExists(db.select({ one: sql`1` }).from(orderAttributions).where(eq(orderAttributions.deliveryId, deliveries.id))),
  );
  const results = await runBatch(db, [
    db.insert(deliveriesCompacting).values({ id: 1 }).onConflictDoNothing(),
    db
      .insert(deliveryArchive)
      .select(db.select({ id: deliveries.id, workspaceId: deliveries.workspaceId, contactId: deliveries.contactId }).from(deliveries).where(compacted))
      .onConflictDoNothing(),
    db.delete(deliveries).where(compacted),
    db.delete(deliveriesCompacting),
    db
      .update(campaigns)
      .set(cursor === null ? { compactionCursor: null, compactedAt: now } : { compactionCursor: cursor })
      .where(and(eq(campaigns.id, campaign.id), eq(campaigns.workspaceId, campaign.workspaceId))),
  ]);
  // The archive's insert counts them: D1's changes for the delete include its cascades.
  return results[1]?.meta.changes ?? 0;
}
