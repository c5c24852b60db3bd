// Dashboard pages and actions of contacts (mounted at /app/contacts).
import { Hono } from 'hono';
import { formErrorsOf, readForm } from '../dashboard/forms';
import { renderContactImportPage } from '../dashboard/pages/contacts-import-page';
import { renderContactsPage } from '../dashboard/pages/contacts-list-page';
import { renderContactPage } from '../dashboard/pages/contacts-profile-page';
import type { AppEnv } from '../env';
import { tenantOf } from '../http/tenant';
import { parseOrThrow } from '../http/validate';
import { createContactImport } from './contact-imports.service';
import { ContactListQuery, ImportReportQuery, TagForm } from './contacts.schemas';
import { addContactTags, eraseContact, removeContactTag } from './contacts.service';

const NOTICES: Record<string, string> = {
  erased: 'The contact and their personal data were erased.',
  tagged: 'Tags saved.',
};

/** Mounted at /app/contacts. */
export const contactRoutes = new Hono<AppEnv>()
  .get('/', (c) => renderContactsPage(c, { query: parseOrThrow(ContactListQuery, c.req.query()), notice: NOTICES[c.req.query('done') ?? ''] }))
  .post('/imports', async (c) => {
    const { file } = await c.req.parseBody();
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
  .get('/imports/:id', (c) => renderContactImportPage(c, c.req.param('id'), parseOrThrow(ImportReportQuery, c.req.query()).afterLine))
  .get('/:id', (c) => renderContactPage(c, c.req.param('id'), { notice: NOTICES[c.req.query('done') ?? ''] }))
  .post('/:id/tags', async (c) => {
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
  .post('/:id/tags/remove', async (c) => {
    const id = c.req.param('id');
    await removeContactTag(tenantOf(c), id, (await readForm(c)).tag ?? '');
    return c.redirect(`/app/contacts/${id}#tags`, 303);
  })
  .post('/:id/erase', async (c) => {
    await eraseContact(tenantOf(c), c.req.param('id'));
    return c.redirect('/app/contacts?done=erased', 303);
  });
