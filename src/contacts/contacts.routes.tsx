// Dashboard pages and actions of contacts (mounted at /app/contacts).
import { type Context, Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { formErrorsOf, readForm } from '../dashboard/forms';
import { ContactImportPage, contactImportTitle } from '../dashboard/pages/contacts-import-page';
import { ContactsPage, type ContactsPageState } from '../dashboard/pages/contacts-list-page';
import { ContactMessagesCard } from '../dashboard/pages/contact-messages-card';
import { ContactProfilePage, contactPageTitle, type ContactPageState } from '../dashboard/pages/contacts-profile-page';
import { renderAppPage } from '../dashboard/render';
import type { AppEnv } from '../env';
import { assertPermission, requirePermission } from '../http/auth';
import { AppError } from '../lib/errors';
import { csvResponse } from '../reports/report-csv';
import { AddContactPage } from '../dashboard/pages/contacts-new-page';
import { applyBulkAction, getBulkJob, listBulkJobs } from './contact-bulk.service';
import { exportContactsCsv } from './contact-export';
import { roleAllows } from '../workspaces/roles';
import { tenantOf } from '../http/tenant';
import { parseOrThrow } from '../http/validate';
import { listContactMessages } from '../reports/contact-messages';
import { ContactMessagesQuery } from '../reports/reports.schemas';
import { getWorkspace } from '../workspaces/workspaces.service';
import { findMainCurrency, listConsentChanges, listContactCarts, listContactOrders } from './contact-activity.service';
import { createContactImport, getContactImport, listContactImports, listImportIssues, MAX_IMPORT_BYTES } from './contact-imports.service';
import { AddContactForm, BulkActionInput, bulkActionOfForm, ContactFilterInput, ContactListQuery, EraseConfirmation, ImportReportQuery, TagForm } from './contacts.schemas';
import { addContactTags, createContact, eraseContact, getContact, listContacts, listWorkspaceTags, removeContactTag } from './contacts.service';
import { readFormBody } from '../http/form-body';

const NOTICES: Record<string, string> = {
  erased: 'The contact and their personal data were erased.',
  tagged: 'Tags saved.',
  added: 'Contact added.',
  bulk: 'Done: the action was applied to the contacts you ticked.',
  'bulk-started': 'The action is running in the background; its progress is shown under Bulk actions.',
};

/** Loads the page of contacts the query asks for, the tags and the latest imports, and renders /app/contacts. */
async function renderContactsPage(c: Context<AppEnv>, state: ContactsPageState, status: ContentfulStatusCode = 200) {
  const tenant = tenantOf(c);
  const [workspace, page, tags, imports, jobs, currency] = await Promise.all([
    getWorkspace(tenant),
    listContacts(tenant, state.query),
    listWorkspaceTags(tenant),
    listContactImports(tenant),
    listBulkJobs(tenant),
    findMainCurrency(tenant),
  ]);
  const role = c.get('role');
  const data = {
    page,
    tags,
    imports,
    jobs,
    currency,
    maxImportBytes: MAX_IMPORT_BYTES,
    timeZone: workspace.timeZone,
    canWrite: roleAllows(role, 'contacts:write'),
    canErase: roleAllows(role, 'contacts:erase'),
  };
  return renderAppPage(c, { title: 'Contacts', section: 'contacts', body: <ContactsPage data={data} csrfToken={c.get('csrfToken')} state={state} /> }, status);
}

/** Loads one contact (404 for another workspace's id) with its activity and renders /app/contacts/:id. */
async function renderContactPage(c: Context<AppEnv>, id: string, state: ContactPageState = {}, status: ContentfulStatusCode = 200) {
  const tenant = tenantOf(c);
  const contact = await getContact(tenant, id);
  // A bad messages cursor in the address shows the newest messages.
  const messagesQuery = ContactMessagesQuery.safeParse({ cursor: c.req.query('messages') || undefined });
  const [workspace, changes, orders, carts, currency, messages] = await Promise.all([
    getWorkspace(tenant),
    listConsentChanges(tenant, id),
    listContactOrders(tenant, id),
    listContactCarts(tenant, id),
    findMainCurrency(tenant),
    listContactMessages(tenant, id, messagesQuery.success ? messagesQuery.data : { limit: 50 }),
  ]);
  const nextMessages = messages.nextCursor ? `/app/contacts/${id}?${new URLSearchParams({ messages: messages.nextCursor })}#messages` : null;
  const body = (
    <ContactProfilePage
      contact={contact}
      activity={{ changes, orders, carts, currency }}
      timeZone={workspace.timeZone}
      csrfToken={c.get('csrfToken')}
      canErase={roleAllows(c.get('role'), 'contacts:erase')}
      messages={<ContactMessagesCard page={messages} nextPath={nextMessages} timeZone={workspace.timeZone} />}
      state={state}
    />
  );
  return renderAppPage(c, { title: contactPageTitle(contact), section: 'contacts', body }, status);
}

/** Loads one import (404 for another workspace's id) and a page of its reported rows, and renders its report. */
async function renderContactImportPage(c: Context<AppEnv>, id: string, afterLine = 0) {
  const tenant = tenantOf(c);
  const contactImport = await getContactImport(tenant, id);
  const [workspace, page] = await Promise.all([getWorkspace(tenant), listImportIssues(tenant, id, afterLine)]);
  const body = <ContactImportPage contactImport={contactImport} page={page} timeZone={workspace.timeZone} />;
  return renderAppPage(c, { title: contactImportTitle(contactImport), section: 'contacts', body });
}

/** Mounted at /app/contacts. */
export const contactRoutes = new Hono<AppEnv>()
  .get('/', (c) => renderContactsPage(c, { query: parseOrThrow(ContactListQuery, c.req.query()), notice: NOTICES[c.req.query('done') ?? ''] }))
  .post('/imports', requirePermission('contacts:write'), async (c) => {
    const { file } = await readFormBody(() => c.req.parseBody());
    const query = ContactListQuery.parse({});
    if (!(file instanceof File) || file.size === 0) return renderContactsPage(c, { query, uploadError: 'Choose a CSV file to upload.' }, 400);
    try {
      const contactImport = await createContactImport(tenantOf(c), c.env, { fileName: file.name || 'contacts.csv', csv: await file.text() });
      return c.redirect(`/app/contacts/imports/${contactImport.id}`, 303);
    } catch (err) {
      const errors = formErrorsOf(err);
      return renderContactsPage(c, { query, uploadError: Object.values(errors).join(' ') }, 400);
    }
  })
  .get('/new', requirePermission('contacts:write'), (c) => renderAppPage(c, { title: 'Add contact', section: 'contacts', body: <AddContactPage csrfToken={c.get('csrfToken')} state={{}} /> }))
  .post('/new', requirePermission('contacts:write'), async (c) => {
    const form = await readForm(c);
    try {
      const input = parseOrThrow(AddContactForm, form);
      const { consentSource, ...contact } = input;
      const created = await createContact(tenantOf(c), contact, 'dashboard', Date.now(), consentSource ?? 'dashboard');
      return c.redirect(`/app/contacts/${created.id}?done=added`, 303);
    } catch (err) {
      const conflict = err instanceof AppError && err.code === 'conflict' ? { [err.message.includes('phone') ? 'phone' : 'email']: err.message } : null;
      // A tag's error is shown at the tags field, whichever tag it was.
      const errors = conflict ?? Object.fromEntries(Object.entries(formErrorsOf(err)).map(([path, message]) => [path.split('.')[0]!, message]));
      const body = <AddContactPage csrfToken={c.get('csrfToken')} state={{ values: form, errors }} />;
      return renderAppPage(c, { title: 'Add contact', section: 'contacts', body }, conflict ? 409 : 400);
    }
  })
  .post('/bulk', requirePermission('contacts:write'), async (c) => {
    const form = await readFormBody(() => c.req.parseBody({ all: true }));
    const query = parseOrThrow(ContactListQuery, { q: form.q, tag: form.tag, emailConsent: form.emailConsent, smsConsent: form.smsConsent });
    try {
      const input = parseOrThrow(BulkActionInput, bulkActionOfForm(form));
      if (input.action === 'erase') {
        assertPermission(c.get('role'), 'contacts:erase');
        parseOrThrow(EraseConfirmation, { confirmErase: form.confirmErase });
      }
      const outcome = await applyBulkAction(tenantOf(c), c.env, input, 'dashboard');
      // Back to the same filter, saying what happened.
      const back = new URLSearchParams();
      for (const name of ['q', 'tag', 'emailConsent', 'smsConsent'] as const) if (query[name]) back.set(name, query[name]);
      back.set('done', outcome.job ? 'bulk-started' : 'bulk');
      return c.redirect(`/app/contacts?${back}${outcome.job ? '#bulk-jobs' : ''}`, 303);
    } catch (err) {
      const errors = Object.fromEntries(Object.entries(formErrorsOf(err)).map(([path, message]) => [path.split('.')[0]!, message]));
      return renderContactsPage(c, { query, bulkErrors: errors }, 400);
    }
  })
  .get('/bulk/:id', async (c) => {
    const job = await getBulkJob(tenantOf(c), c.req.param('id'));
    return c.json({ status: job.status, done: job.done, total: job.total });
  })
  .get('/export.csv', (c) => csvResponse(exportContactsCsv(tenantOf(c), parseOrThrow(ContactFilterInput, c.req.query())), 'contacts', 'export'))
  .get('/imports/:id', (c) => renderContactImportPage(c, c.req.param('id'), parseOrThrow(ImportReportQuery, c.req.query()).afterLine))
  .get('/:id', (c) => renderContactPage(c, c.req.param('id'), { notice: NOTICES[c.req.query('done') ?? ''] }))
  .post('/:id/tags', requirePermission('contacts:write'), async (c) => {
    const id = c.req.param('id');
    const form = await readForm(c);
    try {
      await addContactTags(tenantOf(c), id, parseOrThrow(TagForm, form).tag);
      return c.redirect(`/app/contacts/${id}?done=tagged#tags`, 303);
    } catch (err) {
      const errors = formErrorsOf(err);
      return renderContactPage(c, id, { tagError: Object.values(errors)[0], tagValue: form.tag }, 400);
    }
  })
  .post('/:id/tags/remove', requirePermission('contacts:write'), async (c) => {
    const id = c.req.param('id');
    await removeContactTag(tenantOf(c), id, (await readForm(c)).tag ?? '');
    return c.redirect(`/app/contacts/${id}#tags`, 303);
  })
  .post('/:id/erase', requirePermission('contacts:erase'), async (c) => {
    await eraseContact(tenantOf(c), c.req.param('id'));
    return c.redirect('/app/contacts?done=erased', 303);
  });
