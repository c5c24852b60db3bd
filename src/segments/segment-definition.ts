// SegmentDefinition: a typed JSON tree of groups (all of / any of) and conditions.
// Validated on write and on read; compiled to SQL by compile-segment.ts.
import { z } from 'zod';
import { CONSENT_STATUSES } from '../db/schema';

export const MAX_SEGMENT_DEPTH = 4;
export const MAX_SEGMENT_CONDITIONS = 40;
// Groups and conditions together: empty groups count too, or a tree of them could be any size.
export const MAX_SEGMENT_NODES = 100;
export const MAX_LIST_VALUES = 50;

const Days = z.number().int().min(0).max(36_500);
const Cents = z.number().int().min(0);
const Count = z.number().int().min(0);
const Time = z.number().int().min(0);

// A window of at least a day: "in the last 0 days" would be a rule nobody meant.
const WindowDays = z.number().int().min(1).max(36_500);

/**
 * Number comparisons: total spent (minor units) and order count, over the contact's whole
 * history or, with `withinDays`, over the purchases placed in the last N days before the
 * moment the segment is evaluated (a send's moment, for campaigns and flows).
 */
function numberCondition<F extends string>(field: F, value: z.ZodNumber) {
  return z.discriminatedUnion('op', [
    z.object({ field: z.literal(field), op: z.enum(['gt', 'gte', 'lt', 'lte', 'eq']), value, withinDays: WindowDays.optional() }).strict(),
    z.object({ field: z.literal(field), op: z.literal('between'), value, to: value, withinDays: WindowDays.optional() }).strict(),
  ]);
}

/** Dates: relative (N days) or absolute (epoch ms, from the builder's date picker in the workspace zone). */
function dateCondition<F extends string>(field: F) {
  return z.discriminatedUnion('op', [
    z.object({ field: z.literal(field), op: z.enum(['withinDays', 'moreThanDaysAgo']), days: Days }).strict(),
    z.object({ field: z.literal(field), op: z.enum(['before', 'after']), at: Time }).strict(),
    z.object({ field: z.literal(field), op: z.literal('between'), from: Time, to: Time }).strict(),
  ]);
}

const Tags = z.array(z.string().trim().min(1).max(100)).min(1).max(MAX_LIST_VALUES);
const Skus = z.array(z.string().trim().min(1).max(200)).min(1).max(MAX_LIST_VALUES);

export const TotalSpentCondition = numberCondition('totalSpent', Cents);
export const OrderCountCondition = numberCondition('orderCount', Count);

export const LastPurchaseCondition = z.discriminatedUnion('op', [
  z.object({ field: z.literal('lastPurchase'), op: z.enum(['withinDays', 'moreThanDaysAgo']), days: Days }).strict(),
  z.object({ field: z.literal('lastPurchase'), op: z.literal('never') }).strict(),
]);

export const TagsCondition = z.object({ field: z.literal('tags'), op: z.enum(['hasAny', 'hasAll', 'hasNone']), tags: Tags }).strict();

export const ConsentCondition = z.object({ field: z.enum(['emailConsent', 'smsConsent']), op: z.enum(['is', 'isNot']), value: z.enum(CONSENT_STATUSES) }).strict();

export const RegisteredCondition = z.object({ field: z.literal('registered'), op: z.literal('is'), value: z.boolean() }).strict();

/** Bought any of these SKUs (or anything, without `skus`): ever, within N days, not within N days, never. */
export const PurchasedCondition = z.discriminatedUnion('op', [
  z.object({ field: z.literal('purchased'), op: z.enum(['ever', 'never']), skus: Skus.optional() }).strict(),
  z.object({ field: z.literal('purchased'), op: z.enum(['withinDays', 'notWithinDays']), days: Days, skus: Skus.optional() }).strict(),
]);

export const OpenCartCondition = z.object({ field: z.literal('openCart'), op: z.literal('is'), value: z.boolean() }).strict();

/** Opened or clicked an email within N days (or not). */
export const EngagedCondition = z
  .object({ field: z.literal('engaged'), op: z.enum(['withinDays', 'notWithinDays']), days: Days, action: z.enum(['opened', 'clicked', 'openedOrClicked']).default('openedOrClicked') })
  .strict();

const CONDITIONS = {
  totalSpent: TotalSpentCondition,
  orderCount: OrderCountCondition,
  lastPurchase: LastPurchaseCondition,
  firstPurchase: dateCondition('firstPurchase'),
  createdAt: dateCondition('createdAt'),
  tags: TagsCondition,
  emailConsent: ConsentCondition,
  smsConsent: ConsentCondition,
  registered: RegisteredCondition,
  purchased: PurchasedCondition,
  openCart: OpenCartCondition,
  engaged: EngagedCondition,
} as const;

export const SEGMENT_FIELDS = Object.keys(CONDITIONS) as (keyof typeof CONDITIONS)[];

// The field picks the schema, then the operator: an error names the unknown field or its bad operator.
export const SegmentCondition = z.discriminatedUnion('field', [...new Set(Object.values(CONDITIONS))] as unknown as [ConditionSchemas, ...ConditionSchemas[]], {
  error: (issue) => (issue.code === 'invalid_union' ? `Unknown field. Use one of: ${SEGMENT_FIELDS.join(', ')}` : undefined),
});

type ConditionSchemas = (typeof CONDITIONS)[keyof typeof CONDITIONS];
/** One condition on one field. */
export type SegmentConditionValue = z.infer<ConditionSchemas>;

/** A group: all (AND) or any (OR) of its children; with `not`, the contacts that group does not match. */
export type SegmentGroup = { match: 'all' | 'any'; not?: boolean | undefined; children: (SegmentGroup | SegmentConditionValue)[] };

// A node is a group when it has `match`, else a condition; choosing first keeps error
// paths precise (children.0.op) instead of one vague union failure.
const SegmentNode: z.ZodType<SegmentGroup | SegmentConditionValue> = z.unknown().transform((value, ctx) => {
  const schema = value !== null && typeof value === 'object' && 'match' in value ? SegmentGroup : SegmentCondition;
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  for (const issue of result.error.issues) ctx.issues.push({ ...issue, input: value } as never);
  return z.NEVER;
}) as never;

export const SegmentGroup: z.ZodType<SegmentGroup> = z.lazy(() =>
  z
    .object({
      match: z.enum(['all', 'any']),
      // Optional, so definitions saved before NOT groups existed read unchanged.
      not: z.boolean().optional(),
      children: z.array(SegmentNode).max(MAX_SEGMENT_CONDITIONS),
    })
    .strict(),
) as z.ZodType<SegmentGroup>;

/** True for a group node (as opposed to a condition). */
export function isGroup(node: SegmentGroup | SegmentConditionValue): node is SegmentGroup {
  return 'match' in node;
}

/** How deep a rule tree nests and how many conditions it has (what the limits count). */
export function measureSegment(node: SegmentGroup, depth = 1): { depth: number; conditions: number } {
  let result = { depth, conditions: 0 };
  for (const child of node.children) {
    if (isGroup(child)) {
      const inner = measureSegment(child, depth + 1);
      result = { depth: Math.max(result.depth, inner.depth), conditions: result.conditions + inner.conditions };
    } else result.conditions += 1;
  }
  return result;
}

function isRawGroup(value: unknown): value is { children?: unknown } {
  return value !== null && typeof value === 'object' && 'match' in value;
}

/**
 * The size limits, checked on the raw JSON without recursion: zod's recursive schemas
 * (and measureSegment) recurse once per level, so a tree thousands deep would overflow
 * the stack before any limit were seen. Stops counting as soon as a limit is passed.
 */
function checkRawSegmentSize(value: unknown, ctx: z.RefinementCtx): void {
  const groups: { node: { children?: unknown }; depth: number }[] = isRawGroup(value) ? [{ node: value, depth: 1 }] : [];
  let nodes = groups.length;
  while (groups.length) {
    const { node, depth } = groups.pop()!;
    if (depth > MAX_SEGMENT_DEPTH) {
      ctx.addIssue({ code: 'custom', message: `Groups nest at most ${MAX_SEGMENT_DEPTH} deep` });
      return;
    }
    if (!Array.isArray(node.children)) continue;
    nodes += node.children.length;
    if (nodes > MAX_SEGMENT_NODES) {
      ctx.addIssue({ code: 'custom', message: `A segment has at most ${MAX_SEGMENT_NODES} groups and conditions` });
      return;
    }
    for (const child of node.children) if (isRawGroup(child)) groups.push({ node: child, depth: depth + 1 });
  }
}

/** A whole segment definition, with its size limits. An empty `all` group matches everyone. */
export const SegmentDefinition = z
  .unknown()
  .superRefine(checkRawSegmentSize)
  .pipe(
    SegmentGroup.superRefine((root, ctx) => {
      const { depth, conditions } = measureSegment(root);
      if (depth > MAX_SEGMENT_DEPTH) ctx.addIssue({ code: 'custom', message: `Groups nest at most ${MAX_SEGMENT_DEPTH} deep (this one nests ${depth})` });
      if (conditions > MAX_SEGMENT_CONDITIONS) ctx.addIssue({ code: 'custom', message: `A segment has at most ${MAX_SEGMENT_CONDITIONS} conditions (this one has ${conditions})` });
    }),
  );
export type SegmentDefinition = SegmentGroup;
