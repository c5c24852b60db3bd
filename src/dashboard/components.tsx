// Small building blocks shared by dashboard pages.
import type { Child } from 'hono/jsx';
import { CSRF_FIELD } from '../http/csrf';
import { type Permission, type Role, roleAllows } from '../workspaces/roles';

/** Per-field error messages of a form, by field name. */
export type FormErrors = Record<string, string>;

/** Who is looking at a page: which forms it offers depends on their role. */
export type Viewer = { email: string; role: Role; csrfToken: string };

/** Whether the page should offer an action: the server checks it again on submit. */
export function viewerCan(viewer: Viewer, permission: Permission): boolean {
  return roleAllows(viewer.role, permission);
}

/** The hidden CSRF field every form carries. */
export function CsrfField({ token }: { token: string }) {
  return <input type="hidden" name={CSRF_FIELD} value={token} />;
}

/** A form that uploads one file, in the multipart field `file` (the contacts CSV, an image). */
export function FileUploadForm(props: { action: string; csrfToken: string; id: string; label: string; accept: string; submitLabel: string; hasError?: boolean }) {
  return (
    <form method="post" action={props.action} enctype="multipart/form-data" class="inline-form upload-form">
      <CsrfField token={props.csrfToken} />
      <div class={props.hasError ? 'field has-error' : 'field'}>
        <label for={props.id}>{props.label}</label>
        <input id={props.id} type="file" name="file" accept={props.accept} required />
      </div>
      <button type="submit" class="button primary">
        {props.submitLabel}
      </button>
    </form>
  );
}

/** One small button that POSTs to `action` (with the CSRF field and any `fields`), asking first when `confirm` is given. */
export function PostButton({
  action,
  csrfToken,
  label,
  tone = 'secondary',
  confirm,
  fields = {},
}: {
  action: string;
  csrfToken: string;
  label: string;
  tone?: 'secondary' | 'danger';
  confirm?: string;
  fields?: Record<string, string>;
}) {
  return (
    <form method="post" action={action} data-confirm={confirm}>
      <CsrfField token={csrfToken} />
      {Object.entries(fields).map(([name, value]) => (
        <input type="hidden" name={name} value={value} />
      ))}
      <button type="submit" class={`button small ${tone}`}>
        {label}
      </button>
    </form>
  );
}

/** A labelled input with its error and hint. */
export function Field(props: {
  name: string;
  // Needed when two forms on one page share a field name.
  id?: string;
  label: string;
  type?: string;
  value?: string | null;
  error?: string | undefined;
  hint?: string;
  required?: boolean;
  autocomplete?: string;
  placeholder?: string;
  list?: string;
}) {
  const id = props.id ?? `field-${props.name}`;
  const describedBy = props.error ? `${id}-error` : props.hint ? `${id}-hint` : undefined;
  return (
    <div class={props.error ? 'field has-error' : 'field'}>
      <label for={id}>{props.label}</label>
      <input
        id={id}
        name={props.name}
        type={props.type ?? 'text'}
        value={props.value ?? ''}
        required={props.required}
        autocomplete={props.autocomplete}
        placeholder={props.placeholder}
        list={props.list}
        aria-invalid={props.error ? 'true' : undefined}
        aria-describedby={describedBy}
      />
      {props.error ? (
        <p class="field-error" id={`${id}-error`}>
          {props.error}
        </p>
      ) : props.hint ? (
        <p class="field-hint" id={`${id}-hint`}>
          {props.hint}
        </p>
      ) : null}
    </div>
  );
}

/** A labelled select with its error; `narrow` for a filter bar. */
export function Select({
  id,
  name,
  label,
  options,
  value,
  error,
  narrow,
}: {
  id: string;
  name: string;
  label: string;
  options: [string, string][];
  value: string;
  error?: string | undefined;
  narrow?: boolean;
}) {
  return (
    <div class={`field${narrow ? ' narrow' : ''}${error ? ' has-error' : ''}`}>
      <label for={id}>{label}</label>
      <select id={id} name={name} aria-invalid={error ? 'true' : undefined} aria-describedby={error ? `${id}-error` : undefined}>
        {options.map(([option, text]) => (
          <option value={option} selected={value === option}>
            {text}
          </option>
        ))}
      </select>
      {error ? (
        <p class="field-error" id={`${id}-error`}>
          {error}
        </p>
      ) : null}
    </div>
  );
}

/** A message above a form or page: success, warning or error. */
export function Notice({ tone, children }: { tone: 'success' | 'warning' | 'error' | 'info'; children: Child }) {
  return (
    <div class={`notice notice-${tone}`} role={tone === 'error' ? 'alert' : 'status'}>
      {children}
    </div>
  );
}

/** What a page shows before it has anything: what will appear, and how to get there. */
export function EmptyState({ title, children, action }: { title: string; children: Child; action?: Child }) {
  return (
    <section class="empty-state">
      <div class="empty-icon" aria-hidden="true" />
      <h2>{title}</h2>
      <div class="empty-body">{children}</div>
      {action ? <div class="empty-action">{action}</div> : null}
    </section>
  );
}

/** Tabs that are links (each tab is its own URL). */
export function Tabs({ tabs, current }: { tabs: { href: string; label: string; id: string }[]; current: string }) {
  return (
    <nav class="tabs" aria-label="Sections">
      {tabs.map((tab) => (
        <a href={tab.href} class={tab.id === current ? 'tab active' : 'tab'} aria-current={tab.id === current ? 'page' : undefined}>
          {tab.label}
        </a>
      ))}
    </nav>
  );
}

/** Common IANA time zones offered in pickers; any valid zone is accepted. */
export function TimeZoneOptions({ id }: { id: string }) {
  return (
    <datalist id={id}>
      {Intl.supportedValuesOf('timeZone').map((zone) => (
        <option value={zone} />
      ))}
    </datalist>
  );
}

/** A table's header row: labels, numeric columns right-aligned, blank labels read only by screen readers. */
export function TableHead({ columns }: { columns: (string | { label: string; numeric?: boolean; hidden?: boolean })[] }) {
  return (
    <thead>
      <tr>
        {columns.map((column) => {
          const { label, numeric, hidden } = typeof column === 'string' ? { label: column, numeric: false, hidden: false } : column;
          return (
            <th scope="col" class={numeric ? 'num' : undefined}>
              {hidden ? <span class="visually-hidden">{label}</span> : label}
            </th>
          );
        })}
      </tr>
    </thead>
  );
}

/** A form's submit button for those allowed; for everyone else, why they cannot change it. */
export function OwnerSubmit({ canEdit, label, what }: { canEdit: boolean; label: string; what: string }) {
  return canEdit ? (
    <div class="form-actions">
      <button type="submit" class="button primary">
        {label}
      </button>
    </div>
  ) : (
    <p class="muted small">{`Only owners and admins can change ${what}.`}</p>
  );
}
