// Contacts: search and filter the workspace's contacts, and import a CSV file.
import type { ContactImportView } from '../../contacts/contact-imports.service';
import type { ContactListQuery } from '../../contacts/contacts.schemas';
import type { ContactPage, ContactView } from '../../contacts/contacts.service';
import { formatMoney } from '../../lib/money';
import { formatInZone } from '../../lib/time';
import { CsrfField, EmptyState, Field, Notice, TableHead } from '../components';
import { ConsentBadge, ContactsHeader, contactName, ImportStatusBadge } from './contacts-parts';

/** What an action wants the contacts page to show. */
export type ContactsPageState = { query: ContactListQuery; notice?: string | undefined; uploadError?: string | undefined };

function listUrl(query: Partial<ContactListQuery>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries({ q: query.q, tag: query.tag, cursor: query.cursor })) if (value) params.set(name, value);
  const search = params.toString();
  return search ? `/app/contacts?${search}` : '/app/contacts';
}

function Filters({ query, tags }: { query: ContactListQuery; tags: string[] }) {
  const tagOptions = query.tag && !tags.includes(query.tag) ? [query.tag, ...tags] : tags;
  return (
    // biome-ignore lint/a11y/useSemanticElements: a form with role="search" is the search landmark in every browser; <search> is too new for some
    <form method="get" action="/app/contacts" class="filters" role="search">
      <Field name="q" label="Search" type="search" value={query.q} placeholder="Email, name or phone" />
      {tagOptions.length ? (
        <div class="field narrow">
          <label for="field-tag">Tag</label>
          <select id="field-tag" name="tag">
            <option value="">All tags</option>
            {tagOptions.map((tag) => (
              <option value={tag} selected={tag === query.tag}>
                {tag}
              </option>
            ))}
          </select>
        </div>
      ) : null}
      <div class="form-actions">
        <button type="submit" class="button primary">
          Search
        </button>
        {query.q || query.tag ? (
          <a class="button secondary" href="/app/contacts">
            Clear
          </a>
        ) : null}
      </div>
    </form>
  );
}

function ContactsTable({ contacts, currency }: { contacts: ContactView[]; currency: string | null }) {
  return (
    <table class="table contacts-table stack-tablet">
      <TableHead columns={['Contact', 'Phone', 'Consent', { label: 'Orders', numeric: true }, { label: 'Total spent', numeric: true }]} />
      <tbody>
        {contacts.map((contact) => (
          <tr>
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
      <form method="post" action="/app/contacts/imports" enctype="multipart/form-data" class="inline-form upload-form">
        <CsrfField token={csrfToken} />
        <div class={error ? 'field has-error' : 'field'}>
          <label for="field-file">CSV file</label>
          <input id="field-file" type="file" name="file" accept=".csv,text/csv" required />
        </div>
        <button type="submit" class="button primary">
          Import
        </button>
      </form>
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
export type ContactsPageData = { page: ContactPage; tags: string[]; imports: ContactImportView[]; currency: string | null; maxImportBytes: number; timeZone: string };

/** /app/contacts: the filtered list (one page of it) and the CSV import. */
export function ContactsPage({ data, csrfToken, state }: { data: ContactsPageData; csrfToken: string; state: ContactsPageState }) {
  const { page, tags, imports, currency, maxImportBytes, timeZone } = data;
  const { query } = state;
  const filtered = Boolean(query.q || query.tag || query.cursor);
  return (
    <>
      <ContactsHeader
        description="Your customers and subscribers, with their orders, tags and consent."
        action={
          <a class="button secondary" href="#import">
            Import a CSV file
          </a>
        }
      />
      {state.notice ? <Notice tone="success">{state.notice}</Notice> : null}
      {/* Above the list, not beside the form at the foot of a long page, where nobody would see it. */}
      {state.uploadError ? (
        <Notice tone="error">
          The file was not imported: {state.uploadError} <a href="#import">Upload another file</a>
        </Notice>
      ) : null}
      {page.contacts.length || filtered ? (
        <section class="card" aria-label="Contacts">
          <Filters query={query} tags={tags} />
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
      <ImportCard csrfToken={csrfToken} imports={imports} maxImportBytes={maxImportBytes} timeZone={timeZone} error={state.uploadError} />
    </>
  );
}
