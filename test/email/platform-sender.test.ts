// The platform sender is shared by every workspace without an SMTP server of its own:
// these are the attacks that made it an open relay for phishing, and the rules that stop
// them (members only until trusted, test sends to members, hourly and daily caps, an
// honest display name). Real queue, real consumer, real SMTP to the local sink.
import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import customersCreate from '../fixtures/shopify/customers-create.json?raw';
import worker from '../../src/index';
import { openDb } from '../../src/db/client';
import { forWorkspace } from '../../src/db/tenant';
import { getPlatformTrust } from '../../src/email/platform-sender-trust';
import { queueDeliveries } from '../../src/deliveries/deliveries.service';
import { insertContact } from '../helpers/data';
import { deliveryOf, insertEmailContent, insertQueuedDelivery } from '../helpers/deliveries';
import { apiErrorOf, createApiKey, postApi, signUpMerchant, uniqueEmail, type Merchant } from '../helpers/factories';
import { trustWorkspace } from '../helpers/platform-trust';
import { useOwnSmtpServer } from '../helpers/smtp-settings';
import { connectStore, sendShopify, waitForProcessed } from '../helpers/store-webhooks';
import { receivedFor, SMTP_PORT, waitForEmail } from '../helpers/smtp-sink';

const HOUR = 3_600_000;
const HOURLY = Number(env.PLATFORM_SENDER_HOURLY_LIMIT);
const DAILY = Number(env.PLATFORM_SENDER_DAILY_LIMIT);
const PHISH = '<p>Your account is locked. <a href="https://paypa1.example/login">Sign in</a></p>';

/** The messages to an address with this subject (members also get the platform's own emails, e.g. verification). */
async function receivedWith(address: string, subject: string) {
  return (await receivedFor(address)).filter((email) => email.subject === subject);
}

async function waitForSubject(address: string, subject: string) {
  await expect.poll(async () => (await receivedWith(address, subject)).length, { timeout: 10_000 }).toBeGreaterThan(0);
  return (await receivedWith(address, subject))[0]!;
}

const TEST_SUBJECT = 'Test email from Edge Marketing';

function verifyOwnerEmail(merchant: Merchant) {
  return env.DB.prepare('UPDATE users SET email_verified_at = ? WHERE id = ?').bind(Date.now(), merchant.userId).run();
}

/** What the workspace has used of the caps in the current windows, as if `sent` emails had already gone out this hour and day. */
function presetCounts(workspaceId: string, sentThisHour: number, sentToday = sentThisHour) {
  const now = Date.now();
  return env.DB.prepare('INSERT OR REPLACE INTO platform_sender_counts (workspace_id, hour_start, hour_count, day_start, day_count) VALUES (?, ?, ?, ?, ?)')
    .bind(workspaceId, Math.floor(now / HOUR) * HOUR, sentThisHour, Math.floor(now / (24 * HOUR)) * 24 * HOUR, sentToday)
    .run();
}

function countsOf(workspaceId: string) {
  return env.DB.prepare('SELECT hour_count, day_count FROM platform_sender_counts WHERE workspace_id = ?').bind(workspaceId).first<{ hour_count: number; day_count: number }>();
}

/** Runs the send job on these deliveries through the Worker's queue entry, as one consumer invocation. */
async function consume(workspaceId: string, deliveryIds: string[], label: string) {
  const batch = createMessageBatch(
    'marketing-sends',
    deliveryIds.map((deliveryId, i) => ({ id: `${label}-${i}`, timestamp: new Date(), attempts: 1, body: { type: 'send-delivery', workspaceId, deliveryId, channel: 'email' } })),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch, env);
  return getQueueResult(batch, ctx);
}

async function customers(workspaceId: string, label: string, n: number) {
  const list: { id: string; email: string }[] = [];
  for (let i = 0; i < n; i++) {
    const email = uniqueEmail(`${label}${i}`);
    list.push({ id: await insertContact(workspaceId, { email }), email });
  }
  return list;
}

describe('the platform sender', () => {
  it('fresh sign-up cannot send test emails to arbitrary addresses', async () => {
    const merchant = await signUpMerchant('PayPal Account Security');
    const key = await createApiKey(merchant);
    const victim = uniqueEmail('victim');

    // Settings → Email sender "Send test email", through the API and the dashboard.
    const api = await postApi(key, '/email-sender/test-email', { to: victim });
    expect(api.status).toBe(400);
    expect((await apiErrorOf(api)).issues?.[0]?.path).toBe('to');
    const page = await merchant.client.post('/app/settings/email/test-email', { to: victim });
    expect(page.status).toBe(400);
    expect(await page.text()).toContain('is not a verified member of this workspace');

    // A design's test send, and a campaign's (the API names the offending address's index).
    const designId = await insertEmailContent(merchant.workspaceId, { subject: 'Your account is locked', html: PHISH });
    const designTest = await merchant.client.post(`/app/marketing/designs/${designId}/test`, { to: victim });
    expect(designTest.status).toBe(400);
    const { campaign } = await (await postApi(key, '/campaigns', { name: 'Locked', contentId: designId })).json<{ campaign: { id: string } }>();
    expect((await postApi(key, `/campaigns/${campaign.id}/test-send`, { to: [victim] })).status).toBe(400);

    // Its own address, not yet verified, is refused as well: anyone can sign up with anyone's address.
    expect((await postApi(key, '/email-sender/test-email', { to: merchant.email })).status).toBe(400);
    expect(await receivedFor(victim)).toEqual([]);
    expect(await receivedWith(merchant.email, TEST_SUBJECT)).toEqual([]);

    // Once the owner verified it, tests reach the owner, and still nobody else; a list with
    // a stranger in it sends to no one (the API names the stranger's index).
    await verifyOwnerEmail(merchant);
    const campaignTest = await postApi(key, `/campaigns/${campaign.id}/test-send`, { to: [merchant.email, victim] });
    expect(campaignTest.status).toBe(400);
    expect((await apiErrorOf(campaignTest)).issues?.[0]?.path).toBe('to.1');
    expect(await receivedWith(merchant.email, '[Test] Your account is locked')).toEqual([]);
    expect((await postApi(key, '/email-sender/test-email', { to: merchant.email })).status).toBe(200);
    await waitForSubject(merchant.email, TEST_SUBJECT);
    expect((await postApi(key, '/email-sender/test-email', { to: victim })).status).toBe(400);
    expect(await receivedFor(victim)).toEqual([]);
  });

  it('sends test emails only to members in any workspace: trusted, or with its own SMTP server', async () => {
    const trusted = await signUpMerchant('Trusted Tests');
    await trustWorkspace(trusted.workspaceId);
    const own = await signUpMerchant('Own Server Tests');
    await useOwnSmtpServer(own.workspaceId, { port: SMTP_PORT });
    for (const merchant of [trusted, own]) {
      const key = await createApiKey(merchant);
      const stranger = uniqueEmail('stranger');
      const refused = await postApi(key, '/email-sender/test-email', { to: stranger });
      expect(refused.status).toBe(400);
      expect((await apiErrorOf(refused)).message).toContain('is not a member of this workspace');
      expect((await postApi(key, '/email-sender/test-email', { to: merchant.email })).status).toBe(200);
      await waitForSubject(merchant.email, TEST_SUBJECT);
      expect(await receivedFor(stranger)).toEqual([]);
    }
  });

  it("untrusted workspace's campaign reaches only members", async () => {
    const merchant = await signUpMerchant('Fresh Shop');
    await verifyOwnerEmail(merchant);
    const designId = await insertEmailContent(merchant.workspaceId, { subject: 'Account locked', html: PHISH });
    const strangers = await customers(merchant.workspaceId, 'target', 3);
    const owner = { id: await insertContact(merchant.workspaceId, { email: merchant.email }), email: merchant.email };
    const everyone = [owner, ...strangers];
    await queueDeliveries(
      forWorkspace(openDb(env.DB), merchant.workspaceId),
      env,
      everyone.map(({ id }) => ({ contactId: id, channel: 'email', sourceType: 'campaign', sourceId: 'fresh', contentId: designId })),
    );
    await expect.poll(async () => Promise.all(everyone.map(async ({ id }) => (await deliveryOf(id, 'fresh'))?.status)), { timeout: 20_000 }).toEqual(['sent', 'skipped', 'skipped', 'skipped']);
    for (const { id, email } of strangers) {
      expect(await deliveryOf(id, 'fresh')).toMatchObject({ reason_code: 'platform_sender_untrusted' });
      expect((await deliveryOf(id, 'fresh'))!.reason).toContain('connect your store and verify your email, or add your own SMTP server, to send to customers');
      expect(await receivedFor(email)).toEqual([]);
    }
    expect(await receivedWith(merchant.email, 'Account locked')).toHaveLength(1);
    // Skipped deliveries take no place under the caps.
    expect(await countsOf(merchant.workspaceId)).toMatchObject({ hour_count: 1, day_count: 1 });

    // The merchant is told before sending: in Settings → Email sender and on the campaign's review step.
    expect(await (await merchant.client.get('/app/settings/email')).text()).toContain('data-platform-sender="members-only"');
    const key = await createApiKey(merchant);
    const { campaign } = await (await postApi(key, '/campaigns', { name: 'Review', contentId: designId })).json<{ campaign: { id: string } }>();
    const review = await (await merchant.client.get(`/app/marketing/campaigns/${campaign.id}?step=review`)).text();
    expect(review).toContain('data-platform-sender="members-only"');
    expect(review).toContain('Owner email verified: done.');
    expect(review).toContain('Store connected: not yet');
  });

  it('trusted workspace sends to customers', async () => {
    const merchant = await signUpMerchant('Real Store');
    await verifyOwnerEmail(merchant);
    const tenant = forWorkspace(openDb(env.DB), merchant.workspaceId);
    const store = await connectStore(merchant.workspaceId, 'shopify');
    // A connection alone, or a webhook with a forged signature, earns nothing.
    const forged = await sendShopify(store, 'customers/create', customersCreate, { secret: 'not-the-secret' });
    expect(forged.status).toBe(401);
    expect(await getPlatformTrust(tenant)).toEqual({ trusted: false, ownerVerified: true, storeConnected: false });
    // A genuine signed webhook does.
    await waitForProcessed(await sendShopify(store, 'customers/create', customersCreate));
    expect(await getPlatformTrust(tenant)).toEqual({ trusted: true, ownerVerified: true, storeConnected: true });

    const designId = await insertEmailContent(merchant.workspaceId, { subject: 'Spring sale', html: '<p>New arrivals</p>' });
    const [customer] = await customers(merchant.workspaceId, 'customer', 1);
    await queueDeliveries(tenant, env, [{ contactId: customer!.id, channel: 'email', sourceType: 'campaign', sourceId: 'trusted', contentId: designId }]);
    await waitForEmail(customer!.email);
    expect(await deliveryOf(customer!.id, 'trusted')).toMatchObject({ status: 'sent' });
    expect(await (await merchant.client.get('/app/settings/email')).text()).not.toContain('data-platform-sender="members-only"');
  });

  it("shows who really sends in the display name, and drops the workspace's Reply-To until it is trusted", async () => {
    const merchant = await signUpMerchant('PayPal Account Security');
    await verifyOwnerEmail(merchant);
    await env.DB.prepare('UPDATE workspace_settings SET reply_to_email = ? WHERE workspace_id = ?').bind('collect@phish.example', merchant.workspaceId).run();
    const key = await createApiKey(merchant);
    expect((await postApi(key, '/email-sender/test-email', { to: merchant.email })).status).toBe(200);
    const untrusted = await waitForSubject(merchant.email, TEST_SUBJECT);
    expect(untrusted.from).toBe(`"PayPal Account Security via ${env.PLATFORM_SENDER_NAME}" <${env.PLATFORM_SENDER_EMAIL}>`);
    expect(untrusted.replyTo).toBeNull();

    await trustWorkspace(merchant.workspaceId);
    const designId = await insertEmailContent(merchant.workspaceId, { subject: 'Hello', html: '<p>Hi</p>' });
    const [customer] = await customers(merchant.workspaceId, 'named', 1);
    await queueDeliveries(forWorkspace(openDb(env.DB), merchant.workspaceId), env, [{ contactId: customer!.id, channel: 'email', sourceType: 'campaign', sourceId: 'named', contentId: designId }]);
    const trusted = await waitForEmail(customer!.email);
    expect(trusted.from).toBe(`"PayPal Account Security via ${env.PLATFORM_SENDER_NAME}" <${env.PLATFORM_SENDER_EMAIL}>`);
    expect(trusted.replyTo).toContain('collect@phish.example');
  });

  it('parallel sends never exceed the hourly cap', async () => {
    const merchant = await signUpMerchant('Burst Shop');
    await trustWorkspace(merchant.workspaceId);
    // Six places left this hour (what the workspace sent before stays counted).
    await presetCounts(merchant.workspaceId, HOURLY - 6);
    const designId = await insertEmailContent(merchant.workspaceId, { subject: 'Burst', html: '<p>Burst</p>' });
    const viaQueue = await customers(merchant.workspaceId, 'queued', 12);
    const viaConsumers = await customers(merchant.workspaceId, 'parallel', 12);
    const ids = await Promise.all(viaConsumers.map(({ id }) => insertQueuedDelivery(merchant.workspaceId, id, designId, 'burst')));
    // Twelve through the real queue, and at the same time four consumer invocations of three each.
    await Promise.all([
      queueDeliveries(
        forWorkspace(openDb(env.DB), merchant.workspaceId),
        env,
        viaQueue.map(({ id }) => ({ contactId: id, channel: 'email', sourceType: 'campaign', sourceId: 'burst', contentId: designId })),
      ),
      ...[0, 1, 2, 3].map((i) => consume(merchant.workspaceId, ids.slice(i * 3, i * 3 + 3), `burst-${i}`)),
    ]);
    const everyone = [...viaQueue, ...viaConsumers];
    const settled = async () => {
      const rows = await Promise.all(everyone.map(({ id }) => deliveryOf(id, 'burst')));
      return rows.filter((row) => row?.status === 'sent' || (row?.status === 'queued' && row.reason_code === 'sender_capped')).length;
    };
    await expect.poll(settled, { timeout: 20_000 }).toBe(everyone.length);
    const arrived = (await Promise.all(everyone.map(({ email }) => receivedFor(email)))).flat();
    expect(arrived).toHaveLength(6);
    expect(await countsOf(merchant.workspaceId)).toMatchObject({ hour_count: HOURLY });
  });

  it('cap reached: deliveries wait and are sent after the window', async () => {
    const merchant = await signUpMerchant('Capped Shop');
    await trustWorkspace(merchant.workspaceId);
    await presetCounts(merchant.workspaceId, HOURLY, HOURLY);
    const key = await createApiKey(merchant);
    const designId = await insertEmailContent(merchant.workspaceId, { subject: 'Later', html: '<p>Later</p>' });
    const waiting = await customers(merchant.workspaceId, 'waiting', 3);
    const { campaign } = await (await postApi(key, '/campaigns', { name: 'Capped', contentId: designId })).json<{ campaign: { id: string } }>();
    await env.DB.prepare("UPDATE campaigns SET status = 'sending', started_at = ?, fan_out_done = 1 WHERE id = ?").bind(Date.now(), campaign.id).run();
    const ids = await Promise.all(waiting.map(({ id }) => insertQueuedDelivery(merchant.workspaceId, id, designId, campaign.id)));

    const first = await consume(merchant.workspaceId, ids, 'capped');
    // Acknowledged, not retried: waiting uses up none of the queue's retries (they come back as new messages).
    expect(first.retryMessages).toEqual([]);
    expect(first.explicitAcks).toHaveLength(3);
    for (const { id, email } of waiting) {
      const row = await deliveryOf(id, campaign.id);
      expect(row).toMatchObject({ status: 'queued', reason_code: 'sender_capped' });
      expect(row!.reason).toContain(`limit of ${HOURLY} emails an hour`);
      expect(await receivedFor(email)).toEqual([]);
    }
    // The campaign says why it is not going out, and so does Settings → Email sender.
    const page = await (await merchant.client.get(`/app/marketing/campaigns/${campaign.id}`)).text();
    expect(page).toContain('data-platform-sender="cap-reached"');
    expect(page).toContain('Nothing is lost');
    expect(await (await merchant.client.get('/app/settings/email')).text()).toContain('data-platform-sender="cap-reached"');

    // The hour passes (the row as the next hour finds it); the messages come back and go out.
    await env.DB.prepare('UPDATE platform_sender_counts SET hour_start = hour_start - ? WHERE workspace_id = ?').bind(HOUR, merchant.workspaceId).run();
    await consume(merchant.workspaceId, ids, 'after');
    for (const { id, email } of waiting) {
      expect(await deliveryOf(id, campaign.id)).toMatchObject({ status: 'sent' });
      expect(await receivedFor(email)).toHaveLength(1);
    }
    expect(await countsOf(merchant.workspaceId)).toMatchObject({ hour_count: 3, day_count: HOURLY + 3 });
  });

  it('waits for the next day once the daily cap is reached, whatever is left of the hour', async () => {
    const merchant = await signUpMerchant('Daily Shop');
    await trustWorkspace(merchant.workspaceId);
    await presetCounts(merchant.workspaceId, 0, DAILY);
    const designId = await insertEmailContent(merchant.workspaceId, { subject: 'Tomorrow', html: '<p>Tomorrow</p>' });
    const [customer] = await customers(merchant.workspaceId, 'daily', 1);
    const id = await insertQueuedDelivery(merchant.workspaceId, customer!.id, designId, 'daily');
    await consume(merchant.workspaceId, [id], 'daily');
    const row = await deliveryOf(customer!.id, 'daily');
    expect(row).toMatchObject({ status: 'queued', reason_code: 'sender_capped' });
    expect(row!.reason).toContain(`limit of ${DAILY} emails a day`);
  });

  it('a workspace with its own SMTP server sends to customers without the platform caps', async () => {
    const merchant = await signUpMerchant('Own Server Shop');
    await useOwnSmtpServer(merchant.workspaceId, { port: SMTP_PORT });
    await presetCounts(merchant.workspaceId, HOURLY, DAILY);
    const designId = await insertEmailContent(merchant.workspaceId, { subject: 'Own', html: '<p>Own</p>' });
    const [customer] = await customers(merchant.workspaceId, 'own', 1);
    const id = await insertQueuedDelivery(merchant.workspaceId, customer!.id, designId, 'own');
    await consume(merchant.workspaceId, [id], 'own');
    expect(await deliveryOf(customer!.id, 'own')).toMatchObject({ status: 'sent' });
    expect(await receivedFor(customer!.email)).toHaveLength(1);
  });
});
