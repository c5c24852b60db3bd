// Windowed spend and NOT groups through the API, the campaign audience count and the
// dashboard, and the member list a segment page shows (consent and spend, with the count).
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { DAY } from '../../src/lib/time';
import { newId } from '../../src/lib/ids';
import { insertContact, insertOrder, tagContact } from '../helpers/data';
import { apiErrorOf, callApi, createApiKey, postApi, signUpMerchant, type Merchant } from '../helpers/factories';

let merchant: Merchant;
let key: string;
const ids: Record<string, string> = {};

// "Spent over 100 in the last 90 days AND NOT tagged vip", in minor units.
const recentNotVip = {
  match: 'all',
  children: [
    { field: 'totalSpent', op: 'gt', value: 10000, withinDays: 90 },
    { match: 'any', not: true, children: [{ field: 'tags', op: 'hasAny', tags: ['vip'] }] },
  ],
};

beforeAll(async () => {
  merchant = await signUpMerchant('Segment members');
  key = await createApiKey(merchant);
  const now = Date.now();
  const ws = merchant.workspaceId;
  ids.recent = await insertContact(ws, { email: `recent-${now}@example.com`, first_name: 'Rita', sms_consent: 'subscribed', phone: '+14155550101', total_spent_cents: 12500, order_count: 1 });
  ids.recentVip = await insertContact(ws, { total_spent_cents: 20000, order_count: 1 });
  ids.old = await insertContact(ws, { total_spent_cents: 30000, order_count: 1 });
  ids.unsubscribed = await insertContact(ws, { email_consent: 'unsubscribed', total_spent_cents: 11000, order_count: 1 });
  await insertOrder(ws, ids.recent, { placedAt: now - 10 * DAY, totalCents: 12500 });
  await insertOrder(ws, ids.recentVip, { placedAt: now - 5 * DAY, totalCents: 20000 });
  await insertOrder(ws, ids.old, { placedAt: now - 120 * DAY, totalCents: 30000 });
  await insertOrder(ws, ids.unsubscribed, { placedAt: now - 20 * DAY, totalCents: 11000 });
  await tagContact(ws, ids.recentVip, 'VIP');
  // Another workspace's big spender, untagged: a NOT group must not bring it in.
  const other = await signUpMerchant('Segment members other');
  await insertOrder(other.workspaceId, await insertContact(other.workspaceId), { placedAt: now - DAY, totalCents: 99900 });
});

type Member = { id: string; email: string | null; emailConsent: string; smsConsent: string; totalSpentCents: number };

describe('windowed rules and NOT groups through the API', () => {
  it('saves "spent over 100 in the last 90 days and not tagged vip" and lists its members with consent and spend', async () => {
    const created = await postApi(key, '/segments', { name: 'Recent, not VIP', definition: recentNotVip });
    expect(created.status).toBe(201);
    const { segment } = await created.json<{ segment: { id: string; definition: unknown } }>();
    expect(segment.definition).toEqual(recentNotVip);
    const read = await (await callApi(key, `/segments/${segment.id}`)).json<{ segment: { count: number } }>();
    expect(read.segment.count).toBe(2);
    const { members } = await (await callApi(key, `/segments/${segment.id}/members`)).json<{ members: Member[] }>();
    expect(members.map((m) => m.id).sort()).toEqual([ids.recent, ids.unsubscribed].sort());
    expect(members.find((m) => m.id === ids.recent)).toMatchObject({ emailConsent: 'subscribed', smsConsent: 'subscribed', totalSpentCents: 12500, orderCount: 1, phone: '+14155550101' });
  });

  it('counts a campaign audience with a windowed rule through the same compiler, consent applied on top', async () => {
    const count = async (sendingFilter: string) => {
      const res = await postApi(key, '/campaigns/audience-count', { audience: { type: 'rules', definition: recentNotVip }, sendingFilter });
      expect(res.status, await res.clone().text()).toBe(200);
      return (await res.json<{ count: number }>()).count;
    };
    expect(await count('all')).toBe(1);
    const windowOnly = await postApi(key, '/campaigns/audience-count', {
      audience: { type: 'rules', definition: { match: 'all', children: [{ field: 'orderCount', op: 'gte', value: 1, withinDays: 30 }] } },
      sendingFilter: 'subscribed',
    });
    expect((await windowOnly.json<{ count: number }>()).count).toBe(2);
  });

  it('reads and counts a definition saved before windows and NOT groups existed', async () => {
    const id = newId();
    const saved = '{"match":"all","children":[{"field":"totalSpent","op":"gte","value":20000},{"match":"any","children":[{"field":"tags","op":"hasNone","tags":["vip"]}]}]}';
    await env.DB.prepare('INSERT INTO segments (id, workspace_id, name, definition, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)')
      .bind(id, merchant.workspaceId, 'Saved long ago', saved, 1, 1)
      .run();
    const read = await callApi(key, `/segments/${id}`);
    expect(read.status).toBe(200);
    const { segment } = await read.json<{ segment: { count: number; definition: unknown } }>();
    expect(segment).toMatchObject({ count: 1, definition: JSON.parse(saved) });
    expect((await merchant.client.get(`/app/segments/${id}`)).status).toBe(200);
  });

  it('names a bad window in a 400 and refuses NOT groups past the depth limit, saving nothing', async () => {
    const before = await env.DB.prepare('SELECT count(*) AS n FROM segments WHERE workspace_id = ?').bind(merchant.workspaceId).first('n');
    const zero = await postApi(key, '/segments', { name: 'Zero window', definition: { match: 'all', children: [{ field: 'orderCount', op: 'gte', value: 1, withinDays: 0 }] } });
    expect(zero.status).toBe(400);
    expect((await apiErrorOf(zero)).issues![0]!.path).toBe('definition.children.0.withinDays');
    let deep: unknown = { field: 'registered', op: 'is', value: true };
    for (let i = 0; i < 5; i++) deep = { match: 'all', not: true, children: [deep] };
    const tooDeep = await postApi(key, '/segments', { name: 'Too deep', definition: deep });
    expect(tooDeep.status).toBe(400);
    expect((await apiErrorOf(tooDeep)).issues).toContainEqual({ path: 'definition', message: expect.stringMatching(/nest at most 4 deep/) });
    const tooLong = await postApi(key, '/segments/preview', { definition: { match: 'all', not: true, children: Array.from({ length: 41 }, () => ({ field: 'registered', op: 'is', value: true })) } });
    expect(tooLong.status).toBe(400);
    expect((await apiErrorOf(tooLong)).issues![0]!.path).toMatch(/^definition/);
    expect(await env.DB.prepare('SELECT count(*) AS n FROM segments WHERE workspace_id = ?').bind(merchant.workspaceId).first('n')).toBe(before);
  });
});

describe('/app/segments/:id members', () => {
  it('saves the rules from the builder form and lists the members: contact, consent per channel, spend, and the count', async () => {
    await merchant.client.get('/app/segments/new');
    const res = await merchant.client.post('/app/segments', { name: 'Recent from the form', description: '', definition: JSON.stringify(recentNotVip) });
    expect(res.status).toBe(303);
    const page = await (await merchant.client.get(res.headers.get('location')!)).text();
    expect(page).toContain('2 contacts match the saved rules now.');
    expect(page).toContain(`/app/contacts/${ids.recent}`);
    expect(page).toContain('Rita');
    expect(page).toContain('+14155550101');
    expect(page).toContain('Email: Subscribed');
    expect(page).toContain('SMS: Subscribed');
    expect(page).toContain('Email: Unsubscribed');
    expect(page).toContain('$125.00');
    expect(page).not.toContain(`/app/contacts/${ids.recentVip}`);
    expect(page).not.toContain(`/app/contacts/${ids.old}`);
  });

  it('pages the members 50 at a time with a cursor', async () => {
    const shop = await signUpMerchant('Many members');
    for (let i = 0; i < 51; i++) await insertContact(shop.workspaceId);
    await shop.client.get('/app/segments/new');
    const saved = await shop.client.post('/app/segments', { name: 'Everyone', description: '', definition: '{"match":"all","children":[]}' });
    const url = saved.headers.get('location')!;
    const first = await (await shop.client.get(url)).text();
    expect(first).toContain('51 contacts match');
    expect(first.match(/href="\/app\/contacts\/[0-9A-Z]{26}"/g)).toHaveLength(50);
    const next = /href="(\/app\/segments\/[0-9A-Z]{26}\?cursor=[0-9A-Z]{26})#segment-members-title"/.exec(first)![1]!;
    const second = await (await shop.client.get(next)).text();
    expect(second.match(/href="\/app\/contacts\/[0-9A-Z]{26}"/g)).toHaveLength(1);
    expect(second).toContain('First page');
    expect((await shop.client.get(`${url}?cursor=${'x'.repeat(41)}`)).status).toBe(400);
  });

  it("answers 404 for another workspace's segment", async () => {
    const { segment } = await (await postApi(key, '/segments', { name: 'Mine', definition: recentNotVip })).json<{ segment: { id: string } }>();
    const stranger = await signUpMerchant('Stranger');
    expect((await stranger.client.get(`/app/segments/${segment.id}`)).status).toBe(404);
  });
});
