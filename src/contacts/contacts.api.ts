// /api/v1/contacts: contacts, their tags, erasure, bulk actions, CSV export and CSV imports.
import { Hono } from 'hono';
import type { AppEnv } from '../env';
import { assertPermission, requirePermission } from '../http/auth';
import { tenantOf } from '../http/tenant';
import { validate } from '../http/validate';
import { AppError } from '../lib/errors';
import { listContactMessages } from '../reports/contact-messages';
import { csvResponse } from '../reports/report-csv';
import { ContactMessagesQuery } from '../reports/reports.schemas';
import { applyBulkAction, getBulkJob } from './contact-bulk.service';
import { exportContactsCsv } from './contact-export';
import { createContactImport, getContactImport, listImportIssues } from './contact-imports.service';
import { BulkActionInput, ContactFilterInput, ContactInput, ContactListQuery, ContactPatch, ImportFileQuery, ImportReportQuery, TagsInput } from './contacts.schemas';
import { addContactTags, createContact, eraseContact, getContact, listContacts, removeContactTag, updateContact } from './contacts.service';

const CSV_CONTENT_TYPE = /^(text\/csv|application\/csv|text\/plain)\b/i;

/** Mounted at /api/v1/contacts. */
export const contactApi = new Hono<AppEnv>()
  .get('/', validate('query', ContactListQuery), async (c) => c.json(await listContacts(tenantOf(c), c.req.valid('query'))))
  .post('/', requirePermission('contacts:write'), validate('json', ContactInput), async (c) => c.json({ contact: await createContact(tenantOf(c), c.req.valid('json'), 'api') }, 201))
  .post('/imports', requirePermission('contacts:write'), validate('query', ImportFileQuery), async (c) => {
    if (!CSV_CONTENT_TYPE.test(c.req.header('content-type') ?? '')) {
      throw new AppError('invalid_input', 'Send the CSV file as the body with Content-Type: text/csv');
    }
    const file = { fileName: c.req.valid('query').fileName ?? 'contacts.csv', csv: await c.req.text() };
    return c.json({ import: await createContactImport(tenantOf(c), c.env, file) }, 202);
  })
  .get('/imports/:id', validate('query', ImportReportQuery), async (c) => {
    const tenant = tenantOf(c);
    const contactImport = await getContactImport(tenant, c.req.param('id'));
    const { issues, nextAfterLine } = await listImportIssues(tenant, contactImport.id, c.req.valid('query').afterLine);
    // Rows not imported, and rows imported without a bad value; one page of lines for both.
    const rejections = issues.filter((issue) => issue.severity === 'error');
    const warnings = issues.filter((issue) => issue.severity === 'warning');
    return c.json({ import: contactImport, rejections, warnings, nextAfterLine });
  })
  .get('/export.csv', validate('query', ContactFilterInput), (c) => csvResponse(exportContactsCsv(tenantOf(c), c.req.valid('query')), 'contacts', 'export'))
  .post('/bulk', requirePermission('contacts:write'), validate('json', BulkActionInput), async (c) => {
    const input = c.req.valid('json');
    if (input.action === 'erase') assertPermission(c.get('role'), 'contacts:erase');
    const outcome = await applyBulkAction(tenantOf(c), c.env, input, 'api');
    return outcome.job ? c.json({ job: outcome.job }, 202) : c.json({ reached: outcome.reached }, 200);
  })
  .get('/bulk/:id', async (c) => c.json({ job: await getBulkJob(tenantOf(c), c.req.param('id')) }))
  .get('/:id', async (c) => c.json({ contact: await getContact(tenantOf(c), c.req.param('id')) }))
  .get('/:id/messages', validate('query', ContactMessagesQuery), async (c) => {
    const tenant = tenantOf(c);
    const contact = await getContact(tenant, c.req.param('id'));
    return c.json(await listContactMessages(tenant, contact.id, c.req.valid('query')));
  })
  .patch('/:id', requirePermission('contacts:write'), validate('json', ContactPatch), async (c) => c.json({ contact: await updateContact(tenantOf(c), c.req.param('id'), c.req.valid('json'), 'api') }))
  .delete('/:id', requirePermission('contacts:erase'), async (c) => {
    await eraseContact(tenantOf(c), c.req.param('id'));
    return c.body(null, 204);
  })
  .post('/:id/tags', requirePermission('contacts:write'), validate('json', TagsInput), async (c) => c.json({ contact: await addContactTags(tenantOf(c), c.req.param('id'), c.req.valid('json').tags) }))
  .delete('/:id/tags/:tag', requirePermission('contacts:write'), async (c) => c.json({ contact: await removeContactTag(tenantOf(c), c.req.param('id'), c.req.param('tag')) }));
