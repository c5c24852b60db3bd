// Marketing → SMS messages: the list and the editor, with what a text costs (characters,
// GSM-7 or UCS-2, segments) counted by the server and kept live by /sms-editor.js.
import { formatInZone } from '../../lib/time';
import type { SmsContentView } from '../../sms/sms-contents.service';
import { describeUcs2Cost, SMS_OPT_OUT_LINE, type SmsCost, smsCostOf, withOptOutLine } from '../../sms/sms-segments';
import { CsrfField, EmptyState, Field, type FormErrors, Notice, PostButton, TableHead } from '../components';
import { Script } from '../script';
import { MarketingHeader } from './section-pages';

const STARTING_BODY = 'Hi {{ contact.first_name | default: "there" }}, ';

/** "142 characters · GSM-7 · 1 segment" (the same words as /sms-editor.js). */
export function describeSmsCost(cost: SmsCost): string {
  return `${cost.characters} characters · ${cost.encoding} · ${cost.segments} segment${cost.segments === 1 ? '' : 's'}`;
}

/** The opt-out sentence under a body (the same words as /sms-editor.js). */
function optOutSentence(added: boolean): string {
  return added ? `"${SMS_OPT_OUT_LINE}" is added on a last line of its own, and counted above.` : 'Your message says STOP, so no opt-out line is added.';
}

/** A body's cost as sent, with the UCS-2 warning; the editor's copy carries the hooks /sms-editor.js updates. */
export function SmsCostSummary({ body, live = false }: { body: string; live?: boolean }) {
  const cost = smsCostOf(body);
  const warning = describeUcs2Cost(withOptOutLine(body));
  return (
    <div class="sms-cost stack" id={live ? 'sms-cost' : undefined} data-opt-out-line={live ? SMS_OPT_OUT_LINE : undefined} aria-live={live ? 'polite' : undefined}>
      <p>
        <strong data-sms-summary>{describeSmsCost(cost)}</strong>
      </p>
      <p class="field-error" data-sms-warning hidden={!warning}>
        {warning ?? ''}
      </p>
      <p class="muted small" data-sms-opt-out>
        {optOutSentence(cost.optOutAdded)}
      </p>
    </div>
  );
}

/** The SMS messages list with the form that starts a new one. */
export function SmsMessagesList({ messages, timeZone, csrfToken, notice }: { messages: SmsContentView[]; timeZone: string; csrfToken: string; notice?: string | undefined }) {
  return (
    <>
      <MarketingHeader current="sms" />
      {notice ? <Notice tone="success">{notice}</Notice> : null}
      <section class="card" aria-labelledby="new-sms-heading">
        <h2 id="new-sms-heading">New SMS message</h2>
        <form method="post" action="/app/marketing/sms" class="inline-form">
          <CsrfField token={csrfToken} />
          <Field name="name" id="field-sms-name" label="Name" placeholder="e.g. Weekend flash sale" required />
          <input type="hidden" name="body" value={STARTING_BODY} />
          <button type="submit" class="button primary">
            Create message
          </button>
        </form>
      </section>
      {messages.length ? (
        <table class="table">
          <TableHead columns={['Name', 'Message', 'Segments', 'Updated']} />
          <tbody>
            {messages.map((message) => (
              <tr>
                <td data-label="Name">
                  <a href={`/app/marketing/sms/${message.id}`}>{message.name}</a>
                </td>
                <td data-label="Message">{message.body.length > 80 ? `${message.body.slice(0, 80)}…` : message.body}</td>
                <td data-label="Segments">{`${message.cost.segments} (${message.cost.encoding})`}</td>
                <td data-label="Updated">{formatInZone(message.updatedAt, timeZone)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <EmptyState title="No SMS messages yet">
          <p>SMS messages are the texts your SMS campaigns send, with the same merge tags as emails. Each one will be listed here.</p>
        </EmptyState>
      )}
    </>
  );
}

/** The editor: name and body, the live cost, the sample preview. */
export function SmsMessageEditor(props: {
  message: SmsContentView;
  csrfToken: string;
  errors?: FormErrors;
  values?: Record<string, string>;
  notice?: string | undefined;
  // The body rendered for the sample contact (null when it cannot be rendered: its error is shown on the field).
  preview: string | null;
}) {
  const { message, errors = {} } = props;
  const values = props.values ?? { name: message.name, body: message.body };
  const body = (values.body ?? '').replace(/\r\n?/g, '\n');
  return (
    <>
      <MarketingHeader current="sms" />
      {props.notice ? <Notice tone="success">{props.notice}</Notice> : null}
      <div class="editor-layout">
        <form method="post" action={`/app/marketing/sms/${message.id}`} class="card stack" id="sms-form">
          <CsrfField token={props.csrfToken} />
          <Field name="name" label="Name" value={values.name} error={errors.name} required />
          <div class={errors.body ? 'field has-error' : 'field'}>
            <label for="field-body">Message</label>
            <textarea id="field-body" name="body" aria-describedby="sms-cost" spellcheck={true}>
              {body}
            </textarea>
            {errors.body ? <p class="field-error">{errors.body}</p> : null}
            <p class="field-hint">
              Merge tags: {'{{ contact.first_name }}'}, {'{{ shop.name }}'}. They count as written: names vary by contact. Links become short tracked links on our domain.
            </p>
          </div>
          <SmsCostSummary body={body} live />
          <div class="form-actions">
            <button type="submit" class="button primary">
              Save message
            </button>
          </div>
        </form>
        <aside class="card preview-pane">
          <h2>Preview</h2>
          <p class="muted small">Saved message, for the sample contact Alex Sample.</p>
          {props.preview !== null ? <pre class="sms-preview">{props.preview}</pre> : <p class="muted">The saved message cannot be shown.</p>}
          <PostButton
            action={`/app/marketing/sms/${message.id}/delete`}
            csrfToken={props.csrfToken}
            label="Delete message"
            tone="danger"
            confirm={`Delete "${message.name}"? This cannot be undone.`}
          />
        </aside>
      </div>
      <Script src="/sms-editor.js" />
    </>
  );
}
