// The cron's second flow task: claims due enrollments in batches and runs their steps
// in the version of the flow each one entered. A wait sets when the next step is due; a
// message step first checks the exits (a purchase, a converted cart, a flow switched
// off), the audience and smart sending, then writes the delivery, whose unique key (flow,
// step, contact, occurrence) makes a step repeated after a crashed tick a no-op.
import { eq, gt, inArray, isNotNull, ne, type SQL, sql } from 'drizzle-orm';
import { type Db, runBatch, type Statement } from '../db/client';
import { carts, contacts, deliveries, deliveryEngagements, flowEnrollments, flows, flowVersions, orderItems, orders, workspaceSettings } from '../db/schema';
import { purchaseCondition } from '../purchases/purchase-rule';
import { claimDueEnrollments } from '../db/system';
import { forWorkspace, type Tenant } from '../db/tenant';
import { queueDeliveries } from '../deliveries/deliveries.service';
import { type BatchScope, createBatchScope } from '../queues/batch-scope';
import type { Queues } from '../queues/enqueue';
import { compileSegment } from '../segments/compile-segment';
import { forEachConcurrently } from '../lib/concurrency';
import { HOUR, MINUTE } from '../lib/time';
import { type FlowDefinition, type MessageStep, readDefinition, type SplitCondition, splitTargetIndex } from './flow-definition';
import { occurrenceMergeData } from './flow-context';

const BATCH = 100;
// A tick keeps claiming batches while due enrollments remain, for at most this long (real
// time, whatever clock `now` is) and this many batches: a burst (an import into Welcome)
// drains in a few ticks instead of 100 a minute, and the minute's other tasks still run.
export const FLOW_TASK_BUDGET_MS = 20_000;
const MAX_BATCHES_PER_TICK = 100;
// Enrollments of a batch advanced at once: each is several D1 round trips that mostly wait,
// so one at a time left a 10,000-contact Welcome burst taking ten ticks. Each is claimed
// by this tick alone and its delivery's unique key stops doubles, so order does not matter.
const ENROLLMENTS_AT_ONCE = 6;
// Longer than one batch can take; a tick that died frees its claims after this.
const CLAIM_MS = 5 * MINUTE;

type Enrollment = typeof flowEnrollments.$inferSelect;
type Outcome = { status: 'active' | 'done' | 'exited'; stepIndex: number; nextRunAt: number | null; reason: string | null };

// A tick reads each flow version's definition and each workspace's settings once; nothing to close.
const keepForTick = async () => undefined;

async function versionDefinition(tenant: Tenant, flowId: string, version: number): Promise<FlowDefinition | null> {
  const [row] = await tenant.db
    .select({ definition: flowVersions.definition })
    .from(flowVersions)
    .where(tenant.where(flowVersions, eq(flowVersions.flowId, flowId), eq(flowVersions.version, version)))
    .limit(1);
  return row ? readDefinition(row.definition) : null;
}

function flowEnabledQuery(tenant: Tenant, flowId: string) {
  return tenant.db
    .select({ enabled: flows.enabled })
    .from(flows)
    .where(tenant.where(flows, eq(flows.id, flowId)))
    .limit(1);
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

/** A split's answer for the enrollment: its purchases, or its opens and clicks of this flow's messages for this occurrence. */
async function splitAnswer(tenant: Tenant, condition: SplitCondition, enrollment: Enrollment, context: Record<string, unknown>): Promise<boolean> {
  if (condition === 'ordered_since_start') {
    const purchased = purchasedSinceCheck(tenant, { ...purchaseQuestion(enrollment, context), skus: [] });
    return purchased.answer(await purchased.query);
  }
  const engaged = condition === 'opened_flow_message' ? isNotNull(deliveryEngagements.openedAt) : isNotNull(deliveryEngagements.clickedAt);
  const rows = await tenant.db
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
  return rows.length > 0;
}

/** What a message step decides on, read when it is due: the flow switched on, the exits, the audience, smart sending. */
type MessageFacts = { enabled: boolean; cartOrdered: boolean; purchased: boolean; inAudience: boolean; messagedRecently: boolean };

/** Reads a message step's facts in one round trip (they are independent reads of the enrollment's contact and flow). */
async function messageFacts(
  tenant: Tenant,
  definition: FlowDefinition,
  enrollment: Enrollment,
  question: PurchaseQuestion,
  context: Record<string, unknown>,
  smartHours: number,
  now: number,
): Promise<MessageFacts> {
  const found = (rows: unknown[]) => rows.length > 0;
  const checks: { fact: keyof MessageFacts; query: Statement; answer: (rows: unknown[]) => boolean }[] = [
    { fact: 'enabled', query: flowEnabledQuery(tenant, enrollment.flowId), answer: (rows) => (rows[0] as { enabled: boolean } | undefined)?.enabled ?? false },
  ];
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
      .where(tenant.where(deliveries, eq(deliveries.contactId, enrollment.contactId), eq(deliveries.status, 'sent'), gt(deliveries.sentAt, now - smartHours * HOUR)))
      .limit(1);
    checks.push({ fact: 'messagedRecently', query: messaged, answer: found });
  }
  const [first, ...rest] = checks.map((check) => check.query);
  const results = (await tenant.db.batch([first!, ...rest])) as unknown[][];
  const facts: MessageFacts = { enabled: false, cartOrdered: false, purchased: false, inAudience: true, messagedRecently: false };
  for (const [i, check] of checks.entries()) facts[check.fact] = check.answer(results[i]!);
  return facts;
}

/** Why the contact leaves before this message, or null to go on. */
function exitReason(facts: MessageFacts, question: PurchaseQuestion): string | null {
  // Checked at the message, not only at entry: switched off or bought during the wait sends nothing.
  if (!facts.enabled) return 'The flow was switched off';
  if (facts.cartOrdered) return 'The cart was ordered';
  if (facts.purchased) return question.skus.length > 0 ? 'Bought the rule’s products again' : 'Ordered since entering the flow';
  return null;
}

/** Runs one message step: the enrollment's exit, or its delivery written (and queued) or its skip recorded. */
async function messageStep(
  tenant: Tenant,
  queues: Queues,
  cache: BatchScope,
  step: MessageStep,
  definition: FlowDefinition,
  enrollment: Enrollment,
  context: Record<string, unknown>,
  now: number,
): Promise<string | null> {
  const smartHours = definition.smartSending ? await cache.use(`smart:${tenant.workspaceId}`, () => smartSendingHours(tenant), keepForTick) : 0;
  const question = purchaseQuestion(enrollment, context);
  const facts = await messageFacts(tenant, definition, enrollment, question, context, smartHours, now);
  const exit = exitReason(facts, question);
  if (exit) return exit;
  let skip: { reason: string; code: 'smart_sending' | 'not_in_audience' } | undefined;
  if (!facts.inAudience) skip = { reason: 'No longer meets the flow’s audience rules', code: 'not_in_audience' };
  else if (facts.messagedRecently) skip = { reason: `Smart sending: received a message in the last ${smartHours} hours`, code: 'smart_sending' };
  await queueDeliveries(
    tenant,
    queues,
    [
      {
        contactId: enrollment.contactId,
        channel: step.type,
        sourceType: 'flow',
        sourceId: enrollment.flowId,
        stepKey: step.id,
        occurrenceKey: enrollment.occurrenceKey,
        contentId: step.contentId,
        requiresOptIn: definition.sendingFilter === 'subscribed',
        context: skip ? undefined : await occurrenceMergeData(tenant, context),
        skip,
      },
    ],
    now,
  );
  return null;
}

/** Runs the enrollment's steps from where it stands until a wait, the end, or an exit. */
async function runSteps(tenant: Tenant, queues: Queues, cache: BatchScope, enrollment: Enrollment, now: number): Promise<Outcome> {
  const definition = await cache.use(`version:${enrollment.flowId}:${enrollment.version}`, () => versionDefinition(tenant, enrollment.flowId, enrollment.version), keepForTick);
  if (!definition) return { status: 'exited', stepIndex: enrollment.stepIndex, nextRunAt: null, reason: 'The flow’s settings no longer load' };
  let context: Record<string, unknown> = {};
  try {
    context = enrollment.context ? (JSON.parse(enrollment.context) as Record<string, unknown>) : {};
  } catch {
    // A context that does not parse leaves the messages without occurrence data.
  }
  let index = enrollment.stepIndex;
  while (index < definition.steps.length) {
    const step = definition.steps[index]!;
    if (step.type === 'wait') return { status: 'active', stepIndex: index + 1, nextRunAt: now + step.hours * HOUR, reason: null };
    if (step.type === 'split') {
      const yes = await splitAnswer(tenant, step.condition, enrollment, context);
      index = splitTargetIndex(definition.steps, index, yes ? step.ifYes : step.ifNo);
      continue;
    }
    const exit = await messageStep(tenant, queues, cache, step, definition, enrollment, context, now);
    if (exit) return { status: 'exited', stepIndex: index, nextRunAt: null, reason: exit };
    index++;
  }
  return { status: 'done', stepIndex: index, nextRunAt: null, reason: null };
}

/** The cron task: advances due enrollments, a claimed batch at a time. Returns how many it advanced. */
export async function advanceFlowEnrollments(db: Db, queues: Queues, now: number): Promise<number> {
  const cache = createBatchScope();
  let advanced = 0;
  const started = Date.now();
  for (let batch = 0; batch < MAX_BATCHES_PER_TICK && Date.now() - started < FLOW_TASK_BUDGET_MS; batch++) {
    const claimUntil = now + CLAIM_MS;
    const claimed = await claimDueEnrollments(db, now, claimUntil, BATCH);
    const outcomes: Statement[] = [];
    await forEachConcurrently(claimed, ENROLLMENTS_AT_ONCE, async (enrollment) => {
      const tenant = forWorkspace(db, enrollment.workspaceId);
      try {
        const outcome = await runSteps(tenant, queues, cache, enrollment, now);
        // Only the tick holding the claim writes the outcome; a later claimer of a lapsed one wins.
        outcomes.push(
          tenant.db
            .update(flowEnrollments)
            .set({ ...outcome, claimedUntil: null, updatedAt: now })
            .where(tenant.where(flowEnrollments, eq(flowEnrollments.id, enrollment.id), eq(flowEnrollments.claimedUntil, claimUntil), eq(flowEnrollments.status, 'active'))),
        );
      } catch (err) {
        // Left claimed: it is tried again once the claim lapses, and its deliveries' unique key keeps that safe.
        console.error(JSON.stringify({ level: 'error', task: 'advance-flows', enrollmentId: enrollment.id, error: String(err) }));
      }
    });
    // The batch's outcomes in one round trip. A tick that dies first leaves them claimed: the
    // next claimer runs their steps again, and the deliveries' unique key makes that a no-op.
    await runBatch(db, outcomes);
    advanced += outcomes.length;
    if (claimed.length < BATCH) break;
  }
  return advanced;
}
