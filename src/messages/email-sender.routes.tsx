// Settings → Email sender (mounted at /app/settings/email).
import { Hono } from 'hono';
import { formErrorsOf, readForm } from '../dashboard/forms';
import { renderEmailSenderPage } from '../dashboard/pages/email-sender-page';
import type { AppEnv } from '../env';
import { requireOwner } from '../http/auth';
import { tenantOf } from '../http/tenant';
import { parseOrThrow } from '../http/validate';
import { EmailSenderInput, TestEmailInput } from './email-sender.schemas';
import { removeEmailSender, saveEmailSender, sendTestEmail, testEmailSender } from './email-sender.service';

export const emailSenderRoutes = new Hono<AppEnv>()
  .get('/', (c) => renderEmailSenderPage(c, { notice: c.req.query('saved') ? 'Sender saved. Send a test email to check it.' : c.req.query('removed') ? 'Mail now goes out from the platform sender.' : undefined }))
  .use('/*', requireOwner())
  .post('/', async (c) => {
    const form = await readForm(c);
    try {
      await saveEmailSender(tenantOf(c), c.env.ENCRYPTION_KEY, parseOrThrow(EmailSenderInput, form));
      return c.redirect('/app/settings/email?saved=1', 303);
    } catch (err) {
      return renderEmailSenderPage(c, { errors: formErrorsOf(err), values: { ...form, password: '' } }, 400);
    }
  })
  .post('/remove', async (c) => {
    await removeEmailSender(tenantOf(c));
    return c.redirect('/app/settings/email?removed=1', 303);
  })
  .post('/test-connection', async (c) => renderEmailSenderPage(c, { outcome: await testEmailSender(tenantOf(c), c.env) }))
  .post('/test-email', async (c) => {
    const form = await readForm(c);
    let to: string;
    try {
      to = parseOrThrow(TestEmailInput, form).to;
    } catch (err) {
      return renderEmailSenderPage(c, { outcome: { ok: false, message: formErrorsOf(err).to ?? 'Enter an email address' } }, 400);
    }
    return renderEmailSenderPage(c, { outcome: await sendTestEmail(tenantOf(c), c.env, to) });
  });
