import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { insertContact, tagContact } from '../helpers/data';
import { insertEmailContent } from '../helpers/deliveries';
import { apiErrorOf, callApi, createApiKey, patchApi, postApi, signUpMerchant, uniqueEmail, type Merchant } from '../helpers/factories';
import { addMember, trustWorkspace } from '../helpers/platform-trust';
import { receivedFor } from '../helpers/smtp-sink';

type Campaign = { id: string; status: string; scheduledAt: number | null; scheduledLocal: string | null; scheduledTimeZone: string | null; audience: unknown; sendingFilter: string };

let merchant: Merchant;
let key: string;
let designId: string;

async function createCampaign(body: Record<string, unknown> = {}): Promise<Campaign> {
  const res = await postApi(key, '/campaigns', { name: 'Winter sale', contentId: designId, ...body });
  expect(res.status).toBe(201);
  return (await res.json<{ campaign: Campaign }>()).campaign;
}

beforeAll(async () => {
  merchant = await signUpMerchant('Campaign API');
  key = await createApiKey(merchant);
  designId = await insertEmailContent(merchant.workspaceId, { subject: 'Winter at {{ shop.name }}', html: '<p>Hello {{ contact.first_name | default: "there" }}</p>' });
});

describe('/api/v1/campaigns', () => {
  it('creates a draft with defaults, reads it back and lists it', async () => {
    const campaign = await createCampaign();
    expect(campaign).toMatchObject({ status: 'draft', audience: { type: 'everyone' }, sendingFilter: 'subscribed', scheduledAt: null });
    const read = await (await callApi(key, `/campaigns/${campaign.id}`)).json<{ campaign: Campaign & { progress: unknown } }>();
    expect(read.campaign.progress).toEqual({ recipients: 0, pending: 0, sent: 0, failed: 0, skipped: 0, unknown: 0, cancelled: 0 });
    const list = await (await callApi(key, '/campaigns')).json<{ campaigns: Campaign[] }>();
    expect(list.campaigns.map((c) => c.id)).toContain(campaign.id);
  });

  it('names the field of invalid input, and writes nothing', async () => {
    const before = await env.DB.prepare('SELECT COUNT(*) AS n FROM campaigns WHERE workspace_id = ?').bind(merchant.workspaceId).first('n');
    const cases: [unknown, string][] = [
      [{ name: '' }, 'name'],
      [{ name: 'X', channel: 'fax' }, 'channel'],
      [{ name: 'X', sendingFilter: 'everyone' }, 'sendingFilter'],
      [{ name: 'X', audience: { type: 'rules', definition: { match: 'all', children: [{ field: 'totalSpent', op: 'gt' }] } } }, 'audience.definition.children.0'],
      [{ name: 'X', contentId: 'no-such-design' }, 'contentId'],
      [{ name: 'X', audience: { type: 'segment', segmentId: 'no-such-segment' } }, 'audience.segmentId'],
    ];
    for (const [body, field] of cases) {
      const res = await postApi(key, '/campaigns', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect((await apiErrorOf(res)).issues!.map((issue) => issue.path).join(' ')).toContain(field);
    }
    expect(await env.DB.prepare('SELECT COUNT(*) AS n FROM campaigns WHERE workspace_id = ?').bind(merchant.workspaceId).first('n')).toBe(before);
  });

  it('refuses a sendAt that does not exist on the calendar (400 naming sendAt), instead of rolling it into the next month', async () => {
    const campaign = await createCampaign();
    for (const sendAt of ['2027-02-30T09:00', '2027-04-31T09:00', '2027-02-29T09:00', '2027-03-01T25:00']) {
      const res = await postApi(key, `/campaigns/${campaign.id}/schedule`, { sendAt });
      expect(res.status, sendAt).toBe(400);
      const error = await apiErrorOf(res);
      expect(error.issues!.map((issue) => issue.path)).toEqual(['sendAt']);
      expect(error.message).toContain('sendAt');
    }
    expect((await (await callApi(key, `/campaigns/${campaign.id}`)).json<{ campaign: Campaign }>()).campaign).toMatchObject({ status: 'draft', scheduledAt: null });
    // 29 February of a leap year exists.
    const leap = await postApi(key, `/campaigns/${campaign.id}/schedule`, { sendAt: '2028-02-29T09:00' });
    expect((await leap.json<{ campaign: Campaign }>()).campaign).toMatchObject({ status: 'scheduled', scheduledLocal: '2028-02-29T09:00' });
  });

  it('schedules at a wall-clock time in the workspace zone, across a DST change', async () => {
    // The workspace is in Europe/Paris: UTC+1 in winter, UTC+2 in summer.
    const winter = await createCampaign();
    const res = await postApi(key, `/campaigns/${winter.id}/schedule`, { sendAt: '2027-03-27T09:00' });
    expect(res.status).toBe(200);
    const scheduled = (await res.json<{ campaign: Campaign }>()).campaign;
    expect(scheduled).toMatchObject({ status: 'scheduled', scheduledLocal: '2027-03-27T09:00', scheduledTimeZone: 'Europe/Paris' });
    expect(new Date(scheduled.scheduledAt!).toISOString()).toBe('2027-03-27T08:00:00.000Z');

    const summer = await createCampaign();
    const after = (await (await postApi(key, `/campaigns/${summer.id}/schedule`, { sendAt: '2027-03-28T09:00' })).json<{ campaign: Campaign }>()).campaign;
    expect(new Date(after.scheduledAt!).toISOString()).toBe('2027-03-28T07:00:00.000Z');
  });

  it('reschedules and unschedules until it starts, and refuses a time in the past', async () => {
    const campaign = await createCampaign();
    await postApi(key, `/campaigns/${campaign.id}/schedule`, { sendAt: '2030-01-01T10:00' });
    const moved = (await (await postApi(key, `/campaigns/${campaign.id}/schedule`, { sendAt: '2030-01-02T11:30' })).json<{ campaign: Campaign }>()).campaign;
    expect(moved.scheduledLocal).toBe('2030-01-02T11:30');
    const past = await postApi(key, `/campaigns/${campaign.id}/schedule`, { sendAt: '2020-01-01T10:00' });
    expect(past.status).toBe(400);
    expect((await apiErrorOf(past)).issues![0]!.path).toBe('sendAt');
    const bad = await postApi(key, `/campaigns/${campaign.id}/schedule`, { sendAt: 'tomorrow' });
    expect((await apiErrorOf(bad)).issues![0]!.path).toBe('sendAt');
    const draft = (await (await postApi(key, `/campaigns/${campaign.id}/unschedule`)).json<{ campaign: Campaign }>()).campaign;
    expect(draft).toMatchObject({ status: 'draft', scheduledAt: null });
  });

  it('needs a design before it can be scheduled', async () => {
    const campaign = await createCampaign({ contentId: null });
    const res = await postApi(key, `/campaigns/${campaign.id}/schedule`, { sendAt: '2030-01-01T10:00' });
    expect(res.status).toBe(400);
    expect((await apiErrorOf(res)).issues![0]!.path).toBe('contentId');
  });

  it('cancels until it starts; a cancelled campaign cannot be edited or scheduled (409)', async () => {
    const campaign = await createCampaign();
    expect((await (await postApi(key, `/campaigns/${campaign.id}/cancel`)).json<{ campaign: Campaign }>()).campaign.status).toBe('cancelled');
    const edit = await patchApi(key, `/campaigns/${campaign.id}`, { name: 'Renamed' });
    expect(edit.status).toBe(409);
    expect((await apiErrorOf(edit)).message).toMatch(/cancelled/);
    expect((await postApi(key, `/campaigns/${campaign.id}/schedule`, { now: true })).status).toBe(409);
  });

  it('refuses to edit, reschedule or cancel a sent campaign with a clear 409', async () => {
    const campaign = await createCampaign();
    await env.DB.prepare("UPDATE campaigns SET status = 'sent' WHERE id = ?").bind(campaign.id).run();
    for (const res of [
      await patchApi(key, `/campaigns/${campaign.id}`, { name: 'Again' }),
      await postApi(key, `/campaigns/${campaign.id}/schedule`, { sendAt: '2030-01-01T10:00' }),
      await postApi(key, `/campaigns/${campaign.id}/cancel`),
    ]) {
      expect(res.status).toBe(409);
      expect((await apiErrorOf(res)).message).toBe('This campaign was sent; it can no longer be edited or rescheduled.');
    }
  });

  it('counts the audience the builder shows: segment rules, the sending filter, never the unsubscribed or suppressed', async () => {
    const shop = await signUpMerchant('Count shop');
    const countKey = await createApiKey(shop);
    const vip = async (fields: Record<string, unknown>) => tagContact(shop.workspaceId, await insertContact(shop.workspaceId, fields), 'vip');
    await vip({});
    await vip({ registered: 1 });
    await vip({ email_consent: 'not_subscribed' });
    await vip({ email_consent: 'unsubscribed' });
    const suppressed = uniqueEmail('suppressed');
    await vip({ email: suppressed });
    await env.DB.prepare("INSERT INTO suppressions (workspace_id, channel, address, reason, created_at) VALUES (?, 'email', ?, 'manual', ?)").bind(shop.workspaceId, suppressed, Date.now()).run();
    await insertContact(shop.workspaceId); // not a VIP
    const audience = { type: 'rules', definition: { match: 'all', children: [{ field: 'tags', op: 'hasAny', tags: ['vip'] }] } };
    const count = async (sendingFilter: string) =>
      (
        await (
          await callApi(countKey, '/campaigns/audience-count', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ audience, sendingFilter }) })
        ).json<{ count: number }>()
      ).count;
    expect(await count('subscribed')).toBe(2);
    expect(await count('all')).toBe(3);
    expect(await count('registered')).toBe(1);
  });

  it('test-sends the design to chosen addresses through the workspace sender', async () => {
    const campaign = await createCampaign();
    // Test sends go only to the workspace's members (src/email/platform-sender-trust.ts).
    const to = [merchant.email, uniqueEmail('qa-two')];
    await trustWorkspace(merchant.workspaceId);
    await addMember(merchant.workspaceId, to[1]!);
    const res = await postApi(key, `/campaigns/${campaign.id}/test-send`, { to });
    expect(res.status).toBe(200);
    const { results } = await res.json<{ results: { to: string; ok: boolean }[] }>();
    expect(results.map((r) => r.ok)).toEqual([true, true]);
    for (const address of to) await expect.poll(async () => (await receivedFor(address)).map((email) => email.subject)).toContain('[Test] Winter at Campaign API');
    const tooMany = await postApi(key, `/campaigns/${campaign.id}/test-send`, { to: ['a@x.io', 'b@x.io', 'c@x.io', 'd@x.io', 'e@x.io', 'f@x.io'] });
    expect((await apiErrorOf(tooMany)).issues![0]!.path).toBe('to');
  });

  it('keeps the design and segment a campaign uses: deleting them is a 409, not a broken campaign', async () => {
    const segment = (await (await postApi(key, '/segments', { name: 'Kept', definition: { match: 'all', children: [] } })).json<{ segment: { id: string } }>()).segment;
    const design = await insertEmailContent(merchant.workspaceId, { subject: 'Kept', html: '<p>Kept</p>' });
    await createCampaign({ contentId: design, audience: { type: 'segment', segmentId: segment.id } });
    const segmentDelete = await callApi(key, `/segments/${segment.id}`, { method: 'DELETE' });
    expect(segmentDelete.status).toBe(409);
    expect((await apiErrorOf(segmentDelete)).message).toMatch(/campaign uses this segment/);
    const designDelete = await callApi(key, `/email-designs/${design}`, { method: 'DELETE' });
    expect(designDelete.status).toBe(409);
  });

  it('is invisible to another workspace', async () => {
    const campaign = await createCampaign();
    const other = await createApiKey(await signUpMerchant('Other shop'));
    expect((await callApi(other, `/campaigns/${campaign.id}`)).status).toBe(404);
    expect((await callApi(other, `/campaigns/${campaign.id}/cancel`, { method: 'POST' })).status).toBe(404);
    const list = await (await callApi(other, '/campaigns')).json<{ campaigns: Campaign[] }>();
    expect(list.campaigns).toEqual([]);
  });
});
