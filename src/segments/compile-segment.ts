// compileSegment: a SegmentDefinition to a parameterized SQL condition over `contacts`,
// always scoped to one workspace. Pure: every value is a bound parameter, never text.
import { and, eq, inArray, isNotNull, isNull, or, sql, type SQL } from 'drizzle-orm';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';
import { tagKey } from '../contacts/contact-fields';
import { carts, contacts, contactTags, orderItems, orders } from '../db/schema';
import { DAY } from '../lib/time';
import { purchaseCondition, purchaseValueSql } from '../purchases/purchase-rule';
import { isGroup, type SegmentConditionValue, type SegmentDefinition, type SegmentGroup } from './segment-definition';

/** What compilation needs besides the definition. */
export type CompileContext = { workspaceId: string; now: number };

type Comparable = SQL | SQLiteColumn;

const TRUE = sql`1 = 1`;
const FALSE = sql`1 = 0`;

function compare(column: Comparable, op: 'gt' | 'gte' | 'lt' | 'lte' | 'eq', value: number): SQL {
  switch (op) {
    case 'gt':
      return sql`${column} > ${value}`;
    case 'gte':
      return sql`${column} >= ${value}`;
    case 'lt':
      return sql`${column} < ${value}`;
    case 'lte':
      return sql`${column} <= ${value}`;
    case 'eq':
      return sql`${column} = ${value}`;
  }
}

type NumberCondition = Extract<SegmentConditionValue, { field: 'totalSpent' | 'orderCount' }>;

/** The comparison of a number condition, over a column or an aggregate. */
function numberTest(expression: Comparable, condition: NumberCondition): SQL {
  return condition.op === 'between' ? sql`${expression} BETWEEN ${condition.value} AND ${condition.to}` : compare(expression, condition.op, condition.value);
}

/** Whether a contact with nothing (no spend, no orders) meets the comparison. */
function zeroMeets(condition: NumberCondition): boolean {
  const { value } = condition;
  switch (condition.op) {
    case 'gt':
      return 0 > value;
    case 'gte':
      return 0 >= value;
    case 'lt':
      return 0 < value;
    case 'lte':
      return 0 <= value;
    case 'eq':
      return value === 0;
    case 'between':
      return value <= 0 && 0 <= condition.to;
  }
}

function daysAgo(ctx: CompileContext, days: number): number {
  return ctx.now - days * DAY;
}

/** Relative and absolute date conditions; contacts without the date never match. */
function dateCondition(
  column: typeof contacts.firstOrderAt | typeof contacts.createdAt,
  condition: Extract<SegmentConditionValue, { field: 'firstPurchase' | 'createdAt' }>,
  ctx: CompileContext,
): SQL {
  switch (condition.op) {
    case 'withinDays':
      return sql`${column} >= ${daysAgo(ctx, condition.days)}`;
    case 'moreThanDaysAgo':
      return sql`${column} < ${daysAgo(ctx, condition.days)}`;
    case 'before':
      return sql`${column} < ${condition.at}`;
    case 'after':
      return sql`${column} >= ${condition.at}`;
    case 'between':
      return sql`(${column} >= ${condition.from} AND ${column} < ${condition.to})`;
  }
}

/** Contact ids with a purchase (of these SKUs, since a time). */
function purchasers(ctx: CompileContext, skus: string[] | undefined, since: number | null): SQL {
  const purchase = and(eq(orders.workspaceId, ctx.workspaceId), isNotNull(orders.contactId), purchaseCondition(orders), since === null ? undefined : sql`${orders.placedAt} >= ${since}`);
  if (!skus) return sql`SELECT ${orders.contactId} FROM ${orders} WHERE ${purchase}`;
  return sql`SELECT ${orders.contactId} FROM ${orderItems} JOIN ${orders} ON ${orders.id} = ${orderItems.orderId} WHERE ${and(eq(orderItems.workspaceId, ctx.workspaceId), inArray(orderItems.sku, skus), purchase)}`;
}

// Tags compare case-insensitively, as the contact_tags indexes do (`tags` are tag keys).
function hasTag(ctx: CompileContext, keys: string[]): SQL {
  return and(eq(contactTags.workspaceId, ctx.workspaceId), inArray(sql`lower(${contactTags.tag})`, keys))!;
}

function tagged(ctx: CompileContext, keys: string[]): SQL {
  return sql`SELECT ${contactTags.contactId} FROM ${contactTags} WHERE ${hasTag(ctx, keys)}`;
}

function engagedSince(action: 'opened' | 'clicked' | 'openedOrClicked', cutoff: number): SQL {
  const opened = sql`${contacts.lastOpenedAt} >= ${cutoff}`;
  const clicked = sql`${contacts.lastClickedAt} >= ${cutoff}`;
  if (action === 'opened') return opened;
  if (action === 'clicked') return clicked;
  return sql`(${opened} OR ${clicked})`;
}

/**
 * Spend or order count over the purchases of the last N days, summed the way lifetime
 * totals are (purchase-rule.ts: refunds subtract, cancelled orders count for nothing).
 * Imported baselines carry no dates, so a window reads the store's orders only.
 * One grouped pass over the window's orders (orders_placed_idx), not one lookup per contact:
 * contacts without a purchase in the window have 0 of both and are absent from it, so when
 * 0 meets the comparison the match is everyone except those whose purchases fail it.
 */
function windowedTotal(condition: NumberCondition & { withinDays: number }, ctx: CompileContext): SQL {
  const aggregate = condition.field === 'totalSpent' ? sql`SUM(${purchaseValueSql(orders)})` : sql`COUNT(*)`;
  const buyers = purchasers(ctx, undefined, daysAgo(ctx, condition.withinDays));
  const test = numberTest(aggregate, condition);
  if (zeroMeets(condition)) return sql`${contacts.id} NOT IN (${buyers} GROUP BY ${orders.contactId} HAVING NOT (${test}))`;
  return sql`${contacts.id} IN (${buyers} GROUP BY ${orders.contactId} HAVING ${test})`;
}

function compileCondition(condition: SegmentConditionValue, ctx: CompileContext): SQL {
  switch (condition.field) {
    case 'totalSpent':
    case 'orderCount': {
      if (condition.withinDays !== undefined) return windowedTotal({ ...condition, withinDays: condition.withinDays }, ctx);
      return numberTest(condition.field === 'totalSpent' ? contacts.totalSpentCents : contacts.orderCount, condition);
    }
    case 'lastPurchase':
      if (condition.op === 'never') return isNull(contacts.lastOrderAt);
      return condition.op === 'withinDays' ? sql`${contacts.lastOrderAt} >= ${daysAgo(ctx, condition.days)}` : sql`${contacts.lastOrderAt} < ${daysAgo(ctx, condition.days)}`;
    case 'firstPurchase':
      return dateCondition(contacts.firstOrderAt, condition, ctx);
    case 'createdAt':
      return dateCondition(contacts.createdAt, condition, ctx);
    case 'tags': {
      const keys = [...new Set(condition.tags.map(tagKey))];
      if (condition.op === 'hasAny') return sql`${contacts.id} IN (${tagged(ctx, keys)})`;
      if (condition.op === 'hasNone') return sql`${contacts.id} NOT IN (${tagged(ctx, keys)})`;
      return sql`(SELECT COUNT(*) FROM ${contactTags} WHERE ${and(hasTag(ctx, keys), eq(contactTags.contactId, contacts.id))}) = ${keys.length}`;
    }
    case 'emailConsent':
    case 'smsConsent': {
      const column = condition.field === 'emailConsent' ? contacts.emailConsent : contacts.smsConsent;
      return condition.op === 'is' ? sql`${column} = ${condition.value}` : sql`${column} <> ${condition.value}`;
    }
    case 'registered':
      return sql`${contacts.registered} = ${condition.value ? 1 : 0}`;
    case 'purchased': {
      const since = condition.op === 'withinDays' || condition.op === 'notWithinDays' ? daysAgo(ctx, condition.days) : null;
      const buyers = purchasers(ctx, condition.skus, since);
      return condition.op === 'ever' || condition.op === 'withinDays' ? sql`${contacts.id} IN (${buyers})` : sql`${contacts.id} NOT IN (${buyers})`;
    }
    case 'openCart': {
      const open = sql`SELECT ${carts.contactId} FROM ${carts} WHERE ${and(eq(carts.workspaceId, ctx.workspaceId), eq(carts.status, 'open'), isNotNull(carts.contactId))}`;
      return condition.value ? sql`${contacts.id} IN (${open})` : sql`${contacts.id} NOT IN (${open})`;
    }
    case 'engaged': {
      const engaged = engagedSince(condition.action, daysAgo(ctx, condition.days));
      // NULL (never engaged) must count as "not engaged", not as unknown.
      return condition.op === 'withinDays' ? engaged : sql`NOT COALESCE(${engaged}, 0)`;
    }
  }
}

function compileGroup(group: SegmentGroup, ctx: CompileContext): SQL {
  const parts = group.children.map((child) => (isGroup(child) ? compileGroup(child, ctx) : compileCondition(child, ctx)));
  if (!parts.length) return (group.match === 'all') !== Boolean(group.not) ? TRUE : FALSE;
  const joined = group.match === 'all' ? and(...parts) : or(...parts);
  // A condition on a missing value (NULL) is unknown, which WHERE treats as "no": its
  // negation must then be "yes", so NOT reads unknown as false first. The workspace is
  // ANDed outside every group (compileSegment), so a NOT never reaches past it.
  return group.not ? sql`NOT COALESCE((${joined}), 0)` : sql`(${joined})`;
}

/** The WHERE condition selecting a segment's contacts in one workspace. */
export function compileSegment(definition: SegmentDefinition, ctx: CompileContext): SQL {
  return sql`${eq(contacts.workspaceId, ctx.workspaceId)} AND ${compileGroup(definition, ctx)}`;
}
