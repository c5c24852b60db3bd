// /api/v1/email-sender: the workspace's own SMTP server and its state from real
// attempts, for agencies and monitoring. The password is write-only, as on the page.
// API keys are made by workspace owners only, so a key acts with the owner's rights.
import type { Context } from 'hono';
import { Hono } from 'hono';
import type { SmtpOutcome } from '../channels/email';
import type { AppEnv } from '../env';
import { testSendRateLimit } from '../http/rate-limit';
import { requirePermission } from '../http/auth';
import { tenantOf } from '../http/tenant';
import { validate } from '../http/validate';
import { getWorkspace } from '../workspaces/workspaces.service';
import { DomainCheckInput, EmailSenderInput, TestEmailInput } from './email-sender.schemas';
import { getEmailSender, removeEmailSender, saveEmailSender, sendTestEmail, testEmailSender } from './email-sender.service';
import { describeSenderHealth, getSenderHealth } from './sender-health';
import { describeMissingRecords, getStoredDomainCheck, runDomainCheck, sendingDomainOf } from './sending-domain';

/** The settings (never the password) and the state, with its sentence in the workspace's zone. */
async function senderState(c: Context<AppEnv>) {
  const tenant = tenantOf(c);
  const [sender, health, workspace] = await Promise.all([getEmailSender(tenant), getSenderHealth(tenant), getWorkspace(tenant)]);
  return { sender, health: { ...health, summary: describeSenderHealth(health, workspace.timeZone) } };
}

/**
 * The sending domain, its last check (none when the sender's domain changed since) and
 * what is missing in words, as Settings → Email sender shows them.
 */
async function domainState(c: Context<AppEnv>) {
  const tenant = tenantOf(c);
  const [{ domain, platform }, stored] = await Promise.all([sendingDomainOf(tenant, c.env), getStoredDomainCheck(tenant)]);
  const check = stored.check && stored.check.domain === domain ? stored.check : null;
  return { domain, platform, dkimSelector: stored.dkimSelector, check, missing: check ? describeMissingRecords(check) : [] };
}

/** A test's outcome: whether it worked, in words, and what failed (null when it worked). */
function outcomeBody(outcome: SmtpOutcome) {
  return { outcome: { ok: outcome.ok, message: outcome.message, kind: outcome.ok ? null : outcome.kind } };
}

export const emailSenderApi = new Hono<AppEnv>()
  .get('/', async (c) => c.json(await senderState(c)))
  .put('/', requirePermission('settings:sender'), validate('json', EmailSenderInput), async (c) => {
    await saveEmailSender(tenantOf(c), c.env, c.req.valid('json'));
    return c.json(await senderState(c));
  })
  .delete('/', requirePermission('settings:sender'), async (c) => {
    await removeEmailSender(tenantOf(c));
    return c.body(null, 204);
  })
  .get('/domain-check', async (c) => c.json(await domainState(c)))
  // Asks DNS now, like the page's button (a few look-ups, each with a short timeout).
  .post('/domain-check', requirePermission('settings:sender'), validate('json', DomainCheckInput), async (c) => {
    await runDomainCheck(tenantOf(c), c.env, c.req.valid('json').dkimSelector || null);
    return c.json(await domainState(c));
  })
  .post('/test', requirePermission('settings:sender'), async (c) => c.json(outcomeBody(await testEmailSender(tenantOf(c), c.env))))
  .post('/test-email', requirePermission('settings:sender'), testSendRateLimit(), validate('json', TestEmailInput), async (c) =>
    c.json(outcomeBody(await sendTestEmail(tenantOf(c), c.env, c.req.valid('json').to))),
  );
