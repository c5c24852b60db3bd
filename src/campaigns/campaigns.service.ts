// Campaigns: building (name, audience, filter, design), scheduling in the workspace's
// time zone, pausing, resuming and cancelling, test sends, and progress while they send. Every change goes
// through the lifecycle guard and is applied only if the status is still the one read.
import { count, desc, eq } from 'drizzle-orm';
import type { SmtpOutcome } from '../channels/email';
import { inJsonList } from '../db/client';
import { campaigns, contacts, contents, emailContents, workspaceSettings, type CampaignStatus, type DeliveryStatus } from '../db/schema';
import type { Tenant } from '../db/tenant';
import type { Env } from '../env';
import { readDeliveryCounts } from '../deliveries/delivery-counts';
import { enqueue, type Queues } from '../queues/enqueue';
import { campaignDeliveriesPageMessage, fanOutPageMessage } from '../queues/messages';
import { AppError, type FieldIssue, invalidField, notFound } from '../lib/errors';
import { newId } from '../lib/ids';
import { zonedTimeToUtc } from '../lib/time';
import { getEmailContent, testSendEmailContent } from '../email/email-contents.service';
import { footerAddressIssue } from '../email/footer-compliance';
import { SegmentDefinition } from '../segments/segment-definition';
import { getSegment } from '../segments/segments.service';
import { getWorkspace } from '../workspaces/workspaces.service';
import { compileCampaignAudience } from './campaign-audience';
import { listCampaignResults, type CampaignResultPage } from './campaign-deliveries';
import { assertCampaignMove, assertCampaignPausable, assertCampaignResumable } from './campaign-status';
import type { CampaignAudience, CampaignInput, CampaignPatch, CampaignResultsQuery, ScheduleInput } from './campaigns.schemas';

type CampaignRow = typeof campaigns.$inferSelect;

/** Deliveries of a campaign by state: pending ones are still queued or being sent. */
// `unknown`: handed to the server, which never confirmed (not resent); `cancelled`: never went out.
export type CampaignProgress = { recipients: number; pending: number; sent: number; failed: number; skipped: number; unknown: number; cancelled: number };

/** A campaign as the API and pages show it. */
export type CampaignView = {
  id: string;
  name: string;
  channel: CampaignRow['channel'];
  status: CampaignStatus;
  contentId: string | null;
  audience: CampaignAudience;
  sendingFilter: CampaignRow['sendingFilter'];
  // The wall time and zone it was scheduled in, and the instant that is.
  scheduledAt: number | null;
  scheduledLocal: string | null;
  scheduledTimeZone: string | null;
  startedAt: number | null;
  finishedAt: number | null;
  // While paused: since when, and the platform's reason in words (null: the merchant paused it).
  pausedAt: number | null;
  pauseReason: string | null;
  // When its deliveries were compacted past the retention window (src/deliveries/delivery-retention.ts); its figures stay.
  compactedAt: number | null;
  progress: CampaignProgress;
  createdAt: number;
  updatedAt: number;
};

const EMPTY_PROGRESS: CampaignProgress = { recipients: 0, pending: 0, sent: 0, failed: 0, skipped: 0, unknown: 0, cancelled: 0 };
const EVERYONE: SegmentDefinition = { match: 'all', children: [] };

/** A campaign row's audience, as the API gives it. */
export function audienceOf(row: Pick<CampaignRow, 'segmentId' | 'audienceRules'>): CampaignAudience {
  if (row.segmentId) return { type: 'segment', segmentId: row.segmentId };
  // Validated on read too, as saved segments are.
  if (row.audienceRules) return { type: 'rules', definition: SegmentDefinition.parse(JSON.parse(row.audienceRules)) };
  return { type: 'everyone' };
}

function audienceColumns(audience: CampaignAudience) {
  return {
    segmentId: audience.type === 'segment' ? audience.segmentId : null,
    audienceRules: audience.type === 'rules' ? JSON.stringify(audience.definition) : null,
  };
}

function toView(row: CampaignRow, progress: CampaignProgress): CampaignView {
  return {
    id: row.id,
    name: row.name,
    channel: row.channel,
    status: row.status,
    contentId: row.contentId,
    audience: audienceOf(row),
    sendingFilter: row.sendingFilter,
    scheduledAt: row.scheduledAt,
    scheduledLocal: row.scheduledLocal,
    scheduledTimeZone: row.scheduledTimeZone,
    startedAt: row.startedAt,
    finishedAt: row.finishedAt,
    pausedAt: row.pausedAt,
    pauseReason: row.pauseReason,
    compactedAt: row.compactedAt,
    progress,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

// What a campaign sends on each channel, in the words of its errors.
const CONTENT_WORDS: Record<CampaignRow['channel'], string> = { email: 'email design', sms: 'SMS message' };

/** Whether `id` is content of this workspace on the channel (an email campaign cannot send an SMS message, nor the reverse). */
async function contentOnChannel(tenant: Tenant, id: string, channel: CampaignRow['channel']): Promise<boolean> {
  const [row] = await tenant.db
    .select({ id: contents.id })
    .from(contents)
    .where(tenant.where(contents, eq(contents.id, id), eq(contents.channel, channel)))
    .limit(1);
  return Boolean(row);
}

/** Checks that what the input names exists in this workspace, on the campaign's channel; 400 naming the field when not. */
async function checkReferences(tenant: Tenant, channel: CampaignRow['channel'], input: { contentId?: string | null | undefined; audience?: CampaignAudience | undefined }): Promise<void> {
  const missing = async (field: string, check: () => Promise<unknown>, message: string) => {
    try {
      await check();
    } catch (err) {
      if (err instanceof AppError && err.code === 'not_found') throw invalidField(field, message);
      throw err;
    }
  };
  if (input.contentId && !(await contentOnChannel(tenant, input.contentId, channel))) throw invalidField('contentId', `There is no such ${CONTENT_WORDS[channel]} in this workspace`);
  if (input.audience?.type === 'segment')
    await missing('audience.segmentId', () => getSegment(tenant, (input.audience as { segmentId: string }).segmentId), 'There is no such segment in this workspace');
}

async function loadCampaign(tenant: Tenant, id: string): Promise<CampaignRow> {
  const [row] = await tenant.db
    .select()
    .from(campaigns)
    .where(tenant.where(campaigns, eq(campaigns.id, id)))
    .limit(1);
  if (!row) throw notFound('Campaign');
  return row;
}

/**
 * Applies `fields` only if the campaign is still in the status it was read in (and
 * the guard allows the move), so two concurrent changes cannot both win.
 */
async function moveCampaign(tenant: Tenant, row: CampaignRow, to: CampaignStatus | 'edit', fields: Partial<CampaignRow>, now: number): Promise<CampaignRow> {
  assertCampaignMove(row.status, to);
  const [updated] = await tenant.db
    .update(campaigns)
    .set({ ...fields, ...(to === 'edit' ? {} : { status: to }), updatedAt: now })
    .where(tenant.where(campaigns, eq(campaigns.id, row.id), eq(campaigns.status, row.status)))
    .returning();
  if (updated) return updated;
  // Someone changed it meanwhile: judge the move against what it is now.
  const current = await loadCampaign(tenant, row.id);
  assertCampaignMove(current.status, to);
  throw new AppError('conflict', 'This campaign changed while you were editing it; reload and try again.');
}

/** Counts of a campaign's deliveries by status. */
export async function campaignProgress(tenant: Tenant, ids: string[]): Promise<Map<string, CampaignProgress>> {
  const result = new Map<string, CampaignProgress>();
  const bucket: Record<DeliveryStatus, keyof CampaignProgress> = {
    queued: 'pending',
    sending: 'pending',
    sent: 'sent',
    failed: 'failed',
    skipped: 'skipped',
    unknown: 'unknown',
    cancelled: 'cancelled',
  };
  for (const row of await readDeliveryCounts(tenant, 'campaign', ids)) {
    const progress = result.get(row.sourceId) ?? { ...EMPTY_PROGRESS };
    progress[bucket[row.status]] += row.n;
    progress.recipients += row.n;
    result.set(row.sourceId, progress);
  }
  return result;
}

/** Saves a new draft. */
export async function createCampaign(tenant: Tenant, input: CampaignInput, now = Date.now()): Promise<CampaignView> {
  await checkReferences(tenant, input.channel, input);
  const row = tenant.row({
    id: newId(now),
    name: input.name,
    channel: input.channel,
    status: 'draft' as const,
    contentId: input.contentId ?? null,
    ...audienceColumns(input.audience),
    sendingFilter: input.sendingFilter,
    createdAt: now,
    updatedAt: now,
  });
  const [saved] = await tenant.db.insert(campaigns).values(row).returning();
  return toView(saved!, EMPTY_PROGRESS);
}

/** The workspace's campaigns, newest first, with their progress. */
export async function listCampaigns(tenant: Tenant, limit = 200): Promise<CampaignView[]> {
  const rows = await tenant.db.select().from(campaigns).where(tenant.where(campaigns)).orderBy(desc(campaigns.createdAt)).limit(limit);
  const progress = await campaignProgress(
    tenant,
    rows.filter((row) => row.status !== 'draft').map((row) => row.id),
  );
  return rows.map((row) => toView(row, progress.get(row.id) ?? EMPTY_PROGRESS));
}

/** One campaign with its live progress; 404 for another workspace's. */
export async function getCampaign(tenant: Tenant, id: string): Promise<CampaignView> {
  const row = await loadCampaign(tenant, id);
  const progress = await campaignProgress(tenant, [id]);
  return toView(row, progress.get(id) ?? EMPTY_PROGRESS);
}

/** A page of the campaign's results recipient by recipient; 404 for another workspace's campaign. */
export async function getCampaignResults(tenant: Tenant, id: string, query: CampaignResultsQuery): Promise<CampaignResultPage> {
  await loadCampaign(tenant, id);
  return listCampaignResults(tenant, id, query);
}

/** Changes the fields given, while the campaign is a draft or scheduled. */
export async function updateCampaign(tenant: Tenant, id: string, patch: CampaignPatch, now = Date.now()): Promise<CampaignView> {
  const row = await loadCampaign(tenant, id);
  assertCampaignMove(row.status, 'edit');
  await checkReferences(tenant, row.channel, patch);
  const updated = await moveCampaign(
    tenant,
    row,
    'edit',
    {
      ...(patch.name !== undefined ? { name: patch.name } : {}),
      ...(patch.contentId !== undefined ? { contentId: patch.contentId } : {}),
      ...(patch.audience ? audienceColumns(patch.audience) : {}),
      ...(patch.sendingFilter ? { sendingFilter: patch.sendingFilter } : {}),
    },
    now,
  );
  return toView(updated, EMPTY_PROGRESS);
}

/** The audience's definition as it stands now (a saved segment is read at this moment). */
export async function campaignDefinition(tenant: Tenant, audience: CampaignAudience): Promise<SegmentDefinition> {
  if (audience.type === 'segment') return (await getSegment(tenant, audience.segmentId)).definition;
  return audience.type === 'rules' ? audience.definition : EVERYONE;
}

/** How many contacts the campaign would reach if it went out now (the builder's live count). */
export async function countCampaignAudience(tenant: Tenant, input: Pick<CampaignInput, 'audience' | 'channel' | 'sendingFilter'>, now = Date.now()): Promise<number> {
  const definition = await campaignDefinition(tenant, input.audience);
  const [row] = await tenant.db
    .select({ n: count() })
    .from(contacts)
    .where(compileCampaignAudience(definition, input.channel, input.sendingFilter, { workspaceId: tenant.workspaceId, now }));
  return row?.n ?? 0;
}

function assertContentChosen(row: CampaignRow): void {
  if (!row.contentId) throw invalidField('contentId', `Choose the ${CONTENT_WORDS[row.channel]} to send`, `Choose the ${CONTENT_WORDS[row.channel]} to send first`);
}

/**
 * Why each of these campaigns' emails would go out without a postal address in the footer
 * (CAN-SPAM), by campaign id; texts have none. One round trip for all of them: the
 * workspace's address and their designs.
 */
export async function campaignFooterIssues(tenant: Tenant, rows: Pick<CampaignRow, 'id' | 'channel' | 'contentId'>[]): Promise<Map<string, FieldIssue>> {
  const emails = rows.filter((row) => row.channel === 'email');
  if (!emails.length) return new Map();
  const [settings, designs] = await tenant.db.batch([
    tenant.db.select({ postalAddress: workspaceSettings.postalAddress }).from(workspaceSettings).where(tenant.where(workspaceSettings)),
    tenant.db
      .select({ id: emailContents.id, html: emailContents.html })
      .from(emailContents)
      .where(
        tenant.where(
          emailContents,
          inJsonList(
            emailContents.id,
            emails.flatMap((row) => (row.contentId ? [row.contentId] : [])),
          ),
        ),
      ),
  ]);
  const postalAddress = settings[0]?.postalAddress ?? null;
  const htmlOf = new Map(designs.map((design) => [design.id, design.html]));
  const issues = new Map<string, FieldIssue>();
  for (const row of emails) {
    const issue = footerAddressIssue(postalAddress, (row.contentId && htmlOf.get(row.contentId)) || null);
    if (issue) issues.set(row.id, issue);
  }
  return issues;
}

/** A campaign goes out only with its content chosen and, for email, a postal address in the footer. */
async function assertSendable(tenant: Tenant, row: CampaignRow): Promise<void> {
  assertContentChosen(row);
  const issue = (await campaignFooterIssues(tenant, [row])).get(row.id);
  if (issue) throw invalidField(issue.path, issue.message);
}

/**
 * Sends now (the fan-out starts at once) or schedules for a wall-clock time in the
 * workspace's zone; rescheduling a scheduled campaign moves it.
 */
export async function scheduleCampaign(tenant: Tenant, queues: Queues, id: string, input: ScheduleInput, now = Date.now()): Promise<CampaignView> {
  const row = await loadCampaign(tenant, id);
  if (input.now) {
    assertCampaignMove(row.status, 'sending');
    await assertSendable(tenant, row);
    const started = await moveCampaign(tenant, row, 'sending', { startedAt: now, scheduledAt: now, scheduledLocal: null, scheduledTimeZone: null }, now);
    // If this send fails, the cron's stalled fan-out sweep starts it (requeueStalledFanOuts).
    await enqueue(queues, [fanOutPageMessage(started, null)]);
    return toView(started, EMPTY_PROGRESS);
  }
  assertCampaignMove(row.status, 'scheduled');
  await assertSendable(tenant, row);
  const { timeZone } = await getWorkspace(tenant);
  const at = zonedTimeToUtc(input.sendAt!, timeZone);
  if (at <= now) throw invalidField('sendAt', 'Choose a time in the future', `That time has passed in ${timeZone}; choose a time in the future`);
  const scheduled = await moveCampaign(tenant, row, 'scheduled', { scheduledAt: at, scheduledLocal: input.sendAt!, scheduledTimeZone: timeZone }, now);
  return toView(scheduled, EMPTY_PROGRESS);
}

/** Takes a scheduled campaign off the schedule, back to a draft. */
export async function unscheduleCampaign(tenant: Tenant, id: string, now = Date.now()): Promise<CampaignView> {
  const row = await loadCampaign(tenant, id);
  const updated = await moveCampaign(tenant, row, 'draft', { scheduledAt: null, scheduledLocal: null, scheduledTimeZone: null }, now);
  return toView(updated, EMPTY_PROGRESS);
}

/**
 * Pauses a sending campaign. From the commit on, the send job claims none of its
 * deliveries (a message a batch already claimed still goes out) and the fan-out stops
 * paging, its cursor left where it is.
 */
export async function pauseCampaign(tenant: Tenant, id: string, now = Date.now()): Promise<CampaignView> {
  const row = await loadCampaign(tenant, id);
  assertCampaignPausable(row.status);
  await moveCampaign(tenant, row, 'paused', { pausedAt: now, pauseReason: null }, now);
  return getCampaign(tenant, id);
}

/**
 * Resumes a paused campaign where it stopped: its deliveries still queued are sent
 * (walked page by page) and an unfinished fan-out goes on from its cursor. No one gets
 * it twice: every send claims its delivery once. A campaign the platform paused (its
 * server refused the password) may be resumed too; it pauses again if it still does.
 * One held at its send time starts now. Like sending, it needs the postal address.
 */
export async function resumeCampaign(tenant: Tenant, queues: Queues, id: string, now = Date.now()): Promise<CampaignView> {
  const row = await loadCampaign(tenant, id);
  assertCampaignResumable(row.status);
  await assertSendable(tenant, row);
  const resumed = await moveCampaign(tenant, row, 'sending', { startedAt: row.startedAt ?? now, pausedAt: null, pauseReason: null }, now);
  // If this enqueue fails, the cron still gets there: the stalled fan-out sweep restarts
  // the fan-out, the stale delivery sweep re-enqueues what is queued.
  await enqueue(queues, [campaignDeliveriesPageMessage(resumed, 'resume', null), ...(resumed.fanOutDone ? [] : [fanOutPageMessage(resumed, resumed.fanOutCursor)])]);
  return getCampaign(tenant, id);
}

/**
 * Cancels a campaign for good. A draft or scheduled one simply never goes out; for a
 * sending or paused one, what has not gone out never will: the fan-out stops, the send
 * job claims nothing more, and its queued deliveries are marked cancelled page by page.
 */
export async function cancelCampaign(tenant: Tenant, queues: Queues, id: string, now = Date.now()): Promise<CampaignView> {
  const row = await loadCampaign(tenant, id);
  const cancelled = await moveCampaign(tenant, row, 'cancelled', { finishedAt: now, pausedAt: null, pauseReason: null }, now);
  // Only a campaign that started has deliveries. If this enqueue fails, the stale
  // delivery sweep cancels them (it cancels any queued delivery of a cancelled campaign).
  if (row.status === 'sending' || row.status === 'paused') await enqueue(queues, [campaignDeliveriesPageMessage(cancelled, 'cancel', null)]);
  return getCampaign(tenant, id);
}

/** Sends the campaign's design, rendered for the sample contact, to each address; one outcome each. */
export async function testSendCampaign(tenant: Tenant, env: Env, id: string, to: string[], pathOf = (index: number) => `to.${index}`): Promise<{ to: string; outcome: SmtpOutcome }[]> {
  const row = await loadCampaign(tenant, id);
  assertContentChosen(row);
  if (row.channel === 'sms') throw invalidField('to', 'Test texts are not available here: send the campaign to a segment of your own number instead');
  const design = await getEmailContent(tenant, row.contentId!);
  return testSendEmailContent(tenant, env, design, to, pathOf);
}
