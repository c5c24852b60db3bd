// Pausing, resuming and cancelling a campaign while it sends, racing with the fan-out
// and with send batches in flight; the cron around paused and cancelled campaigns; and
// the results recipient by recipient. Against real D1, the real queue and the local
// SMTP server: what a recipient got is counted at the server.
import { createMessageBatch } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { DELIVERIES_PAGE_SIZE } from '../../src/campaigns/campaign-deliveries-job';
import { FAN_OUT_PAGE_SIZE } from '../../src/campaigns/campaign-fan-out-job';
import { openDb } from '../../src/db/client';
import worker from '../../src/index';
import { runCronTick } from '../../src/jobs/cron';
import { sendDeliveryMessage, type QueueMessage } from '../../src/queues/messages';
import { HOUR } from '../../src/lib/time';
import { sweepStaleDeliveries } from '../../src/deliveries/deliveries.service';
import { insertEmailContent } from '../helpers/deliveries';
import { apiErrorOf, callApi, createApiKey, postApi, signUpMerchant, type Merchant } from '../helpers/factories';
import { trustWorkspace } from '../helpers/platform-trust';
import { receivedFor } from '../helpers/smtp-sink';

type Progress = { recipients: number; pending: number; sent: number; failed: number; skipped: number; unknown: number; cancelled: number };
type Campaign = { id: string; status: string; pausedAt: number | null; pauseReason: string | null; progress: Progress };
type Result = { deliveryId: string; contactId: string; email: string | null; status: string; reason: string | null; at: number };

let merchant: Merchant;
let key: string;
let designId: string;
let sequence = 0;

async function getCampaign(id: string): Promise<Campaign> {
  return (await (await callApi(key, `/campaigns/${id}`)).json<{ campaign: Campaign }>()).campaign;
}

/** `n` subscribed contacts with the tag, in one D1 batch; sorted by id (the fan-out's order). */
async function addMembers(tag: string, n: number): Promise<{ id: string; email: string }[]> {
  const now = Date.now();
  const members = Array.from({ length: n }, (_, i) => ({ id: `c-${tag}-${String(i).padStart(4, '0')}-${now}`, email: `${tag}-${i}-${now}@shop.example` }));
  await env.DB.batch(
    members.flatMap((member) => [
      env.DB.prepare("INSERT INTO contacts (id, workspace_id, email, first_name, email_consent, created_at, updated_at) VALUES (?, ?, ?, 'Kim', 'subscribed', ?, ?)").bind(
        member.id,
        merchant.workspaceId,
        member.email,
        now,
        now,
      ),
      env.DB.prepare('INSERT INTO contact_tags (workspace_id, contact_id, tag) VALUES (?, ?, ?)').bind(merchant.workspaceId, member.id, tag),
    ]),
  );
  return members;
}

/** A campaign to the tag's members, already `sending` (as the cron or "send now" leaves it) with no message on the queue. */
async function sendingCampaign(tag: string, fanOut: { cursor?: string | null; done?: boolean } = {}): Promise<string> {
  const audience = { type: 'rules', definition: { match: 'all', children: [{ field: 'tags', op: 'hasAny', tags: [tag] }] } };
  const { campaign } = await (await postApi(key, '/campaigns', { name: `Stop ${tag}`, contentId: designId, audience })).json<{ campaign: { id: string } }>();
  await env.DB.prepare("UPDATE campaigns SET status = 'sending', started_at = ?, fan_out_cursor = ?, fan_out_done = ? WHERE id = ?")
    .bind(Date.now(), fanOut.cursor ?? null, fanOut.done ? 1 : 0, campaign.id)
    .run();
  return campaign.id;
}

/** Delivery rows as a fan-out page writes them (status `queued` unless told), without their send messages. */
async function insertDeliveries(campaignId: string, contactIds: string[], status = 'queued', reason: string | null = null): Promise<string[]> {
  const now = Date.now();
  const ids = contactIds.map((contactId) => `d-${campaignId}-${contactId}`);
  await env.DB.batch(
    contactIds.map((contactId, i) =>
      env.DB.prepare(
        "INSERT INTO deliveries (id, workspace_id, contact_id, channel, source_type, source_id, step_key, occurrence_key, content_id, status, reason, queued_at, updated_at) VALUES (?, ?, ?, 'email', 'campaign', ?, '', '', ?, ?, ?, ?, ?)",
      ).bind(ids[i], merchant.workspaceId, contactId, campaignId, designId, status, reason, now, now),
    ),
  );
  return ids;
}

/** Hands messages to the consumer as one batch, as the queue would (a redelivery, or one in flight). */
async function deliverBatch(bodies: QueueMessage[]): Promise<void> {
  const messages = bodies.map((body) => ({ id: `m-${++sequence}`, timestamp: new Date(), attempts: 1, body }));
  await worker.queue(createMessageBatch('marketing-sends', messages), env);
}

const sendMessages = (deliveryIds: string[]): QueueMessage[] => deliveryIds.map((deliveryId) => sendDeliveryMessage(merchant.workspaceId, { id: deliveryId, channel: 'email' }));

async function statusCounts(campaignId: string): Promise<Record<string, number>> {
  const rows = await env.DB.prepare("SELECT status, COUNT(*) AS n FROM deliveries WHERE source_type = 'campaign' AND source_id = ? GROUP BY status")
    .bind(campaignId)
    .all<{ status: string; n: number }>();
  return Object.fromEntries(rows.results.map((row) => [row.status, row.n]));
}

function campaignRow(id: string) {
  return env.DB.prepare('SELECT status, fan_out_cursor, fan_out_done, updated_at, paused_at, pause_reason FROM campaigns WHERE id = ?').bind(id).first<Record<string, unknown>>();
}

/** Ticks the cron until the campaign is sent, as the real minute ticks would. */
async function untilSent(campaignId: string, timeout = 20_000): Promise<Campaign> {
  await expect
    .poll(
      async () => {
        await runCronTick(env, Date.now());
        return (await getCampaign(campaignId)).status;
      },
      { timeout, interval: 300 },
    )
    .toBe('sent');
  return getCampaign(campaignId);
}

/** How many messages each address got at the SMTP server. */
async function messagesPerRecipient(emails: string[]): Promise<number[]> {
  const counts: number[] = [];
  for (let i = 0; i < emails.length; i += 50) counts.push(...(await Promise.all(emails.slice(i, i + 50).map(async (email) => (await receivedFor(email)).length))));
  return counts;
}

beforeAll(async () => {
  merchant = await signUpMerchant('Stopping Shop');
  // Past onboarding: the platform sender reaches its customers (src/email/platform-sender-trust.ts).
  await trustWorkspace(merchant.workspaceId);
  key = await createApiKey(merchant);
  designId = await insertEmailContent(merchant.workspaceId, { subject: 'Boots for {{ contact.first_name }}', html: '<p>Hello {{ contact.first_name }}</p>' });
});

describe('pausing and resuming a sending campaign', () => {
  it('sends everyone exactly once when paused between fan-out pages with sends in flight, then resumed', async () => {
    const members = await addMembers('midway', FAN_OUT_PAGE_SIZE + 1);
    const id = await sendingCampaign('midway');
    // The first page: 500 deliveries, their sends and the next page go on the real queue,
    // whose consumer starts on them at once; the pause lands while they are in flight.
    await deliverBatch([{ type: 'fan-out-page', workspaceId: merchant.workspaceId, campaignId: id, afterContactId: null }]);
    const paused = await postApi(key, `/campaigns/${id}/pause`);
    expect(paused.status).toBe(200);
    expect((await paused.json<{ campaign: Campaign }>()).campaign).toMatchObject({ status: 'paused', pauseReason: null });

    // Whatever a batch had claimed before the pause finishes; nothing else moves.
    await expect.poll(async () => (await statusCounts(id)).sending ?? 0, { timeout: 10_000 }).toBe(0);
    const atPause = await statusCounts(id);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await statusCounts(id)).toEqual(atPause);
    expect((await campaignRow(id))!.status).toBe('paused');

    expect((await postApi(key, `/campaigns/${id}/resume`)).status).toBe(200);
    const sent = await untilSent(id, 60_000);
    expect(sent.progress).toMatchObject({ recipients: FAN_OUT_PAGE_SIZE + 1, sent: FAN_OUT_PAGE_SIZE + 1, pending: 0 });
    expect(new Set(await messagesPerRecipient(members.map((member) => member.email)))).toEqual(new Set([1]));
  });

  it('sends nothing from a batch delivered after the pause, and each queued delivery once after the resume', async () => {
    const members = await addMembers('inflight', 3);
    const id = await sendingCampaign('inflight', { cursor: members.at(-1)!.id, done: true });
    const deliveries = await insertDeliveries(
      id,
      members.map((member) => member.id),
    );
    const before = Date.now();
    const paused = (await (await postApi(key, `/campaigns/${id}/pause`)).json<{ campaign: Campaign }>()).campaign;
    expect(paused.pausedAt).toBeGreaterThanOrEqual(before);

    // The batch already on the queue when the pause committed: the claim refuses every delivery.
    await deliverBatch(sendMessages(deliveries));
    expect(await statusCounts(id)).toEqual({ queued: 3 });
    expect(await messagesPerRecipient(members.map((member) => member.email))).toEqual([0, 0, 0]);

    const resumed = (await (await postApi(key, `/campaigns/${id}/resume`)).json<{ campaign: Campaign }>()).campaign;
    expect(resumed).toMatchObject({ status: 'sending', pausedAt: null, pauseReason: null });
    await untilSent(id);
    // The old batch redelivered after the resume changes nothing.
    await deliverBatch(sendMessages(deliveries));
    expect(await messagesPerRecipient(members.map((member) => member.email))).toEqual([1, 1, 1]);
  });

  it('does not page the audience while paused: a page message (new or repeated) writes nothing and the cursor stays; resume goes on from it', async () => {
    const members = await addMembers('cursor', 4);
    const cursor = members[1]!.id;
    // What the first page left: two deliveries written, the cursor after them.
    const id = await sendingCampaign('cursor', { cursor });
    await insertDeliveries(id, [members[0]!.id, members[1]!.id]);
    await postApi(key, `/campaigns/${id}/pause`);

    const page = (afterContactId: string | null): QueueMessage => ({ type: 'fan-out-page', workspaceId: merchant.workspaceId, campaignId: id, afterContactId });
    await deliverBatch([page(cursor), page(null)]);
    expect(await statusCounts(id)).toEqual({ queued: 2 });
    expect(await campaignRow(id)).toMatchObject({ status: 'paused', fan_out_cursor: cursor, fan_out_done: 0 });

    await postApi(key, `/campaigns/${id}/resume`);
    const sent = await untilSent(id);
    expect(sent.progress).toMatchObject({ recipients: 4, sent: 4 });
    expect(await messagesPerRecipient(members.map((member) => member.email))).toEqual([1, 1, 1, 1]);
  });

  it('re-enqueues every queued delivery on resume, page by page, past one page', async () => {
    const members = await addMembers('walk', DELIVERIES_PAGE_SIZE + 2);
    const id = await sendingCampaign('walk', { cursor: members.at(-1)!.id, done: true });
    await insertDeliveries(
      id,
      members.map((member) => member.id),
    );
    await postApi(key, `/campaigns/${id}/pause`);
    await postApi(key, `/campaigns/${id}/resume`);
    const sent = await untilSent(id, 60_000);
    expect(sent.progress).toMatchObject({ recipients: DELIVERIES_PAGE_SIZE + 2, sent: DELIVERIES_PAGE_SIZE + 2 });
    // The last contact is on the second page of the walk.
    expect(await messagesPerRecipient([members[0]!.email, members.at(-1)!.email])).toEqual([1, 1]);
  });

  it('allows resuming a campaign the platform paused, and says on its page that it pauses again if the server still refuses', async () => {
    const members = await addMembers('platform', 1);
    const id = await sendingCampaign('platform', { cursor: members[0]!.id, done: true });
    await insertDeliveries(id, [members[0]!.id]);
    const reason = 'Your SMTP server refused the password: 535 5.7.8 Authentication failed';
    await env.DB.prepare("UPDATE campaigns SET status = 'paused', paused_at = ?, pause_reason = ? WHERE id = ?").bind(Date.now(), reason, id).run();

    const page = await (await merchant.client.get(`/app/marketing/campaigns/${id}`)).text();
    expect(page).toContain('Paused by the platform');
    expect(page).toContain('535 5.7.8 Authentication failed');
    expect(page).toContain('the campaign pauses again by itself');
    expect(page).toContain(`action="/app/marketing/campaigns/${id}/resume"`);

    const resumed = await merchant.client.post(`/app/marketing/campaigns/${id}/resume`);
    expect(resumed.status).toBe(303);
    expect(resumed.headers.get('location')).toBe(`/app/marketing/campaigns/${id}?done=resumed`);
    expect(await campaignRow(id)).toMatchObject({ status: 'sending', paused_at: null, pause_reason: null });
    await untilSent(id);
    expect(await messagesPerRecipient([members[0]!.email])).toEqual([1]);
  });

  it('pauses from the campaign page, which then says since when and offers Resume and Cancel', async () => {
    await addMembers('page', 1);
    const id = await sendingCampaign('page');
    const sending = await (await merchant.client.get(`/app/marketing/campaigns/${id}`)).text();
    expect(sending).toContain(`action="/app/marketing/campaigns/${id}/pause"`);
    expect(sending).toContain('Messages that have not gone out yet never will');

    const paused = await merchant.client.post(`/app/marketing/campaigns/${id}/pause`);
    expect(paused.headers.get('location')).toBe(`/app/marketing/campaigns/${id}?done=paused`);
    const page = await (await merchant.client.get(`/app/marketing/campaigns/${id}?done=paused`)).text();
    expect(page).toContain('<span class="badge warning">Paused</span>');
    expect(page).toMatch(/Paused by you at [^.]*\(Europe\/Paris\)/);
    expect(page).toContain(`action="/app/marketing/campaigns/${id}/resume"`);
    expect(page).toContain(`action="/app/marketing/campaigns/${id}/cancel"`);
    expect(page).not.toContain(`action="/app/marketing/campaigns/${id}/pause"`);
    // Pausing twice is refused with the reason, on the page.
    const again = await merchant.client.post(`/app/marketing/campaigns/${id}/pause`);
    expect(again.status).toBe(409);
    expect(await again.text()).toContain('This campaign is paused');
  });
});

describe('cancelling a sending campaign', () => {
  it('leaves nothing queued, sends nothing more, stops the fan-out and counts the cancelled, past one page', async () => {
    const members = await addMembers('cancel', DELIVERIES_PAGE_SIZE + 1);
    const [first, ...rest] = members;
    const id = await sendingCampaign('cancel', { cursor: members.at(-2)!.id });
    await insertDeliveries(id, [first!.id], 'sent');
    const queued = await insertDeliveries(
      id,
      rest.slice(0, -1).map((member) => member.id),
    );
    const res = await postApi(key, `/campaigns/${id}/cancel`);
    expect(res.status).toBe(200);
    expect((await res.json<{ campaign: Campaign }>()).campaign.status).toBe('cancelled');
    await expect.poll(async () => (await statusCounts(id)).queued ?? 0, { timeout: 15_000 }).toBe(0);

    // Send messages and the fan-out's next page, still in flight: nothing goes out, nothing new is written.
    await deliverBatch([...sendMessages(queued.slice(0, 5)), { type: 'fan-out-page', workspaceId: merchant.workspaceId, campaignId: id, afterContactId: members.at(-2)!.id }]);
    expect(await statusCounts(id)).toEqual({ sent: 1, cancelled: DELIVERIES_PAGE_SIZE - 1 });
    expect(await messagesPerRecipient(rest.slice(0, 5).map((member) => member.email))).toEqual([0, 0, 0, 0, 0]);
    expect((await getCampaign(id)).progress).toMatchObject({ recipients: DELIVERIES_PAGE_SIZE, sent: 1, pending: 0, cancelled: DELIVERIES_PAGE_SIZE - 1 });

    // The results list them a page at a time, with the reason.
    const seen: Result[] = [];
    let cursor: string | null = '';
    while (cursor !== null) {
      const page: { results: Result[]; nextCursor: string | null } = await (await callApi(key, `/campaigns/${id}/deliveries?status=cancelled&limit=200${cursor ? `&cursor=${cursor}` : ''}`)).json();
      seen.push(...page.results);
      cursor = page.nextCursor;
    }
    expect(seen).toHaveLength(DELIVERIES_PAGE_SIZE - 1);
    expect(new Set(seen.map((row) => row.deliveryId)).size).toBe(DELIVERIES_PAGE_SIZE - 1);
    expect(seen[0]).toMatchObject({ status: 'cancelled', reason: 'The campaign was cancelled before this message went out' });

    const again = await postApi(key, `/campaigns/${id}/cancel`);
    expect(again.status).toBe(409);
    expect((await apiErrorOf(again)).message).toMatch(/was cancelled/);
  });

  it('cancels a paused campaign too, and its page shows what went out and what was cancelled', async () => {
    const members = await addMembers('pausedcancel', 2);
    const id = await sendingCampaign('pausedcancel', { cursor: members.at(-1)!.id, done: true });
    await insertDeliveries(id, [members[0]!.id], 'sent');
    await insertDeliveries(id, [members[1]!.id]);
    await postApi(key, `/campaigns/${id}/pause`);
    await merchant.client.get(`/app/marketing/campaigns/${id}`);
    const cancelled = await merchant.client.post(`/app/marketing/campaigns/${id}/cancel`);
    expect(cancelled.headers.get('location')).toBe(`/app/marketing/campaigns/${id}?done=cancelled`);
    await expect.poll(async () => statusCounts(id), { timeout: 10_000 }).toEqual({ sent: 1, cancelled: 1 });
    const page = await (await merchant.client.get(`/app/marketing/campaigns/${id}`)).text();
    expect(page).toContain('messages that had not gone out will not be sent');
    expect(page).toContain('data-progress-key="cancelled">1</dd>');
    expect(page).toContain(members[1]!.email);
    expect(page).not.toContain(`action="/app/marketing/campaigns/${id}/resume"`);
    expect(await messagesPerRecipient([members[1]!.email])).toEqual([0]);
  });
});

describe('the cron around paused and cancelled campaigns', () => {
  it('neither finishes a paused campaign nor restarts its fan-out', async () => {
    const members = await addMembers('cronpause', 2);
    const done = await sendingCampaign('cronpause', { cursor: members.at(-1)!.id, done: true });
    await insertDeliveries(done, [members[0]!.id], 'sent');
    const stalled = await sendingCampaign('cronpause');
    for (const id of [done, stalled]) await postApi(key, `/campaigns/${id}/pause`);
    // Long paused: well past the stalled fan-out threshold.
    await env.DB.prepare('UPDATE campaigns SET updated_at = ? WHERE id = ?')
      .bind(Date.now() - 2 * HOUR, stalled)
      .run();
    const before = await campaignRow(stalled);
    await runCronTick(env, Date.now());
    expect((await campaignRow(done))!.status).toBe('paused');
    expect(await campaignRow(stalled)).toEqual(before);
    expect(await statusCounts(stalled)).toEqual({});
  });

  it("keeps a paused campaign's stale queued deliveries for its resume, and cancels a cancelled one's", async () => {
    const members = await addMembers('sweep', 3);
    const paused = await sendingCampaign('sweep', { done: true });
    const cancelled = await sendingCampaign('sweep', { done: true });
    const active = await sendingCampaign('sweep', { done: true });
    const [pausedDelivery] = await insertDeliveries(paused, [members[0]!.id]);
    const [cancelledDelivery] = await insertDeliveries(cancelled, [members[1]!.id]);
    const [activeDelivery] = await insertDeliveries(active, [members[2]!.id]);
    await env.DB.batch([
      env.DB.prepare("UPDATE campaigns SET status = 'paused', paused_at = ? WHERE id = ?").bind(Date.now(), paused),
      env.DB.prepare("UPDATE campaigns SET status = 'cancelled' WHERE id = ?").bind(cancelled),
    ]);
    const enqueued: QueueMessage[] = [];
    const queue = { sendBatch: async (messages: { body: QueueMessage }[]) => void enqueued.push(...messages.map((m) => m.body)) } as unknown as Queue<QueueMessage>;

    // Hours later, when every one of them looks lost.
    await sweepStaleDeliveries(openDb(env.DB), { EVENTS_QUEUE: queue, SENDS_QUEUE: queue, IMPORTS_QUEUE: queue }, Date.now() + 3 * HOUR);
    const ids = enqueued.flatMap((body) => (body.type === 'send-delivery' ? [body.deliveryId] : []));
    expect(ids).toContain(activeDelivery);
    expect(ids).not.toContain(pausedDelivery);
    expect(ids).not.toContain(cancelledDelivery);
    expect(await statusCounts(paused)).toEqual({ queued: 1 });
    expect(await statusCounts(cancelled)).toEqual({ cancelled: 1 });
  });
});

describe('the lifecycle and workspaces at the API', () => {
  it('refuses moves the lifecycle does not allow with a 409 that says why', async () => {
    const { campaign } = await (await postApi(key, '/campaigns', { name: 'Draft', contentId: designId })).json<{ campaign: { id: string } }>();
    const pauseDraft = await postApi(key, `/campaigns/${campaign.id}/pause`);
    expect(pauseDraft.status).toBe(409);
    expect((await apiErrorOf(pauseDraft)).message).toBe('This campaign is a draft.');
    // A resume never starts a draft (draft → sending is "send now").
    const resumeDraft = await postApi(key, `/campaigns/${campaign.id}/resume`);
    expect(resumeDraft.status).toBe(409);
    expect((await apiErrorOf(resumeDraft)).message).toBe('Only a paused campaign can be resumed. This campaign is a draft.');
    expect((await getCampaign(campaign.id)).status).toBe('draft');

    const sending = await sendingCampaign('lifecycle');
    const resumeSending = await postApi(key, `/campaigns/${sending}/resume`);
    expect(resumeSending.status).toBe(409);
    expect((await apiErrorOf(resumeSending)).message).toMatch(/sending now/);

    await env.DB.prepare("UPDATE campaigns SET status = 'sent' WHERE id = ?").bind(sending).run();
    for (const action of ['pause', 'resume', 'cancel']) {
      const res = await postApi(key, `/campaigns/${sending}/${action}`);
      expect(res.status, action).toBe(409);
      expect((await apiErrorOf(res)).message).toMatch(/was sent/);
    }
  });

  it("gives another workspace's key a 404 for pausing, resuming, cancelling or reading the results, and changes nothing", async () => {
    const members = await addMembers('tenant', 1);
    const id = await sendingCampaign('tenant');
    await insertDeliveries(id, [members[0]!.id], 'failed', 'Mailbox unavailable');
    const other = await createApiKey(await signUpMerchant('Other shop'));
    for (const action of ['pause', 'resume', 'cancel']) expect((await postApi(other, `/campaigns/${id}/${action}`)).status, action).toBe(404);
    expect((await callApi(other, `/campaigns/${id}/deliveries`)).status).toBe(404);
    expect((await callApi(other, `/campaigns/${id}/deliveries?status=failed`)).status).toBe(404);
    expect((await campaignRow(id))!.status).toBe('sending');
  });

  it('lists the failed, skipped, unknown-outcome and cancelled recipients with their reason, by outcome, a page at a time', async () => {
    const members = await addMembers('results', 6);
    const id = await sendingCampaign('results', { done: true });
    const ids = members.map((member) => member.id);
    await insertDeliveries(id, [ids[0]!], 'sent');
    await insertDeliveries(id, [ids[1]!, ids[2]!], 'failed', '550 5.1.1 No such user');
    await insertDeliveries(id, [ids[3]!], 'skipped', 'Email consent is "unsubscribed"');
    await insertDeliveries(id, [ids[4]!], 'unknown', 'The server took the message and never answered');
    await insertDeliveries(id, [ids[5]!], 'cancelled', 'The campaign was cancelled before this message went out');

    const all = await (await callApi(key, `/campaigns/${id}/deliveries`)).json<{ results: Result[]; nextCursor: string | null }>();
    expect(all.nextCursor).toBeNull();
    expect(all.results.map((row) => row.status).sort()).toEqual(['cancelled', 'failed', 'failed', 'skipped', 'unknown']);
    const failed = await (await callApi(key, `/campaigns/${id}/deliveries?status=failed&limit=1`)).json<{ results: Result[]; nextCursor: string }>();
    expect(failed.results).toHaveLength(1);
    expect(failed.results[0]).toMatchObject({ status: 'failed', reason: '550 5.1.1 No such user' });
    expect([members[1]!.email, members[2]!.email]).toContain(failed.results[0]!.email);
    const next = await (await callApi(key, `/campaigns/${id}/deliveries?status=failed&limit=1&cursor=${failed.nextCursor}`)).json<{ results: Result[]; nextCursor: string | null }>();
    expect(next.results.map((row) => row.email)).not.toContain(failed.results[0]!.email);
    expect(next.results).toHaveLength(1);
    expect(next.nextCursor).toBeNull();

    const bad = await callApi(key, `/campaigns/${id}/deliveries?status=sent`);
    expect(bad.status).toBe(400);
    expect((await apiErrorOf(bad)).issues!.map((issue) => issue.path)).toEqual(['status']);

    // The page: the report's recipients filtered to one outcome, and the outcome-unknown line in plain words.
    const page = await (await merchant.client.get(`/app/marketing/campaigns/${id}?filter=failed`)).text();
    const recipientsCard = page.slice(page.indexOf('id="recipients"'));
    expect(recipientsCard).toContain('550 5.1.1 No such user');
    expect(recipientsCard).not.toContain('Email consent is &quot;unsubscribed&quot;');
    expect(page).toContain('1 message was handed to your SMTP server but it never confirmed it; it was not resent, to avoid duplicates.');
    expect(page).toContain('data-progress-key="unknown">1</dd>');
  });
});
