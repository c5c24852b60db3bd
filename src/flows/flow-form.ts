// The flow page's settings form as a definition: the flow's current definition with the
// form's fields over it, then the one edit its button asked for (add, remove or move a
// step; add or remove a retention rule). The result is validated like an API write.
import type { FlowKind } from '../db/schema';
import { defaultDefinition, type FlowDefinition, type FlowStep, MAX_FLOW_STEPS, MAX_RETENTION_RULES, type RetentionRule } from './flow-definition';

type Form = Record<string, string | undefined>;

/** The edits the form's buttons make besides saving the fields. */
export type StepOp = { kind: 'add-wait' | 'add-email' | 'add-sms' | 'add-split' | 'add-rule' } | { kind: 'remove-step' | 'step-up' | 'step-down' | 'remove-rule'; index: number };

const OP = /^(add-wait|add-email|add-sms|add-split|add-rule|remove-step|step-up|step-down|remove-rule)(?::(\d{1,2}))?$/;

/** The button's edit, or null for a plain save (an unknown value is a plain save too). */
export function readStepOp(value: string | undefined): StepOp | null {
  const match = OP.exec(value ?? '');
  if (!match) return null;
  const kind = match[1] as StepOp['kind'];
  if (kind.startsWith('add-')) return { kind } as StepOp;
  return match[2] === undefined ? null : { kind, index: Number(match[2]) };
}

const numberOrText = (value: string | undefined) => (value === undefined || value.trim() === '' ? value : Number(value));
const skuList = (value: string | undefined) =>
  (value ?? '')
    .split(',')
    .map((sku) => sku.trim())
    .filter(Boolean);

function stepFromForm(step: FlowStep, form: Form, index: number): FlowStep {
  const at = (name: string) => form[`steps.${index}.${name}`];
  switch (step.type) {
    case 'wait':
      return { ...step, hours: (numberOrText(at('hours')) ?? step.hours) as number };
    case 'email':
    case 'sms':
      return { ...step, contentId: at('contentId') ?? step.contentId };
    case 'split':
      return { ...step, condition: (at('condition') ?? step.condition) as typeof step.condition, ifYes: at('ifYes') ?? step.ifYes, ifNo: at('ifNo') ?? step.ifNo };
  }
}

function ruleFromForm(rule: RetentionRule, form: Form, index: number): RetentionRule {
  const at = (name: string) => form[`trigger.rules.${index}.${name}`];
  return {
    ...rule,
    name: at('name') ?? rule.name,
    skus: at('skus') === undefined ? rule.skus : skuList(at('skus')),
    match: (at('match') ?? rule.match) as RetentionRule['match'],
    days: (numberOrText(at('days')) ?? rule.days) as number,
  };
}

/** An id of `prefix-N` that none of `taken` has. */
function freshId(prefix: string, taken: string[]): string {
  let n = taken.length + 1;
  while (taken.includes(`${prefix}-${n}`)) n++;
  return `${prefix}-${n}`;
}

function move<T>(list: T[], from: number, to: number): T[] {
  if (from < 0 || to < 0 || from >= list.length || to >= list.length) return list;
  const copy = [...list];
  const [item] = copy.splice(from, 1);
  copy.splice(to, 0, item as T);
  return copy;
}

function applyOp(definition: FlowDefinition, op: StepOp, newContentId: string | null): FlowDefinition {
  const steps = definition.steps;
  const ids = steps.map((step) => step.id);
  const trigger = definition.trigger;
  switch (op.kind) {
    case 'add-wait':
      return { ...definition, steps: [...steps, { id: freshId('wait', ids), type: 'wait', hours: 24 }] };
    case 'add-email':
    case 'add-sms': {
      const type = op.kind === 'add-email' ? 'email' : 'sms';
      return newContentId ? { ...definition, steps: [...steps, { id: freshId(type, ids), type, contentId: newContentId }] } : definition;
    }
    case 'add-split':
      return { ...definition, steps: [...steps, { id: freshId('split', ids), type: 'split', condition: 'ordered_since_start', ifYes: 'end', ifNo: 'next' }] };
    case 'remove-step':
      return { ...definition, steps: steps.filter((_, index) => index !== op.index) };
    case 'step-up':
      return { ...definition, steps: move(steps, op.index, op.index - 1) };
    case 'step-down':
      return { ...definition, steps: move(steps, op.index, op.index + 1) };
    case 'add-rule':
      if (trigger.kind !== 'retention') return definition;
      return {
        ...definition,
        trigger: {
          ...trigger,
          rules: [
            ...trigger.rules,
            {
              id: freshId(
                'rule',
                trigger.rules.map((rule) => rule.id),
              ),
              name: 'Anything, 60 days',
              skus: [],
              match: 'any',
              days: 60,
            },
          ],
        },
      };
    case 'remove-rule':
      if (trigger.kind !== 'retention') return definition;
      return { ...definition, trigger: { ...trigger, rules: trigger.rules.filter((_, index) => index !== op.index) } };
  }
}

/** Whether the op would add beyond the bounds (the page then says so instead of saving). */
export function opExceedsBounds(definition: FlowDefinition, op: StepOp | null): string | null {
  if (op?.kind.startsWith('add-') && op.kind !== 'add-rule' && definition.steps.length >= MAX_FLOW_STEPS) return `A flow has at most ${MAX_FLOW_STEPS} steps`;
  if (op?.kind === 'add-rule' && definition.trigger.kind === 'retention' && definition.trigger.rules.length >= MAX_RETENTION_RULES) return `At most ${MAX_RETENTION_RULES} rules`;
  return null;
}

/**
 * The submitted definition (unvalidated: the caller parses it with FlowPatch). `newContentId`:
 * the design made for an added email or SMS step.
 */
export function definitionFromForm(current: FlowDefinition, form: Form, op: StepOp | null, newContentId: string | null = null): unknown {
  let trigger: FlowDefinition['trigger'] = current.trigger;
  if (trigger.kind === 'price_drop' || trigger.kind === 'back_in_stock') {
    const edited: Record<string, unknown> = { ...trigger };
    for (const name of ['minDropPercent', 'interestDays'] as const) if (`trigger.${name}` in form) edited[name] = numberOrText(form[`trigger.${name}`]);
    trigger = edited as typeof trigger;
  }
  if (trigger.kind === 'retention') {
    trigger = { ...trigger, startOn: (form['trigger.startOn'] ?? trigger.startOn) as typeof trigger.startOn, rules: trigger.rules.map((rule, index) => ruleFromForm(rule, form, index)) };
  }
  const reentry = form.reentryDays?.trim() ?? '';
  const edited: FlowDefinition = {
    ...current,
    trigger,
    steps: current.steps.map((step, index) => stepFromForm(step, form, index)),
    sendingFilter: (form.sendingFilter ?? current.sendingFilter) as FlowDefinition['sendingFilter'],
    reentryDays: !('reentryDays' in form) ? current.reentryDays : reentry === '' ? null : Number(reentry),
    smartSending: form.smartSending === 'on',
    exitOnPurchase: form.exitOnPurchase === 'on',
  };
  return op ? applyOp(edited, op, newContentId) : edited;
}

/**
 * The create wizard's definition: the kind's defaults with the wizard's fields over them.
 * Its switches are selects (on/off), so a field not yet shown keeps the kind's default.
 */
export function wizardDefinition(kind: FlowKind, form: Form, contentId: string): unknown {
  const defaults = defaultDefinition(kind, contentId);
  const switches = { smartSending: defaults.smartSending ? 'on' : 'off', exitOnPurchase: defaults.exitOnPurchase ? 'on' : 'off' };
  return definitionFromForm(defaults, { ...switches, ...form }, null);
}
