import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { insertContact } from '../helpers/data';
import { signUpMerchant } from '../helpers/factories';

describe('/app/segments', () => {
  it('saves a segment from the builder form and lists it', async () => {
    const merchant = await signUpMerchant();
    await insertContact(merchant.workspaceId, { total_spent_cents: 50000 });
    await merchant.client.get('/app/segments/new');
    const definition = JSON.stringify({ match: 'all', children: [{ field: 'totalSpent', op: 'gte', value: 10000 }] });
    const res = await merchant.client.post('/app/segments', { name: 'Big spenders', description: '', definition });
    expect(res.status).toBe(303);
    const id = res.headers.get('location')!.split('/').pop()!;
    const list = await (await merchant.client.get('/app/segments')).text();
    expect(list).toContain('Big spenders');
    const count = await merchant.client.request(`/app/segments/${id}/count`, { headers: { accept: 'application/json' } });
    expect(await count.json()).toEqual({ count: 1 });
    const builder = await (await merchant.client.get(`/app/segments/${id}`)).text();
    expect(builder).toContain('segment-builder.js');
    expect(builder).toContain('&quot;totalSpent&quot;');
  });

  it('re-renders the builder naming the bad rule, saving nothing', async () => {
    const merchant = await signUpMerchant();
    await merchant.client.get('/app/segments/new');
    const res = await merchant.client.post('/app/segments', { name: 'Broken', definition: '{"match":"all","children":[{"field":"nope"}]}' });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('definition.children.0.field');
    expect(await env.DB.prepare('SELECT count(*) AS n FROM segments WHERE workspace_id = ?').bind(merchant.workspaceId).first('n')).toBe(0);
  });

  it('answers the live preview as JSON, with CSRF checked from the header', async () => {
    const merchant = await signUpMerchant();
    await insertContact(merchant.workspaceId);
    await merchant.client.get('/app/segments/new');
    const preview = (token: string) =>
      merchant.client.request('/app/segments/preview', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', 'x-csrf-token': token, origin: merchant.client.origin },
        body: JSON.stringify({ definition: { match: 'all', children: [] } }),
      });
    const ok = await preview(merchant.client.csrfToken);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ count: 1 });
    const forged = await preview('forged');
    expect(forged.status).toBe(403);
    expect((await forged.json<{ error: { code: string } }>()).error.code).toBe('forbidden');
  });
});
