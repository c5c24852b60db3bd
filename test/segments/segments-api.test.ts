import { beforeAll, describe, expect, it } from 'vitest';
import { insertContact, tagContact } from '../helpers/data';
import { callApi, createApiKey, patchApi, postApi, signUpMerchant, type Merchant } from '../helpers/factories';

let merchant: Merchant;
let key: string;

const vips = { match: 'all', children: [{ field: 'tags', op: 'hasAny', tags: ['vip'] }] };

beforeAll(async () => {
  merchant = await signUpMerchant('Segment API');
  key = await createApiKey(merchant);
  for (let i = 0; i < 5; i++) await tagContact(merchant.workspaceId, await insertContact(merchant.workspaceId), 'vip');
  await insertContact(merchant.workspaceId);
});

describe('/api/v1/segments', () => {
  it('saves a segment, lists it, and reads it with its live count', async () => {
    const created = await postApi(key, '/segments', { name: 'VIPs', description: 'Tagged vip', definition: vips });
    expect(created.status).toBe(201);
    const { segment } = await created.json<{ segment: { id: string } }>();
    const list = await (await callApi(key, '/segments')).json<{ segments: { name: string }[] }>();
    expect(list.segments.map((s) => s.name)).toContain('VIPs');
    const read = await (await callApi(key, `/segments/${segment.id}`)).json<{ segment: { count: number; definition: unknown } }>();
    expect(read.segment.count).toBe(5);
    expect(read.segment.definition).toEqual(vips);
  });

  it('counts contacts who qualify after the segment was saved (evaluated when asked, not when built)', async () => {
    const { segment } = await (await postApi(key, '/segments', { name: 'Later', definition: vips })).json<{ segment: { id: string } }>();
    const before = (await (await callApi(key, `/segments/${segment.id}`)).json<{ segment: { count: number } }>()).segment.count;
    await tagContact(merchant.workspaceId, await insertContact(merchant.workspaceId), 'vip');
    const after = (await (await callApi(key, `/segments/${segment.id}`)).json<{ segment: { count: number } }>()).segment.count;
    expect(after).toBe(before + 1);
  });

  it('previews a definition: the count and a sample', async () => {
    const res = await postApi(key, '/segments/preview', { definition: vips });
    const body = await res.json<{ count: number; sample: { email: string }[] }>();
    expect(body.count).toBeGreaterThanOrEqual(5);
    expect(body.sample.length).toBe(Math.min(10, body.count));
  });

  it('pages members by id with a cursor, without repeats', async () => {
    const { segment } = await (await postApi(key, '/segments', { name: 'Pages', definition: vips })).json<{ segment: { id: string } }>();
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { members: { id: string }[]; nextCursor: string | null } = await (await callApi(key, `/segments/${segment.id}/members?limit=2${cursor ? `&cursor=${cursor}` : ''}`)).json();
      seen.push(...page.members.map((m) => m.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual([...seen].sort());
    expect(seen.length).toBeGreaterThanOrEqual(5);
  });

  it('names an unknown field or operator in a 400', async () => {
    const res = await postApi(key, '/segments', { name: 'Bad', definition: { match: 'all', children: [{ field: 'totalSpent', op: 'roughly', value: 1 }] } });
    expect(res.status).toBe(400);
    const body = await res.json<{ error: { issues: { path: string; message: string }[] } }>();
    expect(body.error.issues[0]!.path).toBe('definition.children.0.op');
  });

  it('updates and deletes', async () => {
    const { segment } = await (await postApi(key, '/segments', { name: 'Temp', definition: vips })).json<{ segment: { id: string } }>();
    const patched = await patchApi(key, `/segments/${segment.id}`, { name: 'Renamed' });
    expect((await patched.json<{ segment: { name: string } }>()).segment.name).toBe('Renamed');
    expect((await callApi(key, `/segments/${segment.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await callApi(key, `/segments/${segment.id}`)).status).toBe(404);
  });
});
