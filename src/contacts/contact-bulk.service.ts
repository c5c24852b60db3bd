// Bulk actions on contacts: tag, untag, unsubscribe (email and/or SMS) or erase. A selection
// (ids chosen in the list) is changed at once, in one batch; every contact of a filter is
// changed by a background job, one keyset page (by contact id) per queue message. A page's
// changes and the job's progress are one transaction guarded by the job's cursor, so a
// redelivered page changes nothing twice and counts once. A job whose next page message
// was lost stops moving; the cron re-drives it from its cursor (redriveStalledBulkJobs).
import { and, desc, eq, inArray, isNotNull, lte, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { inJsonList, runBatch, type Db, type Statement } from '../db/client';
import { type BulkAction, type BulkJobStatus, CONSENT_CHANNELS, type ConsentChannel, contactBulkJobs, contactTags, contacts, suppressions } from '../db/schema';
import { forWorkspace, keyed, pageAfter, type Tenant } from '../db/tenant';
import { redriveStalledWork } from '../health/stalled-work';
import { notFound } from '../lib/errors';
import { newId } from '../lib/ids';
import { enqueue, type Queues } from '../queues/enqueue';
import { contactBulkPageMessage } from '../queues/messages';
import { uniqueTags } from './contact-fields';
import { type ContactFilter, contactFilterCondition, tagIn } from './contact-filter';
import { type BulkActionInput, ContactFilterInput } from './contacts.schemas';
import { addTagsStatement, consentStatements, eraseStatements } from './contacts.service';

/** What a bulk action does: `tags` for tag and untag, `channels` for unsubscribe. */
export type BulkChange = { action: BulkAction; tags: string[]; channels: ConsentChannel[] };

/** Where a bulk change was asked for: its consent changes are recorded with this source. */
export type BulkOrigin = 'dashboard' | 'api';

/** A bulk job as the API and the dashboard show it. */
export type BulkJobView = {
  id: string;
  action: BulkAction;
  tags: string[];
  channels: ConsentChannel[];
  filter: ContactFilter;
  status: BulkJobStatus;
  total: number;
  done: number;
  createdAt: number;
  finishedAt: number | null;
};

// Contacts per page of a job: one D1 batch of a few set-based statements each. 10,000
// contacts take 20 messages; each page stays far below D1's 30 s and the invocation limits.
export const BULK_PAGE_SIZE = 500;

// The job's own input, stored as JSON and read back through this.
const BulkJobParams = z.object({ tags: z.array(z.string()), channels: z.array(z.enum(CONSENT_CHANNELS)), origin: z.enum(['dashboard', 'api']) });

/** The consent source of a bulk change, in the consent history. */
export function bulkSource(origin: BulkOrigin): string {
  return `bulk_${origin}`;
}

/**
 * The statements applying `change` to every contact `match` selects (set-based: no per-contact
 * statements). `match` names contacts by id: every statement re-reads it after the ones before.
 */
function changeStatements(tenant: Tenant, change: BulkChange, match: SQL, origin: BulkOrigin, now: number): Statement[] {
  switch (change.action) {
    case 'tag':
      return [addTagsStatement(tenant, match, uniqueTags(change.tags))];
    case 'untag': {
      const reached = tenant.db.select({ id: contacts.id }).from(contacts).where(tenant.where(contacts, match));
      return [tenant.db.delete(contactTags).where(tenant.where(contactTags, tagIn(contactTags.tag, change.tags), inArray(contactTags.contactId, reached)))];
    }
    case 'unsubscribe': {
      const consent = Object.fromEntries(change.channels.map((channel) => [channel, 'unsubscribed' as const]));
      // As an unsubscribe link does: the address also goes on the suppression list (kept once, with its first reason).
      const suppress = change.channels.includes('email')
        ? [
            tenant.db
              .insert(suppressions)
              .select(
                sql`SELECT ${contacts.workspaceId}, 'email', ${contacts.email}, 'unsubscribed', 'Bulk unsubscribe', ${now} FROM ${contacts} WHERE ${tenant.where(contacts, match, isNotNull(contacts.email))}`,
              )
              .onConflictDoNothing(),
          ]
        : [];
      return [...consentStatements(tenant, match, consent, bulkSource(origin), now), ...suppress];
    }
    case 'erase':
      return eraseStatements(tenant, match);
  }
}

/** Applies `change` to the contacts chosen by id (ids of other workspaces match nothing); returns how many it reached. */
export async function applyBulkToSelection(tenant: Tenant, change: BulkChange, contactIds: string[], origin: BulkOrigin, now = Date.now()): Promise<{ reached: number }> {
  const match = keyed(inJsonList(contacts.id, contactIds));
  const counted = tenant.db.select({ count: sql<number>`count(*)` }).from(contacts).where(tenant.where(contacts, match));
  const [rows] = (await tenant.db.batch([counted, ...changeStatements(tenant, change, match, origin, now)])) as [{ count: number }[], ...unknown[]];
  return { reached: rows[0]?.count ?? 0 };
}

type JobRow = typeof contactBulkJobs.$inferSelect;

function toJobView(row: JobRow): BulkJobView {
  const params = BulkJobParams.parse(JSON.parse(row.params));
  return {
    id: row.id,
    action: row.action,
    tags: params.tags,
    channels: params.channels,
    filter: ContactFilterInput.parse(JSON.parse(row.filter)),
    status: row.status,
    total: row.total,
    done: row.done,
    createdAt: row.createdAt,
    finishedAt: row.finishedAt,
  };
}

/**
 * Starts a job applying `change` to every contact `filter` keeps now: counts them, keeps the
 * newest one's id (contacts added later are left out, so the total holds) and enqueues the
 * first page. A filter matching nobody makes a job that is done at once.
 */
export async function startBulkJob(tenant: Tenant, queues: Queues, change: BulkChange, filter: ContactFilter, origin: BulkOrigin, now = Date.now()): Promise<BulkJobView> {
  const [matching] = await tenant.db
    .select({ count: sql<number>`count(*)`, lastId: sql<string | null>`max(${contacts.id})` })
    .from(contacts)
    .where(tenant.where(contacts, contactFilterCondition(tenant, filter)));
  const total = matching?.count ?? 0;
  const row: JobRow = {
    id: newId(now),
    workspaceId: tenant.workspaceId,
    action: change.action,
    params: JSON.stringify(BulkJobParams.parse({ tags: change.tags, channels: change.channels, origin })),
    filter: JSON.stringify(filter),
    status: total ? 'running' : 'done',
    total,
    done: 0,
    cursor: null,
    lastContactId: matching?.lastId ?? null,
    createdAt: now,
    finishedAt: total ? null : now,
    progressAt: now,
  };
  await tenant.db.insert(contactBulkJobs).values(row);
  if (total) {
    try {
      await enqueue(queues, [contactBulkPageMessage(tenant.workspaceId, row.id, null)]);
    } catch (err) {
      await failBulkJobs(tenant.db, [{ workspaceId: tenant.workspaceId, jobId: row.id }]);
      throw err;
    }
  }
  return toJobView(row);
}

/**
 * Applies a job's change to its next page after `afterContactId` and moves the job on; the
 * last page marks it done, any other enqueues the next. A message whose page is done already
 * (a redelivery), or of a job that ended, does nothing: every statement of the page requires
 * the job's cursor to be where the message found it.
 */
export async function runBulkPage(tenant: Tenant, queues: Queues, jobId: string, afterContactId: string | null, now = Date.now()): Promise<void> {
  const [job] = await tenant.db
    .select()
    .from(contactBulkJobs)
    .where(tenant.where(contactBulkJobs, eq(contactBulkJobs.id, jobId)))
    .limit(1);
  if (job?.status !== 'running' || job.cursor !== afterContactId || !job.lastContactId) return;
  const params = BulkJobParams.parse(JSON.parse(job.params));
  const matching = contactFilterCondition(tenant, ContactFilterInput.parse(JSON.parse(job.filter)));
  const page = await tenant.db
    .select({ id: contacts.id })
    .from(contacts)
    .where(and(pageAfter(tenant, contacts, afterContactId, matching), lte(contacts.id, job.lastContactId)))
    .orderBy(contacts.id)
    .limit(BULK_PAGE_SIZE);
  const last = page.at(-1)?.id ?? null;
  const finished = page.length < BULK_PAGE_SIZE;
  const unmoved = tenant.where(contactBulkJobs, eq(contactBulkJobs.id, jobId), eq(contactBulkJobs.status, 'running'), sql`${contactBulkJobs.cursor} IS ${afterContactId}`);
  const change: BulkChange = { action: job.action, tags: params.tags, channels: params.channels };
  // The page's own ids, not the filter: an action can change what the filter reads (erasing
  // deletes the tags a tag filter selects by before the contacts themselves).
  const pageMatch = keyed(
    and(
      inJsonList(
        contacts.id,
        page.map((row) => row.id),
      ),
      sql`EXISTS (SELECT 1 FROM ${contactBulkJobs} WHERE ${unmoved})`,
    )!,
  );
  const progress = tenant.db
    .update(contactBulkJobs)
    .set({ done: sql`${contactBulkJobs.done} + ${page.length}`, cursor: last ?? afterContactId, status: finished ? 'done' : 'running', finishedAt: finished ? now : null, progressAt: now })
    .where(unmoved)
    .returning({ id: contactBulkJobs.id });
  const results = (await tenant.db.batch([...(last ? changeStatements(tenant, change, pageMatch, params.origin, now) : []), progress] as unknown as [Statement, ...Statement[]])) as unknown[];
  const moved = (results.at(-1) as unknown[]).length > 0;
  if (moved && !finished) await enqueue(queues, [contactBulkPageMessage(tenant.workspaceId, jobId, last)]);
}

// Stalled jobs re-driven per tick (one read and one message each); the next tick takes the rest.
const REDRIVE_JOBS_PER_TICK = 50;

/**
 * Re-enqueues the page at the cursor of running jobs that stopped moving: enqueueing the
 * next page failed after its page was done (the retried message then finds the cursor
 * moved and does nothing), or the message was lost. Safe however often it runs: a page
 * message whose cursor the job has left does nothing.
 */
export async function redriveStalledBulkJobs(db: Db, queues: Queues, now: number): Promise<number> {
  return redriveStalledWork(db, queues, 'bulkJobs', now, REDRIVE_JOBS_PER_TICK, async (tenant, id) => {
    const [job] = await tenant.db
      .select({ cursor: contactBulkJobs.cursor })
      .from(contactBulkJobs)
      .where(tenant.where(contactBulkJobs, eq(contactBulkJobs.id, id), eq(contactBulkJobs.status, 'running')))
      .limit(1);
    return job ? [contactBulkPageMessage(tenant.workspaceId, id, job.cursor)] : [];
  });
}

/** Marks failed the jobs of pages that could not be enqueued or exhausted their retries, each within its workspace. */
export async function failBulkJobs(db: Db, dead: { workspaceId: string; jobId: string }[], now = Date.now()): Promise<void> {
  await runBatch(
    db,
    dead.map(({ workspaceId, jobId }) =>
      db
        .update(contactBulkJobs)
        .set({ status: 'failed', finishedAt: now })
        .where(forWorkspace(db, workspaceId).where(contactBulkJobs, eq(contactBulkJobs.id, jobId), eq(contactBulkJobs.status, 'running'))),
    ),
  );
}

/** One bulk job; 404 for an id of another workspace. */
export async function getBulkJob(tenant: Tenant, id: string): Promise<BulkJobView> {
  const [row] = await tenant.db
    .select()
    .from(contactBulkJobs)
    .where(tenant.where(contactBulkJobs, eq(contactBulkJobs.id, id)))
    .limit(1);
  if (!row) throw notFound('Bulk action');
  return toJobView(row);
}

/** The workspace's latest bulk jobs, newest first. */
export async function listBulkJobs(tenant: Tenant, limit = 5): Promise<BulkJobView[]> {
  const rows = await tenant.db.select().from(contactBulkJobs).where(tenant.where(contactBulkJobs)).orderBy(desc(contactBulkJobs.createdAt), desc(contactBulkJobs.id)).limit(limit);
  return rows.map(toJobView);
}

/** What a bulk action did: the contacts of a selection were changed at once; a filter's are changed by a job. */
export type BulkOutcome = { reached: number; job: null } | { reached: null; job: BulkJobView };

/** Applies a validated bulk action to its selection, or starts its job over its filter. */
export async function applyBulkAction(tenant: Tenant, queues: Queues, input: BulkActionInput, origin: BulkOrigin, now = Date.now()): Promise<BulkOutcome> {
  const change: BulkChange = { action: input.action, tags: uniqueTags(input.tags ?? []), channels: input.channels ?? [] };
  if (input.contactIds) return { reached: (await applyBulkToSelection(tenant, change, input.contactIds, origin, now)).reached, job: null };
  return { reached: null, job: await startBulkJob(tenant, queues, change, input.filter ?? {}, origin, now) };
}
