// Settings → Email sender (mounted at /app/settings/email).
import { Hono } from 'hono';
import { sendOneEmail, testSmtpConnection } from '../channels/email';
import { formErrorsOf, readForm } from '../dashboard/forms';
import { renderEmailSenderPage } from '../dashboard/pages/email-sender-page';
import type { AppEnv } from '../env';
import { requireOwner } from '../http/auth';
import { tenantOf } from '../http/tenant';
import { parseOrThrow } from '../http/validate';
import { EmailSenderInput, TestEmailInput } from './email-sender.schemas';
import { removeEmailSender, resolveSender, saveEmailSender } from './email-sender.service';

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
  .post('/test-connection', async (c) => {
    const sender = await resolveSender(tenantOf(c), c.env);
    return renderEmailSenderPage(c, { outcome: await testSmtpConnection(sender.server) });
  })
  .post('/test-email', async (c) => {
    const form = await readForm(c);
    let to: string;
    try {
      to = parseOrThrow(TestEmailInput, form).to;
    } catch (err) {
      return renderEmailSenderPage(c, { outcome: { ok: false, message: formErrorsOf(err).to ?? 'Enter an email address' } }, 400);
    }
    const sender = await resolveSender(tenantOf(c), c.env);
    const via = sender.platform ? 'the platform sender' : `${sender.server.host}`;
    const outcome = await sendOneEmail(sender.server, {
      from: sender.from,
      to: { email: to },
      replyTo: sender.replyTo,
      subject: 'Test email from Edge Marketing',
      text: `This is a test sent through ${via}. If you can read it, your email sender works.`,
      html: `<p>This is a test sent through <strong>${via}</strong>.</p><p>If you can read it, your email sender works.</p>`,
    });
    return renderEmailSenderPage(c, { outcome });
  });
