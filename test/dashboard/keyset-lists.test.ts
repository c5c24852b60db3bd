// Lists paged by cursor end on their last full page: no "next" link to an empty page.
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { insertContact, tagContact } from '../helpers/data';
import { callApi, createApiKey, postApi, signUpMerchant } from '../helpers/factories';

describe('keyset-paged lists', () => {
  it('shows no next page under a suppression list of exactly one full page (50), and one under 51', async () => {
    const merchant = await signUpMerchant();
    const insert = (i: number) =>
      env.DB.prepare("INSERT INTO suppressions (workspace_id, channel, address, reason, created_at) VALUES (?, 'email', ?, 'manual', ?)").bind(
        merchant.workspaceId,
        `s${String(i).padStart(3, '0')}@example.com`,
        Date.now(),
      );
    await env.DB.batch(Array.from({ length: 50 }, (_, i) => insert(i)));
    const full = await (await merchant.client.get('/app/settings/suppressions')).text();
    expect(full).toContain('s049@example.com');
    expect(full).not.toContain('Next page');
    await insert(50).run();
    const more = await (await merchant.client.get('/app/settings/suppressions')).text();
    expect(more).toContain('Next page');
    const last = await (await merchant.client.get('/app/settings/suppressions?cursor=s049%40example.com')).text();
    expect(last).toContain('s050@example.com');
    expect(last).not.toContain('Next page');
  });

  it('ends segment members on the last full page through the API', async () => {
    const merchant = await signUpMerchant();
    const key = await createApiKey(merchant);
    for (let i = 0; i < 4; i++) await tagContact(merchant.workspaceId, await insertContact(merchant.workspaceId), 'vip');
    const { segment } = await (await postApi(key, '/segments', { name: 'VIPs', definition: { match: 'all', children: [{ field: 'tags', op: 'hasAny', tags: ['vip'] }] } })).json<{
      segment: { id: string };
    }>();
    type Page = { members: { id: string }[]; nextCursor: string | null };
    const first = await (await callApi(key, `/segments/${segment.id}/members?limit=2`)).json<Page>();
    expect(first.members).toHaveLength(2);
    expect(first.nextCursor).toBe(first.members[1]!.id);
    const second = await (await callApi(key, `/segments/${segment.id}/members?limit=2&cursor=${first.nextCursor}`)).json<Page>();
    expect(second.members).toHaveLength(2);
    expect(second.nextCursor).toBeNull();
  });
});
