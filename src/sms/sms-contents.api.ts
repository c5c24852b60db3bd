// /api/v1/sms-messages: SMS messages (a name and a Liquid body) and previews, as /email-designs for email.
import { refuseIfFlowsSend } from '../flows/flow-contents';
import { Hono } from 'hono';
import type { AppEnv } from '../env';
import { requirePermission } from '../http/auth';
import { tenantOf } from '../http/tenant';
import { validate } from '../http/validate';
import { SmsContentInput, SmsContentPatch, SmsPreviewInput } from './sms-contents.schemas';
import { createSmsContent, deleteSmsContent, getSmsContent, listSmsContents, renderSmsSample, updateSmsContent } from './sms-contents.service';

export const smsContentApi = new Hono<AppEnv>()
  .get('/', async (c) => c.json({ messages: await listSmsContents(tenantOf(c)) }))
  .post('/', requirePermission('designs:write'), validate('json', SmsContentInput), async (c) => c.json({ message: await createSmsContent(tenantOf(c), c.req.valid('json')) }, 201))
  .post('/preview', validate('json', SmsPreviewInput), async (c) => c.json(await renderSmsSample(tenantOf(c), c.req.valid('json').body)))
  .get('/:id', async (c) => c.json({ message: await getSmsContent(tenantOf(c), c.req.param('id')) }))
  .patch('/:id', requirePermission('designs:write'), validate('json', SmsContentPatch), async (c) => c.json({ message: await updateSmsContent(tenantOf(c), c.req.param('id'), c.req.valid('json')) }))
  .delete('/:id', requirePermission('designs:write'), async (c) => {
    await refuseIfFlowsSend(tenantOf(c), c.req.param('id'), 'message');
    await deleteSmsContent(tenantOf(c), c.req.param('id'));
    return c.body(null, 204);
  });
