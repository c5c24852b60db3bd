// Marketing → Email designs: the list, starters, and the editor (visual and HTML
// views, desktop and mobile preview with a sample contact, test send).
import type { EmailContentView } from '../../email/email-contents.service';
import { formatInZone } from '../../lib/time';
import { CsrfField, EmptyState, Field, type FormErrors, Notice, TableHead } from '../components';
import { Script } from '../script';
import { UntrustedHtmlFrame } from '../untrusted-html-frame';
import { MarketingHeader } from './section-pages';

/** A starter from public/templates/index.json. */
export type Starter = { id: string; name: string; description: string };

/** The designs list with the form that starts a new one. */
export function EmailDesignsList({
  designs,
  starters,
  timeZone,
  csrfToken,
  notice,
}: {
  designs: EmailContentView[];
  starters: Starter[];
  timeZone: string;
  csrfToken: string;
  notice?: string | undefined;
}) {
  return (
    <>
      <MarketingHeader current="designs" />
      {notice ? <Notice tone="success">{notice}</Notice> : null}
      <section class="card" aria-labelledby="new-design-heading">
        <h2 id="new-design-heading">New email design</h2>
        <form method="post" action="/app/marketing/designs" class="inline-form">
          <CsrfField token={csrfToken} />
          <Field name="name" id="field-design-name" label="Name" placeholder="e.g. Spring newsletter" required />
          <div class="field">
            <label for="field-starter">Start from</label>
            <select id="field-starter" name="starter">
              <option value="">A blank email</option>
              {starters.map((starter) => (
                <option value={starter.id}>{`${starter.name} – ${starter.description}`}</option>
              ))}
            </select>
          </div>
          <button type="submit" class="button primary">
            Create design
          </button>
        </form>
      </section>
      {designs.length ? (
        <table class="table">
          <TableHead columns={['Name', 'Subject', 'Updated']} />
          <tbody>
            {designs.map((design) => (
              <tr>
                <td data-label="Name">
                  <a href={`/app/marketing/designs/${design.id}`}>{design.name}</a>
                </td>
                <td data-label="Subject">{design.subject}</td>
                <td data-label="Updated">{formatInZone(design.updatedAt, timeZone)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <EmptyState title="No email designs yet">
          <p>Designs are the emails your campaigns and flows send: subject, preview text and content with merge tags. Each one will be listed here.</p>
        </EmptyState>
      )}
    </>
  );
}

/** The editor. `/email-editor.js` adds the visual view and the live preview. */
export function EmailDesignEditor(props: {
  design: EmailContentView;
  csrfToken: string;
  errors?: FormErrors;
  values?: Record<string, string>;
  outcome?: { ok: boolean; message: string } | undefined;
  notice?: string | undefined;
}) {
  const { design, errors = {} } = props;
  const values = props.values ?? { name: design.name, subject: design.subject, preheader: design.preheader ?? '', html: design.html };
  return (
    <>
      <MarketingHeader current="designs" />
      {props.notice ? <Notice tone="success">{props.notice}</Notice> : null}
      {props.outcome ? <Notice tone={props.outcome.ok ? 'success' : 'error'}>{props.outcome.message}</Notice> : null}
      <div class="editor-layout">
        <form method="post" action={`/app/marketing/designs/${design.id}`} class="card stack" id="design-form">
          <CsrfField token={props.csrfToken} />
          <Field name="name" label="Name" value={values.name} error={errors.name} required />
          <Field name="subject" label="Subject" value={values.subject} error={errors.subject} hint='Merge tags work here too: {{ contact.first_name | default: "there" }}' required />
          <Field name="preheader" label="Preview text" value={values.preheader} error={errors.preheader} hint="Shown after the subject in the inbox." />
          <div class={errors.html ? 'field has-error' : 'field'}>
            <div class="editor-tabs" hidden>
              <button type="button" class="tab active" data-view="visual">
                Visual
              </button>
              <button type="button" class="tab" data-view="html">
                HTML
              </button>
            </div>
            <UntrustedHtmlFrame mode="edit" class="visual-editor" title="Visual editor" hidden />
            <label for="field-html">HTML</label>
            <textarea id="field-html" name="html" class="html-editor" spellcheck={false}>
              {values.html}
            </textarea>
            {errors.html ? (
              <p class="field-error">{errors.html}</p>
            ) : (
              <p class="field-hint">
                Merge tags: {'{{ contact.first_name }}'}, {'{{ shop.name }}'}, {'{{ unsubscribe_url }}'}. Values are escaped.
              </p>
            )}
          </div>
          <div class="form-actions">
            <button type="submit" class="button primary">
              Save design
            </button>
          </div>
        </form>
        <aside class="card preview-pane">
          <div class="card-title-row">
            <h2>Preview</h2>
            <div class="preview-sizes">
              <button type="button" class="button small secondary" data-preview-width="600">
                Desktop
              </button>
              <button type="button" class="button small secondary" data-preview-width="375">
                Mobile
              </button>
            </div>
          </div>
          <p class="muted small" id="preview-subject">
            Saved design, for the sample contact Alex Sample.
          </p>
          <p class="field-error" id="preview-error" />
          <UntrustedHtmlFrame class="email-preview" title="Email preview" src={`/app/marketing/designs/${design.id}/preview`} />
          <form method="post" action={`/app/marketing/designs/${design.id}/test`} class="inline-form">
            <CsrfField token={props.csrfToken} />
            <Field name="to" id="field-test-to" label="Send a test to" type="email" required />
            <button type="submit" class="button secondary">
              Send test
            </button>
          </form>
        </aside>
      </div>
      <Script src="/untrusted-html.js" />
      <Script src="/email-editor.js" />
    </>
  );
}
