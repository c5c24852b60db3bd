// Contacts: filter, sort and count the workspace's contacts, act on a selection or a whole
// filter, export the filter as CSV, and import a CSV file.
import type { BulkJobView } from '../../contacts/contact-bulk.service';
import type { ContactSort } from '../../contacts/contact-filter';
import type { ContactImportView } from '../../contacts/contact-imports.service';
import type { ContactListQuery } from '../../contacts/contacts.schemas';
import type { ContactPage, ContactView } from '../../contacts/contacts.service';
import { formatMoney } from '../../lib/money';
import { formatInZone } from '../../lib/time';
import { CsrfField, EmptyState, Field, FileUploadForm, type FormErrors, Notice, Select, TableHead } from '../components';
import { Script } from '../script';
import { BulkJobRow, ConsentBadge, ContactsHeader, contactName, ImportStatusBadge } from './contacts-parts';

/** What an action wants the contacts page to show. */
export type ContactsPageState = {
  query: ContactListQuery;
  notice?: string | undefined;
  uploadError?: string | undefined;
  // A bulk form sent back with its errors, by field.
  bulkErrors?: FormErrors | undefined;
};

const FILTER_KEYS = ['q', 'tag', 'emailConsent', 'smsConsent'] as const;

function filterParams(query: Partial<ContactListQuery>): URLSearchParams {
  const params = new URLSearchParams();
  for (const name of FILTER_KEYS) if (query[name]) params.set(name, query[name]);
  return params;
}

function listUrl(query: Partial<ContactListQuery>): string {
  const params = filterParams(query);
  if (query.sort && query.sort !== 'newest') params.set('sort', query.sort);
  if (query.cursor) params.set('cursor', query.cursor);
  const search = params.toString();
  return search ? `/app/contacts?${search}` : '/app/contacts';
}

const CONSENT_OPTIONS: [string, string][] = [
  ['', 'Any'],
  ['subscribed', 'Subscribed'],
  ['unsubscribed', 'Unsubscribed'],
  ['not_subscribed', 'Never asked'],
];

const SORT_OPTIONS: [ContactSort, string][] = [
  ['newest', 'Newest added'],
  ['oldest', 'Oldest added'],
  ['email', 'Email (A–Z)'],
  ['spend', 'Total spent (highest)'],
  ['last_order', 'Last order (latest)'],
];

function Filters({ query, tags }: { query: ContactListQuery; tags: string[] }) {
  const tagOptions = query.tag && !tags.includes(query.tag) ? [query.tag, ...tags] : tags;
  const filtered = FILTER_KEYS.some((name) => query[name]) || query.sort !== 'newest';
  return (
    // biome-ignore lint/a11y/useSemanticElements: a form with role="search" is the search landmark in every browser; <search> is too new for some
    <form method="get" action="/app/contacts" class="filters" role="search">
      <Field name="q" label="Search" type="search" value={query.q} placeholder="Email, name or phone" />
      {tagOptions.length ? (
        <Select id="field-tag" name="tag" label="Tag" narrow options={[['', 'All tags'], ...tagOptions.map((tag): [string, string] => [tag, tag])]} value={query.tag ?? ''} />
      ) : null}
      <Select id="field-emailConsent" name="emailConsent" label="Email consent" narrow options={CONSENT_OPTIONS} value={query.emailConsent ?? ''} />
      <Select id="field-smsConsent" name="smsConsent" label="SMS consent" narrow options={CONSENT_OPTIONS} value={query.smsConsent ?? ''} />
      <Select id="field-sort" name="sort" label="Sort by" narrow options={SORT_OPTIONS} value={query.sort} />
      <div class="form-actions">
        <button type="submit" class="button primary">
          Apply
        </button>
        {filtered ? (
          <a class="button secondary" href="/app/contacts">
            Clear
          </a>
        ) : null}
      </div>
    </form>
  );
}

const numbers = new Intl.NumberFormat('en-US');

/** The bulk action form: the contacts ticked in the table (they name this form), or every contact of the filter. */
function BulkForm({ csrfToken, query, total, canErase, errors }: { csrfToken: string; query: ContactListQuery; total: number; canErase: boolean; errors: FormErrors }) {
  const actions: [string, string][] = [['tag', 'Add tags'], ['untag', 'Remove tags'], ['unsubscribe', 'Unsubscribe'], ...(canErase ? [['erase', 'Erase (GDPR)'] as [string, string]] : [])];
  const selectionError = errors.contactIds;
  return (
    <form method="post" action="/app/contacts/bulk" id="bulk-form" class="bulk-form" aria-labelledby="bulk-heading">
      <h2 id="bulk-heading" class="visually-hidden">
        Bulk action
      </h2>
      <CsrfField token={csrfToken} />
      {FILTER_KEYS.map((name) => (query[name] ? <input type="hidden" name={name} value={query[name]} /> : null))}
      <Select id="bulk-action" name="action" label="Bulk action" narrow options={actions} value="tag" error={errors.action} />
      <div data-bulk-for="tag untag">
        <Field name="tags" id="bulk-tags" label="Tags (separated by commas)" error={errors.tags} />
      </div>
      <fieldset class="choices" data-bulk-for="unsubscribe" aria-describedby={errors.channels ? 'bulk-channels-error' : undefined}>
        <legend>Channels</legend>
        <div class="choice">
          <input type="checkbox" id="bulk-channel-email" name="channels" value="email" checked />
          <label for="bulk-channel-email">Email</label>
        </div>
        <div class="choice">
          <input type="checkbox" id="bulk-channel-sms" name="channels" value="sms" />
          <label for="bulk-channel-sms">SMS</label>
        </div>
        {errors.channels ? (
          <p class="field-error" id="bulk-channels-error">
            {errors.channels}
          </p>
        ) : null}
      </fieldset>
      <fieldset class="choices" aria-describedby={selectionError ? 'bulk-scope-error' : undefined}>
        <legend>Apply to</legend>
        <div class="choice">
          <input type="radio" id="bulk-scope-selected" name="scope" value="selected" checked />
          <label for="bulk-scope-selected">
            The contacts ticked below <span id="bulk-selected-count" class="muted small" aria-live="polite" />
          </label>
        </div>
        <div class="choice">
          <input type="radio" id="bulk-scope-filter" name="scope" value="filter" />
          <label for="bulk-scope-filter">{`All ${numbers.format(total)} contacts matching this filter (in the background)`}</label>
        </div>
        {selectionError ? (
          <p class="field-error" id="bulk-scope-error">
            {selectionError}
          </p>
        ) : null}
      </fieldset>
      {canErase ? (
        <div class={errors.confirmErase ? 'choice has-error' : 'choice'} data-bulk-for="erase">
          <input type="checkbox" id="bulk-confirmErase" name="confirmErase" value="yes" aria-describedby={errors.confirmErase ? 'bulk-confirmErase-error' : undefined} />
          <label for="bulk-confirmErase">I understand erased contacts and their personal data cannot be brought back</label>
          {errors.confirmErase ? (
            <p class="field-error" id="bulk-confirmErase-error">
              {errors.confirmErase}
            </p>
          ) : null}
        </div>
      ) : null}
      <div class="form-actions">
        <button type="submit" class="button primary">
          Apply to contacts
        </button>
      </div>
    </form>
  );
}

function ContactsTable({ contacts, currency }: { contacts: ContactView[]; currency: string | null }) {
  return (
    <table class="table contacts-table stack-tablet">
      <TableHead columns={[{ label: 'Select', hidden: true }, 'Contact', 'Phone', 'Consent', 'Tags', { label: 'Orders', numeric: true }, { label: 'Total spent', numeric: true }]} />
      <tbody>
        {contacts.map((contact) => (
          <tr>
            <td data-label="Select" class="select-cell">
              {/* Outside the bulk form in the markup, inside it by the form attribute. */}
              <input type="checkbox" name="ids" value={contact.id} form="bulk-form" aria-label={`Select ${contactName(contact) ?? contact.email ?? contact.phone ?? 'contact'}`} />
            </td>
            <td data-label="Contact">
              {/* Name and email share a column so the table fits a laptop screen. */}
              <span class="contact-cell">
                <a href={`/app/contacts/${contact.id}`}>{contactName(contact) ?? contact.email ?? 'Unnamed contact'}</a>
                {contactName(contact) && contact.email ? <span class="muted small">{contact.email}</span> : null}
              </span>
            </td>
            <td data-label="Phone">{contact.phone ?? '—'}</td>
            <td data-label="Consent">
              <span class="consent-badges">
                <ConsentBadge channel="Email" consent={contact.emailConsent} />
                <ConsentBadge channel="SMS" consent={contact.smsConsent} />
              </span>
            </td>
            <td data-label="Tags" class="break">
              {contact.tags.length ? contact.tags.join(', ') : '—'}
            </td>
            <td data-label="Orders" class="num">
              {contact.orderCount}
            </td>
            <td data-label="Total spent" class="num">
              {formatMoney(contact.totalSpentCents, currency)}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function ImportCard({
  csrfToken,
  imports,
  maxImportBytes,
  timeZone,
  error,
}: {
  csrfToken: string;
  imports: ContactImportView[];
  maxImportBytes: number;
  timeZone: string;
  error?: string | undefined;
}) {
  return (
    <section class="card" id="import" aria-labelledby="import-heading">
      <h2 id="import-heading">Import contacts from a CSV file</h2>
      <p class="muted">
        A header row, then one contact per row, separated by commas, semicolons or tabs. Columns, in any order: <code>email</code> (required), <code>phone</code> (international format, e.g.
        +14155550123), <code>first_name</code>, <code>last_name</code>, <code>tags</code> (separated by , ; or |), <code>email_consent</code> and <code>sms_consent</code> (subscribed, unsubscribed,
        not_subscribed, yes or no), <code>total_spent</code> and <code>order_count</code>. A customers export from Shopify or WooCommerce imports as it is, with its consent, tags and totals. Up to{' '}
        {maxImportBytes / 1024 / 1024} MB; the file is imported in the background and each rejected row is reported with its line.
      </p>
      <FileUploadForm action="/app/contacts/imports" csrfToken={csrfToken} id="field-file" label="CSV file" accept=".csv,text/csv" submitLabel="Import" hasError={Boolean(error)} />
      {imports.length ? (
        <table class="table stack-tablet">
          <TableHead
            columns={['File', 'Status', { label: 'Rows', numeric: true }, { label: 'Imported', numeric: true }, { label: 'Rejected', numeric: true }, { label: 'Warnings', numeric: true }, 'Uploaded']}
          />
          <tbody>
            {imports.map((item) => (
              <tr>
                <td data-label="File" class="break">
                  <a href={`/app/contacts/imports/${item.id}`}>{item.fileName}</a>
                </td>
                <td data-label="Status">
                  <ImportStatusBadge status={item.status} />
                </td>
                <td data-label="Rows" class="num">
                  {item.totalRows}
                </td>
                <td data-label="Imported" class="num">
                  {item.importedRows}
                </td>
                <td data-label="Rejected" class="num">
                  {item.rejectedRows}
                </td>
                <td data-label="Warnings" class="num">
                  {item.warnedRows}
                </td>
                <td data-label="Uploaded">{formatInZone(item.createdAt, timeZone)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}

/** What the contacts page shows, loaded by the route. */
export type ContactsPageData = {
  page: ContactPage;
  tags: string[];
  imports: ContactImportView[];
  jobs: BulkJobView[];
  currency: string | null;
  maxImportBytes: number;
  timeZone: string;
  canWrite: boolean;
  canErase: boolean;
};

function BulkJobsCard({ jobs, timeZone }: { jobs: BulkJobView[]; timeZone: string }) {
  return (
    <section class="card" id="bulk-jobs" aria-labelledby="bulk-jobs-heading">
      <h2 id="bulk-jobs-heading">Bulk actions</h2>
      <p class="muted">Actions on a whole filter run in the background; their progress updates here.</p>
      <ul class="bulk-jobs">
        {jobs.map((job) => (
          <BulkJobRow job={job} timeZone={timeZone} />
        ))}
      </ul>
    </section>
  );
}

/** /app/contacts: the filtered, sorted list (one page of it) with its count, bulk actions, export and the CSV import. */
export function ContactsPage({ data, csrfToken, state }: { data: ContactsPageData; csrfToken: string; state: ContactsPageState }) {
  const { page, tags, imports, jobs, currency, maxImportBytes, timeZone, canWrite, canErase } = data;
  const { query } = state;
  const filtered = Boolean(FILTER_KEYS.some((name) => query[name]) || query.cursor);
  const exportParams = filterParams(query).toString();
  return (
    <>
      <ContactsHeader
        description="Your customers and subscribers, with their orders, tags and consent."
        action={
          <div class="header-actions">
            {canWrite ? (
              <a class="button primary" href="/app/contacts/new">
                Add contact
              </a>
            ) : null}
            <a class="button secondary" href="#import">
              Import a CSV file
            </a>
          </div>
        }
      />
      {state.notice ? <Notice tone="success">{state.notice}</Notice> : null}
      {/* Above the list, not beside the form at the foot of a long page, where nobody would see it. */}
      {state.uploadError ? (
        <Notice tone="error">
          The file was not imported: {state.uploadError} <a href="#import">Upload another file</a>
        </Notice>
      ) : null}
      {state.bulkErrors ? <Notice tone="error">The bulk action was not applied: see the fields marked below.</Notice> : null}
      {page.contacts.length || filtered ? (
        <section class="card" aria-label="Contacts">
          <Filters query={query} tags={tags} />
          <div class="list-summary">
            <p id="contacts-total">
              <strong>{numbers.format(page.total)}</strong> {page.total === 1 ? 'contact matches' : 'contacts match'}
            </p>
            <a class="button secondary small" href={`/app/contacts/export.csv${exportParams ? `?${exportParams}` : ''}`} download>
              Export CSV
            </a>
          </div>
          {canWrite && page.contacts.length ? <BulkForm csrfToken={csrfToken} query={query} total={page.total} canErase={canErase} errors={state.bulkErrors ?? {}} /> : null}
          {page.contacts.length ? (
            <div class="table-wrap">
              <ContactsTable contacts={page.contacts} currency={currency} />
            </div>
          ) : (
            <p class="muted">No contacts match this search.</p>
          )}
          <div class="pager">
            {query.cursor ? (
              <a class="button secondary small" href={listUrl({ ...query, cursor: undefined })}>
                Back to the first page
              </a>
            ) : null}
            {page.nextCursor ? (
              <a class="button secondary" href={listUrl({ ...query, cursor: page.nextCursor })}>
                Load more
              </a>
            ) : null}
          </div>
        </section>
      ) : (
        <EmptyState title="No contacts yet">
          <p>
            Contacts arrive from your store's webhooks (Shopify, WooCommerce or any cart, see Settings → Store connections), from a CSV import below, or through the API. Each one will be listed here
            with consent badges, tags and lifetime spend.
          </p>
        </EmptyState>
      )}
      {jobs.length ? <BulkJobsCard jobs={jobs} timeZone={timeZone} /> : null}
      <ImportCard csrfToken={csrfToken} imports={imports} maxImportBytes={maxImportBytes} timeZone={timeZone} error={state.uploadError} />
      <Script src="/contacts-list.js" />
    </>
  );
}
