import { createMessageBatch } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { startDueCampaigns } from '../../src/campaigns/campaign-cron';
import { FAN_OUT_PAGE_SIZE } from '../../src/campaigns/campaign-fan-out-job';
import { openDb } from '../../src/db/client';
import { runCronTick } from '../../src/jobs/cron';
import { utcToZonedLocal } from '../../src/lib/time';
import worker from '../../src/index';
import { insertContact, tagContact } from '../helpers/data';
import { insertEmailContent } from '../helpers/deliveries';
import { apiErrorOf, callApi, createApiKey, patchApi, postApi, signUpMerchant, uniqueEmail, type Merchant } from '../helpers/factories';
import { trustWorkspace } from '../helpers/platform-trust';
import { receivedFor, waitForEmail } from '../helpers/smtp-sink';

type Progress = { recipients: number; pending: number; sent: number; failed: number; skipped: number; unknown: number; cancelled: number };
type Campaign = { id: string; status: string; scheduledAt: number; progress: Progress };

let merchant: Merchant;
let key: string;
let designId: string;

async function getCampaign(id: string): Promise<Campaign> {
  return (await (await callApi(key, `/campaigns/${id}`)).json<{ campaign: Campaign }>()).campaign;
}

const vipAudience = (tag: string) => ({ type: 'rules', definition: { match: 'all', children: [{ field: 'tags', op: 'hasAny', tags: [tag] }] } });

async function addMember(tag: string, fields: Record<string, unknown> = {}) {
  const email = uniqueEmail(tag);
  const id = await insertContact(merchant.workspaceId, { email, first_name: 'Kim', ...fields });
  await tagContact(merchant.workspaceId, id, tag);
  return { id, email };
}

/** A campaign whose scheduled time has come (written directly: the API refuses past times). */
async function dueCampaign(tag: string, sendingFilter = 'subscribed'): Promise<string> {
  const res = await postApi(key, '/campaigns', { name: `Due ${tag}`, contentId: designId, audience: vipAudience(tag), sendingFilter });
  const { campaign } = await res.json<{ campaign: { id: string } }>();
  await env.DB.prepare("UPDATE campaigns SET status = 'scheduled', scheduled_at = ? WHERE id = ?")
    .bind(Date.now() - 1000, campaign.id)
    .run();
  return campaign.id;
}

async function deliveriesOf(campaignId: string) {
  return (
    await env.DB.prepare("SELECT contact_id, status, reason FROM deliveries WHERE source_type = 'campaign' AND source_id = ?")
      .bind(campaignId)
      .all<{ contact_id: string; status: string; reason: string | null }>()
  ).results;
}

/** Ticks the cron until the campaign is sent (every delivery final), as the real minute ticks would. */
async function untilSent(campaignId: string): Promise<Campaign> {
  await expect
    .poll(
      async () => {
        await runCronTick(env, Date.now());
        return (await getCampaign(campaignId)).status;
      },
      { timeout: 20_000, interval: 300 },
    )
    .toBe('sent');
  return getCampaign(campaignId);
}

beforeAll(async () => {
  merchant = await signUpMerchant('Campaign Sends');
  // Past onboarding: the platform sender reaches its customers (src/email/platform-sender-trust.ts).
  await trustWorkspace(merchant.workspaceId);
  key = await createApiKey(merchant);
  designId = await insertEmailContent(merchant.workspaceId, { subject: 'Snow boots for {{ contact.first_name | default: "you" }}', html: '<p>Hello {{ contact.first_name }}</p>' });
});

describe('sending a campaign', () => {
  it('runs end to end: API schedule → cron claim at the hour → fan-out → real SMTP → sent with its progress', async () => {
    const members = [await addMember('e2e'), await addMember('e2e'), await addMember('e2e')];
    const unsubscribed = await addMember('e2e', { email_consent: 'unsubscribed' });
    const { campaign } = await (await postApi(key, '/campaigns', { name: 'Snow boots', contentId: designId, audience: vipAudience('e2e') })).json<{ campaign: Campaign }>();
    // Two minutes from now, as the merchant picks it: a wall time in the workspace's zone.
    const sendAt = utcToZonedLocal(Date.now() + 120_000, 'Europe/Paris');
    const scheduled = (await (await postApi(key, `/campaigns/${campaign.id}/schedule`, { sendAt })).json<{ campaign: Campaign }>()).campaign;
    expect(scheduled.status).toBe('scheduled');

    // A tick before the hour starts nothing; the tick at the hour does.
    await runCronTick(env, scheduled.scheduledAt - 60_000);
    expect((await getCampaign(campaign.id)).status).toBe('scheduled');
    await runCronTick(env, scheduled.scheduledAt);
    expect((await getCampaign(campaign.id)).status).toBe('sending');

    for (const member of members) {
      const email = await waitForEmail(member.email);
      expect(email.subject).toBe('Snow boots for Kim');
      expect(email.headers['list-unsubscribe-post']).toBe('List-Unsubscribe=One-Click');
    }
    const sent = await untilSent(campaign.id);
    expect(sent.progress).toEqual({ recipients: 3, pending: 0, sent: 3, failed: 0, skipped: 0, unknown: 0, cancelled: 0 });
    expect(await receivedFor(unsubscribed.email)).toEqual([]);
    for (const member of members) expect(await receivedFor(member.email)).toHaveLength(1);
  });

  it('starts a due campaign once however many cron ticks overlap', async () => {
    const members = [await addMember('overlap'), await addMember('overlap')];
    const id = await dueCampaign('overlap');
    const db = openDb(env.DB);
    const now = Date.now();
    const claims = await Promise.all([startDueCampaigns(db, env, now), startDueCampaigns(db, env, now), startDueCampaigns(db, env, now)]);
    expect(claims.reduce((sum, n) => sum + n, 0)).toBe(1);
    await untilSent(id);
    for (const member of members) expect(await receivedFor(member.email)).toHaveLength(1);
    expect(await deliveriesOf(id)).toHaveLength(2);
  });

  it('evaluates the audience when it sends: a contact who joins after scheduling is included, one who unsubscribed is not', async () => {
    const early = await addMember('late');
    const leaving = await addMember('late');
    const id = await dueCampaign('late');
    // After scheduling, before the tick: one joins, one unsubscribes, one address is suppressed.
    const late = await addMember('late');
    const suppressed = await addMember('late');
    await env.DB.prepare("UPDATE contacts SET email_consent = 'unsubscribed' WHERE id = ?").bind(leaving.id).run();
    await env.DB.prepare("INSERT INTO suppressions (workspace_id, channel, address, reason, created_at) VALUES (?, 'email', ?, 'hard_bounce', ?)")
      .bind(merchant.workspaceId, suppressed.email, Date.now())
      .run();
    await runCronTick(env, Date.now());
    await untilSent(id);
    expect((await deliveriesOf(id)).map((d) => d.contact_id).sort()).toEqual([early.id, late.id].sort());
    expect(await receivedFor(late.email)).toHaveLength(1);
    expect(await receivedFor(leaving.email)).toEqual([]);
    expect(await receivedFor(suppressed.email)).toEqual([]);
  });

  it('sends to contacts who never opted in only when the filter is "all customers", never to the unsubscribed', async () => {
    const optedIn = await addMember('filter');
    const neverAsked = await addMember('filter', { email_consent: 'not_subscribed' });
    const optedOut = await addMember('filter', { email_consent: 'unsubscribed' });
    const id = await dueCampaign('filter', 'all');
    await runCronTick(env, Date.now());
    const sent = await untilSent(id);
    expect(sent.progress.sent).toBe(2);
    expect(await receivedFor(optedIn.email)).toHaveLength(1);
    expect(await receivedFor(neverAsked.email)).toHaveLength(1);
    expect(await receivedFor(optedOut.email)).toEqual([]);
  });

  it('skips (and counts) a contact who unsubscribes between the fan-out and the send', async () => {
    const member = await addMember('between');
    const id = await dueCampaign('between');
    await env.DB.prepare("UPDATE campaigns SET status = 'sending' WHERE id = ?").bind(id).run();
    // The page writes the delivery; the contact unsubscribes before its send message is handled.
    await env.DB.prepare(
      "INSERT INTO deliveries (id, workspace_id, contact_id, channel, source_type, source_id, step_key, occurrence_key, content_id, status, queued_at, updated_at) VALUES (?, ?, ?, 'email', 'campaign', ?, '', '', ?, 'queued', ?, ?)",
    )
      .bind(`d-between-${member.id}`, merchant.workspaceId, member.id, id, designId, Date.now(), Date.now())
      .run();
    await env.DB.prepare("UPDATE contacts SET email_consent = 'unsubscribed' WHERE id = ?").bind(member.id).run();
    await worker.queue(
      createMessageBatch('marketing-sends', [
        { id: 'between-1', timestamp: new Date(), attempts: 1, body: { type: 'send-delivery', workspaceId: merchant.workspaceId, deliveryId: `d-between-${member.id}` } },
      ]),
      env,
    );
    expect(await deliveriesOf(id)).toEqual([{ contact_id: member.id, status: 'skipped', reason: 'Email consent is "unsubscribed"' }]);
    await env.DB.prepare('UPDATE campaigns SET fan_out_done = 1 WHERE id = ?').bind(id).run();
    expect((await untilSent(id)).progress).toMatchObject({ recipients: 1, skipped: 1, sent: 0 });
  });

  it('gets the sends of a page out when its invocation died after writing the deliveries and moving the cursor', async () => {
    const members = [await addMember('crash'), await addMember('crash')];
    const id = await dueCampaign('crash');
    // What a page that died half-way leaves: queued deliveries, the cursor moved, no send messages.
    await env.DB.prepare("UPDATE campaigns SET status = 'sending', fan_out_cursor = ?, fan_out_done = 1 WHERE id = ?")
      .bind([...members].sort((a, b) => (a.id < b.id ? -1 : 1)).at(-1)!.id, id)
      .run();
    for (const member of members) {
      await env.DB.prepare(
        "INSERT INTO deliveries (id, workspace_id, contact_id, channel, source_type, source_id, step_key, occurrence_key, content_id, status, queued_at, updated_at) VALUES (?, ?, ?, 'email', 'campaign', ?, '', '', ?, 'queued', ?, ?)",
      )
        .bind(`d-crash-${member.id}`, merchant.workspaceId, member.id, id, designId, Date.now(), Date.now())
        .run();
    }
    // The queue retries the page message.
    await worker.queue(
      createMessageBatch('marketing-sends', [
        { id: 'crash-retry', timestamp: new Date(), attempts: 2, body: { type: 'fan-out-page', workspaceId: merchant.workspaceId, campaignId: id, afterContactId: null } },
      ]),
      env,
    );
    expect((await untilSent(id)).progress).toMatchObject({ recipients: 2, sent: 2 });
    for (const member of members) expect(await receivedFor(member.email)).toHaveLength(1);
  });

  it('writes each delivery once and enqueues the next page once when a page message is delivered twice', async () => {
    const tag = 'pages';
    const statements = [];
    const now = Date.now();
    // One page and one more contact, inserted in one batch.
    for (let i = 0; i <= FAN_OUT_PAGE_SIZE; i++) {
      const id = `c-pages-${String(i).padStart(4, '0')}-${now}`;
      statements.push(
        env.DB.prepare("INSERT INTO contacts (id, workspace_id, email, email_consent, created_at, updated_at) VALUES (?, ?, ?, 'subscribed', ?, ?)").bind(
          id,
          merchant.workspaceId,
          `pages-${i}-${now}@shop.example`,
          now,
          now,
        ),
      );
      statements.push(env.DB.prepare('INSERT INTO contact_tags (workspace_id, contact_id, tag) VALUES (?, ?, ?)').bind(merchant.workspaceId, id, tag));
    }
    await env.DB.batch(statements);
    const id = await dueCampaign(tag);
    await env.DB.prepare("UPDATE campaigns SET status = 'sending' WHERE id = ?").bind(id).run();
    const page = { type: 'fan-out-page', workspaceId: merchant.workspaceId, campaignId: id, afterContactId: null };
    // The same message twice in one batch, then once more on its own: at-least-once delivery at its worst.
    await worker.queue(
      createMessageBatch('marketing-sends', [
        { id: 'page-a', timestamp: new Date(), attempts: 1, body: page },
        { id: 'page-b', timestamp: new Date(), attempts: 1, body: page },
      ]),
      env,
    );
    await worker.queue(createMessageBatch('marketing-sends', [{ id: 'page-c', timestamp: new Date(), attempts: 2, body: page }]), env);
    const sent = await untilSent(id);
    expect(sent.progress).toMatchObject({ recipients: FAN_OUT_PAGE_SIZE + 1, sent: FAN_OUT_PAGE_SIZE + 1 });
    const perContact = await env.DB.prepare("SELECT COUNT(*) AS n, COUNT(DISTINCT contact_id) AS contacts FROM deliveries WHERE source_type = 'campaign' AND source_id = ?")
      .bind(id)
      .first<{ n: number; contacts: number }>();
    expect(perContact).toEqual({ n: FAN_OUT_PAGE_SIZE + 1, contacts: FAN_OUT_PAGE_SIZE + 1 });
    expect(await receivedFor(`pages-${FAN_OUT_PAGE_SIZE}-${now}@shop.example`)).toHaveLength(1);
    expect(await receivedFor(`pages-0-${now}@shop.example`)).toHaveLength(1);
  });
});

describe('the postal address at send time', () => {
  it('holds a due email campaign whose workspace removed its postal address, with the reason on its page, while another workspace’s due campaign starts in the same tick', async () => {
    const bare = await signUpMerchant('Address Removed');
    await trustWorkspace(bare.workspaceId);
    const bareKey = await createApiKey(bare);
    const bareDesign = await insertEmailContent(bare.workspaceId, { subject: 'Held sale', html: '<p>Hello</p>' });
    const bareMembers = await Promise.all(
      ['held', 'held'].map(async (tag) => {
        const email = uniqueEmail(tag);
        const id = await insertContact(bare.workspaceId, { email });
        await tagContact(bare.workspaceId, id, tag);
        return email;
      }),
    );
    // Scheduled while the address was set (the builder's check passes), then the address is removed.
    const { campaign: held } = await (await postApi(bareKey, '/campaigns', { name: 'Held', contentId: bareDesign, audience: vipAudience('held') })).json<{ campaign: Campaign }>();
    const sendAt = utcToZonedLocal(Date.now() + 120_000, 'Europe/Paris');
    const scheduled = (await (await postApi(bareKey, `/campaigns/${held.id}/schedule`, { sendAt })).json<{ campaign: Campaign }>()).campaign;
    expect(scheduled.status).toBe('scheduled');
    expect((await patchApi(bareKey, '/workspace', { postalAddress: null })).status).toBe(200);
    // A text of the same workspace is due too: texts carry no footer, so it starts.
    const now = Date.now();
    await env.DB.batch([
      env.DB.prepare("INSERT INTO contents (id, workspace_id, channel, name, created_at, updated_at) VALUES ('held-text', ?, 'sms', 'Text', ?, ?)").bind(bare.workspaceId, now, now),
      env.DB.prepare("INSERT INTO sms_contents (id, workspace_id, body) VALUES ('held-text', ?, 'Sale on')").bind(bare.workspaceId),
      env.DB.prepare(
        "INSERT INTO campaigns (id, workspace_id, name, channel, status, content_id, audience_rules, sending_filter, scheduled_at, fan_out_done, recipients, created_at, updated_at) VALUES ('held-sms', ?, 'Text', 'sms', 'scheduled', 'held-text', ?, 'subscribed', ?, 0, 0, ?, ?)",
      ).bind(bare.workspaceId, JSON.stringify(vipAudience('nobody-texted').definition), now - 1000, now, now),
    ]);
    // Another workspace, with its address, has a campaign due at the same tick.
    const member = await addMember('addressed');
    const addressed = await dueCampaign('addressed');

    const results = await runCronTick(env, scheduled.scheduledAt);
    expect(results.find((result) => result.name === 'start-due-campaigns')).toMatchObject({ ok: true });
    expect((await getCampaign(addressed)).status).toBe('sending');
    const text = await env.DB.prepare("SELECT status FROM campaigns WHERE id = 'held-sms'").first<string>('status');
    expect(['sending', 'sent']).toContain(text);

    const view = (await (await callApi(bareKey, `/campaigns/${held.id}`)).json<{ campaign: Campaign & { startedAt: number | null; pausedAt: number | null; pauseReason: string | null } }>()).campaign;
    expect(view).toMatchObject({ status: 'paused', startedAt: null, pausedAt: scheduled.scheduledAt });
    expect(view.pauseReason).toBe(
      'Not started at its scheduled time: its email would go out without your postal address in the footer. Add your postal address in Settings: anti-spam law (CAN-SPAM) requires it in the footer of every marketing email; then resume it to send it now.',
    );
    // Later ticks leave it held.
    await runCronTick(env, scheduled.scheduledAt + 60_000);
    expect((await (await callApi(bareKey, `/campaigns/${held.id}`)).json<{ campaign: Campaign }>()).campaign.status).toBe('paused');
    expect(await deliveriesOf(held.id)).toEqual([]);

    // The merchant sees why on the campaign page, with the link that fixes it.
    const page = await (await bare.client.get(`/app/marketing/campaigns/${held.id}`)).text();
    expect(page).toContain('Held by the platform at ');
    expect(page).toContain('Not started at its scheduled time: its email would go out without your postal address in the footer.');
    expect(page).toContain('href="/app/settings#general-heading"');

    // Resuming is refused until the address is back, then sends it.
    const refused = await postApi(bareKey, `/campaigns/${held.id}/resume`);
    expect(refused.status).toBe(400);
    expect((await apiErrorOf(refused)).issues?.map((issue) => issue.path)).toEqual(['postalAddress']);
    const refusedPage = await bare.client.post(`/app/marketing/campaigns/${held.id}/resume`, {});
    expect(refusedPage.status).toBe(400);
    expect(await refusedPage.text()).toContain('Add your postal address in Settings');
    expect((await patchApi(bareKey, '/workspace', { postalAddress: '2 Harbour Road, Leith' })).status).toBe(200);
    const resumed = await postApi(bareKey, `/campaigns/${held.id}/resume`);
    expect(resumed.status, await resumed.clone().text()).toBe(200);
    expect((await resumed.json<{ campaign: { status: string; startedAt: number | null } }>()).campaign).toMatchObject({ status: 'sending', startedAt: expect.any(Number) });
    for (const email of bareMembers) await waitForEmail(email);
    await untilSent(addressed);
    expect(await receivedFor(member.email)).toHaveLength(1);
  });

  it('lets the merchant pause only a sending campaign: a scheduled one is unscheduled instead', async () => {
    const res = await postApi(key, '/campaigns', { name: 'Not yet', contentId: designId, audience: vipAudience('not-yet') });
    const { campaign } = await res.json<{ campaign: { id: string } }>();
    const sendAt = utcToZonedLocal(Date.now() + 3_600_000, 'Europe/Paris');
    expect((await postApi(key, `/campaigns/${campaign.id}/schedule`, { sendAt })).status).toBe(200);
    const pause = await postApi(key, `/campaigns/${campaign.id}/pause`);
    expect(pause.status).toBe(409);
    expect((await apiErrorOf(pause)).message).toBe('Only a sending campaign can be paused. This campaign is scheduled: unschedule it to keep it from going out.');
    expect((await getCampaign(campaign.id)).status).toBe('scheduled');
  });
});
