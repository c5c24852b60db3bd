// Marketing → Email designs: the list, the gallery of starters, and the editor (the block
// editor and the HTML view, desktop and mobile preview with a sample contact, test send).
import type { EmailContentView, EmailDesign } from '../../email/email-contents.service';
import { formatInZone } from '../../lib/time';
import { CsrfField, EmptyState, Field, type FormErrors, Notice, TableHead } from '../components';
import { Script } from '../script';
import { UntrustedHtmlFrame } from '../untrusted-html-frame';
import { MarketingHeader } from './section-pages';

/** A starter from public/templates/index.json. */
export type Starter = { id: string; name: string; description: string };

/** The merge tags the picker offers, by what they come from ([label, Liquid]). */
const MERGE_TAGS: [group: string, tags: [string, string][]][] = [
  [
    'Contact',
    [
      ['First name (or "there")', '{{ contact.first_name | default: "there" }}'],
      ['Last name', '{{ contact.last_name }}'],
      ['Email address', '{{ contact.email }}'],
    ],
  ],
  [
    'Shop',
    [
      ['Shop name', '{{ shop.name }}'],
      ['Shop address (URL)', '{{ shop.url }}'],
      ['Postal address', '{{ shop.postal_address }}'],
      ['Unsubscribe link', '{{ unsubscribe_url }}'],
    ],
  ],
  [
    'Flows',
    [
      ['Cart recovery link', '{{ cart.recovery_url }}'],
      ['Cart total', '{{ cart.total }}'],
      ['Product name', '{{ product.title }}'],
      ['Product link', '{{ product.url }}'],
      ['Product picture', '{{ product.image_url }}'],
      ['Product old price', '{{ product.old_price }}'],
      ['Product new price', '{{ product.new_price }}'],
      ['Discount code', '{{ discount_code }}'],
      ['Last order date', '{{ last_order.date }}'],
    ],
  ],
];

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
        <form method="post" action="/app/marketing/designs" class="stack">
          <CsrfField token={csrfToken} />
          <Field name="name" id="field-design-name" label="Name" placeholder="e.g. Spring newsletter" required />
          <fieldset class="starter-gallery">
            <legend>Start from</legend>
            <label class="starter-card">
              <input type="radio" name="starter" value="" checked />
              <span class="starter-thumb starter-thumb-blank" aria-hidden="true" />
              <span class="starter-name">A blank email</span>
            </label>
            {starters.map((starter) => (
              <label class="starter-card">
                <input type="radio" name="starter" value={starter.id} />
                <span class="starter-thumb">
                  <UntrustedHtmlFrame class="starter-frame" title={`${starter.name}: thumbnail`} src={`/app/marketing/designs/starters/${starter.id}/preview`} loading="lazy" />
                </span>
                <span class="starter-name">{starter.name}</span>
                <span class="muted small">{starter.description}</span>
              </label>
            ))}
          </fieldset>
          <div class="form-actions">
            <button type="submit" class="button primary">
              Create design
            </button>
          </div>
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

// The toolbar's way through the canvas from the keyboard (/email-editor-keyboard.js runs each data-action).
const SELECTED_PART_ACTIONS: [string, string][] = [
  ['select-previous', 'Previous part'],
  ['select-next', 'Next part'],
  ['edit-text', 'Edit text'],
  ['move-up', 'Move block up'],
  ['move-down', 'Move block down'],
  ['duplicate', 'Duplicate block'],
  ['delete', 'Delete block'],
];

/**
 * The editor. Without script it is the HTML view; `/email-editor.js` adds the block editor
 * (GrapesJS, from /vendor/grapesjs/) and the live preview. A design opens in the block editor
 * unless it was last saved from the HTML view.
 */
export function EmailDesignEditor(props: {
  design: EmailDesign;
  csrfToken: string;
  errors?: FormErrors;
  values?: Record<string, string>;
  outcome?: { ok: boolean; message: string } | undefined;
  notice?: string | undefined;
}) {
  const { design, errors = {} } = props;
  const values = props.values ?? { name: design.name, subject: design.subject, preheader: design.preheader ?? '', html: design.html, project: design.project ? JSON.stringify(design.project) : '' };
  const writtenAsHtml = !values.project && design.updatedAt !== design.createdAt;
  const htmlError = errors.html ?? errors.project;
  return (
    <>
      <MarketingHeader current="designs" />
      {props.notice ? <Notice tone="success">{props.notice}</Notice> : null}
      {props.outcome ? <Notice tone={props.outcome.ok ? 'success' : 'error'}>{props.outcome.message}</Notice> : null}
      <link rel="stylesheet" href="/vendor/grapesjs/grapes.min.css" />
      <form method="post" action={`/app/marketing/designs/${design.id}`} enctype="multipart/form-data" class="card stack" id="design-form">
        <CsrfField token={props.csrfToken} />
        <div class="design-fields">
          <Field name="name" label="Name" value={values.name} error={errors.name} required />
          <Field name="subject" label="Subject" value={values.subject} error={errors.subject} hint='Merge tags work here too: {{ contact.first_name | default: "there" }}' required />
          <Field name="preheader" label="Preview text" value={values.preheader} error={errors.preheader} hint="Shown after the subject in the inbox." />
        </div>
        <input type="hidden" name="project" value={values.project ?? ''} />
        <div class={htmlError ? 'field has-error' : 'field'}>
          <div class="editor-tabs" hidden>
            <button type="button" class="tab" data-view="visual" aria-pressed="true">
              Visual
            </button>
            <button type="button" class="tab" data-view="html" aria-pressed="false">
              HTML
            </button>
          </div>
          <div class="block-editor" data-open-view={writtenAsHtml ? 'html' : 'visual'} hidden>
            <p class="notice block-editor-phone-notice">The visual editor needs a wider screen. On a phone, edit the HTML, or open this design on a computer.</p>
            <div class="block-editor-toolbar" role="toolbar" aria-label="Visual editor">
              <div class="toolbar-group">
                <button type="button" class="button small secondary" data-action="undo">
                  Undo
                </button>
                <button type="button" class="button small secondary" data-action="redo">
                  Redo
                </button>
              </div>
              <div class="toolbar-group">
                <button type="button" class="button small secondary" data-action="desktop" data-device aria-pressed="true">
                  Desktop
                </button>
                <button type="button" class="button small secondary" data-action="mobile" data-device aria-pressed="false">
                  Mobile
                </button>
              </div>
              <div class="toolbar-group">
                {SELECTED_PART_ACTIONS.map(([action, label]) => (
                  <button type="button" class="button small secondary" data-action={action}>
                    {label}
                  </button>
                ))}
              </div>
              <div class="toolbar-group">
                <label for="merge-tag">Merge tag</label>
                <select id="merge-tag">
                  {MERGE_TAGS.map(([group, tags]) => (
                    <optgroup label={group}>
                      {tags.map(([label, source]) => (
                        <option value={source}>{label}</option>
                      ))}
                    </optgroup>
                  ))}
                </select>
                <label for="merge-target">into</label>
                <select id="merge-target">
                  <option value="text">the text, at the cursor</option>
                  <option value="href">the selected link or button</option>
                  <option value="src">the selected image's address</option>
                  <option value="alt">the selected image's text</option>
                </select>
                <button type="button" class="button small secondary" data-action="insert-merge-tag">
                  Insert merge tag
                </button>
              </div>
              <div class="toolbar-group">
                <label for="add-block">Block</label>
                <select id="add-block" />
                <span id="product-choice" hidden>
                  <label for="add-product">Product</label>
                  <select id="add-product" />
                </span>
                <button type="button" class="button small secondary" data-action="add-block">
                  Add block
                </button>
              </div>
              <div class="toolbar-group">
                <input type="file" id="upload-image" accept="image/png,image/jpeg,image/gif,image/webp" hidden />
                <button type="button" class="button small secondary" data-action="upload-image">
                  Upload image
                </button>
                <a href="/app/marketing/images" class="small">
                  Your images
                </a>
              </div>
            </div>
            <p class="muted small" id="editor-status" role="status" aria-live="polite">
              Drag blocks from the panel on the right, or add them after the selected part with the toolbar. Double-click a text to type in it, or an image to pick another. Upload image puts your file
              in the selected image, or adds it after the selected part. From the keyboard: Next part and Previous part (or ↓ and ↑ in the email) choose a part, Enter types into a text and Escape
              stops, Alt+↑ and Alt+↓ move its block.
            </p>
            <div class="block-editor-canvas" />
          </div>
          <label for="field-html">HTML</label>
          <textarea id="field-html" name="html" class="html-editor" spellcheck={false}>
            {values.html}
          </textarea>
          {htmlError ? (
            <p class="field-error">{htmlError}</p>
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
      <section class="card preview-pane" aria-labelledby="preview-heading">
        <div class="card-title-row">
          <h2 id="preview-heading">Preview</h2>
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
      </section>
      <Script src="/untrusted-html.js" />
      <Script src="/vendor/grapesjs/grapes.min.js" />
      <Script src="/vendor/grapesjs/preset-newsletter.js" />
      <Script src="/email-liquid.js" />
      <Script src="/email-editor.js" />
      <Script src="/email-editor-keyboard.js" />
    </>
  );
}
