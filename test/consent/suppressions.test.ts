import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { callApi, createApiKey, signUpMerchant } from '../helpers/factories';

describe('the suppression list', () => {
  it('adds, lists and removes addresses in Settings, with the reason', async () => {
    const merchant = await signUpMerchant();
    await merchant.client.get('/app/settings/suppressions');
    expect((await merchant.client.post('/app/settings/suppressions', { email: 'Angry@Example.com', reason: 'complaint', detail: 'Called support' })).status).toBe(303);
    const page = await (await merchant.client.get('/app/settings/suppressions')).text();
    expect(page).toContain('angry@example.com');
    expect(page).toContain('Spam complaint');
    expect(page).toContain('Called support');
    expect((await merchant.client.post('/app/settings/suppressions/remove', { email: 'angry@example.com' })).status).toBe(303);
    expect(await env.DB.prepare('SELECT count(*) AS n FROM suppressions WHERE workspace_id = ?').bind(merchant.workspaceId).first('n')).toBe(0);
  });

  it('is available through the API, and names a bad email', async () => {
    const merchant = await signUpMerchant();
    const key = await createApiKey(merchant);
    const post = (body: unknown) => callApi(key, '/suppressions', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await post({ email: 'gone@example.com', reason: 'hard_bounce' })).status).toBe(201);
    const bad = await post({ email: 'nope' });
    expect(bad.status).toBe(400);
    expect((await bad.json<{ error: { issues: { path: string }[] } }>()).error.issues[0]!.path).toBe('email');
    const list = await (await callApi(key, '/suppressions?q=gone')).json<{ suppressions: { email: string; reason: string }[] }>();
    expect(list.suppressions).toEqual([expect.objectContaining({ email: 'gone@example.com', reason: 'hard_bounce' })]);
    expect((await callApi(key, '/suppressions/gone@example.com', { method: 'DELETE' })).status).toBe(204);
    expect((await callApi(key, '/suppressions/gone@example.com', { method: 'DELETE' })).status).toBe(404);
  });
});
