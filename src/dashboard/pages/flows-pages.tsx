// Marketing → Flows: every flow with its switch, trigger and figures, the six kinds to
// start one from, and a flow's page (why it does or does not send, its settings, steps
// as a readable sequence, figures, weekly chart and the contacts waiting in it).
import type { EmailContentView } from '../../email/email-contents.service';
import { FLOW_KIND_INFO, type FlowDefinition, type FlowStep } from '../../flows/flow-definition';
import type { FlowView } from '../../flows/flows.service';
import { FLOW_KINDS, SENDING_FILTERS, type SendingFilter } from '../../db/schema';
import { formatInZone } from '../../lib/time';
import type { WeekActivity } from '../../reports/marketing-overview';
import type { SourceReport } from '../../reports/source-report';
import { CsrfField, EmptyState, Field, type FormErrors, Notice, PostButton, TableHead } from '../components';
import { numbers } from './campaign-parts';
import { WeeklyActivityChart } from './marketing-overview-card';
import { formatRevenue, ReportFiguresCard } from './source-report-parts';
import { MarketingHeader } from './section-pages';

export const flowPath = (id: string, rest = '') => `/app/marketing/flows/${id}${rest}`;

const FILTER_LABELS: Record<SendingFilter, string> = { subscribed: 'Opted in to email', all: 'Everyone not opted out', registered: 'Registered store customers (not opted out)' };

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
      return `No purchase of ${trigger.skus.length ? trigger.skus.join(', ') : 'anything'}${after} since an order was ${trigger.startOn}`;
  }
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
          <TableHead
            columns={[
              'Flow',
              'Status',
              'Trigger',
              { label: 'Pending', numeric: true },
              { label: 'Sent', numeric: true },
              { label: 'Opens', numeric: true },
              { label: 'Clicks', numeric: true },
              { label: 'Conversions', numeric: true },
              { label: 'Revenue', numeric: true },
              { label: 'Switch', hidden: true },
            ]}
          />
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
                <td data-label="Pending" class="num">
                  {numbers.format(waiting + report.deliveries.pending)}
                </td>
                <td data-label="Sent" class="num">
                  {numbers.format(report.deliveries.delivered)}
                </td>
                <td data-label="Opens" class="num">
                  {numbers.format(report.engagement.uniqueOpens)}
                </td>
                <td data-label="Clicks" class="num">
                  {numbers.format(report.engagement.uniqueClicks)}
                </td>
                <td data-label="Conversions" class="num">
                  {numbers.format(report.conversions.conversions)}
                </td>
                <td data-label="Revenue" class="num">
                  {formatRevenue(report.conversions.revenue)}
                </td>
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
      {canWrite ? (
        <section class="card" aria-labelledby="new-flow-heading">
          <h2 id="new-flow-heading">Create a flow</h2>
          <p class="muted">Each starts switched off with sensible settings and a starter design you can change.</p>
          <ul class="kind-list">
            {FLOW_KINDS.map((kind) => (
              <li>
                <form method="post" action="/app/marketing/flows">
                  <CsrfField token={csrfToken} />
                  <input type="hidden" name="kind" value={kind} />
                  <button type="submit" class="button secondary">{`Create ${FLOW_KIND_INFO[kind].name}`}</button>
                </form>
                <span class="muted small">{FLOW_KIND_INFO[kind].summary}</span>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
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

function StepList({ steps, designs }: { steps: FlowStep[]; designs: EmailContentView[] }) {
  const designName = (id: string) => designs.find((design) => design.id === id)?.name ?? 'A design that no longer exists';
  return (
    <ol class="flow-steps">
      {steps.map((step) => (
        <li data-step={step.id}>{step.type === 'wait' ? `Wait ${hoursText(step.hours)}` : `Send email: ${designName(step.contentId)}`}</li>
      ))}
    </ol>
  );
}

const field = (values: Record<string, string> | undefined, name: string, fallback: string) => values?.[name] ?? fallback;

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
  designs: EmailContentView[];
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
          <Field name="trigger.skus" label="Products (SKUs, comma-separated; empty: any purchase)" value={field(values, 'trigger.skus', trigger.skus.join(', '))} error={error('trigger.skus')} />
        </>
      ) : null}
      {definition.steps.map((step, index) =>
        step.type === 'wait' ? (
          <Field
            name={`steps.${index}.hours`}
            type="number"
            label={`Step ${index + 1}: wait (hours)`}
            value={field(values, `steps.${index}.hours`, String(step.hours))}
            error={error(`steps.${index}.hours`)}
          />
        ) : (
          <div class={error(`steps.${index}.contentId`) ? 'field has-error' : 'field'}>
            <label for={`field-step-${index}`}>{`Step ${index + 1}: email design`}</label>
            <select id={`field-step-${index}`} name={`steps.${index}.contentId`}>
              {designs.map((design) => (
                <option value={design.id} selected={field(values, `steps.${index}.contentId`, step.contentId) === design.id}>
                  {design.name}
                </option>
              ))}
            </select>
            {error(`steps.${index}.contentId`) ? <p class="field-error">{error(`steps.${index}.contentId`)}</p> : null}
            <p class="field-hint">
              <a href={`/app/marketing/designs/${step.contentId}`}>Edit this design</a>
            </p>
          </div>
        ),
      )}
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
      <Field
        name="reentryDays"
        type="number"
        label="A contact may enter again after (days)"
        hint="Leave empty to let each contact enter only once."
        value={field(values, 'reentryDays', definition.reentryDays === null ? '' : String(definition.reentryDays))}
        error={error('reentryDays')}
      />
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

/** A flow's page. */
export function FlowPage({
  flow,
  designs,
  report,
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
  designs: EmailContentView[];
  report: SourceReport;
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
          <StepList steps={flow.definition.steps} designs={designs} />
        </section>
      ) : null}
      <ReportFiguresCard report={report} />
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
