// Invariant 4: no route, key or session of workspace A reads or changes anything of B.
// Each capability adds its resources to the tables below.
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { callApi, createApiKey, signUpMerchant, type Merchant } from '../helpers/factories';
import { connectStore } from '../helpers/store-webhooks';

let a: Merchant;
let b: Merchant;
let keyA: string;
let bKeyId: string;
let bConnectionId: string;
let bSegmentId: string;

beforeAll(async () => {
  a = await signUpMerchant('Workspace A');
  b = await signUpMerchant('Workspace B');
  keyA = await createApiKey(a, 'A key');
  await createApiKey(b, 'B key');
  bKeyId = (await env.DB.prepare('SELECT id FROM api_keys WHERE workspace_id = ?').bind(b.workspaceId).first<string>('id'))!;
  bConnectionId = (await connectStore(b.workspaceId, 'woocommerce')).id;
  const keyB = await createApiKey(b, 'B segments');
  const segment = await callApi(keyB, '/segments', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'B only', definition: { match: 'all', children: [] } }),
  });
  bSegmentId = (await segment.json<{ segment: { id: string } }>()).segment.id;
});

describe('a session of workspace A', () => {
  const dashboardActions: { name: string; path: () => string; fields: () => Record<string, string> }[] = [
    { name: 'revoke an API key of B', path: () => `/app/settings/api-keys/${bKeyId}/revoke`, fields: () => ({}) },
    { name: 'switch into B', path: () => '/app/workspaces/switch', fields: () => ({ workspaceId: b.workspaceId }) },
    { name: 'disconnect a store of B', path: () => `/app/settings/stores/${bConnectionId}/delete`, fields: () => ({}) },
  ];

  it("cannot reveal the webhook secret of B's store", async () => {
    const page = await (await a.client.get(`/app/settings/stores?reveal=${bConnectionId}`)).text();
    expect(page).not.toContain(`test-secret-woocommerce-${b.workspaceId}`);
    expect(page).not.toContain(bConnectionId);
  });

  for (const action of dashboardActions) {
    it(`gets 404 trying to ${action.name}`, async () => {
      await a.client.get('/app/settings');
      const res = await a.client.post(action.path(), action.fields());
      expect(res.status).toBe(404);
    });
  }

  it('leaves B untouched', async () => {
    const key = await env.DB.prepare('SELECT revoked_at FROM api_keys WHERE id = ?').bind(bKeyId).first('revoked_at');
    expect(key).toBeNull();
    const page = await (await a.client.get('/app/settings')).text();
    expect(page).not.toContain('Workspace B');
    expect(page).not.toContain('B key');
  });
});

describe('an API key of workspace A', () => {
  it('sees only its own workspace', async () => {
    const res = await callApi(keyA, '/workspace');
    expect((await res.json<{ workspace: { id: string } }>()).workspace.id).toBe(a.workspaceId);
  });

  it('cannot be steered to B by a workspace id in the request', async () => {
    const res = await callApi(keyA, '/workspace', {
      method: 'PATCH',
      headers: { 'content-type': 'application/json', 'x-workspace-id': b.workspaceId },
      body: JSON.stringify({ name: 'Renamed' }),
    });
    expect(res.status).toBe(200);
    const bName = await env.DB.prepare('SELECT name FROM workspaces WHERE id = ?').bind(b.workspaceId).first('name');
    expect(bName).toBe('Workspace B');
  });

  const apiResources: { method: string; path: () => string; body?: unknown }[] = [
    { method: 'GET', path: () => `/segments/${bSegmentId}` },
    { method: 'PATCH', path: () => `/segments/${bSegmentId}`, body: { name: 'Hijacked' } },
    { method: 'DELETE', path: () => `/segments/${bSegmentId}` },
    { method: 'GET', path: () => `/segments/${bSegmentId}/members` },
  ];

  for (const resource of apiResources) {
    it(`gets 404 for ${resource.method} ${resource.path().replace('undefined', ':id')} of B`, async () => {
      const init: RequestInit = { method: resource.method };
      if (resource.body) Object.assign(init, { headers: { 'content-type': 'application/json' }, body: JSON.stringify(resource.body) });
      expect((await callApi(keyA, resource.path(), init)).status).toBe(404);
    });
  }

  it("does not count B's contacts in A's segments", async () => {
    const res = await callApi(keyA, '/segments/preview', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ definition: { match: 'all', children: [] } }),
    });
    const body = await res.json<{ count: number }>();
    const aContacts = await env.DB.prepare('SELECT count(*) AS n FROM contacts WHERE workspace_id = ?').bind(a.workspaceId).first<number>('n');
    expect(body.count).toBe(aContacts);
  });
});
