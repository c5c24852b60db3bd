import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { newId } from '../../src/lib/ids';
import { insertContact } from '../helpers/data';
import { insertEmailContent, insertQueuedDelivery } from '../helpers/deliveries';
import { addMember, trustWorkspace } from '../helpers/platform-trust';
import { signUpMerchant, uniqueEmail, type Merchant } from '../helpers/factories';
import { waitForEmail } from '../helpers/smtp-sink';

const CAMPAIGNS = '/app/marketing/campaigns';

/** Creates a draft through the new-campaign form; returns its id. */
async function createDraft(merchant: Merchant, name = 'Summer sale'): Promise<string> {
  await merchant.client.get(`${CAMPAIGNS}/new`);
  const res = await merchant.client.post(CAMPAIGNS, { name, channel: 'email' });
  expect(res.status, await res.clone().text()).toBe(303);
  return /\/campaigns\/([0-9A-Z]{26})/.exec(res.headers.get('location')!)![1]!;
}

function campaignRow(id: string) {
  return env.DB.prepare('SELECT * FROM campaigns WHERE id = ?').bind(id).first<Record<string, unknown>>();
}

/** A campaign that has finished sending, with one sent delivery. */
async function insertSentCampaign(workspaceId: string): Promise<string> {
  const id = newId();
  const now = Date.now();
  const contentId = await insertEmailContent(workspaceId, { subject: 'Hello', html: '<p>Hi</p>' });
  await env.DB.prepare(
    "INSERT INTO campaigns (id, workspace_id, name, channel, status, content_id, sending_filter, started_at, finished_at, fan_out_done, created_at, updated_at) VALUES (?, ?, 'Spring sale', 'email', 'sent', ?, 'subscribed', ?, ?, 1, ?, ?)",
  )
    .bind(id, workspaceId, contentId, now, now, now, now)
    .run();
  const contactId = await insertContact(workspaceId);
  const deliveryId = await insertQueuedDelivery(workspaceId, contactId, contentId, id);
  await env.DB.prepare("UPDATE deliveries SET status = 'sent' WHERE id = ?").bind(deliveryId).run();
  return id;
}

describe('/app/marketing/campaigns', () => {
  it('creates a draft from the new-campaign form and opens the builder at the audience step', async () => {
    const merchant = await signUpMerchant();
    const form = await (await merchant.client.get(`${CAMPAIGNS}/new`)).text();
    expect(form).toMatch(/value="sms"/);
    expect(form).not.toMatch(/value="sms"[^>]*disabled/);

    const unnamed = await merchant.client.post(CAMPAIGNS, { name: ' ', channel: 'email' });
    expect(unnamed.status).toBe(400);
    expect(await unnamed.text()).toContain('Name the campaign');

    const id = await createDraft(merchant);
    const builder = await merchant.client.get(`${CAMPAIGNS}/${id}?step=audience`);
    const html = await builder.text();
    expect(builder.status).toBe(200);
    expect(html).toContain('Who receives it');
    expect(html).toContain('Review &amp; confirm');
    expect(html).toContain('/segment-builder.js');
    expect(await campaignRow(id)).toMatchObject({ name: 'Summer sale', status: 'draft', channel: 'email' });
  });

  it('schedules a campaign built from a starter and lists it with its time in the workspace zone', async () => {
    const merchant = await signUpMerchant();
    await insertContact(merchant.workspaceId);
    const id = await createDraft(merchant);

    const starter = await merchant.client.post(`${CAMPAIGNS}/${id}/starter`, { starter: '' });
    expect(starter.headers.get('location')).toBe(`${CAMPAIGNS}/${id}?step=content&done=starter`);
    const contentId = (await campaignRow(id))!.content_id as string;
    expect(await env.DB.prepare('SELECT name FROM contents WHERE id = ?').bind(contentId).first('name')).toBe('Summer sale');
    const content = await (await merchant.client.get(`${CAMPAIGNS}/${id}?step=content`)).text();
    expect(content).toContain(`/app/marketing/designs/${contentId}/preview`);

    const review = await (await merchant.client.get(`${CAMPAIGNS}/${id}?step=review&when=later&sendAt=2030-01-15T09:00`)).text();
    expect(review).toContain('15 Jan 2030, 09:00 (Europe/Paris)');
    const scheduled = await merchant.client.post(`${CAMPAIGNS}/${id}/schedule`, { when: 'later', sendAt: '2030-01-15T09:00' });
    expect(scheduled.headers.get('location')).toBe(`${CAMPAIGNS}/${id}?done=scheduled`);
    // 09:00 in Paris in January is 08:00 UTC.
    expect(await campaignRow(id)).toMatchObject({ status: 'scheduled', scheduled_at: Date.UTC(2030, 0, 15, 8, 0) });

    const list = await (await merchant.client.get('/app/marketing')).text();
    expect(list).toContain('Summer sale');
    expect(list).toContain('<span class="badge info">Scheduled</span>');
    expect(list).toContain('15 Jan 2030, 09:00');
    expect(list).toContain('Times are in Europe/Paris');
  });

  it('takes a scheduled campaign off the schedule, then cancels it', async () => {
    const merchant = await signUpMerchant();
    const id = await createDraft(merchant);
    await merchant.client.post(`${CAMPAIGNS}/${id}/starter`, { starter: '' });
    await merchant.client.post(`${CAMPAIGNS}/${id}/schedule`, { when: 'later', sendAt: '2030-01-15T09:00' });

    const unscheduled = await merchant.client.post(`${CAMPAIGNS}/${id}/unschedule`);
    expect(unscheduled.status).toBe(303);
    expect(await campaignRow(id)).toMatchObject({ status: 'draft', scheduled_at: null });

    const cancelled = await merchant.client.post(`${CAMPAIGNS}/${id}/cancel`);
    expect(cancelled.headers.get('location')).toBe(`${CAMPAIGNS}/${id}?done=cancelled`);
    const page = await (await merchant.client.get(`${CAMPAIGNS}/${id}?done=cancelled`)).text();
    expect(page).toContain('Campaign cancelled.');
    expect(page).not.toContain('Save and continue');
    expect(page).not.toContain('Cancel campaign');
  });

  it('shows a missing or unknown segment on the audience step (400), saving nothing', async () => {
    const merchant = await signUpMerchant();
    const id = await createDraft(merchant);

    const unknown = await merchant.client.post(`${CAMPAIGNS}/${id}/audience`, { audience: 'segment', segmentId: 'no-such-segment', sendingFilter: 'all' });
    expect(unknown.status).toBe(400);
    const html = await unknown.text();
    expect(html).toContain('There is no such segment in this workspace');
    expect(html).toContain('Who receives it');

    const missing = await merchant.client.post(`${CAMPAIGNS}/${id}/audience`, { audience: 'segment', segmentId: '', sendingFilter: 'all' });
    expect(missing.status).toBe(400);
    expect(await missing.text()).toContain('Choose a segment');
    expect(await campaignRow(id)).toMatchObject({ segment_id: null, audience_rules: null, sending_filter: 'subscribed' });

    const definition = JSON.stringify({ match: 'all', children: [{ field: 'orderCount', op: 'gte', value: 1 }] });
    const saved = await merchant.client.post(`${CAMPAIGNS}/${id}/audience`, { audience: 'rules', definition, sendingFilter: 'all' });
    expect(saved.headers.get('location')).toBe(`${CAMPAIGNS}/${id}?step=content&done=audience`);
    expect(await campaignRow(id)).toMatchObject({ audience_rules: definition, sending_filter: 'all' });
  });

  it('answers the live audience count as JSON, with CSRF checked from the header', async () => {
    const merchant = await signUpMerchant();
    await insertContact(merchant.workspaceId);
    await insertContact(merchant.workspaceId, { email_consent: 'not_subscribed' });
    await merchant.client.get(`${CAMPAIGNS}/new`);
    const count = (sendingFilter: string, token = merchant.client.csrfToken) =>
      merchant.client.request(`${CAMPAIGNS}/audience-count`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', 'x-csrf-token': token, origin: merchant.client.origin },
        body: JSON.stringify({ channel: 'email', audience: { type: 'everyone' }, sendingFilter }),
      });
    expect(await (await count('subscribed')).json()).toEqual({ count: 1 });
    expect(await (await count('all')).json()).toEqual({ count: 2 });
    const forged = await count('all', 'forged');
    expect(forged.status).toBe(403);
  });

  it('test-sends the design to each address and shows each answer', async () => {
    const merchant = await signUpMerchant('Test Send Shop');
    const id = await createDraft(merchant);
    await merchant.client.post(`${CAMPAIGNS}/${id}/starter`, { starter: '' });
    // Test sends go only to the workspace's members (src/email/platform-sender-trust.ts).
    const [first, second] = [uniqueEmail('campaigntest'), uniqueEmail('campaigntest')];
    await trustWorkspace(merchant.workspaceId);
    await addMember(merchant.workspaceId, first);
    await addMember(merchant.workspaceId, second);

    const sent = await merchant.client.post(`${CAMPAIGNS}/${id}/test-send`, { to: `${first}, ${second}` });
    expect(sent.status).toBe(200);
    const html = await sent.text();
    expect(html.match(/accepted the message/g)).toHaveLength(2);
    expect((await waitForEmail(first)).subject).toBe('[Test] News from Test Send Shop');
    expect((await waitForEmail(second)).subject).toBe('[Test] News from Test Send Shop');

    const bad = await merchant.client.post(`${CAMPAIGNS}/${id}/test-send`, { to: `${first}, not-an-address` });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('not-an-address: Enter a valid email address');
  });

  it("neither shows nor changes another workspace's campaign", async () => {
    const owner = await signUpMerchant();
    const id = await createDraft(owner);
    const stranger = await signUpMerchant();
    expect((await stranger.client.get(`${CAMPAIGNS}/${id}`)).status).toBe(404);
    expect((await stranger.client.post(`${CAMPAIGNS}/${id}/audience`, { audience: 'everyone', sendingFilter: 'all' })).status).toBe(404);
    expect((await stranger.client.post(`${CAMPAIGNS}/${id}/cancel`)).status).toBe(404);
    expect(await campaignRow(id)).toMatchObject({ status: 'draft', sending_filter: 'subscribed' });
    expect(await (await stranger.client.get('/app/marketing')).text()).not.toContain('Summer sale');
  });

  it('lists 150 sent campaigns with their progress on the marketing page (more than D1 binds to one statement)', async () => {
    const merchant = await signUpMerchant('Busy Sender');
    const contentId = await insertEmailContent(merchant.workspaceId, { subject: 'Hello', html: '<p>Hi</p>' });
    const now = Date.now();
    await env.DB.prepare(
      `WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < 150)
       INSERT INTO campaigns (id, workspace_id, name, channel, status, content_id, sending_filter, started_at, finished_at, fan_out_done, created_at, updated_at)
       SELECT ?1 || printf('%06d', n), ?2, 'Weekly ' || n, 'email', 'sent', ?3, 'subscribed', ?4, ?4, 1, ?4 + n, ?4 FROM seq`,
    )
      .bind(newId().slice(0, 20), merchant.workspaceId, contentId, now)
      .run();
    const last = (await env.DB.prepare("SELECT id FROM campaigns WHERE workspace_id = ? AND name = 'Weekly 150'").bind(merchant.workspaceId).first<{ id: string }>())!.id;
    await insertQueuedDelivery(merchant.workspaceId, await insertContact(merchant.workspaceId), contentId, last);
    const page = await merchant.client.get('/app/marketing');
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Weekly 150');
    expect(html).toContain('Weekly 1<');
  });

  it('shows a sent campaign read-only with its progress, and refuses edits with the reason (409)', async () => {
    const merchant = await signUpMerchant();
    const id = await insertSentCampaign(merchant.workspaceId);

    const page = await merchant.client.get(`${CAMPAIGNS}/${id}`);
    const html = await page.text();
    expect(page.status).toBe(200);
    expect(html).toContain('<span class="badge success">Sent</span>');
    expect(html).toContain('data-progress-key="sent">1</dd>');
    expect(html).not.toContain(`action="${CAMPAIGNS}/${id}/`);
    expect(html).not.toContain('Cancel campaign');

    const progress = await merchant.client.request(`${CAMPAIGNS}/${id}/progress`, { headers: { accept: 'application/json' } });
    expect(await progress.json()).toEqual({ status: 'sent', progress: { recipients: 1, pending: 0, sent: 1, failed: 0, skipped: 0, unknown: 0, cancelled: 0 } });

    const edit = await merchant.client.post(`${CAMPAIGNS}/${id}/audience`, { audience: 'everyone', sendingFilter: 'all' });
    expect(edit.status).toBe(409);
    expect(await edit.text()).toContain('This campaign was sent; it can no longer be edited or rescheduled.');
    expect(await campaignRow(id)).toMatchObject({ status: 'sent', sending_filter: 'subscribed' });
    expect((await merchant.client.post(`${CAMPAIGNS}/${id}/cancel`)).status).toBe(409);

    const list = await (await merchant.client.get('/app/marketing')).text();
    expect(list).toContain('<span class="badge success">Sent</span>');
    expect(list).toContain('(100%)');
  });
});
