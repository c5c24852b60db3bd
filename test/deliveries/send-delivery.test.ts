import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test';
import { env, exports } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import worker from '../../src/index';
import { openDb } from '../../src/db/client';
import { forWorkspace } from '../../src/db/tenant';
import { queueDeliveries, sweepStaleDeliveries } from '../../src/deliveries/deliveries.service';
import { SMTP_LANES } from '../../src/email/email-channel';
import { preferencesFormToken } from '../../src/consent/unsubscribe-tokens';
import { readTrackingToken } from '../../src/tracking/tracking-tokens';
import { ORIGIN } from '../helpers/browser-client';
import { insertContact } from '../helpers/data';
import { deliveryOf, insertEmailContent, insertQueuedDelivery, queueCampaignEmail } from '../helpers/deliveries';
import { signUpMerchant, uniqueEmail } from '../helpers/factories';
import { trustWorkspace } from '../helpers/platform-trust';
import { receivedFor, SMTP_PORT, waitForEmail } from '../helpers/smtp-sink';

let workspaceId: string;
let contentId: string;

beforeAll(async () => {
  const merchant = await signUpMerchant('Mug Shop');
  workspaceId = merchant.workspaceId;
  // Past onboarding: the platform sender reaches its customers (src/email/platform-sender-trust.ts).
  await trustWorkspace(workspaceId);
  await env.DB.prepare("UPDATE workspace_settings SET postal_address = '1 Harbour Street, Bristol' WHERE workspace_id = ?").bind(workspaceId).run();
  contentId = await insertEmailContent(workspaceId, {
    subject: 'Hi {{ contact.first_name | default: "there" }}, new mugs at {{ shop.name }}',
    preheader: 'Fresh from the kiln',
    html: '<html><body><h1>Hello {{ contact.first_name | default: "there" }}</h1><p><a href="https://mugs.example/new">See the mugs</a></p></body></html>',
  });
});

async function statusOf(contactId: string, campaignId?: string) {
  await expect.poll(async () => (await deliveryOf(contactId, campaignId))?.status, { timeout: 10_000 }).not.toBe('queued');
  await expect.poll(async () => (await deliveryOf(contactId, campaignId))?.status, { timeout: 10_000 }).not.toBe('sending');
  return deliveryOf(contactId, campaignId);
}

describe('the send path', () => {
  it('renders and sends through the real queue with RFC 8058 unsubscribe headers and a footer', async () => {
    const to = uniqueEmail('ann');
    const contactId = await insertContact(workspaceId, { email: to, first_name: '<b>Ann</b>' });
    expect(await queueCampaignEmail(workspaceId, contactId, contentId)).toBe(1);
    const email = await waitForEmail(to);
    expect(email.subject).toBe('Hi <b>Ann</b>, new mugs at Mug Shop');
    // Values are escaped in the HTML: a name cannot inject markup.
    expect(email.html).toContain('<h1>Hello &lt;b&gt;Ann&lt;/b&gt;</h1>');
    expect(email.html).toContain('Fresh from the kiln');
    expect(email.text).toContain('See the mugs (https://mugs.example/new)');
    const unsubscribe = /<(https:\/\/marketing\.example\.com\/u\/[^>]+)>/.exec(email.headers['list-unsubscribe']!)?.[1];
    expect(unsubscribe).toBeDefined();
    expect(email.headers['list-unsubscribe-post']).toBe('List-Unsubscribe=One-Click');
    expect(email.html).toContain(`href="${unsubscribe}"`);
    expect(email.html).toContain('1 Harbour Street, Bristol');
    expect(email.text).toContain(`Unsubscribe: ${unsubscribe}`);
    const delivery = await statusOf(contactId);
    expect(delivery).toMatchObject({ status: 'sent', attempts: 1 });
    expect(email.headers['message-id']).toBe(delivery!.message_id);
  });

  it('records each message of a batch as sent with its own message id and send time', async () => {
    const recipients = Array.from({ length: 4 }, () => uniqueEmail('batch'));
    const contactIds = await Promise.all(recipients.map((to) => insertContact(workspaceId, { email: to })));
    const ids = await Promise.all(contactIds.map((contactId) => insertQueuedDelivery(workspaceId, contactId, contentId, 'campaign-batch')));
    const before = Date.now();
    await worker.queue(
      createMessageBatch(
        'marketing-sends',
        ids.map((deliveryId, i) => ({ id: `batch-${i}`, timestamp: new Date(), attempts: 1, body: { type: 'send-delivery', workspaceId, deliveryId } })),
      ),
      env,
    );
    const rows = await Promise.all(contactIds.map((contactId) => deliveryOf(contactId, 'campaign-batch')));
    for (const [i, to] of recipients.entries()) {
      const email = await waitForEmail(to);
      expect(rows[i]).toMatchObject({ status: 'sent', message_id: email.headers['message-id'] });
      expect(rows[i]!.sent_at).toBeGreaterThanOrEqual(before);
    }
    expect(new Set(rows.map((row) => row!.message_id)).size).toBe(recipients.length);
  });

  it('uses the default of a merge tag when the contact has no value', async () => {
    const to = uniqueEmail('anon');
    const contactId = await insertContact(workspaceId, { email: to });
    await queueCampaignEmail(workspaceId, contactId, contentId);
    expect((await waitForEmail(to)).subject).toBe('Hi there, new mugs at Mug Shop');
  });

  it('writes one delivery and sends one email however often the same delivery is queued', async () => {
    const to = uniqueEmail('once');
    const contactId = await insertContact(workspaceId, { email: to });
    expect(await queueCampaignEmail(workspaceId, contactId, contentId, 'campaign-once')).toBe(1);
    expect(await queueCampaignEmail(workspaceId, contactId, contentId, 'campaign-once')).toBe(0);
    await statusOf(contactId);
    // A redelivered queue message for it does nothing either.
    const delivery = await deliveryOf(contactId, 'campaign-once');
    await worker.queue(createMessageBatch('marketing-sends', [{ id: 'again', timestamp: new Date(), attempts: 2, body: { type: 'send-delivery', workspaceId, deliveryId: delivery!.id } }]), env);
    expect(await receivedFor(to)).toHaveLength(1);
  });

  it("reuses a few SMTP connections for a whole batch of one workspace's messages", async () => {
    const recipients = Array.from({ length: 12 }, () => uniqueEmail('batch'));
    const ids: string[] = [];
    for (const to of recipients) {
      const contactId = await insertContact(workspaceId, { email: to });
      const deliveryId = await insertQueuedDelivery(workspaceId, contactId, contentId, 'c-batch');
      ids.push(deliveryId);
    }
    await worker.queue(
      createMessageBatch(
        'marketing-sends',
        ids.map((deliveryId, i) => ({ id: `batch-${i}`, timestamp: new Date(), attempts: 1, body: { type: 'send-delivery', workspaceId, deliveryId } })),
      ),
      env,
    );
    const received = await Promise.all(recipients.map(async (to) => (await receivedFor(to))[0]!));
    expect(received.every(Boolean)).toBe(true);
    // Twelve messages, one connection per lane: at most SMTP_LANES handshakes.
    expect(new Set(received.map((email) => email.connectionId)).size).toBeLessThanOrEqual(SMTP_LANES);
  });

  it('checks consent at send time: an unsubscribed or suppressed contact is skipped, not sent', async () => {
    const unsubscribed = await insertContact(workspaceId, { email: uniqueEmail('unsub'), email_consent: 'unsubscribed' });
    await queueCampaignEmail(workspaceId, unsubscribed, contentId);
    expect(await statusOf(unsubscribed)).toMatchObject({ status: 'skipped', reason: 'Email consent is "unsubscribed"' });

    const suppressedEmail = uniqueEmail('supp');
    const suppressed = await insertContact(workspaceId, { email: suppressedEmail });
    await env.DB.prepare("INSERT INTO suppressions (workspace_id, channel, address, reason, created_at) VALUES (?, 'email', ?, 'manual', ?)").bind(workspaceId, suppressedEmail, Date.now()).run();
    await queueCampaignEmail(workspaceId, suppressed, contentId);
    expect(await statusOf(suppressed)).toMatchObject({ status: 'skipped', reason: 'The address is on the suppression list' });
    expect(await receivedFor(suppressedEmail)).toEqual([]);
  });

  it('records a hard bounce as failed and suppresses the address', async () => {
    const to = uniqueEmail('bounce-').replace('bounce--', 'bounce-');
    const contactId = await insertContact(workspaceId, { email: to });
    await queueCampaignEmail(workspaceId, contactId, contentId);
    const delivery = await statusOf(contactId);
    expect(delivery).toMatchObject({ status: 'failed' });
    expect(delivery!.reason).toContain('550');
    expect(await env.DB.prepare("SELECT reason FROM suppressions WHERE workspace_id = ? AND channel = 'email' AND address = ?").bind(workspaceId, to).first('reason')).toBe('hard_bounce');
  });

  it('renders the merge data of a flow occurrence, escaped, without letting it replace the contact or the unsubscribe link', async () => {
    const to = uniqueEmail('cart');
    const contactId = await insertContact(workspaceId, { email: to, first_name: 'Ida', email_consent: 'not_subscribed' });
    const design = await insertEmailContent(workspaceId, {
      subject: 'You left {{ cart.items | size }} items',
      html: '<p>Hi {{ contact.first_name }}</p>{% for item in cart.items %}<p>{{ item.title }} × {{ item.quantity }}</p>{% endfor %}<a href="{{ cart.recovery_url }}">Back to your cart</a> <a href="{{ unsubscribe_url }}">Unsubscribe</a>',
    });
    const context = {
      cart: {
        items: [
          { title: '<Mug>', quantity: 2 },
          { title: 'Teapot', quantity: 1 },
        ],
        recovery_url: 'https://mugs.example/cart/recover?t=1',
      },
      contact: { first_name: 'Mallory' },
      unsubscribe_url: 'https://evil.example',
    };
    const tenant = forWorkspace(openDb(env.DB), workspaceId);
    // A transactional-style flow step may reach contacts who never opted in (but not those who opted out).
    await queueDeliveries(tenant, env, [
      { contactId, channel: 'email', sourceType: 'flow', sourceId: 'flow-cart', stepKey: 'step-1', occurrenceKey: 'cart-1', contentId: design, context, requiresOptIn: false },
    ]);
    const email = await waitForEmail(to);
    expect(email.subject).toBe('You left 2 items');
    expect(email.html).toContain('<p>Hi Ida</p>');
    expect(email.html).toContain('&lt;Mug&gt; × 2');
    // Links are tracked (src/tracking): the cart's redirect leads to the recovery URL.
    const cartLink = /href="https:\/\/marketing\.example\.com\/c\/([^"]+)"/.exec(email.html!)![1]!;
    expect((await readTrackingToken(env.APP_SECRET, 'click', cartLink))?.link).toBe('https://mugs.example/cart/recover?t=1');
    expect(email.html).not.toContain('evil.example');
  });

  it('re-enqueues a delivery whose queue message was lost, and fails one interrupted mid-send rather than risk a duplicate', async () => {
    const lostContact = await insertContact(workspaceId, { email: uniqueEmail('lost') });
    const lostId = await insertQueuedDelivery(workspaceId, lostContact, contentId, 'c-lost');
    const stuckContact = await insertContact(workspaceId, { email: uniqueEmail('stuck') });
    const stuckId = await insertQueuedDelivery(workspaceId, stuckContact, contentId, 'c-stuck');
    const threeHoursAgo = Date.now() - 3 * 3_600_000;
    await env.DB.prepare('UPDATE deliveries SET updated_at = ? WHERE id = ?').bind(threeHoursAgo, lostId).run();
    await env.DB.prepare("UPDATE deliveries SET status = 'sending', updated_at = ? WHERE id = ?").bind(threeHoursAgo, stuckId).run();
    expect(await sweepStaleDeliveries(openDb(env.DB), env, Date.now())).toBeGreaterThanOrEqual(2);
    expect((await statusOf(lostContact, 'c-lost'))!.status).toBe('sent');
    const stuck = await deliveryOf(stuckContact, 'c-stuck');
    expect(stuck).toMatchObject({ status: 'failed' });
    expect(stuck!.reason).toMatch(/Interrupted while sending/);
  });

  it('puts a temporary failure back in the queue with backoff, and fails it for good from the dead-letter queue', async () => {
    const to = uniqueEmail('tempfail-').replace('tempfail--', 'tempfail-');
    const contactId = await insertContact(workspaceId, { email: to });
    const deliveryId = await insertQueuedDelivery(workspaceId, contactId, contentId, 'c-temp');
    const batch = createMessageBatch('marketing-sends', [{ id: 'temp-1', timestamp: new Date(), attempts: 1, body: { type: 'send-delivery', workspaceId, deliveryId } }]);
    const ctx = createExecutionContext();
    await worker.queue(batch, env);
    expect((await getQueueResult(batch, ctx)).retryMessages).toEqual([{ msgId: 'temp-1' }]);
    const retried = await deliveryOf(contactId, 'c-temp');
    expect(retried).toMatchObject({ status: 'queued', attempts: 1 });
    expect(retried!.reason).toContain('451');

    await worker.queue(createMessageBatch('marketing-sends-dlq', [{ id: 'temp-dead', timestamp: new Date(), attempts: 9, body: { type: 'send-delivery', workspaceId, deliveryId } }]), env);
    const dead = await deliveryOf(contactId, 'c-temp');
    expect(dead).toMatchObject({ status: 'failed' });
    // The results keep what kept failing.
    expect(dead!.reason).toMatch(/^Gave up after repeated temporary failures\. The last: .*451 4\.7\.1 greylisted/);
  });
});

describe('fault injection', () => {
  /** Runs one send-delivery message through the Worker's queue entry and returns what happened. */
  async function sendOnce(label: string, setup?: (workspace: string) => Promise<void>) {
    const merchant = await signUpMerchant(`Faults ${label}`);
    await trustWorkspace(merchant.workspaceId);
    await setup?.(merchant.workspaceId);
    const design = await insertEmailContent(merchant.workspaceId, { subject: 'Hi', html: '<p>Hi</p>' });
    const to = uniqueEmail(label).replace(`${label}-`, label);
    const contactId = await insertContact(merchant.workspaceId, { email: to });
    const deliveryId = await insertQueuedDelivery(merchant.workspaceId, contactId, design, 'faults');
    const batch = createMessageBatch('marketing-sends', [{ id: `fault-${label}`, timestamp: new Date(), attempts: 1, body: { type: 'send-delivery', workspaceId: merchant.workspaceId, deliveryId } }]);
    const ctx = createExecutionContext();
    await worker.queue(batch, env);
    return { result: await getQueueResult(batch, ctx), delivery: await deliveryOf(contactId, 'faults'), to };
  }

  const ownServer = (port: number, password: string) => async (workspace: string) => {
    const { encryptSecret } = await import('../../src/lib/crypto');
    await env.DB.prepare("UPDATE workspace_settings SET smtp_host = '127.0.0.1', smtp_port = ?, smtp_security = 'none', smtp_username = 'test', smtp_password_ciphertext = ? WHERE workspace_id = ?")
      .bind(port, await encryptSecret(env.ENCRYPTION_KEY, password), workspace)
      .run();
    await env.DB.prepare("UPDATE workspaces SET sender_email = 'news@own.example' WHERE id = ?").bind(workspace).run();
  };

  it('retries when the SMTP server is down, without failing the delivery', async () => {
    const { result, delivery } = await sendOnce('down', ownServer(2599, 'test'));
    expect(result.retryMessages).toHaveLength(1);
    expect(delivery).toMatchObject({ status: 'queued' });
    expect(delivery!.reason).toContain('Could not connect to 127.0.0.1:2599');
  });

  it('retries a 421 (service not available)', async () => {
    const { result, delivery, to } = await sendOnce('busy-');
    expect(result.retryMessages).toHaveLength(1);
    expect(delivery!.reason).toContain('421');
    expect(await receivedFor(to)).toEqual([]);
  });

  it('retries an authentication failure of the sender: the merchant can fix it in Settings', async () => {
    const { result, delivery } = await sendOnce('authfail', ownServer(SMTP_PORT, 'wrong-password'));
    expect(result.retryMessages).toHaveLength(1);
    expect(delivery).toMatchObject({ status: 'queued' });
    expect(delivery!.reason).toContain('refused the username or password');
  });
});

describe('/u/:token', () => {
  async function unsubscribeLinkFor(label: string) {
    const to = uniqueEmail(label);
    const contactId = await insertContact(workspaceId, { email: to });
    await queueCampaignEmail(workspaceId, contactId, contentId, `campaign-${label}`);
    const email = await waitForEmail(to);
    const url = /<([^>]+)>/.exec(email.headers['list-unsubscribe']!)![1]!;
    return { to, contactId, path: new URL(url).pathname };
  }

  it('unsubscribes with one click (RFC 8058 POST), records why, and suppresses the address', async () => {
    const { to, contactId, path } = await unsubscribeLinkFor('oneclick');
    // As Gmail sends it (RFC 8058): a multipart form POST with List-Unsubscribe=One-Click.
    const form = new FormData();
    form.set('List-Unsubscribe', 'One-Click');
    const res = await exports.default.fetch(new Request(`${ORIGIN}${path}`, { method: 'POST', body: form }));
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('You are unsubscribed');
    const contact = await env.DB.prepare('SELECT email_consent, email_consent_source FROM contacts WHERE id = ?').bind(contactId).first();
    expect(contact).toEqual({ email_consent: 'unsubscribed', email_consent_source: 'unsubscribe_link' });
    expect(await env.DB.prepare("SELECT reason FROM suppressions WHERE workspace_id = ? AND channel = 'email' AND address = ?").bind(workspaceId, to).first('reason')).toBe('unsubscribed');
  });

  it('shows a confirmation page on GET without unsubscribing (link scanners only GET)', async () => {
    const { contactId, path } = await unsubscribeLinkFor('page');
    const res = await exports.default.fetch(`${ORIGIN}${path}`);
    expect(await res.text()).toContain('Marketing from <strong>Mug Shop</strong>');
    expect(await env.DB.prepare('SELECT email_consent FROM contacts WHERE id = ?').bind(contactId).first('email_consent')).toBe('subscribed');
  });

  it('keeps email and SMS apart, and offers to resubscribe', async () => {
    const { to, contactId, path } = await unsubscribeLinkFor('prefs');
    await env.DB.prepare("UPDATE contacts SET phone = '+14155552671', sms_consent = 'subscribed' WHERE id = ?").bind(contactId).run();
    // The page's forms carry a form token for their action (see test/consent/unsubscribe-page.test.ts).
    const post = async (action: string) => {
      const formToken = await preferencesFormToken(env.APP_SECRET, path.slice('/u/'.length), action);
      return exports.default.fetch(
        new Request(`${ORIGIN}${path}`, { method: 'POST', body: new URLSearchParams({ action, formToken }), headers: { 'content-type': 'application/x-www-form-urlencoded' } }),
      );
    };
    await post('unsubscribe-sms');
    const consent = () => env.DB.prepare('SELECT email_consent, sms_consent FROM contacts WHERE id = ?').bind(contactId).first();
    expect(await consent()).toEqual({ email_consent: 'subscribed', sms_consent: 'unsubscribed' });
    await post('unsubscribe-email');
    expect(await env.DB.prepare("SELECT count(*) AS n FROM suppressions WHERE workspace_id = ? AND channel = 'email' AND address = ?").bind(workspaceId, to).first('n')).toBe(1);
    const page = await (await post('resubscribe-email')).text();
    expect(page).toContain('You are subscribed again');
    expect(await consent()).toEqual({ email_consent: 'subscribed', sms_consent: 'unsubscribed' });
    expect(await env.DB.prepare("SELECT count(*) AS n FROM suppressions WHERE workspace_id = ? AND channel = 'email' AND address = ?").bind(workspaceId, to).first('n')).toBe(0);
  });

  it('refuses a forged or altered token with 404', async () => {
    const { path } = await unsubscribeLinkFor('forged');
    const altered = path.slice(0, -2) + (path.endsWith('A') ? 'BB' : 'AA');
    expect((await exports.default.fetch(new Request(`${ORIGIN}${altered}`, { method: 'POST' }))).status).toBe(404);
    expect((await exports.default.fetch(`${ORIGIN}/u/not-a-token`)).status).toBe(404);
  });
});
