// A flow's definition: what starts it, who it reaches, its steps and when a contact
// leaves it. Typed JSON, validated on every write and every read (a row written by an
// older version of the code is checked again before the cron acts on it).
import { z } from 'zod';
import { type FlowKind, SENDING_FILTERS, type TriggerKind } from '../db/schema';
import { SegmentDefinition } from '../segments/segment-definition';
import { DAY } from '../lib/time';

export const MAX_FLOW_STEPS = 12;
const MAX_WAIT_HOURS = 365 * 24;

// `next` and `end` are a split's targets besides a step id, so no step may take those names.
const SPLIT_TARGETS = ['next', 'end'] as const;
const StepId = z
  .string()
  .regex(/^[a-z0-9-]{1,40}$/, { message: 'Step ids are 1-40 lowercase letters, digits or dashes' })
  .refine((id) => !(SPLIT_TARGETS as readonly string[]).includes(id), { message: 'next and end are not step ids' });
const Id = z.string().trim().min(1).max(64);
const Sku = z.string().trim().min(1).max(100);

export const WaitStep = z
  .object({ id: StepId, type: z.literal('wait'), hours: z.number().int({ message: 'Wait whole hours' }).min(0).max(MAX_WAIT_HOURS, { message: 'Wait at most a year' }) })
  .strict();
export const EmailStep = z.object({ id: StepId, type: z.literal('email'), contentId: Id }).strict();
export const SmsStep = z.object({ id: StepId, type: z.literal('sms'), contentId: Id }).strict();
/** The steps that send: their type is the delivery's channel. */
export type MessageStep = z.infer<typeof EmailStep> | z.infer<typeof SmsStep>;
export const isMessageStep = (step: { type: string }): step is MessageStep => step.type === 'email' || step.type === 'sms';

/** What a split asks of the contact, since entering the flow (this occurrence). */
export const SPLIT_CONDITIONS = ['ordered_since_start', 'opened_flow_message', 'clicked_flow_message'] as const;
export type SplitCondition = (typeof SPLIT_CONDITIONS)[number];
export const SPLIT_CONDITION_LABELS: Record<SplitCondition, string> = {
  ordered_since_start: 'Has ordered since entering the flow',
  opened_flow_message: 'Opened a message of this flow',
  clicked_flow_message: 'Clicked a message of this flow',
};
// Where each answer leads: on to the next step, out of the flow, or forward to a later step
// (never back, so every path ends within the step count).
const SplitTarget = z.union([z.enum(SPLIT_TARGETS), z.string().regex(/^[a-z0-9-]{1,40}$/)]);
export const SplitStep = z
  .object({
    id: StepId,
    type: z.literal('split'),
    condition: z.enum(SPLIT_CONDITIONS, { message: `Choose one of ${SPLIT_CONDITIONS.join(', ')}` }),
    ifYes: SplitTarget,
    ifNo: SplitTarget,
  })
  .strict();
export const FlowStep = z.discriminatedUnion('type', [WaitStep, EmailStep, SmsStep, SplitStep]);
export type FlowStep = z.infer<typeof FlowStep>;

// Each kind's trigger settings. The price-drop thresholds: the drop must reach both
// (0 leaves one out); `interestDays`: how recent a view, cart or subscription must be.
const PriceDropTrigger = z
  .object({
    kind: z.literal('price_drop'),
    minDropPercent: z.number().min(0).max(100),
    minDropCents: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    interestDays: z.number().int().min(1).max(365),
  })
  .strict();

export const MAX_RETENTION_RULES = 10;
/**
 * A retention rule: remind a customer who "has not purchased" the chosen SKUs (any of them,
 * or all of them; none chosen: anything) within `days` of the order that started the clock.
 * Its id keys its enrollments and figures, which outlive the rule's deletion.
 */
export const RetentionRule = z
  .object({
    id: z.string().regex(/^[a-z0-9-]{1,40}$/, { message: 'Rule ids are 1-40 lowercase letters, digits or dashes' }),
    name: z.string().trim().min(1, { message: 'Name the rule' }).max(80),
    skus: z.array(Sku).max(50),
    match: z.enum(['any', 'all']),
    days: z.number().int({ message: 'Whole days' }).min(1).max(730, { message: 'At most 730 days' }),
  })
  .strict();
export type RetentionRule = z.infer<typeof RetentionRule>;
/** Marks a retention rule's id at the end of an occurrence key (`order:<id>:rule:<rule id>`), which figures per rule read. */
export const RULE_KEY = ':rule:';
const TriggerSettings = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('welcome') }).strict(),
  z.object({ kind: z.literal('abandoned_cart') }).strict(),
  PriceDropTrigger,
  z.object({ kind: z.literal('back_in_stock'), interestDays: z.number().int().min(1).max(365) }).strict(),
  z.object({ kind: z.literal('win_back') }).strict(),
  // The clock starts at a completed or a shipped order, once per rule the order matches.
  z
    .object({
      kind: z.literal('retention'),
      startOn: z.enum(['completed', 'shipped']),
      rules: z
        .array(RetentionRule)
        .min(1, { message: 'Write at least one rule' })
        .max(MAX_RETENTION_RULES, { message: `At most ${MAX_RETENTION_RULES} rules` })
        .refine((rules) => new Set(rules.map((rule) => rule.id)).size === rules.length, { message: 'Rule ids must be unique' }),
    })
    .strict(),
]);
export type TriggerSettings = z.infer<typeof TriggerSettings>;

export const FlowDefinition = z
  .object({
    trigger: TriggerSettings,
    // Segment rules the contact must meet when each message goes out; null: everyone.
    audience: SegmentDefinition.nullable(),
    sendingFilter: z.enum(SENDING_FILTERS),
    // null: once ever; N: again once N days have passed since the last entry.
    reentryDays: z.number().int().min(0).max(3650).nullable(),
    smartSending: z.boolean(),
    // Leave when the contact buys (after the occurrence that started it; for retention, one of its SKUs).
    exitOnPurchase: z.boolean(),
    steps: z
      .array(FlowStep)
      .min(1, { message: 'A flow needs at least one step' })
      .max(MAX_FLOW_STEPS, { message: `At most ${MAX_FLOW_STEPS} steps` })
      .refine((steps) => steps.some(isMessageStep), { message: 'A flow needs at least one message' })
      .refine((steps) => new Set(steps.map((step) => step.id)).size === steps.length, { message: 'Step ids must be unique' })
      .superRefine((steps, ctx) => {
        for (const [index, step] of steps.entries()) {
          if (step.type !== 'split') continue;
          for (const branch of ['ifYes', 'ifNo'] as const) {
            const target = step[branch];
            if (target === 'next' || target === 'end') continue;
            if (steps.findIndex((other) => other.id === target) <= index) {
              ctx.addIssue({ code: 'custom', path: [index, branch], message: `Lead to next, end, or a later step's id (${target} is none)` });
            }
          }
        }
      }),
  })
  .strict();
export type FlowDefinition = z.infer<typeof FlowDefinition>;

/** The trigger a flow of each kind reads (retention's depends on `startOn`). */
export function triggerKindOf(trigger: TriggerSettings): TriggerKind {
  switch (trigger.kind) {
    case 'welcome':
      return 'contact_created';
    case 'abandoned_cart':
      return 'cart_updated';
    case 'price_drop':
      return 'price_dropped';
    case 'back_in_stock':
      return 'back_in_stock';
    case 'win_back':
      return 'order_completed';
    case 'retention':
      return trigger.startOn === 'shipped' ? 'order_shipped' : 'order_completed';
  }
}

/** The body an SMS step added on the flow page starts from (the opt-out line is added when sent). */
export const STARTER_SMS_BODY = '{{ shop.name }}: Hi {{ contact.first_name | default: "there" }}, we picked something for you: {{ shop.url }}';

/** What each kind is, in the merchant's words, and the starter design its first message uses. */
export const FLOW_KIND_INFO: Record<FlowKind, { name: string; summary: string; starter: string }> = {
  welcome: { name: 'Welcome', summary: 'Greets every new contact, from the store, an import or the API.', starter: 'welcome' },
  abandoned_cart: { name: 'Abandoned cart', summary: 'Reminds a shopper of a cart left without an order.', starter: 'abandoned-cart' },
  price_drop: { name: 'Price drop', summary: 'Tells shoppers who viewed, carted or followed a product that it got cheaper.', starter: 'price-drop' },
  back_in_stock: { name: 'Back in stock', summary: 'Tells shoppers who asked (or carted it) that a product is back.', starter: 'back-in-stock' },
  win_back: { name: 'Win-back', summary: 'Invites back a customer whose last purchase was long ago.', starter: 'win-back' },
  retention: { name: 'Customer retention', summary: 'Reminds a customer who has not bought again (chosen products, or anything) N days after an order.', starter: 'retention-reminder' },
};

/** The ready-to-use definition of a kind, its message using `contentId`. */
export function defaultDefinition(kind: FlowKind, contentId: string): FlowDefinition {
  const email = { id: 'email-1', type: 'email' as const, contentId };
  const base = { audience: null, sendingFilter: 'subscribed' as const, smartSending: true };
  switch (kind) {
    case 'welcome':
      return { ...base, trigger: { kind }, reentryDays: null, exitOnPurchase: false, steps: [email] };
    case 'abandoned_cart':
      // A cart is a reminder the shopper asked for by starting checkout, so smart sending stays off.
      return { ...base, smartSending: false, trigger: { kind }, reentryDays: 7, exitOnPurchase: true, steps: [{ id: 'wait-1', type: 'wait', hours: 4 }, email] };
    case 'price_drop':
      return { ...base, trigger: { kind, minDropPercent: 10, minDropCents: 0, interestDays: 30 }, reentryDays: 1, exitOnPurchase: true, steps: [email] };
    case 'back_in_stock':
      return { ...base, trigger: { kind, interestDays: 60 }, reentryDays: 1, exitOnPurchase: true, steps: [email] };
    case 'win_back':
      // Every purchase starts a new wait and ends the one before: once per lapse.
      return { ...base, trigger: { kind }, reentryDays: 0, exitOnPurchase: true, steps: [{ id: 'wait-1', type: 'wait', hours: (90 * DAY) / 3_600_000 }, email] };
    case 'retention':
      // Each rule's own days are the wait: the message is due when the window ends without a purchase.
      return {
        ...base,
        trigger: { kind, startOn: 'completed', rules: [{ id: 'rule-1', name: 'Anything, 30 days', skus: [], match: 'any', days: 30 }] },
        reentryDays: 0,
        exitOnPurchase: true,
        steps: [email],
      };
  }
}

/** Where a split's answer leads: the index of the step to run next (past the end: the flow is done). */
export function splitTargetIndex(steps: FlowStep[], index: number, target: string): number {
  if (target === 'next') return index + 1;
  if (target === 'end') return steps.length;
  const found = steps.findIndex((step) => step.id === target);
  // Validation keeps targets forward; a stored definition is read through it too.
  return found > index ? found : steps.length;
}

/** The definition of a stored row, checked again (a row that no longer parses stops its flow rather than act wrongly). */
export function readDefinition(json: string): FlowDefinition | null {
  try {
    const parsed = FlowDefinition.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
