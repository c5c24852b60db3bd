// Invariant 4: no route, key or session of workspace A reads or changes anything of B.
// Each capability adds its resources to the tables below.
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { createContactImport } from '../../src/contacts/contact-imports.service';
import { upsertContact } from '../../src/contacts/contacts.service';
import { openDb } from '../../src/db/client';
import { forWorkspace } from '../../src/db/tenant';
import { callApi, createApiKey, signUpMerchant, type Merchant } from '../helpers/factories';
import { connectStore } from '../helpers/store-webhooks';

let a: Merchant;
let b: Merchant;
let keyA: string;
let bKeyId: string;
let bConnectionId: string;
let bSegmentId: string;
let bDesignId: string;
let bCampaignId: string;

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
  const design = await callApi(keyB, '/email-designs', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'B design', subject: 'B', html: '<p>B</p>' }),
  });
  bDesignId = (await design.json<{ design: { id: string } }>()).design.id;
  const campaign = await callApi(keyB, '/campaigns', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'B campaign', contentId: bDesignId, audience: { type: 'segment', segmentId: bSegmentId } }),
  });
  bCampaignId = (await campaign.json<{ campaign: { id: string } }>()).campaign.id;
  await callApi(keyB, '/suppressions', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'b-only@example.com' }) });
});

describe('a session of workspace A', () => {
  const dashboardActions: { name: string; path: () => string; fields: () => Record<string, string> }[] = [
    { name: 'revoke an API key of B', path: () => `/app/settings/api-keys/${bKeyId}/revoke`, fields: () => ({}) },
    { name: 'switch into B', path: () => '/app/workspaces/switch', fields: () => ({ workspaceId: b.workspaceId }) },
    { name: 'disconnect a store of B', path: () => `/app/settings/stores/${bConnectionId}/delete`, fields: () => ({}) },
    { name: 'replace the signing secret of a store of B', path: () => `/app/settings/stores/${bConnectionId}/secret`, fields: () => ({ secret: 'a-secret-of-my-choosing' }) },
    { name: "cancel B's campaign", path: () => `/app/marketing/campaigns/${bCampaignId}/cancel`, fields: () => ({}) },
    { name: "schedule B's campaign", path: () => `/app/marketing/campaigns/${bCampaignId}/schedule`, fields: () => ({ when: 'now' }) },
    { name: "change the audience of B's campaign", path: () => `/app/marketing/campaigns/${bCampaignId}/audience`, fields: () => ({ audience: 'everyone', sendingFilter: 'all' }) },
  ];

  it("cannot open B's campaign or its progress", async () => {
    expect((await a.client.get(`/app/marketing/campaigns/${bCampaignId}`)).status).toBe(404);
    expect((await a.client.get(`/app/marketing/campaigns/${bCampaignId}/progress`)).status).toBe(404);
    expect(await (await a.client.get('/app/marketing')).text()).not.toContain('B campaign');
  });

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
    expect(await env.DB.prepare('SELECT name, status, sending_filter FROM campaigns WHERE id = ?').bind(bCampaignId).first()).toEqual({
      name: 'B campaign',
      status: 'draft',
      sending_filter: 'subscribed',
    });
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
    { method: 'GET', path: () => `/email-designs/${bDesignId}` },
    { method: 'PATCH', path: () => `/email-designs/${bDesignId}`, body: { name: 'Hijacked' } },
    { method: 'DELETE', path: () => `/email-designs/${bDesignId}` },
    { method: 'DELETE', path: () => '/suppressions/b-only@example.com' },
    { method: 'GET', path: () => `/campaigns/${bCampaignId}` },
    { method: 'PATCH', path: () => `/campaigns/${bCampaignId}`, body: { name: 'Hijacked' } },
    { method: 'POST', path: () => `/campaigns/${bCampaignId}/schedule`, body: { now: true } },
    { method: 'POST', path: () => `/campaigns/${bCampaignId}/unschedule` },
    { method: 'POST', path: () => `/campaigns/${bCampaignId}/cancel` },
    { method: 'POST', path: () => `/campaigns/${bCampaignId}/test-send`, body: { to: ['a@example.com'] } },
  ];

  it("cannot point a campaign at B's design or segment", async () => {
    const res = await callApi(keyA, '/campaigns', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Borrowed', contentId: bDesignId, audience: { type: 'segment', segmentId: bSegmentId } }),
    });
    expect(res.status).toBe(400);
    const count = await callApi(keyA, '/campaigns/audience-count', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ audience: { type: 'segment', segmentId: bSegmentId } }),
    });
    expect(count.status).toBe(404);
  });

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

describe("workspace A and B's contacts", () => {
  let bContactId: string;
  let bImportId: string;

  beforeAll(async () => {
    const tenantB = forWorkspace(openDb(env.DB), b.workspaceId);
    bContactId = (await upsertContact(tenantB, { email: 'b-only@example.com', firstName: 'Bee', tags: ['b-tag'] }, 'api')).contactId;
    bImportId = (await createContactImport(tenantB, env, { fileName: 'b.csv', csv: 'email\nb-import@example.com\n' })).id;
  });

  const json = (method: string, body: unknown): RequestInit => ({ method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const apiRequests: { name: string; path: () => string; init?: RequestInit }[] = [
    { name: 'read a contact of B', path: () => `/contacts/${bContactId}` },
    { name: 'change a contact of B', path: () => `/contacts/${bContactId}`, init: json('PATCH', { firstName: 'Hacked', emailConsent: 'subscribed' }) },
    { name: 'erase a contact of B', path: () => `/contacts/${bContactId}`, init: { method: 'DELETE' } },
    { name: 'tag a contact of B', path: () => `/contacts/${bContactId}/tags`, init: json('POST', { tags: ['hacked'] }) },
    { name: 'untag a contact of B', path: () => `/contacts/${bContactId}/tags/b-tag`, init: { method: 'DELETE' } },
    { name: 'read an import report of B', path: () => `/contacts/imports/${bImportId}` },
  ];

  for (const request of apiRequests) {
    it(`an API key of A gets 404 trying to ${request.name}`, async () => {
      const res = await callApi(keyA, request.path(), request.init);
      expect(res.status).toBe(404);
    });
  }

  const dashboardRequests: { name: string; path: () => string; fields?: Record<string, string> }[] = [
    { name: 'open a contact of B', path: () => `/app/contacts/${bContactId}` },
    { name: 'open an import report of B', path: () => `/app/contacts/imports/${bImportId}` },
    { name: 'tag a contact of B', path: () => `/app/contacts/${bContactId}/tags`, fields: { tag: 'hacked' } },
    { name: 'untag a contact of B', path: () => `/app/contacts/${bContactId}/tags/remove`, fields: { tag: 'b-tag' } },
    { name: 'erase a contact of B', path: () => `/app/contacts/${bContactId}/erase`, fields: {} },
  ];

  for (const request of dashboardRequests) {
    it(`a session of A gets 404 trying to ${request.name}`, async () => {
      await a.client.get('/app/contacts');
      const res = request.fields ? await a.client.post(request.path(), request.fields) : await a.client.get(request.path());
      expect(res.status).toBe(404);
    });
  }

  it("never lists or finds B's contacts or imports", async () => {
    const list = await callApi(keyA, '/contacts?q=b-only');
    expect((await list.json<{ contacts: unknown[] }>()).contacts).toEqual([]);
    const page = await (await a.client.get('/app/contacts?tag=b-tag')).text();
    expect(page).not.toContain('b-only@example.com');
    expect(page).not.toContain('b.csv');
  });

  it("leaves B's contact untouched", async () => {
    const row = await env.DB.prepare('SELECT first_name, email_consent FROM contacts WHERE id = ?').bind(bContactId).first();
    expect(row).toEqual({ first_name: 'Bee', email_consent: 'not_subscribed' });
    const tags = await env.DB.prepare('SELECT tag FROM contact_tags WHERE contact_id = ?').bind(bContactId).all();
    expect(tags.results).toEqual([{ tag: 'b-tag' }]);
  });
});
