// Settings → SMS (mounted at /app/settings/sms).
import { type Context, Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { formErrorsOf, readForm } from '../dashboard/forms';
import { SmsSenderPage, type SmsSenderState } from '../dashboard/pages/sms-sender-page';
import { renderAppPage, viewerOf } from '../dashboard/render';
import type { AppEnv } from '../env';
import { testSendRateLimit } from '../http/rate-limit';
import { requirePermission } from '../http/auth';
import { tenantOf } from '../http/tenant';
import { parseOrThrow } from '../http/validate';
import { getWorkspace } from '../workspaces/workspaces.service';
import { SmsSenderInput, TestSmsInput } from './sms-sender.schemas';
import { getSmsSender, removeSmsSender, saveSmsSender, sendTestSms } from './sms-sender.service';

/** Loads the settings and the workspace, and renders the page with what an action wants shown. */
async function renderSmsSenderPage(c: Context<AppEnv>, state: SmsSenderState = {}, status: ContentfulStatusCode = 200) {
  const tenant = tenantOf(c);
  const [workspace, sender] = await Promise.all([getWorkspace(tenant), getSmsSender(tenant, c.env)]);
  return renderAppPage(c, { title: 'SMS', section: 'settings', body: <SmsSenderPage workspace={workspace} sender={sender} viewer={viewerOf(c)} state={state} /> }, status);
}

export const smsSenderRoutes = new Hono<AppEnv>()
  .get('/', (c) =>
    renderSmsSenderPage(c, { notice: c.req.query('saved') ? 'SMS settings saved. Send a test SMS to check them.' : c.req.query('removed') ? 'The Twilio account is removed.' : undefined }),
  )
  .use('/*', requirePermission('settings:sender'))
  .post('/', async (c) => {
    const form = await readForm(c);
    try {
      await saveSmsSender(tenantOf(c), c.env, parseOrThrow(SmsSenderInput, form));
      return c.redirect('/app/settings/sms?saved=1', 303);
    } catch (err) {
      return renderSmsSenderPage(c, { errors: formErrorsOf(err), values: { ...form, authToken: '' } }, 400);
    }
  })
  .post('/remove', async (c) => {
    await removeSmsSender(tenantOf(c));
    return c.redirect('/app/settings/sms?removed=1', 303);
  })
  .post('/test-sms', testSendRateLimit(), async (c) => {
    const form = await readForm(c);
    try {
      return renderSmsSenderPage(c, { outcome: await sendTestSms(tenantOf(c), c.env, parseOrThrow(TestSmsInput, form).to) });
    } catch (err) {
      const errors = formErrorsOf(err);
      return renderSmsSenderPage(c, { outcome: { ok: false, message: errors.to ?? errors.accountSid ?? 'Enter a phone number in international format' } }, 400);
    }
  });
