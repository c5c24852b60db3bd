// Marketing → SMS messages (mounted at /app/marketing/sms).
import { refuseIfFlowsSend } from '../flows/flow-contents';
import { Hono, type Context } from 'hono';
import { formErrorsOf, readForm } from '../dashboard/forms';
import { SmsMessageEditor, SmsMessagesList } from '../dashboard/pages/sms-messages-pages';
import { renderAppPage } from '../dashboard/render';
import type { Tenant } from '../db/tenant';
import type { AppEnv } from '../env';
import { requirePermission } from '../http/auth';
import { tenantOf } from '../http/tenant';
import { parseOrThrow } from '../http/validate';
import { AppError } from '../lib/errors';
import { getWorkspace } from '../workspaces/workspaces.service';
import { SmsContentInput } from './sms-contents.schemas';
import { createSmsContent, deleteSmsContent, getSmsContent, listSmsContents, renderSmsSample, type SmsContentView, updateSmsContent } from './sms-contents.service';

/** The saved body for the sample contact; null when it no longer renders (a filter removed since, a limit). */
async function previewOf(tenant: Tenant, message: SmsContentView): Promise<string | null> {
  try {
    return (await renderSmsSample(tenant, message.body)).text;
  } catch (err) {
    if (err instanceof AppError && err.code === 'invalid_input') return null;
    throw err;
  }
}

async function renderEditor(
  c: Context<AppEnv>,
  message: SmsContentView,
  props: { values?: Record<string, string>; errors?: Record<string, string>; notice?: string | undefined } = {},
  status: 200 | 400 = 200,
) {
  const preview = await previewOf(tenantOf(c), message);
  const body = <SmsMessageEditor csrfToken={c.get('csrfToken')} message={message} preview={preview} {...props} />;
  return renderAppPage(c, { title: message.name, section: 'marketing', body }, status);
}

export const smsContentRoutes = new Hono<AppEnv>()
  .get('/', async (c) => {
    const tenant = tenantOf(c);
    const [messages, workspace] = await Promise.all([listSmsContents(tenant), getWorkspace(tenant)]);
    const notice = c.req.query('deleted') ? 'Message deleted.' : undefined;
    return renderAppPage(c, {
      title: 'SMS messages',
      section: 'marketing',
      body: <SmsMessagesList messages={messages} timeZone={workspace.timeZone} csrfToken={c.get('csrfToken')} notice={notice} />,
    });
  })
  .post('/', requirePermission('designs:write'), async (c) => {
    const form = await readForm(c);
    const message = await createSmsContent(tenantOf(c), parseOrThrow(SmsContentInput, { name: form.name, body: form.body }));
    return c.redirect(`/app/marketing/sms/${message.id}`, 303);
  })
  .get('/:id', async (c) => renderEditor(c, await getSmsContent(tenantOf(c), c.req.param('id')), { notice: c.req.query('saved') ? 'Message saved.' : undefined }))
  .post('/:id', requirePermission('designs:write'), async (c) => {
    const tenant = tenantOf(c);
    const message = await getSmsContent(tenant, c.req.param('id'));
    const form = await readForm(c);
    try {
      await updateSmsContent(tenant, message.id, parseOrThrow(SmsContentInput, { name: form.name, body: form.body }));
      return c.redirect(`/app/marketing/sms/${message.id}?saved=1`, 303);
    } catch (err) {
      return renderEditor(c, message, { values: form, errors: formErrorsOf(err) }, 400);
    }
  })
  .post('/:id/delete', requirePermission('designs:write'), async (c) => {
    await refuseIfFlowsSend(tenantOf(c), c.req.param('id'), 'message');
    await deleteSmsContent(tenantOf(c), c.req.param('id'));
    return c.redirect('/app/marketing/sms?deleted=1', 303);
  });
