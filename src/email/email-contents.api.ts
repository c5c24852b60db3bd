// /api/v1/email-designs: email designs (subject, preheader, Liquid HTML) and previews.
import { refuseIfFlowsSend } from '../flows/flow-contents';
import { Hono } from 'hono';
import type { AppEnv } from '../env';
import { requirePermission } from '../http/auth';
import { tenantOf } from '../http/tenant';
import { validate } from '../http/validate';
import { EmailContentInput, EmailContentPatch, EmailPreviewInput } from './email-contents.schemas';
import { createEmailContent, deleteEmailContent, getEmailContent, listEmailContents, renderSample, updateEmailContent } from './email-contents.service';

export const emailContentApi = new Hono<AppEnv>()
  .get('/', async (c) => c.json({ designs: await listEmailContents(tenantOf(c)) }))
  .post('/', requirePermission('designs:write'), validate('json', EmailContentInput), async (c) => c.json({ design: await createEmailContent(tenantOf(c), c.req.valid('json')) }, 201))
  .post('/preview', validate('json', EmailPreviewInput), async (c) => c.json(await renderSample(tenantOf(c), c.req.valid('json'), c.env)))
  .get('/:id', async (c) => c.json({ design: await getEmailContent(tenantOf(c), c.req.param('id')) }))
  .patch('/:id', requirePermission('designs:write'), validate('json', EmailContentPatch), async (c) =>
    c.json({ design: await updateEmailContent(tenantOf(c), c.req.param('id'), c.req.valid('json')) }),
  )
  .delete('/:id', requirePermission('designs:write'), async (c) => {
    await refuseIfFlowsSend(tenantOf(c), c.req.param('id'), 'design');
    await deleteEmailContent(tenantOf(c), c.req.param('id'));
    return c.body(null, 204);
  });
