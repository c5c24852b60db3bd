// A campaign whose sender keeps failing ends in a state that names the cause: repeated
// password refusals pause it with the reason, and Test connection to a server that hangs
// up answers at once with what happened (it used to freeze the Worker in one click).
import { createMessageBatch } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import worker from '../../src/index';
import { AUTH_FAILURES_BEFORE_PAUSE } from '../../src/email/sender-health';
import { insertContact } from '../helpers/data';
import { deliveryOf, insertEmailContent, insertQueuedDelivery } from '../helpers/deliveries';
import { signUpMerchant, uniqueEmail } from '../helpers/factories';
import { FAULT_PORTS } from '../helpers/smtp-faults';
import { useOwnSmtpServer } from '../helpers/smtp-settings';
import { SMTP_PORT } from '../helpers/smtp-sink';

async function sendingCampaign(workspaceId: string, contentId: string): Promise<string> {
  const id = `camp-${crypto.randomUUID()}`;
  const now = Date.now();
  await env.DB.prepare(
    "INSERT INTO campaigns (id, workspace_id, name, channel, status, content_id, sending_filter, started_at, fan_out_done, recipients, created_at, updated_at) VALUES (?, ?, 'Launch', 'email', 'sending', ?, 'subscribed', ?, 1, 0, ?, ?)",
  )
    .bind(id, workspaceId, contentId, now, now, now)
    .run();
  return id;
}

describe('a sender that keeps failing', () => {
  it(`pauses the sending campaign after ${AUTH_FAILURES_BEFORE_PAUSE} password refusals in a row, with the reason, and then stops trying`, async () => {
    const merchant = await signUpMerchant('Wrong Password Co');
    await useOwnSmtpServer(merchant.workspaceId, { port: SMTP_PORT, password: 'wrong-password' });
    const design = await insertEmailContent(merchant.workspaceId, { subject: 'Hi', html: '<p>Hi</p>' });
    const campaignId = await sendingCampaign(merchant.workspaceId, design);
    const contactId = await insertContact(merchant.workspaceId, { email: uniqueEmail('pw') });
    const deliveryId = await insertQueuedDelivery(merchant.workspaceId, contactId, design, campaignId);
    const body = { type: 'send-delivery' as const, workspaceId: merchant.workspaceId, deliveryId };
    for (let attempt = 1; attempt <= AUTH_FAILURES_BEFORE_PAUSE; attempt++) {
      await worker.queue(createMessageBatch('marketing-sends', [{ id: `pw-${attempt}`, timestamp: new Date(), attempts: attempt, body }]), env);
    }
    const campaign = await env.DB.prepare('SELECT status, pause_reason FROM campaigns WHERE id = ?').bind(campaignId).first<{ status: string; pause_reason: string }>();
    expect(campaign!.status).toBe('paused');
    expect(campaign!.pause_reason).toMatch(/refused the password 3 times in a row.*535.*Settings → Email sender/);
    // While paused the delivery waits, unclaimed: no attempt, no retry used up.
    await worker.queue(createMessageBatch('marketing-sends', [{ id: 'pw-after', timestamp: new Date(), attempts: 4, body }]), env);
    expect(await deliveryOf(contactId, campaignId)).toMatchObject({ status: 'queued', attempts: AUTH_FAILURES_BEFORE_PAUSE });
    // The campaign's page says why it stopped and what to fix.
    const page = await (await merchant.client.get(`/app/marketing/campaigns/${campaignId}`)).text();
    expect(page).toContain('Paused by the platform');
    expect(page).toContain('Your email sender is failing.');
    expect(page).toMatch(/refused the username or password: 535/);
    expect(page).toContain('href="/app/settings/email"');
  });

  it('answers Test connection at once for a server that hangs up before greeting', async () => {
    const merchant = await signUpMerchant('Hang Up Co');
    await useOwnSmtpServer(merchant.workspaceId, { port: FAULT_PORTS.closeBeforeGreeting });
    const started = Date.now();
    const res = await merchant.client.post('/app/settings/email/test-connection', {});
    const html = await res.text();
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(html).toContain(`127.0.0.1:${FAULT_PORTS.closeBeforeGreeting} closed the connection`);
  });
});
