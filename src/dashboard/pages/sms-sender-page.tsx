// Settings → SMS: the workspace's Twilio account and sender, quiet hours, the SMS click
// window, the two webhook addresses to paste into Twilio, and a test text.
import type { SmsSenderView } from '../../sms/sms-sender.service';
import type { WorkspaceView } from '../../workspaces/workspaces.service';
import { CsrfField, Field, type FormErrors, Notice, OwnerSubmit, type Viewer, viewerCan } from '../components';
import { SettingsHeader } from './settings-page';

/** What an action on this page wants shown. */
export type SmsSenderState = {
  errors?: FormErrors;
  values?: Record<string, string>;
  outcome?: { ok: boolean; message: string };
  notice?: string | undefined;
};

function SmsSenderForm({
  sender,
  csrfToken,
  canEdit,
  errors = {},
  values,
}: {
  sender: SmsSenderView;
  csrfToken: string;
  canEdit: boolean;
  errors?: FormErrors;
  values?: Record<string, string> | undefined;
}) {
  const value = (name: keyof SmsSenderView, stored: string | number | null = sender[name] as string | number | null) => (values ? values[name] : stored?.toString()) ?? '';
  return (
    <form method="post" action="/app/settings/sms" class="grid-form">
      <CsrfField token={csrfToken} />
      <fieldset disabled={!canEdit}>
        <Field
          name="accountSid"
          label="Account SID"
          value={value('accountSid')}
          error={errors.accountSid}
          placeholder="AC…"
          hint="In the Twilio Console, under Account Info."
          autocomplete="off"
          required
        />
        <Field
          name="authToken"
          label="Auth Token"
          type="password"
          error={errors.authToken}
          autocomplete="new-password"
          hint={sender.hasAuthToken ? 'Saved (encrypted). Leave empty to keep it; a new Account SID asks for it again.' : 'Stored encrypted; never shown again.'}
        />
        <Field
          name="fromNumber"
          label="From number"
          value={value('fromNumber')}
          error={errors.fromNumber}
          placeholder="+14155550123"
          hint="A number of your Twilio account, in international format. Or use a Messaging Service below: one of the two."
        />
        <Field
          name="messagingServiceSid"
          label="Messaging Service SID"
          value={value('messagingServiceSid')}
          error={errors.messagingServiceSid}
          placeholder="MG…"
          hint="Sends from the service's pool of numbers, faster than one number (about one text a second)."
        />
        <Field
          name="sendRatePerSecond"
          label="Sending speed (texts per second)"
          type="number"
          value={value('sendRatePerSecond')}
          error={errors.sendRatePerSecond}
          placeholder={sender.messagingServiceSid ? '10' : '1'}
          hint="What your numbers are allowed to send (a short code or a registered 10DLC campaign allows more). Empty: 1 a second from a number, 10 from a Messaging Service; Twilio queues what goes faster."
        />
        <Field name="helpText" label="Answer to HELP" value={value('helpText')} error={errors.helpText} hint="At most 160 characters. Empty: a sentence naming your store." />
        <Field
          name="defaultCountry"
          label="Default country"
          value={value('defaultCountry')}
          error={errors.defaultCountry}
          placeholder="US"
          hint="Two letters (ISO 3166): the country of numbers written without +."
        />
        <Field
          name="quietHoursStart"
          label="Quiet hours from"
          value={value('quietHoursStart')}
          error={errors.quietHoursStart}
          placeholder="21:00"
          hint="HH:MM in each contact's time zone (else the workspace's). Empty for none."
        />
        <Field
          name="quietHoursEnd"
          label="Quiet hours until"
          value={value('quietHoursEnd')}
          error={errors.quietHoursEnd}
          placeholder="08:00"
          hint="Texts due in the quiet hours wait until they end."
        />
        <Field
          name="clickWindowDays"
          label="SMS click window (days)"
          type="number"
          value={value('clickWindowDays')}
          error={errors.clickWindowDays}
          hint="An order within this many days of a click on a text's link is credited to it."
          required
        />
        <OwnerSubmit canEdit={canEdit} label="Save SMS settings" what="the SMS settings" />
      </fieldset>
    </form>
  );
}

/** Settings → SMS, from what the route loaded. */
export function SmsSenderPage({ workspace, sender, viewer, state = {} }: { workspace: WorkspaceView; sender: SmsSenderView; viewer: Viewer; state?: SmsSenderState }) {
  const { csrfToken } = viewer;
  const canEdit = viewerCan(viewer, 'settings:sender');
  return (
    <>
      <SettingsHeader workspaceName={workspace.name} current="sms" />
      {sender.configured ? null : <Notice tone="info">Texts go out through your own Twilio account. Until you add it below, SMS campaigns and flow steps fail with a reason in the logs.</Notice>}
      {state.notice ? <Notice tone="success">{state.notice}</Notice> : null}
      {state.outcome ? <Notice tone={state.outcome.ok ? 'success' : 'error'}>{state.outcome.message}</Notice> : null}
      <section class="card" aria-labelledby="twilio-heading">
        <h2 id="twilio-heading">Your Twilio account</h2>
        <SmsSenderForm sender={sender} csrfToken={csrfToken} canEdit={canEdit} errors={state.errors} values={state.values} />
        {sender.configured && canEdit ? (
          <form method="post" action="/app/settings/sms/remove" data-confirm="Remove your Twilio account? Texts stop going out until you add it again.">
            <CsrfField token={csrfToken} />
            <button type="submit" class="button small danger">
              Remove the Twilio account
            </button>
          </form>
        ) : null}
      </section>
      <section class="card" aria-labelledby="webhooks-heading">
        <h2 id="webhooks-heading">Webhooks to paste into Twilio</h2>
        <p class="muted">In the Twilio Console, on your number (or Messaging Service): so that STOP, HELP and replies reach your workspace, and so that each text's delivery is recorded.</p>
        <dl class="facts">
          <dt>A message comes in (HTTP POST)</dt>
          <dd>
            <code>{sender.incomingWebhookUrl}</code>
          </dd>
          <dt>Status callback URL</dt>
          <dd>
            <code>{sender.statusCallbackUrl}</code> (also sent with every text)
          </dd>
        </dl>
      </section>
      {canEdit && sender.configured ? (
        <section class="card" aria-labelledby="test-heading">
          <h2 id="test-heading">Test</h2>
          <p class="muted">Sends one text now through your Twilio account and shows Twilio's answer. Quiet hours do not apply to it.</p>
          <form method="post" action="/app/settings/sms/test-sms" class="inline-form">
            <CsrfField token={csrfToken} />
            <Field name="to" id="field-test-to" label="Send a test SMS to" type="tel" placeholder="+14155550123" required />
            <button type="submit" class="button secondary">
              Send test SMS
            </button>
          </form>
        </section>
      ) : null}
    </>
  );
}
