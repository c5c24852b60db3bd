// Marketing → Flows: every flow with its switch, trigger and figures, the six kinds to
// start one from, and a flow's page (why it does or does not send, its settings, steps
// as a readable sequence, figures, weekly chart and the contacts waiting in it).
import { FLOW_KIND_INFO, type FlowDefinition, type FlowStep, type RetentionRule, SPLIT_CONDITION_LABELS, SPLIT_CONDITIONS } from '../../flows/flow-definition';
import type { RuleFigures } from '../../reports/flow-report';
import type { FlowView } from '../../flows/flows.service';
import { type ConsentChannel, FLOW_KINDS, SENDING_FILTERS, type SendingFilter } from '../../db/schema';
import { formatInZone } from '../../lib/time';
import type { WeekActivity } from '../../reports/marketing-overview';
import type { SourceReport } from '../../reports/source-report';
import { CsrfField, EmptyState, Field, type FormErrors, Notice, PostButton, Select, TableHead } from '../components';
import { numbers } from './campaign-parts';
import { WeeklyActivityChart } from './marketing-overview-card';
import { formatRevenue, ReportFiguresCard } from './source-report-parts';
import { MarketingHeader } from './section-pages';

export const flowPath = (id: string, rest = '') => `/app/marketing/flows/${id}${rest}`;

export const FILTER_LABELS: Record<SendingFilter, string> = { subscribed: 'Opted in to email', all: 'Everyone not opted out', registered: 'Registered store customers (not opted out)' };

/** A flow's trigger in one line. */
export function triggerSummary(definition: FlowDefinition | null): string {
  if (!definition) return 'Settings no longer load: open the flow and save them again';
  const trigger = definition.trigger;
  const wait = definition.steps.find((step) => step.type === 'wait');
  const after = wait ? ` after ${hoursText(wait.hours)}` : '';
  switch (trigger.kind) {
    case 'welcome':
      return `A new contact (store, import or API)${after}`;
    case 'abandoned_cart':
      return `A cart with items and no order${after}`;
    case 'price_drop':
      return `A product's price falls at least ${trigger.minDropPercent}%; reaches who viewed, carted or followed it in the last ${trigger.interestDays} days`;
    case 'back_in_stock':
      return `A product is back in stock; reaches who asked (or carted it) in the last ${trigger.interestDays} days`;
    case 'win_back':
      return `No purchase${after} since the last order`;
    case 'retention':
      return `${trigger.rules.map(ruleSummary).join('; ')} (the clock starts when an order is ${trigger.startOn})`;
  }
}

/** A retention rule in the merchant's words. */
export function ruleSummary(rule: RetentionRule): string {
  const what = rule.skus.length === 0 ? 'anything' : rule.skus.length === 1 ? rule.skus[0] : `${rule.match === 'all' ? 'all' : 'any'} of ${rule.skus.join(', ')}`;
  return `Has not purchased ${what} in the last ${rule.days} days`;
}

function hoursText(hours: number): string {
  return hours % 24 === 0 && hours >= 24 ? `${hours / 24} day${hours === 24 ? '' : 's'}` : `${hours} hour${hours === 1 ? '' : 's'}`;
}

function FlowStatusBadge({ enabled }: { enabled: boolean }) {
  return <span class={enabled ? 'badge success' : 'badge muted'}>{enabled ? 'On' : 'Off'}</span>;
}

function SwitchButton({ flow, csrfToken }: { flow: FlowView; csrfToken: string }) {
  return flow.enabled ? (
    <PostButton action={flowPath(flow.id, '/disable')} csrfToken={csrfToken} label="Switch off" confirm="Switch this flow off? Contacts waiting in it leave and get nothing more." />
  ) : (
    <PostButton action={flowPath(flow.id, '/enable')} csrfToken={csrfToken} label="Switch on" />
  );
}

/** A flow row's figures: from its report. */
export type FlowListItem = { flow: FlowView; report: SourceReport; waiting: number };

/** Marketing → Flows tab. */
export function FlowsTab({ items, csrfToken, canWrite, canSend }: { items: FlowListItem[]; csrfToken: string; canWrite: boolean; canSend: boolean }) {
  return (
    <>
      <MarketingHeader current="flows" />
      {items.length ? (
        <table class="table stack-tablet flows-table">
          <TableHead columns={['Flow', 'Status', 'Trigger', ...FIGURE_COLUMNS, { label: 'Switch', hidden: true }]} />
          <tbody>
            {items.map(({ flow, report, waiting }) => (
              <tr data-flow={flow.id}>
                <td data-label="Flow" class="break">
                  <a href={flowPath(flow.id)}>{flow.name}</a>
                  <div class="muted small">{FLOW_KIND_INFO[flow.kind].name}</div>
                </td>
                <td data-label="Status">
                  <FlowStatusBadge enabled={flow.enabled} />
                </td>
                <td data-label="Trigger" class="break small">
                  {triggerSummary(flow.definition)}
                </td>
                <FigureCells
                  figures={{
                    pending: waiting + report.deliveries.pending,
                    sent: report.deliveries.delivered,
                    opens: report.engagement.uniqueOpens,
                    clicks: report.engagement.uniqueClicks,
                    conversions: report.conversions.conversions,
                    revenue: report.conversions.revenue,
                  }}
                />
                <td data-label="Switch">{canSend ? <SwitchButton flow={flow} csrfToken={csrfToken} /> : null}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <EmptyState title="No flows yet">
          <p>Flows run by themselves once switched on, triggered by what happens in your store. Start from one of the kinds below.</p>
        </EmptyState>
      )}
      {canWrite ? <FlowKindChoice /> : null}
    </>
  );
}

const KIND_CHOICE_INTRO = 'Three steps: its settings, its message, then confirm. Each kind comes with sensible settings and a starter design you can change.';

/** The six kinds a new flow starts from, each opening the create wizard. */
function FlowKindList() {
  return (
    <ul class="kind-list">
      {FLOW_KINDS.map((kind) => (
        <li>
          <a class="button secondary" href={`/app/marketing/flows/new?kind=${kind}`}>{`Create ${FLOW_KIND_INFO[kind].name}`}</a>
          <span class="muted small">{FLOW_KIND_INFO[kind].summary}</span>
        </li>
      ))}
    </ul>
  );
}

function FlowKindChoice() {
  return (
    <section class="card" aria-labelledby="new-flow-heading">
      <h2 id="new-flow-heading">Create a flow</h2>
      <p class="muted">{KIND_CHOICE_INTRO}</p>
      <FlowKindList />
    </section>
  );
}

/** The wizard's first page when it was opened without a kind. */
export function FlowKindChoicePage() {
  return (
    <>
      <p class="back-link">
        <a href="/app/marketing/flows">← Flows</a>
      </p>
      <div class="page-header">
        <h1>Create a flow</h1>
        <p class="muted">{KIND_CHOICE_INTRO}</p>
      </div>
      <section class="card">
        <FlowKindList />
      </section>
    </>
  );
}

/** The reasons a switched-on flow has not sent, in the merchant's words. */
export type FlowDiagnosis = { triggerFired: boolean; enteredSinceOn: number };

function WhyNotSending({ flow, report, diagnosis }: { flow: FlowView; report: SourceReport; diagnosis: FlowDiagnosis }) {
  if (!flow.enabled) return <Notice tone="info">This flow is off: it sends nothing until you switch it on. Contacts enter from what happens after that.</Notice>;
  const reasons: string[] = [];
  if (!diagnosis.triggerFired) reasons.push('The trigger has not fired since the flow was switched on.');
  else if (diagnosis.enteredSinceOn === 0) reasons.push('The trigger fired, but nobody met the flow’s conditions (no contact to reach, or re-entry rules kept them out).');
  for (const reason of report.deliveries.skippedByReason) reasons.push(`${numbers.format(reason.count)} skipped: ${skipWords(reason.reasonCode)}.`);
  if (!reasons.length) return null;
  return (
    <Notice tone="warning">
      <p>
        <strong>Why this flow sent fewer messages than contacts entered it:</strong>
      </p>
      <ul>
        {reasons.map((reason) => (
          <li>{reason}</li>
        ))}
      </ul>
    </Notice>
  );
}

function skipWords(code: string | null): string {
  switch (code) {
    case 'not_opted_in':
      return 'not opted in';
    case 'unsubscribed':
      return 'unsubscribed';
    case 'smart_sending':
      return 'messaged recently (smart sending)';
    case 'not_in_audience':
      return 'no longer in the audience';
    case 'no_address':
      return 'no email address';
    case 'suppressed':
      return 'suppressed';
    default:
      return code ?? 'no reason recorded';
  }
}

function targetText(steps: FlowStep[], target: string): string {
  if (target === 'next') return 'go on to the next step';
  if (target === 'end') return 'leave the flow';
  const index = steps.findIndex((step) => step.id === target);
  return index < 0 ? 'leave the flow' : `go to step ${index + 1}`;
}

function stepText(steps: FlowStep[], step: FlowStep, designName: (id: string) => string): string {
  switch (step.type) {
    case 'wait':
      return `Wait ${hoursText(step.hours)}`;
    case 'email':
      return `Send email: ${designName(step.contentId)}`;
    case 'sms':
      return `Send SMS: ${designName(step.contentId)}`;
    case 'split':
      return `If “${SPLIT_CONDITION_LABELS[step.condition]}”: ${targetText(steps, step.ifYes)}; otherwise ${targetText(steps, step.ifNo)}`;
  }
}

export function StepList({ definition, designs }: { definition: FlowDefinition; designs: { id: string; name: string }[] }) {
  const designName = (id: string) => designs.find((design) => design.id === id)?.name ?? 'A design that no longer exists';
  const trigger = definition.trigger;
  return (
    <ol class="flow-steps">
      {trigger.kind === 'retention' ? <li class="muted">Wait until the rule’s days have passed without a purchase</li> : null}
      {definition.steps.map((step) => (
        <li data-step={step.id} class={step.type === 'split' ? 'flow-split' : undefined}>
          {stepText(definition.steps, step, designName)}
        </li>
      ))}
    </ol>
  );
}

/** Each retention rule's all-time figures; a deleted rule keeps its row. */
// A flow's (or a retention rule's) all-time figures, the same columns wherever they are listed.
const FIGURE_COLUMNS = ['Pending', 'Sent', 'Opens', 'Clicks', 'Conversions', 'Revenue'].map((label) => ({ label, numeric: true }));
type Figures = { pending: number; sent: number; opens: number; clicks: number; conversions: number; revenue: Parameters<typeof formatRevenue>[0] };

function FigureCells({ figures }: { figures: Figures }) {
  const counts = [
    ['Pending', figures.pending],
    ['Sent', figures.sent],
    ['Opens', figures.opens],
    ['Clicks', figures.clicks],
    ['Conversions', figures.conversions],
  ] as const;
  return (
    <>
      {counts.map(([label, value]) => (
        <td data-label={label} class="num">
          {numbers.format(value)}
        </td>
      ))}
      <td data-label="Revenue" class="num">
        {formatRevenue(figures.revenue)}
      </td>
    </>
  );
}

function RuleFiguresTable({ rules }: { rules: RuleFigures[] }) {
  return (
    <table class="table stack-tablet rule-figures">
      <TableHead columns={['Rule', ...FIGURE_COLUMNS]} />
      <tbody>
        {rules.map((rule) => (
          <tr data-rule={rule.ruleId}>
            <td data-label="Rule" class="break">
              {rule.name}
              {rule.current ? null : <span class="badge muted">Deleted</span>}
            </td>
            <FigureCells figures={{ ...rule, conversions: rule.conversions.conversions, revenue: rule.conversions.revenue }} />
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Once ever, or again after N days. */
export function ReentryField({ definition, values, error }: { definition: FlowDefinition; values: Record<string, string> | undefined; error: string | undefined }) {
  return (
    <Field
      name="reentryDays"
      type="number"
      label="A contact may enter again after (days)"
      hint="Leave empty to let each contact enter only once."
      value={field(values, 'reentryDays', definition.reentryDays === null ? '' : String(definition.reentryDays))}
      error={error}
    />
  );
}

export const field = (values: Record<string, string> | undefined, name: string, fallback: string) => values?.[name] ?? fallback;

function SettingsForm({
  flow,
  definition,
  designs,
  csrfToken,
  values,
  errors,
}: {
  flow: FlowView;
  definition: FlowDefinition;
  designs: DesignChoice[];
  csrfToken: string;
  values?: Record<string, string> | undefined;
  errors: FormErrors;
}) {
  const trigger = definition.trigger;
  const error = (path: string) => errors[`definition.${path}`];
  return (
    <form method="post" action={flowPath(flow.id)} class="flow-settings">
      <CsrfField token={csrfToken} />
      {errors.form ? <Notice tone="error">{errors.form}</Notice> : null}
      <Field name="name" label="Name (only you see it)" value={field(values, 'name', flow.name)} error={errors.name} required />
      <TriggerFields trigger={trigger} values={values} error={error} />
      <StepFields steps={definition.steps} designs={designs} values={values} error={error} />
      <div class="field">
        <label for="field-sendingFilter">Who may receive it</label>
        <select id="field-sendingFilter" name="sendingFilter">
          {SENDING_FILTERS.map((filter) => (
            <option value={filter} selected={field(values, 'sendingFilter', definition.sendingFilter) === filter}>
              {FILTER_LABELS[filter]}
            </option>
          ))}
        </select>
      </div>
      <ReentryField definition={definition} values={values} error={error('reentryDays')} />
      <div class="field checkbox">
        <label>
          <input type="checkbox" name="smartSending" checked={values ? values.smartSending === 'on' : definition.smartSending} /> Smart sending: skip contacts who got a message recently (hours set in
          Settings)
        </label>
      </div>
      <div class="field checkbox">
        <label>
          <input type="checkbox" name="exitOnPurchase" checked={values ? values.exitOnPurchase === 'on' : definition.exitOnPurchase} /> Leave the flow when the contact buys
        </label>
      </div>
      <button type="submit" class="button">
        Save settings
      </button>
      {flow.enabled ? <p class="muted small">Contacts already in the flow finish the version they entered; the new settings apply to those who enter next.</p> : null}
    </form>
  );
}

type FieldError = (path: string) => string | undefined;

/** The trigger's own settings (kinds without any show nothing). */
export function TriggerFields({ trigger, values, error }: { trigger: FlowDefinition['trigger']; values: Record<string, string> | undefined; error: FieldError }) {
  return (
    <>
      {trigger.kind === 'price_drop' ? (
        <>
          <Field
            name="trigger.minDropPercent"
            type="number"
            label="Smallest drop, in percent"
            value={field(values, 'trigger.minDropPercent', String(trigger.minDropPercent))}
            error={error('trigger.minDropPercent')}
          />
          <Field
            name="trigger.interestDays"
            type="number"
            label="Viewed, carted or followed within (days)"
            value={field(values, 'trigger.interestDays', String(trigger.interestDays))}
            error={error('trigger.interestDays')}
          />
        </>
      ) : null}
      {trigger.kind === 'back_in_stock' ? (
        <Field
          name="trigger.interestDays"
          type="number"
          label="Asked or carted within (days)"
          value={field(values, 'trigger.interestDays', String(trigger.interestDays))}
          error={error('trigger.interestDays')}
        />
      ) : null}
      {trigger.kind === 'retention' ? (
        <>
          <div class="field">
            <label for="field-startOn">The clock starts when an order is</label>
            <select id="field-startOn" name="trigger.startOn">
              {(['completed', 'shipped'] as const).map((when) => (
                <option value={when} selected={field(values, 'trigger.startOn', trigger.startOn) === when}>
                  {when}
                </option>
              ))}
            </select>
          </div>
          <RuleFields rules={trigger.rules} values={values} error={error} />
        </>
      ) : null}
    </>
  );
}

/** A button of the settings form that saves the fields and makes one edit of the steps or rules. */
function OpButton({ op, label, ariaLabel }: { op: string; label: string; ariaLabel?: string }) {
  return (
    <button type="submit" name="op" value={op} class="button secondary small" formnovalidate aria-label={ariaLabel}>
      {label}
    </button>
  );
}

function RuleFields({ rules, values, error }: { rules: RetentionRule[]; values: Record<string, string> | undefined; error: FieldError }) {
  return (
    <div class="flow-rules">
      {error('trigger.rules') ? <p class="field-error">{error('trigger.rules')}</p> : null}
      {rules.map((rule, index) => {
        const name = (key: string) => `trigger.rules.${index}.${key}`;
        return (
          <fieldset class="flow-rule" data-rule={rule.id}>
            <legend>{`Rule ${index + 1}`}</legend>
            <Field name={name('name')} label="Rule name (only you see it)" value={field(values, name('name'), rule.name)} error={error(name('name'))} />
            <Field name={name('skus')} label="Has not purchased (SKUs, comma-separated; empty: anything)" value={field(values, name('skus'), rule.skus.join(', '))} error={error(name('skus'))} />
            <Select
              id={`field-rule-${index}-match`}
              name={name('match')}
              label="With several SKUs, remind unless they bought"
              options={[
                ['any', 'any one of them'],
                ['all', 'all of them'],
              ]}
              value={field(values, name('match'), rule.match)}
            />
            <Field name={name('days')} type="number" label="In the last (days)" value={field(values, name('days'), String(rule.days))} error={error(name('days'))} />
            {rules.length > 1 ? <OpButton op={`remove-rule:${index}`} label="Remove rule" ariaLabel={`Remove rule ${index + 1}`} /> : null}
          </fieldset>
        );
      })}
      <OpButton op="add-rule" label="Add a rule" />
    </div>
  );
}

/** A design a message step may use: an email design or an SMS message. */
export type DesignChoice = { id: string; name: string; channel: ConsentChannel };

const STEP_LEGENDS: Record<FlowStep['type'], string> = { wait: 'wait', email: 'send email', sms: 'send SMS', split: 'condition split' };

function StepFields({ steps, designs, values, error }: { steps: FlowStep[]; designs: DesignChoice[]; values: Record<string, string> | undefined; error: FieldError }) {
  const targets = (index: number): [string, string][] => [
    ['next', 'Go on to the next step'],
    ['end', 'Leave the flow'],
    ...steps.slice(index + 1).map((step, offset): [string, string] => [step.id, `Go to step ${index + offset + 2}`]),
  ];
  return (
    <div class="flow-step-fields">
      {error('steps') ? <p class="field-error">{error('steps')}</p> : null}
      {steps.map((step, index) => {
        const name = (key: string) => `steps.${index}.${key}`;
        const label = `Step ${index + 1}`;
        return (
          <fieldset class="flow-step" data-step={step.id}>
            <legend>{`${label}: ${STEP_LEGENDS[step.type]}`}</legend>
            {step.type === 'wait' ? <Field name={name('hours')} type="number" label="Wait (hours)" value={field(values, name('hours'), String(step.hours))} error={error(name('hours'))} /> : null}
            {step.type === 'email' || step.type === 'sms' ? (
              <>
                <Select
                  id={`field-step-${index}`}
                  name={name('contentId')}
                  label={step.type === 'email' ? 'Email design' : 'SMS message'}
                  options={designs.filter((design) => design.channel === step.type).map((design) => [design.id, design.name])}
                  value={field(values, name('contentId'), step.contentId)}
                  error={error(name('contentId'))}
                />
                <p class="field-hint">
                  <a href={step.type === 'email' ? `/app/marketing/designs/${step.contentId}` : `/app/marketing/sms/${step.contentId}`}>
                    {step.type === 'email' ? 'Edit this design' : 'Edit this message'}
                  </a>
                </p>
              </>
            ) : null}
            {step.type === 'split' ? (
              <>
                <Select
                  id={`field-step-${index}-condition`}
                  name={name('condition')}
                  label="Condition"
                  options={SPLIT_CONDITIONS.map((condition) => [condition, SPLIT_CONDITION_LABELS[condition]])}
                  value={field(values, name('condition'), step.condition)}
                />
                <Select id={`field-step-${index}-yes`} name={name('ifYes')} label="If yes" options={targets(index)} value={field(values, name('ifYes'), step.ifYes)} error={error(name('ifYes'))} />
                <Select id={`field-step-${index}-no`} name={name('ifNo')} label="If no" options={targets(index)} value={field(values, name('ifNo'), step.ifNo)} error={error(name('ifNo'))} />
              </>
            ) : null}
            <div class="button-row">
              {index > 0 ? <OpButton op={`step-up:${index}`} label="Move up" ariaLabel={`Move up, step ${index + 1}`} /> : null}
              {index < steps.length - 1 ? <OpButton op={`step-down:${index}`} label="Move down" ariaLabel={`Move down, step ${index + 1}`} /> : null}
              {steps.length > 1 ? <OpButton op={`remove-step:${index}`} label="Remove" ariaLabel={`Remove step ${index + 1}`} /> : null}
            </div>
          </fieldset>
        );
      })}
      <div class="button-row">
        <OpButton op="add-wait" label="Add a wait" />
        <OpButton op="add-email" label="Add an email" />
        <OpButton op="add-sms" label="Add an SMS" />
        <OpButton op="add-split" label="Add a condition split" />
      </div>
    </div>
  );
}

/** A flow's page. */
export function FlowPage({
  flow,
  designs,
  report,
  rules,
  weeks,
  waiting,
  diagnosis,
  timeZone,
  csrfToken,
  canWrite,
  canSend,
  values,
  errors = {},
  notice,
}: {
  flow: FlowView;
  designs: DesignChoice[];
  report: SourceReport;
  rules: RuleFigures[];
  weeks: WeekActivity[];
  waiting: { contactId: string; stepIndex: number; nextRunAt: number | null; enrolledAt: number }[];
  diagnosis: FlowDiagnosis;
  timeZone: string;
  csrfToken: string;
  canWrite: boolean;
  canSend: boolean;
  values?: Record<string, string> | undefined;
  errors?: FormErrors;
  notice?: string | undefined;
}) {
  return (
    <>
      <p class="back-link">
        <a href="/app/marketing/flows">← Flows</a>
      </p>
      <div class="page-header">
        <h1>
          {flow.name} <FlowStatusBadge enabled={flow.enabled} />
        </h1>
        <p class="muted">{`${FLOW_KIND_INFO[flow.kind].name} · ${triggerSummary(flow.definition)}`}</p>
        {canSend ? <SwitchButton flow={flow} csrfToken={csrfToken} /> : null}
      </div>
      {notice ? <Notice tone="success">{notice}</Notice> : null}
      <WhyNotSending flow={flow} report={report} diagnosis={diagnosis} />
      {flow.definition ? (
        <section class="card" aria-labelledby="steps-heading">
          <h2 id="steps-heading">Steps</h2>
          <StepList definition={flow.definition} designs={designs} />
        </section>
      ) : null}
      <ReportFiguresCard report={report} />
      {flow.kind === 'retention' ? (
        <section class="card" aria-labelledby="rules-heading">
          <h2 id="rules-heading">Figures per rule</h2>
          <p class="muted small">All-time; a rule you delete keeps its figures here.</p>
          <RuleFiguresTable rules={rules} />
        </section>
      ) : null}
      <section class="card" aria-labelledby="flow-weekly-heading">
        <h2 id="flow-weekly-heading">Weekly activity</h2>
        <WeeklyActivityChart id="flow-weekly-chart" weeks={weeks} />
        <p>
          <a href={flowPath(flow.id, '/logs')}>Logs between two dates</a>
        </p>
      </section>
      <section class="card" aria-labelledby="waiting-heading">
        <h2 id="waiting-heading">{`Waiting in the flow (${numbers.format(waiting.length)}${waiting.length >= 50 ? '+' : ''})`}</h2>
        {waiting.length ? (
          <table class="table stack-tablet">
            <TableHead columns={['Contact', 'Entered', 'Next step due']} />
            <tbody>
              {waiting.map((row) => (
                <tr>
                  <td data-label="Contact">
                    <a href={`/app/contacts/${row.contactId}`}>View contact</a>
                  </td>
                  <td data-label="Entered">{formatInZone(row.enrolledAt, timeZone)}</td>
                  <td data-label="Next step due">{row.nextRunAt ? formatInZone(row.nextRunAt, timeZone) : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p class="muted">Nobody is waiting in this flow.</p>
        )}
      </section>
      {canWrite && flow.definition ? (
        <section class="card" aria-labelledby="settings-heading">
          <h2 id="settings-heading">Settings</h2>
          <SettingsForm flow={flow} definition={flow.definition} designs={designs} csrfToken={csrfToken} values={values} errors={errors} />
        </section>
      ) : null}
    </>
  );
}
