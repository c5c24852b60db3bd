// The cron's first flow task: each switched-on flow reads the triggers raised since its
// cursor (rowid order, so a trigger stamped with an older store time is still read) and
// enrolls the contacts each one names or, for a product's price drop or restock, the
// contacts interested in it. An enrollment is unique per flow, contact and occurrence,
// and re-entry is one NOT EXISTS in the same statement, so replays and overlapping
// ticks enroll nobody twice.
import { eq, gt, gte, inArray, sql } from 'drizzle-orm';
import { chunk } from '../lib/chunk';
import { runBatch, type Db, type Statement } from '../db/client';
import { contacts, type FlowKind, flowEnrollments, flows, type InterestKind, orderItems, productInterests, triggers } from '../db/schema';
import { listEnabledFlows } from '../db/system';
import { forWorkspace, keyed, type Tenant } from '../db/tenant';
import { newId } from '../lib/ids';
import { DAY } from '../lib/time';
import { FLOW_TASK_BUDGET_MS } from './flow-advance';
import { type FlowDefinition, RULE_KEY, readDefinition, type RetentionRule, triggerKindOf } from './flow-definition';

const FLOWS_PER_TICK = 500;
const TRIGGERS_PER_FLOW = 200;
// A bound besides the time budget: 50 pages of 200 triggers for a flow in one tick.
const MAX_PASSES_PER_TICK = 50;
// Contacts one product occurrence reaches; a product followed by more reaches its most recent followers.
export const MAX_CONTACTS_PER_PRODUCT_TRIGGER = 5000;
const STATEMENTS_PER_BATCH = 50;
// Candidates in one insert: its JSON stays far below D1's 2 MB a value.
const CANDIDATES_PER_STATEMENT = 500;

type TriggerRow = { rowid: number; contactId: string | null; subjectId: string | null; occurrenceKey: string; data: string; occurredAt: number };

/**
 * A contact to enroll: the occurrence it enters for, what the flow's messages will show,
 * and when its first step is due (a retention rule's window end; otherwise now).
 */
type Candidate = { contactId: string; occurrenceKey: string; context: Record<string, unknown>; dueAt?: number };

type EnabledFlow = { id: string; workspaceId: string; kind: FlowKind; version: number; definition: FlowDefinition; triggerCursor: number };

function dataOf(row: TriggerRow): Record<string, unknown> {
  try {
    return JSON.parse(row.data) as Record<string, unknown>;
  } catch {
    return {};
  }
}

const INTERESTS: Record<'price_drop' | 'back_in_stock', InterestKind[]> = {
  price_drop: ['viewed', 'carted', 'back_in_stock'],
  back_in_stock: ['back_in_stock', 'carted'],
};

async function interestedContacts(tenant: Tenant, productId: string, kinds: InterestKind[], since: number) {
  return tenant.db
    .select({ contactId: productInterests.contactId, firstAt: sql<number>`MAX(${productInterests.firstAt})` })
    .from(productInterests)
    .where(tenant.where(productInterests, eq(productInterests.productId, productId), inArray(productInterests.kind, kinds), gte(productInterests.lastAt, since)))
    .groupBy(productInterests.contactId)
    .orderBy(sql`MAX(${productInterests.lastAt}) DESC`)
    .limit(MAX_CONTACTS_PER_PRODUCT_TRIGGER);
}

/** The SKUs among `skus` that the order holds (retention rules on chosen products start only from those). */
async function skusInOrder(tenant: Tenant, orderId: string, skus: string[]): Promise<Set<string>> {
  if (skus.length === 0) return new Set();
  const rows = await tenant.db
    .selectDistinct({ sku: orderItems.sku })
    .from(orderItems)
    .where(tenant.where(orderItems, eq(orderItems.orderId, orderId), inArray(orderItems.sku, skus)));
  return new Set(rows.map((row) => row.sku).filter((sku): sku is string => sku !== null));
}

/**
 * The order's enrollments in a retention flow: one per rule it starts (a blanket rule: any
 * order; a rule on chosen SKUs: an order holding one of them), due when the rule's days end.
 * Keyed by order and rule, so each rule keeps its own enrollments and figures.
 */
async function retentionCandidates(tenant: Tenant, rules: RetentionRule[], row: TriggerRow & { contactId: string; subjectId: string }): Promise<Candidate[]> {
  const inOrder = await skusInOrder(tenant, row.subjectId, [...new Set(rules.flatMap((rule) => rule.skus))]);
  return rules
    .filter((rule) => rule.skus.length === 0 || rule.skus.some((sku) => inOrder.has(sku)))
    .map((rule) => ({
      contactId: row.contactId,
      occurrenceKey: `order:${row.subjectId}${RULE_KEY}${rule.id}`,
      context: { orderId: row.subjectId, since: row.occurredAt, skus: rule.skus, match: rule.match, ruleId: rule.id },
      dueAt: row.occurredAt + rule.days * DAY,
    }));
}

/** Who one trigger enrolls in the flow, now. */
async function candidatesOf(tenant: Tenant, flow: EnabledFlow, row: TriggerRow, now: number): Promise<Candidate[]> {
  const trigger = flow.definition.trigger;
  const data = dataOf(row);
  const since = row.occurredAt;
  switch (trigger.kind) {
    case 'welcome':
      return row.contactId ? [{ contactId: row.contactId, occurrenceKey: 'welcome', context: { since } }] : [];
    case 'abandoned_cart':
      // A cart without items, or without anyone to remind, is not abandoned.
      return row.contactId && row.subjectId && Number(data.itemCount) > 0 ? [{ contactId: row.contactId, occurrenceKey: `cart:${row.subjectId}`, context: { cartId: row.subjectId, since } }] : [];
    case 'win_back':
      return row.contactId && row.subjectId ? [{ contactId: row.contactId, occurrenceKey: `order:${row.subjectId}`, context: { orderId: row.subjectId, since } }] : [];
    case 'retention':
      return row.contactId && row.subjectId ? retentionCandidates(tenant, trigger.rules, { ...row, contactId: row.contactId, subjectId: row.subjectId }) : [];
    case 'price_drop': {
      const oldPrice = Number(data.oldPriceCents);
      const newPrice = Number(data.newPriceCents);
      const drop = oldPrice - newPrice;
      if (!row.subjectId || !(drop > 0) || (drop * 100) / oldPrice < trigger.minDropPercent || drop < trigger.minDropCents) return [];
      const context = { productId: row.subjectId, oldPriceCents: oldPrice, newPriceCents: newPrice, currency: data.currency, since };
      const interested = await interestedContacts(tenant, row.subjectId, INTERESTS.price_drop, now - trigger.interestDays * DAY);
      return interested.map(({ contactId }) => ({ contactId, occurrenceKey: row.occurrenceKey, context }));
    }
    case 'back_in_stock': {
      if (!row.subjectId) return [];
      const interested = await interestedContacts(tenant, row.subjectId, INTERESTS.back_in_stock, now - trigger.interestDays * DAY);
      // Keyed by the interest, not the restock: a second restock does not tell the same subscription again.
      return interested.map(({ contactId, firstAt }) => ({ contactId, occurrenceKey: `stock:${row.subjectId}:${firstAt}`, context: { productId: row.subjectId, since } }));
    }
  }
}

/**
 * One enrollment insert for a slice of candidates (each contact at most once): only for
 * contacts of the workspace, and only when re-entry allows it. The candidates travel as
 * one JSON parameter, so a page of 200 triggers (or a product's 5,000 followers) is a
 * statement or a few rather than one each.
 */
function enrollStatement(tenant: Tenant, flow: EnabledFlow, candidates: Candidate[], now: number): Statement {
  const days = flow.definition.reentryDays;
  // Entered after this time blocks a new entry: ever (once), or within the last N days.
  const blockedAfter = days === null ? -1 : days === 0 ? now : now - days * DAY;
  const earlier = tenant.db
    .select({ one: sql`1` })
    .from(flowEnrollments)
    .where(tenant.where(flowEnrollments, eq(flowEnrollments.flowId, flow.id), eq(flowEnrollments.contactId, contacts.id), gt(flowEnrollments.enrolledAt, blockedAfter)));
  const rows = candidates.map((candidate) => ({
    id: newId(now),
    contactId: candidate.contactId,
    occurrenceKey: candidate.occurrenceKey,
    context: JSON.stringify(candidate.context),
    dueAt: candidate.dueAt ?? now,
  }));
  // Each candidate finds its contact by id (keyed: the workspace only filters).
  const ofWorkspace = tenant.where(contacts, keyed(sql`${contacts.id} = c.value ->> 'contactId'`));
  return tenant.db
    .insert(flowEnrollments)
    .select(
      sql`SELECT c.value ->> 'id', ${contacts.workspaceId}, ${flow.id}, ${flow.version}, ${contacts.id}, c.value ->> 'occurrenceKey', c.value ->> 'context', 'active', 0, c.value ->> 'dueAt', NULL, NULL, ${now}, ${now}
          FROM json_each(${JSON.stringify(rows)}) c JOIN ${contacts} ON ${ofWorkspace} WHERE NOT EXISTS ${earlier}`,
    )
    .onConflictDoNothing();
}

/**
 * The inserts of a page's candidates, in order. A statement's NOT EXISTS does not see the
 * rows the same statement inserts, so a contact's second candidate (another cart, another
 * rule) goes in a later statement, which sees the first, as one statement each did.
 */
function enrollStatements(tenant: Tenant, flow: EnabledFlow, candidates: Candidate[], now: number): Statement[] {
  const rounds: Candidate[][] = [];
  const seen = new Map<string, number>();
  for (const candidate of candidates) {
    const round = seen.get(candidate.contactId) ?? 0;
    seen.set(candidate.contactId, round + 1);
    const slot = rounds[round] ?? [];
    slot.push(candidate);
    rounds[round] = slot;
  }
  return rounds.flatMap((round) => chunk(round, CANDIDATES_PER_STATEMENT).map((slice) => enrollStatement(tenant, flow, slice, now)));
}

/** Reads a page of one flow's new triggers and enrolls their contacts; returns how many it read and the cursor after them. */
async function enrollFlow(tenant: Tenant, flow: EnabledFlow, now: number): Promise<{ read: number; cursor: number }> {
  const rows: TriggerRow[] = await tenant.db
    .select({
      rowid: sql<number>`${triggers}.rowid`,
      contactId: triggers.contactId,
      subjectId: triggers.subjectId,
      occurrenceKey: triggers.occurrenceKey,
      data: triggers.data,
      occurredAt: triggers.occurredAt,
    })
    .from(triggers)
    .where(tenant.where(triggers, eq(triggers.kind, triggerKindOf(flow.definition.trigger)), sql`${triggers}.rowid > ${flow.triggerCursor}`))
    .orderBy(sql`${triggers}.rowid`)
    .limit(TRIGGERS_PER_FLOW);
  const last = rows.at(-1);
  if (!last) return { read: 0, cursor: flow.triggerCursor };
  const candidates: Candidate[] = [];
  for (const row of rows) candidates.push(...(await candidatesOf(tenant, flow, row, now)));
  for (const slice of chunk(enrollStatements(tenant, flow, candidates, now), STATEMENTS_PER_BATCH)) await runBatch(tenant.db, slice);
  // Moving the cursor last: a tick that dies before re-reads these triggers, and the unique key absorbs the repeat.
  await tenant.db
    .update(flows)
    .set({ triggerCursor: last.rowid })
    .where(tenant.where(flows, eq(flows.id, flow.id), sql`${flows.triggerCursor} < ${last.rowid}`));
  return { read: rows.length, cursor: last.rowid };
}

/**
 * The cron task: enrolls from every switched-on flow's new triggers, a page per flow in
 * turns (so one flow's burst never starves another), again for the flows with more while
 * the budget lasts. Returns the triggers read.
 */
export async function enrollFromTriggers(db: Db, now: number): Promise<number> {
  const started = Date.now();
  let read = 0;
  let pending: EnabledFlow[] = [];
  for (const row of await listEnabledFlows(db, FLOWS_PER_TICK)) {
    const definition = readDefinition(row.definition);
    if (definition) pending.push({ ...row, definition });
  }
  for (let pass = 0; pending.length && pass < MAX_PASSES_PER_TICK && (pass === 0 || Date.now() - started < FLOW_TASK_BUDGET_MS); pass++) {
    const more: EnabledFlow[] = [];
    for (const flow of pending) {
      try {
        const page = await enrollFlow(forWorkspace(db, flow.workspaceId), flow, now);
        read += page.read;
        if (page.read === TRIGGERS_PER_FLOW) more.push({ ...flow, triggerCursor: page.cursor });
      } catch (err) {
        // One flow's failure (its cursor stays, so it retries next tick) never holds up the others.
        console.error(JSON.stringify({ level: 'error', task: 'enroll-flows', flowId: flow.id, error: String(err) }));
      }
    }
    pending = more;
  }
  return read;
}
