import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { callApi, createApiKey, signUpMerchant } from '../helpers/factories';

describe('API keys', () => {
  it('shows a new key once, then lists only its name and prefix', async () => {
    const merchant = await signUpMerchant();
    const key = await createApiKey(merchant, 'Nightly sync');
    expect(key).toMatch(/^mk_[A-Za-z0-9_-]{43}$/);
    const page = await (await merchant.client.get('/app/settings')).text();
    expect(page).toContain('Nightly sync');
    expect(page).toContain(`${key.slice(0, 11)}…`);
    expect(page).not.toContain(key);
  });

  it('stores only a SHA-256 of the key', async () => {
    const merchant = await signUpMerchant();
    const key = await createApiKey(merchant);
    const row = await env.DB.prepare('SELECT key_hash, prefix FROM api_keys WHERE workspace_id = ?').bind(merchant.workspaceId).first<{ key_hash: string; prefix: string }>();
    expect(row!.key_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(row)).not.toContain(key);
  });

  it('authenticates /api/v1 as its workspace and records when it was last used', async () => {
    const merchant = await signUpMerchant('Keyed Store');
    const key = await createApiKey(merchant);
    const res = await callApi(key, '/workspace');
    expect(res.status).toBe(200);
    const body = await res.json<{ workspace: { id: string; name: string } }>();
    expect(body.workspace).toMatchObject({ id: merchant.workspaceId, name: 'Keyed Store' });
    await expect.poll(() => env.DB.prepare('SELECT last_used_at FROM api_keys WHERE workspace_id = ?').bind(merchant.workspaceId).first('last_used_at')).toBeGreaterThan(0);
  });

  it('stops working once revoked', async () => {
    const merchant = await signUpMerchant();
    const key = await createApiKey(merchant);
    const id = await env.DB.prepare('SELECT id FROM api_keys WHERE workspace_id = ?').bind(merchant.workspaceId).first<string>('id');
    const res = await merchant.client.post(`/app/settings/api-keys/${id}/revoke`);
    expect(res.status).toBe(303);
    const denied = await callApi(key, '/workspace');
    expect(denied.status).toBe(401);
    expect((await denied.json<{ error: { code: string } }>()).error.code).toBe('unauthorized');
    expect(await (await merchant.client.get('/app/settings')).text()).toContain('Revoked');
  });

  it('refuses missing, malformed and unknown keys', async () => {
    const { exports } = await import('cloudflare:workers');
    const none = await exports.default.fetch('https://marketing.example.com/api/v1/workspace');
    expect(none.status).toBe(401);
    expect((await callApi('mk_not-a-real-key', '/workspace')).status).toBe(401);
    expect((await callApi('sk_live_other_format', '/workspace')).status).toBe(401);
  });

  it('lets only owners create and revoke keys', async () => {
    const owner = await signUpMerchant();
    const member = await signUpMerchant();
    await env.DB.prepare("INSERT INTO memberships (workspace_id, user_id, role, created_at) VALUES (?, ?, 'editor', ?)").bind(owner.workspaceId, member.userId, Date.now()).run();
    await member.client.get('/app/settings');
    await member.client.post('/app/workspaces/switch', { workspaceId: owner.workspaceId });
    await member.client.get('/app/settings');
    const res = await member.client.post('/app/settings/api-keys', { name: 'Sneaky' });
    expect(res.status).toBe(403);
    expect(await env.DB.prepare('SELECT count(*) AS n FROM api_keys WHERE workspace_id = ?').bind(owner.workspaceId).first('n')).toBe(0);
  });

  it('names the field when the key name is missing', async () => {
    const merchant = await signUpMerchant();
    const res = await merchant.client.post('/app/settings/api-keys', { name: '   ' });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('Name the key after what uses it');
  });
});
