import { createExecutionContext, createMessageBatch, getQueueResult, runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import worker from '../../src/index';
import { grantSlots, MAX_SLOT_WAIT_MS, SendRateLimiter } from '../../src/deliveries/send-rate-limiter';
import { sendRateLimiterName } from '../../src/deliveries/send-pacing';
import { insertContact } from '../helpers/data';
import { deliveryOf, insertEmailContent, insertQueuedDelivery, queueCampaignEmail } from '../helpers/deliveries';
import { signUpMerchant, uniqueEmail } from '../helpers/factories';
import { trustWorkspace } from '../helpers/platform-trust';

describe('grantSlots', () => {
  it('spaces slots at the rate and queues reservations one after the other', () => {
    const first = grantSlots(0, 5, 10, 1_000);
    expect(first.slots).toEqual({ granted: 5, startAt: 1_000, intervalMs: 100, retryAfterMs: 500 });
    expect(first.nextFreeAt).toBe(1_500);
    expect(grantSlots(first.nextFreeAt, 5, 10, 1_100).slots).toMatchObject({ granted: 5, startAt: 1_500 });
  });

  it('grants only the slots that start within the wait a consumer accepts, and says when to come back', () => {
    // 1 a second: 21 slots start within the next 20 s.
    const partial = grantSlots(0, 50, 1, 0);
    expect(partial.slots).toMatchObject({ granted: MAX_SLOT_WAIT_MS / 1000 + 1, retryAfterMs: MAX_SLOT_WAIT_MS + 1000 });
    const far = 1_000 + MAX_SLOT_WAIT_MS + 1;
    expect(grantSlots(far, 1, 10, 1_000)).toEqual({ slots: { granted: 0, startAt: far, intervalMs: 100, retryAfterMs: MAX_SLOT_WAIT_MS + 1 }, nextFreeAt: far });
  });
});

describe('the per-workspace send rate', () => {
  it('keeps the slots it granted across a restart of its object, so no second is granted twice', async () => {
    const limiter = env.SEND_RATE_LIMITER.get(env.SEND_RATE_LIMITER.idFromName(`restart-${crypto.randomUUID()}`));
    // A consumer books the next 10 s, then the object is evicted while it sends.
    const booked = await limiter.reserve(100, 10);
    await runInDurableObject(limiter, (_evicted, state) => {
      const restarted = new SendRateLimiter(state, env);
      expect(restarted.reserve(1, 10).startAt).toBeGreaterThanOrEqual(booked.startAt + 100 * booked.intervalMs);
    });
  });

  it("paces a workspace's sends to its messages per second", async () => {
    const merchant = await signUpMerchant('Slow SMTP');
    await trustWorkspace(merchant.workspaceId);
    await env.DB.prepare('UPDATE workspace_settings SET send_rate_per_second = 2 WHERE workspace_id = ?').bind(merchant.workspaceId).run();
    const design = await insertEmailContent(merchant.workspaceId, { subject: 'Paced', html: '<p>Hi</p>' });
    const contacts: string[] = [];
    for (let i = 0; i < 8; i++) contacts.push(await insertContact(merchant.workspaceId, { email: uniqueEmail(`paced${i}`) }));
    const queuedAt = Date.now();
    for (const contactId of contacts) await queueCampaignEmail(merchant.workspaceId, contactId, design, 'paced');
    await expect.poll(async () => Promise.all(contacts.map(async (id) => (await deliveryOf(id, 'paced'))?.status)), { timeout: 20_000 }).toEqual(contacts.map(() => 'sent'));
    const times = (await Promise.all(contacts.map(async (id) => (await deliveryOf(id, 'paced'))!.sent_at as number))).sort((a, b) => a - b);
    // At 2 a second the 8th slot starts 7 × 500 ms after the first, which starts no earlier
    // than the queueing: so the last send is at least 3.5 s after it, however long the
    // first sends spent opening their connections on a busy machine. Unpaced, all 8 are
    // sent about a second after queueing (the queue's batch wait).
    expect(times.at(-1)! - queuedAt).toBeGreaterThanOrEqual(7 * 500);
  });

  it('puts a message back on the queue, without using a retry, when its slot is too far away', async () => {
    const merchant = await signUpMerchant('Saturated SMTP');
    await env.DB.prepare('UPDATE workspace_settings SET send_rate_per_second = 1 WHERE workspace_id = ?').bind(merchant.workspaceId).run();
    // Another consumer has already booked the next minute of this workspace's slots.
    const limiter = env.SEND_RATE_LIMITER.get(env.SEND_RATE_LIMITER.idFromName(sendRateLimiterName(merchant.workspaceId, 'email')));
    await limiter.reserve(60, 1);
    const design = await insertEmailContent(merchant.workspaceId, { subject: 'Later', html: '<p>Hi</p>' });
    const contactId = await insertContact(merchant.workspaceId, { email: uniqueEmail('later') });
    const deliveryId = await insertQueuedDelivery(merchant.workspaceId, contactId, design, 'later');
    const batch = createMessageBatch('marketing-sends', [{ id: 'later-1', timestamp: new Date(), attempts: 1, body: { type: 'send-delivery', workspaceId: merchant.workspaceId, deliveryId } }]);
    const ctx = createExecutionContext();
    await worker.queue(batch, env);
    const result = await getQueueResult(batch, ctx);
    expect(result.retryMessages).toEqual([]);
    expect(result.explicitAcks).toEqual(['later-1']);
    expect(await deliveryOf(contactId, 'later')).toMatchObject({ status: 'queued', attempts: 0 });
  });
});

describe('the rate limiter key', () => {
  it('is per workspace and channel: email booked solid leaves SMS slots free', async () => {
    const workspaceId = (await signUpMerchant('Two channels')).workspaceId;
    const limiterOf = (channel: 'email' | 'sms') => env.SEND_RATE_LIMITER.get(env.SEND_RATE_LIMITER.idFromName(sendRateLimiterName(workspaceId, channel)));
    await limiterOf('email').reserve(60, 1);
    expect((await limiterOf('email').reserve(1, 1)).granted).toBe(0);
    expect((await limiterOf('sms').reserve(1, 1)).granted).toBe(1);
  });
});
