// Marketing → Campaigns: the new-campaign form, the builder's four steps (audience,
// content, schedule, review) and the read-only page of a campaign that is sending,
// paused, sent or cancelled (pause, resume, cancel; its report, src/reports). /campaign-builder.js keeps the counts live.
import type { Child } from 'hono/jsx';
import type { CampaignAudience } from '../../campaigns/campaigns.schemas';
import { canMoveCampaign } from '../../campaigns/campaign-status';
import type { CampaignProgress, CampaignView } from '../../campaigns/campaigns.service';
import type { SendingFilter } from '../../db/schema';
import { formatInZone, zonedTimeToUtc } from '../../lib/time';
import type { EmailContentView } from '../../email/email-contents.service';
import type { SmsContentView } from '../../sms/sms-contents.service';
import { measureSegment, type SegmentGroup } from '../../segments/segment-definition';
import type { SegmentView } from '../../segments/segments.service';
import { CsrfField, EmptyState, Field, type FormErrors, Notice } from '../components';
import type { FieldIssue } from '../../lib/errors';
import { POSTAL_ADDRESS_SETTINGS_PATH } from '../../email/footer-compliance';
import type { SendingDomainWarning } from '../../email/sending-domain';
import { Script } from '../script';
import { UntrustedHtmlFrame } from '../untrusted-html-frame';
import type { Starter } from './email-designs-pages';
import { campaignPath, CampaignStatusBadge, NewCampaignButton, numbers } from './campaign-parts';
import type { SenderHealth } from '../../email/sender-health';
import type { PlatformSenderStatus } from '../../email/platform-sender-status';
import { PlatformSenderNotice } from './platform-sender-notice';
import { SenderStatusNotice } from './sender-status';
import type { RecipientFilter } from '../../reports/reports.schemas';
import type { RecipientPage } from '../../reports/source-recipients';
import type { SourceReport } from '../../reports/source-report';
import { FirstHoursCard, LinksCard, type RecipientLinks, RecipientsCard, ReportFiguresCard } from './source-report-parts';
import { describeSmsCost, SmsCostSummary } from './sms-messages-pages';

/** The builder's steps, in the order a merchant goes through them. */
export const CAMPAIGN_STEPS = ['audience', 'content', 'schedule', 'review'] as const;
export type CampaignStep = (typeof CAMPAIGN_STEPS)[number];

/** One address of a test send and what its mail server answered. */
export type TestSendResult = { to: string; ok: boolean; message: string };

const STEP_LABELS: Record<CampaignStep, string> = { audience: 'Audience', content: 'Content', schedule: 'Schedule', review: 'Review & confirm' };

const FILTERS: { value: SendingFilter; label: string; hint: string }[] = [
  { value: 'subscribed', label: 'Subscribed contacts only', hint: 'Only contacts who opted in to this channel.' },
  { value: 'all', label: 'Everyone in the audience', hint: 'Also contacts who never opted in or out. Use it only where the law allows.' },
  { value: 'registered', label: 'Registered customers only', hint: 'Only contacts with an account in your store.' },
];

// What the rule builder starts from when a campaign gets rules of its own.
const STARTING_RULES: SegmentGroup = { match: 'all', children: [{ field: 'totalSpent', op: 'gt', value: 10000 }] };

/** A radio button with its label and an optional hint under it. */
function Choice(props: { name: string; value: string; label: string; hint?: string; checked?: boolean; disabled?: boolean }) {
  const id = `choice-${props.name}-${props.value}`;
  return (
    <div class="choice">
      <input type="radio" id={id} name={props.name} value={props.value} checked={props.checked} disabled={props.disabled} />
      <label for={id}>
        {props.label}
        {props.hint ? <span class="muted small">{props.hint}</span> : null}
      </label>
    </div>
  );
}

function BackToCampaigns() {
  return (
    <p class="back-link">
      <a href="/app/marketing">← Campaigns</a>
    </p>
  );
}

/** Every message of a failed form post, at the top of the page, so none is missed. */
function ErrorSummary({ errors }: { errors: FormErrors }) {
  const messages = [...new Set(Object.values(errors))];
  if (!messages.length) return null;
  return (
    <Notice tone="error">
      {messages.length === 1 ? (
        messages[0]
      ) : (
        <ul class="error-list">
          {messages.map((message) => (
            <li>{message}</li>
          ))}
        </ul>
      )}
    </Notice>
  );
}

/** The first error on `field` or on a path inside it (`audience.definition.children.0.op`), with that path. */
function errorUnder(errors: FormErrors, field: string): { path: string; message: string } | undefined {
  const entry = Object.entries(errors).find(([path]) => path === field || path.startsWith(`${field}.`));
  return entry ? { path: entry[0], message: entry[1] } : undefined;
}

/** The form that names a new campaign and picks its channel. */
export function NewCampaignPage({ csrfToken, values = {}, errors = {} }: { csrfToken: string; values?: Record<string, string>; errors?: FormErrors }) {
  return (
    <>
      <BackToCampaigns />
      <div class="page-header">
        <h1>New campaign</h1>
        <p class="muted">Name it and pick the channel; the audience, the message and the time come next.</p>
      </div>
      <form method="post" action="/app/marketing/campaigns" class="card narrow stack">
        <CsrfField token={csrfToken} />
        <Field name="name" label="Name" value={values.name} error={errors.name} hint="For you only, e.g. Summer sale 2026." required />
        <fieldset class="choices">
          <legend>Channel</legend>
          <Choice name="channel" value="email" label="Email" checked={values.channel !== 'sms'} />
          <Choice name="channel" value="sms" label="SMS" hint="A text to contacts with a phone number and SMS consent." checked={values.channel === 'sms'} />
          {errors.channel ? <p class="field-error">{errors.channel}</p> : null}
        </fieldset>
        <div class="form-actions">
          <button type="submit" class="button primary">
            Create campaign
          </button>
          <a class="button secondary" href="/app/marketing">
            Cancel
          </a>
        </div>
      </form>
    </>
  );
}

/** The audience in words: "Everyone", "Segment: VIPs", "Its own rules (2 conditions)". */
function describeAudience(audience: CampaignAudience, segments: SegmentView[]): string {
  switch (audience.type) {
    case 'everyone':
      return 'Everyone';
    case 'segment':
      return `Segment: ${segments.find((segment) => segment.id === audience.segmentId)?.name ?? 'unknown'}`;
    case 'rules': {
      const n = measureSegment(audience.definition).conditions;
      return `Its own rules (${n} condition${n === 1 ? '' : 's'})`;
    }
  }
}

function filterLabel(filter: SendingFilter): string {
  return FILTERS.find((choice) => choice.value === filter)!.label;
}

/** Everything a campaign's pages need, whichever step or status. */
export type CampaignPageProps = {
  csrfToken: string;
  // Whether the viewer's role may schedule, send, pause, resume and cancel (campaigns:send).
  canSend: boolean;
  campaign: CampaignView;
  timeZone: string;
  segments: SegmentView[];
  // What the campaign can send on its channel: email designs, or SMS messages.
  designs: EmailContentView[];
  smsMessages: SmsContentView[];
  notice?: string | undefined;
  // Why a change was refused (a 409): the campaign is no longer in a status that allows it.
  problem?: string | undefined;
  // Why the email would go out without a postal address in its footer (CAN-SPAM); null: it would carry one, or a text.
  footerIssue?: FieldIssue | null;
};

/** A button posting to one of the campaign's actions, with an optional confirmation. */
function ActionButton({ campaign, csrfToken, action, label, tone, confirm }: { campaign: CampaignView; csrfToken: string; action: string; label: string; tone: string; confirm?: string }) {
  return (
    <form method="post" action={campaignPath(campaign.id, `/${action}`)} data-confirm={confirm}>
      <CsrfField token={csrfToken} />
      <button type="submit" class={`button small ${tone}`}>
        {label}
      </button>
    </form>
  );
}

/** Why cancelling asks first: what it stops depends on how far the campaign got. */
function cancelConfirmation(campaign: CampaignView): string {
  if (campaign.status === 'draft' || campaign.status === 'scheduled') return `Cancel "${campaign.name}" for good? It will not be sent, and cannot be scheduled again.`;
  return `Cancel "${campaign.name}" for good? Messages that have not gone out yet never will. This cannot be undone.`;
}

function CampaignHeader({ campaign, csrfToken, canSend }: { campaign: CampaignView; csrfToken: string; canSend: boolean }) {
  const button = { campaign, csrfToken };
  return (
    <>
      <BackToCampaigns />
      <div class="page-header page-header-actions">
        <div>
          <h1>{campaign.name}</h1>
          <p class="muted">
            <CampaignStatusBadge status={campaign.status} /> {campaign.channel === 'sms' ? 'SMS campaign' : 'Email campaign'}
          </p>
        </div>
        {canSend ? (
          <div class="form-actions">
            {canMoveCampaign(campaign.status, 'paused') ? <ActionButton {...button} action="pause" label="Pause sending" tone="secondary" /> : null}
            {campaign.status === 'paused' ? <ActionButton {...button} action="resume" label="Resume sending" tone="primary" /> : null}
            {canMoveCampaign(campaign.status, 'cancelled') ? <ActionButton {...button} action="cancel" label="Cancel campaign" tone="danger" confirm={cancelConfirmation(campaign)} /> : null}
          </div>
        ) : null}
      </div>
    </>
  );
}

function PageNotices({ notice, problem }: { notice?: string | undefined; problem?: string | undefined }) {
  return (
    <>
      {notice ? <Notice tone="success">{notice}</Notice> : null}
      {problem ? <Notice tone="error">{problem}</Notice> : null}
    </>
  );
}

/** The design a campaign sends, when chosen. */
function designOf(campaign: CampaignView, designs: EmailContentView[]): EmailContentView | undefined {
  return designs.find((design) => design.id === campaign.contentId);
}

/** The SMS message a campaign sends, when chosen. */
function smsMessageOf(props: CampaignPageProps): SmsContentView | undefined {
  return props.smsMessages.find((message) => message.id === props.campaign.contentId);
}

/** What the campaign sends on its channel, when chosen. */
function contentOf(props: CampaignPageProps): { name: string } | undefined {
  return props.campaign.channel === 'sms' ? smsMessageOf(props) : designOf(props.campaign, props.designs);
}

/** What each step has chosen so far, shown under its name in the stepper. */
function stepSummaries(props: CampaignPageProps): Record<CampaignStep, string> {
  const { campaign, timeZone } = props;
  return {
    audience: describeAudience(campaign.audience, props.segments),
    content: contentOf(props)?.name ?? (campaign.channel === 'sms' ? 'No message yet' : 'No design yet'),
    schedule: campaign.status === 'scheduled' && campaign.scheduledAt ? formatInZone(campaign.scheduledAt, timeZone) : 'Not scheduled',
    review: campaign.status === 'scheduled' ? 'Scheduled' : 'Not confirmed',
  };
}

function Stepper({ props, current }: { props: CampaignPageProps; current: CampaignStep }) {
  const summaries = stepSummaries(props);
  return (
    <nav aria-label="Campaign steps">
      <ol class="stepper">
        {CAMPAIGN_STEPS.map((step, index) => (
          <li>
            <a href={campaignPath(props.campaign.id, `?step=${step}`)} aria-current={step === current ? 'step' : undefined}>
              <span class="step-number" aria-hidden="true">
                {index + 1}
              </span>
              <span class="step-text">
                <span class="step-label">{STEP_LABELS[step]}</span>
                <span class="step-summary">{summaries[step]}</span>
              </span>
            </a>
          </li>
        ))}
      </ol>
    </nav>
  );
}

/** The current choices of the audience form: what was just submitted, else what is saved. */
function audienceValues(campaign: CampaignView, submitted: Record<string, string>) {
  const { audience } = campaign;
  return {
    type: submitted.audience ?? audience.type,
    segmentId: submitted.segmentId ?? (audience.type === 'segment' ? audience.segmentId : ''),
    definition: submitted.definition ?? JSON.stringify(audience.type === 'rules' ? audience.definition : STARTING_RULES),
    sendingFilter: submitted.sendingFilter ?? campaign.sendingFilter,
  };
}

function SegmentPicker({ segments, selected, error }: { segments: SegmentView[]; selected: string; error?: string | undefined }) {
  if (!segments.length) {
    return (
      <p class="muted small">
        No saved segments yet. <a href="/app/segments/new">Build a segment</a>, then come back.
      </p>
    );
  }
  return (
    <div class={error ? 'field has-error' : 'field'}>
      <label for="field-segmentId" class="visually-hidden">
        Segment
      </label>
      <select id="field-segmentId" name="segmentId">
        <option value="">Choose a segment</option>
        {segments.map((segment) => (
          <option value={segment.id} selected={segment.id === selected}>
            {segment.name}
          </option>
        ))}
      </select>
      {error ? <p class="field-error">{error}</p> : null}
    </div>
  );
}

/** The rules textarea, which /segment-builder.js turns into the rule builder. */
function RulesEditor({ definition, error }: { definition: string; error?: { path: string; message: string } | undefined }) {
  return (
    <>
      <div class="field">
        <label for="field-definition">Rules (JSON)</label>
        <textarea id="field-definition" name="definition">
          {definition}
        </textarea>
      </div>
      <div id="segment-builder" hidden />
      {/* Outside the textarea's field, which the builder hides. */}
      {error ? <p class="field-error">{`${error.path}: ${error.message}`}</p> : null}
    </>
  );
}

function AudienceStep({ props, audienceCount, values, errors }: { props: CampaignPageProps; audienceCount: number; values: Record<string, string>; errors: FormErrors }) {
  const { campaign, csrfToken } = props;
  const chosen = audienceValues(campaign, values);
  return (
    <>
      <div class="builder-layout audience-layout">
        <form method="post" action={campaignPath(campaign.id, '/audience')} class="card stack" id="audience-form" data-channel={campaign.channel}>
          <CsrfField token={csrfToken} />
          <fieldset class="choices">
            <legend>Who receives it</legend>
            <Choice name="audience" value="everyone" label="Everyone" hint="Every contact in this workspace." checked={chosen.type === 'everyone'} />
            <Choice name="audience" value="segment" label="A saved segment" hint="Its rules are evaluated when the campaign goes out." checked={chosen.type === 'segment'} />
            <div class="choice-detail" data-audience-detail="segment">
              <SegmentPicker segments={props.segments} selected={chosen.segmentId} error={errors['audience.segmentId']} />
            </div>
            <Choice name="audience" value="rules" label="Contacts matching rules" hint="Rules for this campaign only." checked={chosen.type === 'rules'} />
            <div class="choice-detail" data-audience-detail="rules">
              <RulesEditor definition={chosen.definition} error={errorUnder(errors, 'audience.definition')} />
            </div>
            {errors.audience ? <p class="field-error">{errors.audience}</p> : null}
          </fieldset>
          <fieldset class="choices">
            <legend>Send to</legend>
            {FILTERS.map((filter) => (
              <Choice name="sendingFilter" value={filter.value} label={filter.label} hint={filter.hint} checked={chosen.sendingFilter === filter.value} />
            ))}
            {errors.sendingFilter ? <p class="field-error">{errors.sendingFilter}</p> : null}
          </fieldset>
          <div class="form-actions">
            <button type="submit" class="button primary">
              Save and continue
            </button>
          </div>
        </form>
        <aside class="card" aria-live="polite">
          <h2>Recipients now</h2>
          <p class="live-count" id="audience-count">
            {numbers.format(audienceCount)}
          </p>
          <p class="field-error" id="audience-count-error" />
          <p class="muted small">
            {campaign.channel === 'sms'
              ? 'Only contacts with a phone number and SMS consent are counted; unsubscribed and suppressed numbers are never sent to. The audience is counted again when the campaign goes out.'
              : 'Unsubscribed and suppressed contacts, and contacts without an address, are never sent to. The audience is counted again when the campaign goes out.'}
          </p>
        </aside>
      </div>
      <Script src="/segment-builder.js" />
      <Script src="/campaign-builder.js" />
    </>
  );
}

const CONTENT_FORM_ID = 'content-form';

/**
 * Goes on to the schedule step. With a picker on the page it submits the picker's form
 * (the `form` attribute reaches it from outside), so a design picked but not yet "used"
 * is saved on the way rather than silently dropped; without one it is a plain link.
 */
function NextToSchedule({ props, hasPicker }: { props: CampaignPageProps; hasPicker: boolean }) {
  return (
    <div class="form-actions">
      {hasPicker ? (
        <button type="submit" class="button primary" form={CONTENT_FORM_ID} name="next" value="schedule" formnovalidate>
          Next: Schedule
        </button>
      ) : (
        <a class="button primary" href={campaignPath(props.campaign.id, '?step=schedule')}>
          Next: Schedule
        </a>
      )}
    </div>
  );
}

/** The form that points the campaign at one of the workspace's saved designs or SMS messages. */
function SavedContentPicker({ props, options, noun, error }: { props: CampaignPageProps; options: [string, string][]; noun: 'design' | 'message'; error?: string | undefined }) {
  const { campaign } = props;
  return (
    <form method="post" action={campaignPath(campaign.id, '/content')} class="stack" id={CONTENT_FORM_ID}>
      <CsrfField token={props.csrfToken} />
      <div class={error ? 'field has-error' : 'field'}>
        <label for="field-contentId">{`Use a saved ${noun}`}</label>
        <select id="field-contentId" name="contentId" required>
          <option value="">{`Choose a ${noun}`}</option>
          {options.map(([id, label]) => (
            <option value={id} selected={id === campaign.contentId}>
              {label}
            </option>
          ))}
        </select>
        {error ? <p class="field-error">{error}</p> : null}
      </div>
      <div class="form-actions">
        <button type="submit" class="button secondary">
          {`Use this ${noun}`}
        </button>
      </div>
    </form>
  );
}

function DesignPicker({ props, error }: { props: CampaignPageProps; error?: string | undefined }) {
  const { designs } = props;
  if (!designs.length) return <p class="muted">No email designs yet: start from a template below.</p>;
  return <SavedContentPicker props={props} options={designs.map((design) => [design.id, design.name])} noun="design" error={error} />;
}

function StarterPicker({ props, starters }: { props: CampaignPageProps; starters: Starter[] }) {
  return (
    <form method="post" action={campaignPath(props.campaign.id, '/starter')} class="stack">
      <CsrfField token={props.csrfToken} />
      <div class="field">
        <label for="field-starter">Or start from a template</label>
        <select id="field-starter" name="starter">
          <option value="">A blank email</option>
          {starters.map((starter) => (
            <option value={starter.id}>{`${starter.name} – ${starter.description}`}</option>
          ))}
        </select>
        <p class="field-hint">{`Makes a new design named "${props.campaign.name}" for this campaign.`}</p>
      </div>
      <div class="form-actions">
        <button type="submit" class="button secondary">
          Create design
        </button>
      </div>
    </form>
  );
}

function TestSend({ props, results, to, error }: { props: CampaignPageProps; results: TestSendResult[]; to?: string | undefined; error?: string | undefined }) {
  return (
    <section class="card" aria-labelledby="test-send-heading">
      <h2 id="test-send-heading">Send a test</h2>
      <form method="post" action={campaignPath(props.campaign.id, '/test-send')} class="stack">
        <CsrfField token={props.csrfToken} />
        <Field
          name="to"
          id="field-test-to"
          label="To"
          value={to}
          placeholder="you@example.com, colleague@example.com"
          hint="Up to 5 addresses, separated by commas. Filled in for the sample contact Alex Sample."
          error={error}
          required
        />
        <div class="form-actions">
          <button type="submit" class="button secondary">
            Send test
          </button>
        </div>
      </form>
      {results.length ? (
        <ul class="test-results" aria-label="Test send results">
          {results.map((result) => (
            <li>
              <span class={result.ok ? 'badge success' : 'badge danger'}>{result.ok ? 'Sent' : 'Failed'}</span>
              <strong>{result.to}</strong>
              <span class="muted small">{result.message}</span>
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}

function DesignPreview({ design }: { design: EmailContentView }) {
  return (
    <aside class="card preview-pane" aria-labelledby="design-preview-heading">
      <div class="card-title-row">
        <h2 id="design-preview-heading">{design.name}</h2>
        <a class="button small secondary" href={`/app/marketing/designs/${design.id}`}>
          Edit design
        </a>
      </div>
      <dl class="facts design-facts">
        <dt>Subject</dt>
        <dd>{design.subject}</dd>
        <dt>Preview text</dt>
        <dd>{design.preheader ?? '—'}</dd>
      </dl>
      <UntrustedHtmlFrame class="email-preview" title="Email preview" src={`/app/marketing/designs/${design.id}/preview`} />
      <p class="muted small">Shown for the sample contact Alex Sample.</p>
    </aside>
  );
}

/** The SMS message picker, with the chosen message, its cost and where to write a new one. */
function SmsContentStep({ props, error }: { props: CampaignPageProps; error?: string | undefined }) {
  const { smsMessages } = props;
  const message = smsMessageOf(props);
  return (
    <div class="editor-layout">
      <section class="card" aria-labelledby="sms-message-heading">
        <h2 id="sms-message-heading">SMS message</h2>
        {smsMessages.length ? (
          <SavedContentPicker
            props={props}
            options={smsMessages.map((option) => [option.id, `${option.name} (${option.cost.segments} segment${option.cost.segments === 1 ? '' : 's'})`])}
            noun="message"
            error={error}
          />
        ) : (
          <p class="muted">No SMS messages yet.</p>
        )}
        <p class="muted small">
          <a href="/app/marketing/sms">Write a new SMS message</a>, then come back to choose it.
        </p>
        <NextToSchedule props={props} hasPicker={smsMessages.length > 0} />
      </section>
      {message ? (
        <aside class="card preview-pane" aria-labelledby="sms-preview-heading">
          <div class="card-title-row">
            <h2 id="sms-preview-heading">{message.name}</h2>
            <a class="button small secondary" href={`/app/marketing/sms/${message.id}`}>
              Edit message
            </a>
          </div>
          <pre class="sms-preview">{message.body}</pre>
          <SmsCostSummary body={message.body} />
        </aside>
      ) : (
        <aside class="card">
          <EmptyState title="No message chosen">
            <p>Pick a saved SMS message; its text and what it costs in segments show here.</p>
          </EmptyState>
        </aside>
      )}
    </div>
  );
}

function ContentStep({
  props,
  starters,
  testResults,
  values,
  errors,
}: {
  props: CampaignPageProps;
  starters: Starter[];
  testResults: TestSendResult[];
  values: Record<string, string>;
  errors: FormErrors;
}) {
  const { campaign } = props;
  if (campaign.channel === 'sms') return <SmsContentStep props={props} error={errors.contentId} />;
  const design = designOf(campaign, props.designs);
  return (
    <div class="editor-layout">
      <div>
        <section class="card" aria-labelledby="design-heading">
          <h2 id="design-heading">Email design</h2>
          <div class="stack">
            <DesignPicker props={props} error={errors.contentId} />
            <StarterPicker props={props} starters={starters} />
          </div>
        </section>
        {design ? <TestSend props={props} results={testResults} to={values.to} error={errorUnder(errors, 'to')?.message} /> : null}
        <FooterAddressNotice props={props} />
        <NextToSchedule props={props} hasPicker={props.designs.length > 0} />
      </div>
      {design ? (
        <DesignPreview design={design} />
      ) : (
        <aside class="card">
          <EmptyState title="No design chosen">
            <p>Pick a saved design or start from a template; its subject, preview text and a preview show here.</p>
          </EmptyState>
        </aside>
      )}
    </div>
  );
}

/** Said on the content, schedule and review steps, so a missing postal address is fixed before the last step refuses it. */
function FooterAddressNotice({ props }: { props: CampaignPageProps }) {
  const issue = props.footerIssue;
  if (!issue) return null;
  const design = designOf(props.campaign, props.designs);
  return (
    <Notice tone="warning">
      <p data-footer-issue={issue.path}>
        {`${issue.message}. `}
        {issue.path === 'postalAddress' ? <a href={POSTAL_ADDRESS_SETTINGS_PATH}>Set your postal address</a> : design ? <a href={`/app/marketing/designs/${design.id}`}>Edit the design</a> : null}
      </p>
      <p class="small">The campaign cannot be scheduled or sent until then.</p>
    </Notice>
  );
}

/** "15 Jun 2027, 09:00 (Europe/Paris)". */
function atInZone(epochMs: number, timeZone: string): string {
  return `${formatInZone(epochMs, timeZone)} (${timeZone})`;
}

function ScheduledNotice({ props }: { props: CampaignPageProps }) {
  const { campaign } = props;
  return (
    <Notice tone="info">
      <div class="notice-row">
        <span>{`Scheduled for ${atInZone(campaign.scheduledAt!, props.timeZone)}.`}</span>
        {props.canSend ? (
          <form method="post" action={campaignPath(campaign.id, '/unschedule')}>
            <CsrfField token={props.csrfToken} />
            <button type="submit" class="button small secondary">
              Unschedule
            </button>
          </form>
        ) : null}
      </div>
    </Notice>
  );
}

function ScheduleStep({ props, values, errors, defaultSendAt, minSendAt }: { props: CampaignPageProps; values: Record<string, string>; errors: FormErrors; defaultSendAt: string; minSendAt: string }) {
  const { campaign, timeZone } = props;
  const scheduled = campaign.status === 'scheduled';
  const when = values.when ?? 'later';
  return (
    <section class="card narrow" aria-labelledby="schedule-heading">
      <h2 id="schedule-heading">{scheduled ? 'Reschedule' : 'When should it go out?'}</h2>
      {scheduled ? <ScheduledNotice props={props} /> : null}
      <FooterAddressNotice props={props} />
      {/* A GET: nothing changes until the review step is confirmed. */}
      <form method="get" action={campaignPath(campaign.id)} class="stack">
        <input type="hidden" name="step" value="review" />
        <fieldset class="choices">
          <legend class="visually-hidden">When</legend>
          <Choice name="when" value="now" label="Send now" hint="It starts going out as soon as you confirm." checked={when === 'now'} />
          <Choice name="when" value="later" label="At a date and hour" checked={when === 'later'} />
          <div class={errors.sendAt ? 'choice-detail field has-error' : 'choice-detail field'}>
            <label for="field-sendAt">{`Date and hour, ${timeZone}`}</label>
            <input type="datetime-local" id="field-sendAt" name="sendAt" value={values.sendAt ?? defaultSendAt} min={minSendAt} aria-describedby="field-sendAt-hint" />
            {errors.sendAt ? <p class="field-error">{errors.sendAt}</p> : null}
            <p class="field-hint" id="field-sendAt-hint">
              {`In the workspace time zone, ${timeZone}. `}
              <a href="/app/settings">Change it in Settings</a>.
            </p>
          </div>
        </fieldset>
        <div class="form-actions">
          <button type="submit" class="button primary">
            Continue to review
          </button>
        </div>
      </form>
    </section>
  );
}

/** The rows of what the campaign sends: the email design and its subject, or the SMS message and its segments. */
function ContentFacts({ props }: { props: CampaignPageProps }) {
  if (props.campaign.channel === 'sms') {
    const message = smsMessageOf(props);
    return (
      <>
        <dt>Message</dt>
        <dd>{message ? <a href={`/app/marketing/sms/${message.id}`}>{message.name}</a> : 'Not chosen'}</dd>
        {message ? (
          <>
            <dt>Segments</dt>
            <dd data-sms-segments>{`${describeSmsCost(message.cost)} per text${message.cost.optOutAdded ? ', with the opt-out line' : ''}`}</dd>
          </>
        ) : null}
      </>
    );
  }
  const design = designOf(props.campaign, props.designs);
  return (
    <>
      <dt>Design</dt>
      <dd>
        {design ? (
          <>
            <a href={`/app/marketing/designs/${design.id}`}>{design.name}</a>
            <span class="muted">{` — ${design.subject}`}</span>
          </>
        ) : (
          'Not chosen'
        )}
      </dd>
    </>
  );
}

/** The facts of a campaign, as the review step and the read-only page list them; `children` adds rows. */
function CampaignFacts({ props, children }: { props: CampaignPageProps; children?: Child }) {
  const { campaign } = props;
  return (
    <dl class="facts">
      <dt>Audience</dt>
      <dd>{describeAudience(campaign.audience, props.segments)}</dd>
      <dt>Send to</dt>
      <dd>{filterLabel(campaign.sendingFilter)}</dd>
      <ContentFacts props={props} />
      {children}
    </dl>
  );
}

/** The send time chosen on the schedule step, carried to the review in the query. */
function chosenTime(values: Record<string, string>, timeZone: string): { now: true } | { at: number } | undefined {
  if (values.when === 'now') return { now: true };
  if (values.when === 'later' && values.sendAt) return { at: zonedTimeToUtc(values.sendAt, timeZone) };
  return undefined;
}

function ConfirmForm({ props, values, audienceCount }: { props: CampaignPageProps; values: Record<string, string>; audienceCount: number }) {
  const { campaign } = props;
  const now = values.when === 'now';
  const label = now ? 'Send now' : campaign.status === 'scheduled' ? 'Reschedule' : 'Schedule';
  const confirm = now ? `Send "${campaign.name}" to ${numbers.format(audienceCount)} contacts now? This cannot be undone.` : undefined;
  if (!props.canSend) return <p class="muted small">Only owners and admins can schedule or send campaigns.</p>;
  return (
    <form method="post" action={campaignPath(campaign.id, '/schedule')} class="form-actions" data-confirm={confirm}>
      <CsrfField token={props.csrfToken} />
      <input type="hidden" name="when" value={values.when} />
      <input type="hidden" name="sendAt" value={values.sendAt ?? ''} />
      <button type="submit" class="button primary">
        {label}
      </button>
      <a class="button secondary" href={campaignPath(campaign.id, '?step=schedule')}>
        Change the time
      </a>
    </form>
  );
}

function ReviewStep({
  props,
  values,
  audienceCount,
  platformSender,
  domainWarning,
}: {
  props: CampaignPageProps;
  values: Record<string, string>;
  audienceCount: number;
  platformSender: PlatformSenderStatus | null;
  domainWarning: SendingDomainWarning | null;
}) {
  const { campaign, timeZone } = props;
  const choice = chosenTime(values, timeZone);
  const scheduled = campaign.status === 'scheduled' && campaign.scheduledAt;
  const ready = Boolean(contentOf(props));
  return (
    <section class="card review-card" aria-labelledby="review-heading">
      <h2 id="review-heading">Review</h2>
      <CampaignFacts props={props}>
        <dt>Recipients now</dt>
        <dd>
          <strong>{numbers.format(audienceCount)}</strong>
        </dd>
        <dt>When</dt>
        <dd>{choice ? ('now' in choice ? 'Now, as soon as you confirm' : atInZone(choice.at, timeZone)) : scheduled ? atInZone(campaign.scheduledAt!, timeZone) : 'Not chosen yet'}</dd>
      </CampaignFacts>
      {platformSender ? <PlatformSenderNotice status={platformSender} timeZone={timeZone} /> : null}
      <FooterAddressNotice props={props} />
      {domainWarning ? (
        <Notice tone="warning">
          <span data-domain-warning>{`Your sending domain ${domainWarning.domain} has no ${domainWarning.missing.join(' or ')} record, so this email is more likely to land in spam. `}</span>
          <a href="/app/settings/email#domain-heading">See what to add</a>
        </Notice>
      ) : null}
      {!ready ? (
        <Notice tone="warning">
          {`Choose the ${campaign.channel === 'sms' ? 'SMS message' : 'email'} to send in `}
          <a href={campaignPath(campaign.id, '?step=content')}>Content</a> first.
        </Notice>
      ) : props.footerIssue ? null : choice ? (
        <ConfirmForm props={props} values={values} audienceCount={audienceCount} />
      ) : scheduled ? (
        <p class="muted">
          It goes out at that time. To change it, go to <a href={campaignPath(campaign.id, '?step=schedule')}>Schedule</a>.
        </p>
      ) : (
        <p>
          <a class="button primary" href={campaignPath(campaign.id, '?step=schedule')}>
            Choose when it goes out
          </a>
        </p>
      )}
    </section>
  );
}

/** What the open step needs beyond the campaign. */
export type StepProps =
  | { step: 'audience'; audienceCount: number }
  | { step: 'content'; starters: Starter[]; testResults: TestSendResult[] }
  | { step: 'schedule'; defaultSendAt: string; minSendAt: string }
  // platformSender: its trust and caps, while the workspace has no SMTP server of its own.
  // domainWarning: the sending domain lacks SPF or DKIM by its last check (Settings → Email sender).
  | { step: 'review'; audienceCount: number; platformSender: PlatformSenderStatus | null; domainWarning: SendingDomainWarning | null };

/** The builder of a draft or scheduled campaign: the stepper and the open step. */
export function CampaignBuilder({ props, open, values = {}, errors = {} }: { props: CampaignPageProps; open: StepProps; values?: Record<string, string>; errors?: FormErrors }) {
  const { campaign } = props;
  return (
    <>
      <CampaignHeader campaign={campaign} csrfToken={props.csrfToken} canSend={props.canSend} />
      <PageNotices notice={props.notice} problem={props.problem} />
      <ErrorSummary errors={errors} />
      <Stepper props={props} current={open.step} />
      {open.step === 'audience' ? <AudienceStep props={props} audienceCount={open.audienceCount} values={values} errors={errors} /> : null}
      {open.step === 'content' ? <ContentStep props={props} starters={open.starters} testResults={open.testResults} values={values} errors={errors} /> : null}
      {open.step === 'schedule' ? <ScheduleStep props={props} values={values} errors={errors} defaultSendAt={open.defaultSendAt} minSendAt={open.minSendAt} /> : null}
      {open.step === 'review' ? <ReviewStep props={props} values={values} audienceCount={open.audienceCount} platformSender={open.platformSender} domainWarning={open.domainWarning} /> : null}
    </>
  );
}

const PROGRESS_LABELS: [keyof CampaignProgress, string][] = [
  ['recipients', 'Recipients'],
  ['pending', 'Pending'],
  ['sent', 'Sent'],
  ['failed', 'Failed'],
  ['skipped', 'Skipped'],
  ['unknown', 'Outcome unknown'],
  ['cancelled', 'Cancelled'],
];

/** Delivery counts; while sending, /campaign-builder.js polls `data-progress-url` and updates them. */
function CampaignProgressCard({ campaign }: { campaign: CampaignView }) {
  const sending = campaign.status === 'sending';
  return (
    <section class="card" aria-labelledby="progress-heading" id="campaign-progress" data-progress-url={sending ? campaignPath(campaign.id, '/progress') : undefined}>
      <h2 id="progress-heading">Progress</h2>
      <dl class="stats" aria-live="polite">
        {PROGRESS_LABELS.map(([key, label]) => (
          <div>
            <dt>{label}</dt>
            <dd data-progress-key={key}>{numbers.format(campaign.progress[key])}</dd>
          </div>
        ))}
      </dl>
      <p class="muted small">
        {sending
          ? 'Sending now; these numbers update by themselves. Skipped contacts unsubscribed or became unreachable after the campaign started.'
          : 'Skipped contacts unsubscribed or became unreachable after the campaign started.'}
      </p>
      {campaign.progress.unknown ? (
        <p data-unknown-outcome>
          {campaign.progress.unknown === 1
            ? '1 message was handed to your SMTP server but it never confirmed it; it was not resent, to avoid duplicates.'
            : `${numbers.format(campaign.progress.unknown)} messages were handed to your SMTP server but it never confirmed them; they were not resent, to avoid duplicates.`}
        </p>
      ) : null}
      {sending ? <Script src="/campaign-builder.js" /> : null}
    </section>
  );
}

/** Why the campaign is paused, since when, and what resuming does. */
function PausedNotice({ campaign, timeZone }: { campaign: CampaignView; timeZone: string }) {
  const since = campaign.pausedAt ? atInZone(campaign.pausedAt, timeZone) : null;
  // Held at its send time (no postal address): nothing went out yet.
  if (campaign.pauseReason && campaign.startedAt === null) {
    return (
      <Notice tone="warning">
        <p>
          <strong>{`Held by the platform${since ? ` at ${since}` : ''}.`}</strong> {campaign.pauseReason}
        </p>
        <p>Nothing has gone out. Resuming sends it at once, to its audience as it stands then.</p>
      </Notice>
    );
  }
  if (campaign.pauseReason) {
    return (
      <Notice tone="warning">
        <p>
          <strong>{`Paused by the platform${since ? ` at ${since}` : ''}.`}</strong> {campaign.pauseReason}
        </p>
        <p>You can resume once it is fixed; it continues where it stopped. If your server still refuses, the campaign pauses again by itself.</p>
      </Notice>
    );
  }
  return <Notice tone="info">{`Paused by you${since ? ` at ${since}` : ''}. Nothing more goes out until you resume; it then continues where it stopped, and no one gets it twice.`}</Notice>;
}

/** A campaign that is sending, paused, sent or cancelled: what it was, how its sending went, and who it did not reach. */
export function CampaignDetails({
  props,
  report,
  recipients,
  recipientFilter,
  recipientLinks,
  senderHealth,
  platformSender,
}: {
  props: CampaignPageProps;
  // The report (src/reports) and a page of its recipients, once it started sending.
  report: SourceReport | null;
  recipients: RecipientPage | null;
  recipientFilter: RecipientFilter | undefined;
  recipientLinks: RecipientLinks;
  // The sender's state while messages wait for it (sending or paused), else null.
  senderHealth: SenderHealth | null;
  // The platform sender's state while messages wait for it, else null: a reached cap says why they wait.
  platformSender: PlatformSenderStatus | null;
}) {
  const { campaign, timeZone } = props;
  // A campaign cancelled before it started has nothing to show but its details.
  const started = campaign.startedAt !== null;
  return (
    <>
      <CampaignHeader campaign={campaign} csrfToken={props.csrfToken} canSend={props.canSend} />
      <PageNotices notice={props.notice} problem={props.problem} />
      {campaign.status === 'paused' ? <PausedNotice campaign={campaign} timeZone={timeZone} /> : null}
      {/* Resuming is refused while the email would go out without the postal address: say what to fix. */}
      {campaign.status === 'paused' ? <FooterAddressNotice props={props} /> : null}
      {/* Why it is not sending: the sender's failure from real attempts, with what to fix. */}
      {senderHealth?.state === 'failing' ? <SenderStatusNotice health={senderHealth} timeZone={timeZone} /> : null}
      {platformSender ? <PlatformSenderNotice status={platformSender} timeZone={timeZone} capOnly /> : null}
      {campaign.status === 'cancelled' ? (
        <Notice tone="info">
          <div class="notice-row">
            <span>
              {started
                ? 'This campaign was cancelled: messages that had not gone out will not be sent. To send something like it, create a new campaign.'
                : 'This campaign was cancelled and will not be sent. To send something like it, create a new campaign.'}
            </span>
            <NewCampaignButton />
          </div>
        </Notice>
      ) : null}
      {started ? <CampaignProgressCard campaign={campaign} /> : null}
      {started && report ? (
        <>
          <ReportFiguresCard report={report} />
          <FirstHoursCard report={report} timeZone={timeZone} />
          <LinksCard report={report} />
        </>
      ) : null}
      {started && campaign.compactedAt !== null ? (
        <Notice tone="info">
          {`Its messages were compacted on ${formatInZone(campaign.compactedAt, timeZone)}, past the time messages are kept one by one: every figure above stays, but the recipients, the log and each contact's messages now list only recipients with a credited order.`}
        </Notice>
      ) : null}
      {started && recipients ? <RecipientsCard page={recipients} filter={recipientFilter} links={recipientLinks} timeZone={timeZone} /> : null}
      <section class="card" aria-labelledby="details-heading">
        <h2 id="details-heading">Details</h2>
        <CampaignFacts props={props}>
          {campaign.scheduledLocal && campaign.scheduledAt ? (
            <>
              <dt>Scheduled for</dt>
              <dd>{atInZone(campaign.scheduledAt, timeZone)}</dd>
            </>
          ) : null}
          {campaign.startedAt ? (
            <>
              <dt>Started</dt>
              <dd>{atInZone(campaign.startedAt, timeZone)}</dd>
            </>
          ) : null}
          {campaign.finishedAt ? (
            <>
              <dt>{campaign.status === 'cancelled' ? 'Cancelled' : 'Finished'}</dt>
              <dd>{atInZone(campaign.finishedAt, timeZone)}</dd>
            </>
          ) : null}
        </CampaignFacts>
      </section>
    </>
  );
}
