// Settings → Email sender (mounted at /app/settings/email).
import { type Context, Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { formErrorsOf, readForm } from '../dashboard/forms';
import { EmailSenderPage, type EmailSenderState } from '../dashboard/pages/email-sender-page';
import { renderAppPage, viewerOf } from '../dashboard/render';
import type { AppEnv } from '../env';
import { testSendRateLimit } from '../http/rate-limit';
import { requirePermission } from '../http/auth';
import { tenantOf } from '../http/tenant';
import { parseOrThrow } from '../http/validate';
import { getWorkspace } from '../workspaces/workspaces.service';
import { DomainCheckInput, EmailSenderInput, TestEmailInput } from './email-sender.schemas';
import { getStoredDomainCheck, runDomainCheck, sendingDomainOf } from './sending-domain';
import { getEmailSender, removeEmailSender, saveEmailSender, sendTestEmail, testEmailSender } from './email-sender.service';
import { getPlatformSenderStatus } from './platform-sender-status';
import { getSenderHealth } from './sender-health';

/** Loads the sender, its health and the workspace, and renders the page with what an action wants shown. */
async function renderEmailSenderPage(c: Context<AppEnv>, state: EmailSenderState = {}, status: ContentfulStatusCode = 200) {
  const tenant = tenantOf(c);
  const [workspace, sender, health, platformSender, sendingDomain, stored] = await Promise.all([
    getWorkspace(tenant),
    getEmailSender(tenant),
    getSenderHealth(tenant),
    getPlatformSenderStatus(tenant, c.env),
    sendingDomainOf(tenant, c.env),
    getStoredDomainCheck(tenant),
  ]);
  // A stored check of another domain (the sender changed since) is not shown as this one's.
  const domainCheck = stored.check && stored.check.domain === sendingDomain.domain ? stored.check : null;
  const page = (
    <EmailSenderPage
      workspace={workspace}
      sender={sender}
      health={health}
      platformSenderEmail={c.env.PLATFORM_SENDER_EMAIL}
      platformSender={platformSender}
      viewer={viewerOf(c)}
      state={state}
      domain={{ ...sendingDomain, check: domainCheck, dkimSelector: stored.dkimSelector }}
    />
  );
  return renderAppPage(c, { title: 'Email sender', section: 'settings', body: page }, status);
}

export const emailSenderRoutes = new Hono<AppEnv>()
  .get('/', (c) =>
    renderEmailSenderPage(c, {
      notice: c.req.query('saved')
        ? 'Sender saved. Send a test email to check it.'
        : c.req.query('removed')
          ? 'Mail now goes out from the platform sender.'
          : c.req.query('checked')
            ? 'DNS records checked.'
            : undefined,
    }),
  )
  .use('/*', requirePermission('settings:sender'))
  .post('/', async (c) => {
    const form = await readForm(c);
    try {
      await saveEmailSender(tenantOf(c), c.env, parseOrThrow(EmailSenderInput, form));
      return c.redirect('/app/settings/email?saved=1', 303);
    } catch (err) {
      return renderEmailSenderPage(c, { errors: formErrorsOf(err), values: { ...form, password: '' } }, 400);
    }
  })
  .post('/remove', async (c) => {
    await removeEmailSender(tenantOf(c));
    return c.redirect('/app/settings/email?removed=1', 303);
  })
  // Asks DNS now (a few look-ups, each with a short timeout) and keeps the result for the campaign review.
  .post('/domain-check', async (c) => {
    const form = await readForm(c);
    try {
      const { dkimSelector } = parseOrThrow(DomainCheckInput, form);
      await runDomainCheck(tenantOf(c), c.env, dkimSelector || null);
      return c.redirect('/app/settings/email?checked=1#domain-heading', 303);
    } catch (err) {
      return renderEmailSenderPage(c, { domainErrors: formErrorsOf(err), values: form }, 400);
    }
  })
  .post('/test-connection', async (c) => renderEmailSenderPage(c, { outcome: await testEmailSender(tenantOf(c), c.env) }))
  .post('/test-email', testSendRateLimit(), async (c) => {
    const form = await readForm(c);
    try {
      return renderEmailSenderPage(c, { outcome: await sendTestEmail(tenantOf(c), c.env, parseOrThrow(TestEmailInput, form).to) });
    } catch (err) {
      // A malformed address, or one that is not a member's.
      return renderEmailSenderPage(c, { outcome: { ok: false, message: formErrorsOf(err).to ?? 'Enter an email address' } }, 400);
    }
  });
