// Running flow enrollments' due steps. The cron claims due enrollments and fans them out
// to the sends queue, a message per workspace and 50 enrollments (as a campaign fans out
// its pages), so a burst is advanced by as many consumers as the queue runs instead of
// by one tick's budget. A message runs its enrollments in the version of the flow each
// one entered, step by step together: each round reads what every enrollment's next step
// needs (a split's answer; a message's exits, audience, smart sending and occurrence) in
// one D1 round trip, and the deliveries the steps wrote commit in one batch with the
// enrollments' new states, whose unique key (flow, step, contact, occurrence) makes a step
// repeated after a lost message or a lapsed claim a no-op.
import { eq, gt, inArray, isNotNull, ne, type SQL, sql } from 'drizzle-orm';
import type { Db, Statement } from '../db/client';
import { carts, contacts, deliveries, deliveryEngagements, flowEnrollments, flows, flowVersions, orderItems, orders, workspaceSettings } from '../db/schema';
import { purchaseCondition } from '../purchases/purchase-rule';
import { claimDueEnrollments } from '../db/system';
import { keyed, notAnIndex, type Tenant } from '../db/tenant';
import { type DeliveryRef, type DeliveryRequest, enqueueDeliveries, writeDeliveries } from '../deliveries/deliveries.service';
import type { BatchScope } from '../queues/batch-scope';
import { enqueue, type Queues } from '../queues/enqueue';
import { FLOW_ENROLLMENTS_PER_MESSAGE, flowAdvanceMessage, type FlowAdvanceMessage } from '../queues/messages';
import { compileSegment } from '../segments/compile-segment';
import { chunk, groupBy } from '../lib/chunk';
import { HOUR, MINUTE } from '../lib/time';
import { type FlowDefinition, MAX_FLOW_STEPS, type MessageStep, readDefinition, type SplitCondition, splitTargetIndex } from './flow-definition';
import { occurrenceMergeRead } from './flow-context';

// Enrollments claimed per statement: ten messages' worth, one D1 round trip and one queue send.
const CLAIM_BATCH = 500;
// A tick claims batches while due enrollments remain, for at most this long (real time,
// whatever clock `now` is) and this many (20,000 enrollments, 80 subrequests of the
// invocation's 1,000): a burst (an import into Welcome) is queued in a tick or two, and the
// minute's other tasks still run.
export const FLOW_TASK_BUDGET_MS = 20_000;
const MAX_CLAIMS_PER_TICK = 40;
// Longer than a message waits in a busy sends queue and takes to run; a claim whose message
// was lost lapses after this and the next tick claims the enrollment again.
const CLAIM_MS = 15 * MINUTE;

type Enrollment = typeof flowEnrollments.$inferSelect;
type Outcome = { status: 'active' | 'done' | 'exited'; stepIndex: number; nextRunAt: number | null; reason: string | null };

// A batch reads each flow version's definition and each workspace's settings once; nothing to close.
const keepForBatch = async () => undefined;

async function versionDefinition(tenant: Tenant, flowId: string, version: number): Promise<FlowDefinition | null> {
  const [row] = await tenant.db
    .select({ definition: flowVersions.definition })
    .from(flowVersions)
    .where(tenant.where(flowVersions, eq(flowVersions.flowId, flowId), eq(flowVersions.version, version)))
    .limit(1);
  return row ? readDefinition(row.definition) : null;
}

async function smartSendingHours(tenant: Tenant): Promise<number> {
  const [row] = await tenant.db.select({ hours: workspaceSettings.smartSendingHours }).from(workspaceSettings).where(tenant.where(workspaceSettings)).limit(1);
  return row?.hours ?? 16;
}

/** What the contact bought since entering, beyond the order that started it. */
type PurchaseQuestion = { contactId: string; since: number; startOrderId: string | null; skus: string[]; match: 'any' | 'all' };

/** The read answering whether the contact bought since entering: anything, or one (`any`) or every one (`all`) of the chosen SKUs. */
function purchasedSinceCheck(tenant: Tenant, question: PurchaseQuestion) {
  const conditions: (SQL | undefined)[] = [
    eq(orders.contactId, question.contactId),
    purchaseCondition(orders),
    gt(orders.placedAt, question.since),
    question.startOrderId ? ne(orders.id, question.startOrderId) : undefined,
  ];
  if (question.skus.length === 0) {
    const query = tenant.db
      .select({ id: orders.id })
      .from(orders)
      .where(tenant.where(orders, ...conditions))
      .limit(1);
    return { query, answer: (rows: unknown[]) => rows.length > 0 };
  }
  const query = tenant.db
    .select({ skus: sql<number>`COUNT(DISTINCT ${orderItems.sku})` })
    .from(orderItems)
    .innerJoin(orders, eq(orders.id, orderItems.orderId))
    .where(tenant.where(orders, ...conditions, eq(orderItems.workspaceId, tenant.workspaceId), inArray(orderItems.sku, question.skus)));
  return {
    query,
    answer: (rows: unknown[]) => {
      const bought = (rows[0] as { skus: number } | undefined)?.skus ?? 0;
      return question.match === 'all' ? bought >= new Set(question.skus).size : bought > 0;
    },
  };
}

function purchaseQuestion(enrollment: Enrollment, context: Record<string, unknown>): PurchaseQuestion {
  return {
    contactId: enrollment.contactId,
    since: Number(context.since ?? enrollment.enrolledAt),
    startOrderId: typeof context.orderId === 'string' ? context.orderId : null,
    skus: Array.isArray(context.skus) ? (context.skus as string[]) : [],
    match: context.match === 'all' ? 'all' : 'any',
  };
}

/** The queries one step of one enrollment needs, and what to make of their rows. */
type StepReads = { queries: Statement[]; apply: (results: unknown[][]) => void };

/** A split's question as a read: its purchases, or its opens and clicks of this flow's messages for this occurrence. */
function splitRead(tenant: Tenant, condition: SplitCondition, enrollment: Enrollment, context: Record<string, unknown>): { query: Statement; answer: (rows: unknown[]) => boolean } {
  if (condition === 'ordered_since_start') return purchasedSinceCheck(tenant, { ...purchaseQuestion(enrollment, context), skus: [] });
  const engaged = condition === 'opened_flow_message' ? isNotNull(deliveryEngagements.openedAt) : isNotNull(deliveryEngagements.clickedAt);
  const query = tenant.db
    .select({ id: deliveries.id })
    .from(deliveries)
    .innerJoin(deliveryEngagements, eq(deliveryEngagements.deliveryId, deliveries.id))
    .where(
      tenant.where(
        deliveries,
        eq(deliveries.sourceType, 'flow'),
        eq(deliveries.sourceId, enrollment.flowId),
        eq(deliveries.contactId, enrollment.contactId),
        eq(deliveries.occurrenceKey, enrollment.occurrenceKey),
        engaged,
      ),
    )
    .limit(1);
  return { query, answer: (rows) => rows.length > 0 };
}

/** What a message step decides on, read when it is due: the flow switched on (read with the claimed enrollments), the exits, the audience, smart sending. */
type MessageFacts = { enabled: boolean; cartOrdered: boolean; purchased: boolean; inAudience: boolean; messagedRecently: boolean };

/** The reads of a message step's facts besides the switch (independent reads of the enrollment's contact and flow). */
function messageFactChecks(
  tenant: Tenant,
  definition: FlowDefinition,
  enrollment: Enrollment,
  question: PurchaseQuestion,
  context: Record<string, unknown>,
  smartHours: number,
  now: number,
): { fact: keyof MessageFacts; query: Statement; answer: (rows: unknown[]) => boolean }[] {
  const found = (rows: unknown[]) => rows.length > 0;
  const checks: { fact: keyof MessageFacts; query: Statement; answer: (rows: unknown[]) => boolean }[] = [];
  if (definition.exitOnPurchase && typeof context.cartId === 'string') {
    const converted = tenant.db
      .select({ id: carts.id })
      .from(carts)
      .where(tenant.where(carts, eq(carts.id, context.cartId), isNotNull(carts.convertedOrderId)))
      .limit(1);
    checks.push({ fact: 'cartOrdered', query: converted, answer: found });
  }
  if (definition.exitOnPurchase) checks.push({ fact: 'purchased', ...purchasedSinceCheck(tenant, question) });
  if (definition.audience || definition.sendingFilter === 'registered') {
    const member = tenant.db
      .select({ id: contacts.id })
      .from(contacts)
      .where(
        tenant.where(
          contacts,
          eq(contacts.id, enrollment.contactId),
          definition.audience ? compileSegment(definition.audience, { workspaceId: tenant.workspaceId, now }) : undefined,
          definition.sendingFilter === 'registered' ? eq(contacts.registered, true) : undefined,
        ),
      )
      .limit(1);
    checks.push({ fact: 'inAudience', query: member, answer: found });
  }
  if (definition.smartSending && smartHours > 0) {
    const messaged = tenant.db
      .select({ id: deliveries.id })
      .from(deliveries)
      // By the contact's index: the window alone picked the workspace's sent-time index and
      // walked every message sent in it (a 100,000-contact burst slowed to a third as it went).
      .where(tenant.where(deliveries, eq(deliveries.contactId, enrollment.contactId), eq(deliveries.status, 'sent'), notAnIndex(gt(deliveries.sentAt, now - smartHours * HOUR))))
      .limit(1);
    checks.push({ fact: 'messagedRecently', query: messaged, answer: found });
  }
  return checks;
}

/** Why the contact leaves before this message, or null to go on. */
function exitReason(facts: MessageFacts, question: PurchaseQuestion): string | null {
  // Checked at the message, not only at entry: switched off or bought during the wait sends nothing.
  if (!facts.enabled) return 'The flow was switched off';
  if (facts.cartOrdered) return 'The cart was ordered';
  if (facts.purchased) return question.skus.length > 0 ? 'Bought the rule’s products again' : 'Ordered since entering the flow';
  return null;
}

/** One enrollment being advanced: where it stands, and, once it reaches a wait, the end or an exit, its outcome. */
type Run = {
  enrollment: Enrollment;
  flowEnabled: boolean;
  definition: FlowDefinition;
  context: Record<string, unknown>;
  index: number;
  outcome: Outcome | null;
  deliveries: DeliveryRequest[];
};

/** A message step's reads; applied, the run exits or writes the message (or its skip) and moves on. */
function messageStepReads(tenant: Tenant, run: Run, step: MessageStep, smartHours: number, now: number): StepReads {
  const { definition, enrollment, context } = run;
  const question = purchaseQuestion(enrollment, context);
  const checks = messageFactChecks(tenant, definition, enrollment, question, context, smartHours, now);
  const merge = occurrenceMergeRead(tenant, context);
  return {
    queries: [...checks.map((check) => check.query), ...(merge ? [merge.query] : [])],
    apply: (results) => {
      const facts: MessageFacts = { enabled: run.flowEnabled, cartOrdered: false, purchased: false, inAudience: true, messagedRecently: false };
      for (const [i, check] of checks.entries()) facts[check.fact] = check.answer(results[i]!);
      const exit = exitReason(facts, question);
      if (exit) {
        run.outcome = { status: 'exited', stepIndex: run.index, nextRunAt: null, reason: exit };
        return;
      }
      let skip: DeliveryRequest['skip'];
      if (!facts.inAudience) skip = { reason: 'No longer meets the flow’s audience rules', code: 'not_in_audience' };
      else if (facts.messagedRecently) skip = { reason: `Smart sending: received a message in the last ${smartHours} hours`, code: 'smart_sending' };
      run.deliveries.push({
        contactId: enrollment.contactId,
        channel: step.type,
        sourceType: 'flow',
        sourceId: enrollment.flowId,
        stepKey: step.id,
        occurrenceKey: enrollment.occurrenceKey,
        contentId: step.contentId,
        requiresOptIn: definition.sendingFilter === 'subscribed',
        context: skip ? undefined : merge ? merge.mergeData(results[checks.length]!) : {},
        skip,
      });
      run.index++;
    },
  };
}

/**
 * Moves the run through the steps that need no read (a wait sets its outcome, as does the
 * end); returns the reads of the step that needs them, or null once the run has its outcome.
 */
function nextStepReads(tenant: Tenant, run: Run, smartHours: number, now: number): StepReads | null {
  const { steps } = run.definition;
  const step = steps[run.index];
  if (!step) {
    run.outcome = { status: 'done', stepIndex: run.index, nextRunAt: null, reason: null };
    return null;
  }
  if (step.type === 'wait') {
    run.outcome = { status: 'active', stepIndex: run.index + 1, nextRunAt: now + step.hours * HOUR, reason: null };
    return null;
  }
  if (step.type === 'split') {
    const read = splitRead(tenant, step.condition, run.enrollment, run.context);
    return {
      queries: [read.query],
      apply: ([rows]) => {
        run.index = splitTargetIndex(steps, run.index, read.answer(rows!) ? step.ifYes : step.ifNo);
      },
    };
  }
  return messageStepReads(tenant, run, step, smartHours, now);
}

function parseContext(enrollment: Enrollment): Record<string, unknown> {
  try {
    return enrollment.context ? (JSON.parse(enrollment.context) as Record<string, unknown>) : {};
  } catch {
    // A context that does not parse leaves the messages without occurrence data.
    return {};
  }
}

function logFailure(enrollment: Enrollment, err: unknown) {
  // Left claimed: it is tried again once the claim lapses, and its deliveries' unique key keeps that safe.
  console.error(JSON.stringify({ level: 'error', task: 'advance-flows', enrollmentId: enrollment.id, error: String(err) }));
}

/**
 * Runs the claimed enrollments of one workspace from where each stands until a wait, the
 * end or an exit; writes their deliveries and new states together and enqueues the sends.
 * Returns how many it advanced. An enrollment whose step fails stays claimed for a later try.
 */
export async function advanceClaimedEnrollments(tenant: Tenant, queues: Queues, scope: BatchScope, claimed: ClaimedEnrollment[], claimedUntil: number, now: number): Promise<number> {
  const runs: Run[] = [];
  const unloadable: { enrollment: Enrollment; outcome: Outcome }[] = [];
  const failed = new Set<Run>();
  for (const { enrollment, flowEnabled } of claimed) {
    const definition = await scope.use(`version:${enrollment.flowId}:${enrollment.version}`, () => versionDefinition(tenant, enrollment.flowId, enrollment.version), keepForBatch);
    if (definition) runs.push({ enrollment, flowEnabled, definition, context: parseContext(enrollment), index: enrollment.stepIndex, outcome: null, deliveries: [] });
    else unloadable.push({ enrollment, outcome: { status: 'exited', stepIndex: enrollment.stepIndex, nextRunAt: null, reason: 'The flow’s settings no longer load' } });
  }
  const smartHours = runs.some((run) => run.definition.smartSending) ? await scope.use(`smart:${tenant.workspaceId}`, () => smartSendingHours(tenant), keepForBatch) : 0;
  // Every round moves each run at least one step (splits only jump forward), so a run has its outcome within its flow's steps.
  for (let round = 0; round <= MAX_FLOW_STEPS; round++) {
    const reading: { run: Run; reads: StepReads }[] = [];
    for (const run of runs) {
      if (run.outcome || failed.has(run)) continue;
      try {
        const reads = nextStepReads(tenant, run, smartHours, now);
        if (reads) reading.push({ run, reads });
      } catch (err) {
        failed.add(run);
        logFailure(run.enrollment, err);
      }
    }
    if (!reading.length) break;
    // A message step may need no read at all (no exits, audience or smart sending to check).
    const [first, ...rest] = reading.flatMap(({ reads }) => reads.queries);
    const results = first ? ((await tenant.db.batch([first, ...rest])) as unknown[][]) : [];
    let offset = 0;
    for (const { run, reads } of reading) {
      const own = results.slice(offset, offset + reads.queries.length);
      offset += reads.queries.length;
      try {
        reads.apply(own);
      } catch (err) {
        failed.add(run);
        logFailure(run.enrollment, err);
      }
    }
  }
  const advanced: { enrollment: Enrollment; outcome: Outcome; deliveries: DeliveryRequest[] }[] = [
    ...unloadable.map((entry) => ({ ...entry, deliveries: [] })),
    ...runs.filter((run): run is Run & { outcome: Outcome } => run.outcome !== null && !failed.has(run)),
  ];
  // Only the holder of the claim writes the outcome; a later claimer of a lapsed one wins.
  const outcomeOf = ({ enrollment, outcome }: (typeof advanced)[number]) =>
    tenant.db
      .update(flowEnrollments)
      .set({ ...outcome, claimedUntil: null, updatedAt: now })
      .where(tenant.where(flowEnrollments, keyed(eq(flowEnrollments.id, enrollment.id)), eq(flowEnrollments.claimedUntil, claimedUntil), eq(flowEnrollments.status, 'active')));
  let written = 0;
  const created: DeliveryRef[] = [];
  try {
    created.push(
      ...(await writeDeliveries(
        tenant,
        advanced.flatMap((entry) => entry.deliveries),
        now,
        advanced.map(outcomeOf),
      )),
    );
    written = advanced.length;
  } catch (joint) {
    // One enrollment whose write fails every time must not hold up the others of its message:
    // each is written alone, and one that still fails stays claimed for a later try.
    for (const entry of advanced) {
      try {
        created.push(...(await writeDeliveries(tenant, entry.deliveries, now, [outcomeOf(entry)])));
        written++;
      } catch (err) {
        logFailure(entry.enrollment, err);
      }
    }
    // None written (D1 failing, not one enrollment): the queue retries the message soon, rather than the lease in 15 minutes.
    if (written === 0) throw joint;
  }
  await enqueueDeliveries(queues, tenant.workspaceId, created);
  return written;
}

/** An enrollment a message's claim still holds, with whether its flow is switched on. */
export type ClaimedEnrollment = { enrollment: Enrollment; flowEnabled: boolean };

/**
 * The enrollments a flow-advance message names that its claim still holds, each with its
 * flow's switch: read once here rather than once per enrollment at its message.
 */
export function claimedEnrollments(tenant: Tenant, message: FlowAdvanceMessage): Promise<ClaimedEnrollment[]> {
  return tenant.db
    .select({ enrollment: flowEnrollments, flowEnabled: flows.enabled })
    .from(flowEnrollments)
    .innerJoin(flows, eq(flows.id, flowEnrollments.flowId))
    .where(tenant.where(flowEnrollments, keyed(inArray(flowEnrollments.id, message.enrollmentIds)), eq(flowEnrollments.claimedUntil, message.claimedUntil), eq(flowEnrollments.status, 'active')));
}

/** The cron task: claims due enrollments and queues a flow-advance message per workspace and 50 of them. Returns how many it queued. */
export async function queueDueEnrollments(db: Db, queues: Queues, now: number): Promise<number> {
  let queued = 0;
  const started = Date.now();
  for (let batch = 0; batch < MAX_CLAIMS_PER_TICK && Date.now() - started < FLOW_TASK_BUDGET_MS; batch++) {
    const claim = { claimedUntil: now + CLAIM_MS, now };
    const claimed = await claimDueEnrollments(db, now, claim.claimedUntil, CLAIM_BATCH);
    // A tick that dies between the claim and the send leaves them claimed: they are claimed again once it lapses.
    await enqueue(
      queues,
      [...groupBy(claimed, (row) => row.workspaceId)].flatMap(([workspaceId, rows]) =>
        chunk(rows, FLOW_ENROLLMENTS_PER_MESSAGE).map((slice) =>
          flowAdvanceMessage(
            workspaceId,
            slice.map((row) => row.id),
            claim,
          ),
        ),
      ),
    );
    queued += claimed.length;
    if (claimed.length < CLAIM_BATCH) break;
  }
  return queued;
}
