// Settings → Email sender: the workspace's own SMTP server, its tests, and the
// notice that mail goes out from the platform address until one is configured.
import { SMTP_SECURITY, type SmtpSecurity } from '../../db/schema';
import { formatInZone } from '../../lib/time';
import type { EmailSenderView } from '../../email/email-sender.service';
import { describeSenderHealth, type SenderHealth } from '../../email/sender-health';
import type { WorkspaceView } from '../../workspaces/workspaces.service';
import { CsrfField, Field, type FormErrors, Notice, OwnerSubmit, type Viewer, viewerCan } from '../components';
import type { PlatformSenderStatus } from '../../email/platform-sender-status';
import { PlatformSenderNotice } from './platform-sender-notice';
import { SenderStatusNotice } from './sender-status';
import { SettingsHeader } from './settings-page';
import { describeMissingRecords, type DomainCheck, type RecordState } from '../../email/sending-domain';

const SECURITY_LABELS: Record<SmtpSecurity, string> = {
  tls: 'TLS (port 465)',
  starttls: 'STARTTLS (port 587)',
  none: 'None (the password travels in clear)',
};

/** What an action on this page wants shown. */
export type EmailSenderState = {
  errors?: FormErrors;
  values?: Record<string, string>;
  outcome?: { ok: boolean; message: string };
  notice?: string | undefined;
  // The domain check's form refused (a bad DKIM selector).
  domainErrors?: FormErrors;
};

/** The sending domain and its last DNS check, as the route loaded them (no DNS asked on a page view). */
export type SendingDomainState = { domain: string | null; platform: boolean; check: DomainCheck | null; dkimSelector: string | null };

const STATE_BADGES: Record<RecordState, { label: string; tone: string }> = {
  found: { label: 'Found', tone: 'badge success' },
  missing: { label: 'Missing', tone: 'badge danger' },
  unknown: { label: 'Could not check', tone: 'badge muted' },
};

function RecordRow({ name, state, detail }: { name: string; state: RecordState; detail: string }) {
  const badge = STATE_BADGES[state];
  return (
    <li data-record={name} data-state={state}>
      <span class={badge.tone}>{badge.label}</span>
      <span>
        <strong>{name}</strong> <span class="muted small">{detail}</span>
      </span>
    </li>
  );
}

/** SPF, DKIM and DMARC in plain words, the last check's result, and the form that checks again. */
function SendingDomainCard({
  domain,
  viewer,
  timeZone,
  errors = {},
  values,
}: {
  domain: SendingDomainState;
  viewer: Viewer;
  timeZone: string;
  errors?: FormErrors;
  values?: Record<string, string> | undefined;
}) {
  const { check } = domain;
  const missing = check ? describeMissingRecords(check) : [];
  return (
    <section class="card" aria-labelledby="domain-heading" id="sending-domain">
      <h2 id="domain-heading">{domain.domain ? `Sending domain: ${domain.domain}` : 'Sending domain'}</h2>
      <p class="muted">
        {domain.platform ? 'Mail goes out from the platform’s domain until you set up your own sender above. ' : 'Mail goes out from your From address’s domain. '}
        Mailbox providers trust a domain that publishes three DNS records:
      </p>
      <ul class="small">
        <li>
          <strong>SPF</strong> (a TXT record on the domain, starting <code>v=spf1</code>) lists the servers allowed to send as it: add your provider’s <code>include:</code>.
        </li>
        <li>
          <strong>DKIM</strong> (a TXT record at <code>selector._domainkey</code>) holds the public key your provider signs mail with; the provider tells you the selector and the record.
        </li>
        <li>
          <strong>DMARC</strong> (a TXT record at <code>_dmarc</code>, starting <code>v=DMARC1</code>) tells receivers what to do with mail that fails SPF and DKIM; <code>p=none</code> is a safe
          start.
        </li>
      </ul>
      {check ? (
        <>
          <p class="small">{`Last checked ${formatInZone(check.checkedAt, timeZone)}.`}</p>
          <ul class="dns-records" aria-label="DNS records found">
            <RecordRow name="SPF" state={check.spf.state} detail={check.spf.record ?? `TXT ${check.domain}`} />
            <RecordRow name="DKIM" state={check.dkim.state} detail={check.dkim.selector ? `${check.dkim.selector}._domainkey.${check.domain}` : 'common selectors'} />
            <RecordRow name="DMARC" state={check.dmarc.state} detail={check.dmarc.record ?? `TXT _dmarc.${check.domain}`} />
          </ul>
          {missing.length ? (
            <Notice tone="warning">
              <ul class="error-list" data-domain-missing>
                {missing.map((line) => (
                  <li>{line}</li>
                ))}
              </ul>
            </Notice>
          ) : null}
          {check.problem ? <Notice tone="info">{`Some records could not be checked: ${check.problem}. Try again in a moment.`}</Notice> : null}
          {!missing.length && !check.problem ? <Notice tone="success">SPF, DKIM and DMARC are all there.</Notice> : null}
        </>
      ) : (
        <p class="muted small">The records have not been checked yet.</p>
      )}
      {domain.domain && viewerCan(viewer, 'settings:sender') ? (
        <form method="post" action="/app/settings/email/domain-check" class="inline-form">
          <CsrfField token={viewer.csrfToken} />
          <Field
            name="dkimSelector"
            label="DKIM selector (optional)"
            value={values?.dkimSelector ?? domain.dkimSelector ?? ''}
            error={errors.dkimSelector}
            placeholder="google"
            hint="Leave empty to try the common ones."
          />
          <button type="submit" class="button secondary">
            Check DNS records
          </button>
        </form>
      ) : null}
    </section>
  );
}

function SenderForm({
  sender,
  csrfToken,
  canEdit,
  errors = {},
  values,
}: {
  sender: EmailSenderView;
  csrfToken: string;
  canEdit: boolean;
  errors?: FormErrors;
  values?: Record<string, string> | undefined;
}) {
  const value = (name: string, stored: string | number | null) => (values ? values[name] : stored?.toString()) ?? '';
  const security = value('security', sender.security ?? 'starttls');
  return (
    <form method="post" action="/app/settings/email" class="grid-form">
      <CsrfField token={csrfToken} />
      <fieldset disabled={!canEdit}>
        <Field name="host" label="SMTP server" value={value('host', sender.host)} error={errors.host} placeholder="smtp.yourprovider.com" required />
        <Field name="port" label="Port" type="number" value={value('port', sender.port ?? 587)} error={errors.port} hint="465 for TLS, 587 for STARTTLS, or 2525. Port 25 is blocked." required />
        <div class={errors.security ? 'field has-error' : 'field'}>
          <label for="field-security">Security</label>
          <select id="field-security" name="security">
            {SMTP_SECURITY.map((option) => (
              <option value={option} selected={option === security}>
                {SECURITY_LABELS[option]}
              </option>
            ))}
          </select>
          {errors.security ? <p class="field-error">{errors.security}</p> : null}
        </div>
        <div class={errors.acceptPlaintext ? 'field has-error' : 'field'}>
          <label for="field-acceptPlaintext">
            <input id="field-acceptPlaintext" type="checkbox" name="acceptPlaintext" value="true" checked={values?.acceptPlaintext === 'true'} /> With security “None”: I understand the password and
            every email travel in clear
          </label>
          {errors.acceptPlaintext ? <p class="field-error">{errors.acceptPlaintext}</p> : null}
        </div>
        <Field name="username" label="Username" value={value('username', sender.username)} error={errors.username} autocomplete="off" />
        <Field
          name="password"
          label="Password"
          type="password"
          error={errors.password}
          autocomplete="new-password"
          hint={sender.hasPassword ? 'Saved (encrypted). Leave empty to keep it; changing the server, port or username asks for it again.' : 'Stored encrypted; never shown again.'}
        />
        <Field name="fromName" label="From name" value={value('fromName', sender.fromName)} error={errors.fromName} placeholder="Your store" />
        <Field name="fromEmail" label="From email" type="email" value={value('fromEmail', sender.fromEmail)} error={errors.fromEmail} placeholder="hello@yourstore.com" required />
        <Field
          name="sendRatePerSecond"
          label="Sending speed limit (messages per second)"
          type="number"
          value={value('sendRatePerSecond', sender.sendRatePerSecond)}
          error={errors.sendRatePerSecond}
          hint="Campaigns and flows never send faster than this through your server. Leave empty for no limit; check your provider's plan (e.g. 14 a second on a new SES account)."
        />
        <OwnerSubmit canEdit={canEdit} label="Save sender" what="the sender" />
      </fieldset>
    </form>
  );
}

/** The sender's state from real attempts (sends and tests): first thing on the page once a server is set. */
function SenderStatus({ health, timeZone }: { health: SenderHealth; timeZone: string }) {
  const at = (time: number | null) => (time === null ? 'Never' : formatInZone(time, timeZone));
  return (
    <section class="card" aria-labelledby="status-heading">
      <h2 id="status-heading">Sender status</h2>
      {health.state === 'untested' ? (
        <Notice tone="info">{describeSenderHealth(health, timeZone)} Use “Test connection” below to check it now.</Notice>
      ) : (
        <SenderStatusNotice health={health} timeZone={timeZone} linkToSettings={false} />
      )}
      <dl class="facts">
        <dt>State</dt>
        <dd>{health.state === 'ok' ? 'Working' : health.state === 'failing' ? `Failing since ${at(health.failingSince)}` : 'Not checked yet'}</dd>
        <dt>Last checked</dt>
        <dd>{at(health.checkedAt)}</dd>
        <dt>Messages waiting</dt>
        <dd>{health.waiting}</dd>
      </dl>
    </section>
  );
}

function TestActions({ sender, csrfToken, email }: { sender: EmailSenderView; csrfToken: string; email: string }) {
  return (
    <section class="card" aria-labelledby="test-heading">
      <h2 id="test-heading">Test</h2>
      <p class="muted">Each test talks to the server now and reports its own answer.</p>
      <div class="test-actions">
        {sender.configured ? (
          <form method="post" action="/app/settings/email/test-connection">
            <CsrfField token={csrfToken} />
            <button type="submit" class="button secondary">
              Test connection
            </button>
          </form>
        ) : null}
        <form method="post" action="/app/settings/email/test-email" class="inline-form">
          <CsrfField token={csrfToken} />
          <Field name="to" id="field-test-to" label="Send a test email to" type="email" value={email} required />
          <button type="submit" class="button secondary">
            Send test email
          </button>
        </form>
      </div>
    </section>
  );
}

/** Settings → Email sender, from what the route loaded. */
export function EmailSenderPage({
  workspace,
  sender,
  health,
  platformSenderEmail,
  platformSender,
  viewer,
  state = {},
  domain,
}: {
  workspace: WorkspaceView;
  sender: EmailSenderView;
  health: SenderHealth;
  platformSenderEmail: string;
  // The platform sender's trust and caps, while the workspace has no SMTP server of its own.
  platformSender: PlatformSenderStatus | null;
  viewer: Viewer;
  state?: EmailSenderState;
  domain: SendingDomainState;
}) {
  const { csrfToken } = viewer;
  const canEdit = viewerCan(viewer, 'settings:sender');
  return (
    <>
      <SettingsHeader workspaceName={workspace.name} current="email" />
      {sender.configured ? null : (
        <Notice tone="warning">
          Mail goes out from the platform address <strong>{platformSenderEmail}</strong> (under your store's name followed by “via” the platform's, with replies to your reply-to address once your
          workspace is trusted) until you configure your own SMTP server below. Recipients may not recognise that address.
        </Notice>
      )}
      {platformSender ? <PlatformSenderNotice status={platformSender} timeZone={workspace.timeZone} /> : null}
      {state.notice ? <Notice tone="success">{state.notice}</Notice> : null}
      {state.outcome ? <Notice tone={state.outcome.ok ? 'success' : 'error'}>{state.outcome.message}</Notice> : null}
      {sender.configured ? <SenderStatus health={health} timeZone={workspace.timeZone} /> : null}
      <section class="card" aria-labelledby="smtp-heading">
        <h2 id="smtp-heading">Your SMTP server</h2>
        <p class="muted">Send from your own domain through your provider's SMTP server (Postmark, SES, Mailgun, Google Workspace, …). Workers cannot reach port 25: use 465 (TLS) or 587 (STARTTLS).</p>
        <SenderForm sender={sender} csrfToken={csrfToken} canEdit={canEdit} errors={state.errors} values={state.values} />
        {sender.configured && canEdit ? (
          <form method="post" action="/app/settings/email/remove" data-confirm="Stop using your SMTP server? Mail will go out from the platform address.">
            <CsrfField token={csrfToken} />
            <button type="submit" class="button small danger">
              Use the platform sender instead
            </button>
          </form>
        ) : null}
      </section>
      {canEdit ? <TestActions sender={sender} csrfToken={csrfToken} email={viewer.email} /> : null}
      <SendingDomainCard domain={domain} viewer={viewer} timeZone={workspace.timeZone} errors={state.domainErrors} values={state.domainErrors ? state.values : undefined} />
    </>
  );
}
