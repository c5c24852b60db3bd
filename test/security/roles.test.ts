// The roles table (src/workspaces/roles.ts), route by route: for each role, every mutating
// dashboard and API route answers 403 when the role lacks its permission (JSON on the API,
// an error page on the dashboard, nothing written) and goes through when it has it.
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import type { MembershipRole } from '../../src/db/schema';
import { type Permission, ROLES, roleAllows } from '../../src/workspaces/roles';
import { ORIGIN } from '../helpers/browser-client';
import { insertContact, tagContact } from '../helpers/data';
import { insertEmailContent } from '../helpers/deliveries';
import { callApi, type Merchant, signUpMerchant } from '../helpers/factories';
import { connectStore } from '../helpers/store-webhooks';

let owner: Merchant;
let ownerKey: string;
let sharedDesignId: string;
const members = {} as Record<MembershipRole, Merchant>;
const keys = {} as Record<Exclude<MembershipRole, 'owner'>, string>;

/** Makes a fresh user a member of the owner's workspace with `role`, looking at it. */
async function joinAs(role: MembershipRole): Promise<Merchant> {
  const user = await signUpMerchant(`Own store of a ${role}`);
  await env.DB.prepare('INSERT INTO memberships (workspace_id, user_id, role, created_at) VALUES (?, ?, ?, ?)').bind(owner.workspaceId, user.userId, role, Date.now()).run();
  expect((await user.client.post('/app/workspaces/switch', { workspaceId: owner.workspaceId })).status).toBe(303);
  await user.client.get('/app/settings');
  return { ...user, workspaceId: owner.workspaceId };
}

/** Creates a key with a role through Settings, as the owner. */
async function keyWithRole(role: string): Promise<string> {
  const res = await owner.client.post('/app/settings/api-keys', { name: `${role} key`, role });
  const html = await res.text();
  expect(res.status, html).toBe(201);
  return /value="(mk_[^"]+)"/.exec(html)![1]!;
}

const json = (method: string, body?: unknown): RequestInit => (body === undefined ? { method } : { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

async function ownerApi(path: string, init: RequestInit) {
  const res = await callApi(ownerKey, path, init);
  expect(res.status, `${path}: ${await res.clone().text()}`).toBeLessThan(300);
  return res.json<Record<string, { id: string }>>();
}

// Fresh things to act on, made by the owner for each attempt.
const make = {
  contact: () => insertContact(owner.workspaceId),
  taggedContact: async () => {
    const id = await insertContact(owner.workspaceId);
    await tagContact(owner.workspaceId, id, 'vip');
    return id;
  },
  design: () => insertEmailContent(owner.workspaceId, { subject: 'Hi', html: '<p>Hi</p>' }),
  segment: async () => (await ownerApi('/segments', json('POST', { name: 'Seg', definition: { match: 'all', children: [] } }))).segment!.id,
  campaign: async () => (await ownerApi('/campaigns', json('POST', { name: 'Camp', contentId: await make.design() }))).campaign!.id,
  scheduledCampaign: async () => {
    const id = await make.campaign();
    await ownerApi(`/campaigns/${id}/schedule`, json('POST', { sendAt: '2031-06-02T09:00' }));
    return id;
  },
  campaignIn: async (status: 'sending' | 'paused') => {
    const id = await make.campaign();
    await env.DB.prepare('UPDATE campaigns SET status = ? WHERE id = ?').bind(status, id).run();
    return id;
  },
  apiKeyId: async () => {
    await keyWithRole('viewer');
    return (await env.DB.prepare('SELECT id FROM api_keys WHERE workspace_id = ? AND revoked_at IS NULL ORDER BY created_at DESC').bind(owner.workspaceId).first<string>('id'))!;
  },
  store: async () => (await connectStore(owner.workspaceId, 'woocommerce')).id,
  suppressed: async () => {
    const email = `suppressed-${crypto.randomUUID()}@example.com`;
    await ownerApi('/suppressions', json('POST', { email }));
    return email;
  },
  invitationId: async () => {
    const res = await owner.client.post('/app/settings/members/invitations', { email: `invitee-${crypto.randomUUID()}@example.com`, role: 'viewer' });
    expect(res.status, await res.clone().text()).toBe(303);
    return (await env.DB.prepare('SELECT id FROM invitations WHERE workspace_id = ? AND revoked_at IS NULL AND accepted_at IS NULL ORDER BY created_at DESC')
      .bind(owner.workspaceId)
      .first<string>('id'))!;
  },
  viewerMember: async () => (await joinAs('viewer')).userId,
};

// `prepare` makes the thing acted on; its id replaces :id in the path, or is given to `fields`.
type DashboardRoute = { permission: Permission; path: string; fields?: Record<string, string> | ((id: string) => Record<string, string>); prepare?: () => Promise<string>; multipart?: boolean };

const dashboardRoutes: DashboardRoute[] = [
  { permission: 'contacts:write', path: '/app/contacts/imports', multipart: true },
  { permission: 'contacts:write', path: '/app/contacts/:id/tags', fields: { tag: 'new' }, prepare: make.contact },
  { permission: 'contacts:write', path: '/app/contacts/:id/tags/remove', fields: { tag: 'vip' }, prepare: make.taggedContact },
  { permission: 'contacts:erase', path: '/app/contacts/:id/erase', prepare: make.contact },
  { permission: 'segments:write', path: '/app/segments', fields: { name: 'New', definition: '{"match":"all","children":[]}' } },
  { permission: 'segments:write', path: '/app/segments/:id', fields: { name: 'Renamed', definition: '{"match":"all","children":[]}' }, prepare: make.segment },
  { permission: 'segments:write', path: '/app/segments/:id/delete', prepare: make.segment },
  { permission: 'designs:write', path: '/app/marketing/designs', fields: { name: 'New design' } },
  { permission: 'designs:write', path: '/app/marketing/designs/:id', fields: { name: 'Renamed', subject: 'S', html: '<p>x</p>' }, prepare: make.design },
  { permission: 'designs:write', path: '/app/marketing/designs/:id/test', fields: () => ({ to: owner.email }), prepare: make.design },
  { permission: 'designs:write', path: '/app/marketing/designs/:id/delete', prepare: make.design },
  { permission: 'campaigns:write', path: '/app/marketing/campaigns', fields: { name: 'New campaign' } },
  { permission: 'campaigns:write', path: '/app/marketing/campaigns/:id/audience', fields: { audience: 'everyone', sendingFilter: 'subscribed' }, prepare: make.campaign },
  { permission: 'campaigns:write', path: '/app/marketing/campaigns/:id/content', fields: () => ({ contentId: sharedDesignId }), prepare: make.campaign },
  { permission: 'campaigns:write', path: '/app/marketing/campaigns/:id/starter', fields: { starter: 'newsletter' }, prepare: make.campaign },
  { permission: 'campaigns:write', path: '/app/marketing/campaigns/:id/test-send', fields: () => ({ to: owner.email }), prepare: make.campaign },
  { permission: 'campaigns:send', path: '/app/marketing/campaigns/:id/schedule', fields: { when: 'later', sendAt: '2031-06-02T09:00' }, prepare: make.campaign },
  { permission: 'campaigns:send', path: '/app/marketing/campaigns/:id/unschedule', prepare: make.scheduledCampaign },
  { permission: 'campaigns:send', path: '/app/marketing/campaigns/:id/pause', prepare: () => make.campaignIn('sending') },
  { permission: 'campaigns:send', path: '/app/marketing/campaigns/:id/resume', prepare: () => make.campaignIn('paused') },
  { permission: 'campaigns:send', path: '/app/marketing/campaigns/:id/cancel', prepare: make.scheduledCampaign },
  {
    permission: 'settings:workspace',
    path: '/app/settings',
    fields: { name: 'Role test store', timeZone: 'Europe/Paris', senderName: 'Roles', senderEmail: 'hello@roles.example', replyToEmail: '', postalAddress: '1 Role St' },
  },
  { permission: 'api-keys:manage', path: '/app/settings/api-keys', fields: { name: 'Made by a member', role: 'viewer' } },
  { permission: 'api-keys:manage', path: '/app/settings/api-keys/:id/revoke', prepare: make.apiKeyId },
  { permission: 'stores:manage', path: '/app/settings/stores', fields: { platform: 'woocommerce', name: 'Shop', currency: 'EUR' } },
  { permission: 'stores:manage', path: '/app/settings/stores/:id/delete', prepare: make.store },
  { permission: 'stores:manage', path: '/app/settings/stores/:id/secret', fields: { secret: 'shpss_pasted-secret' }, prepare: make.store },
  { permission: 'settings:sender', path: '/app/settings/email/remove' },
  { permission: 'settings:sender', path: '/app/settings/email/test-connection' },
  { permission: 'suppressions:manage', path: '/app/settings/suppressions', fields: { email: 'no-more@example.com' } },
  { permission: 'suppressions:manage', path: '/app/settings/suppressions/remove', fields: (address) => ({ address }), prepare: make.suppressed },
  { permission: 'members:manage', path: '/app/settings/members/invitations', fields: { email: 'new-person@example.com', role: 'viewer' } },
  { permission: 'members:manage', path: '/app/settings/members/invitations/:id/revoke', prepare: make.invitationId },
  { permission: 'members:manage', path: '/app/settings/members/:id/role', fields: { role: 'editor' }, prepare: make.viewerMember },
  { permission: 'members:manage', path: '/app/settings/members/:id/remove', prepare: make.viewerMember },
];

type ApiRoute = { permission: Permission; method: string; path: string; body?: unknown | (() => unknown); prepare?: () => Promise<string>; csv?: boolean };

const apiRoutes: ApiRoute[] = [
  { permission: 'contacts:write', method: 'POST', path: '/contacts', body: () => ({ email: `api-${crypto.randomUUID()}@example.com` }) },
  { permission: 'contacts:write', method: 'POST', path: '/contacts/imports', csv: true },
  { permission: 'contacts:write', method: 'PATCH', path: '/contacts/:id', body: { firstName: 'Changed' }, prepare: make.contact },
  { permission: 'contacts:write', method: 'POST', path: '/contacts/:id/tags', body: { tags: ['new'] }, prepare: make.contact },
  { permission: 'contacts:write', method: 'DELETE', path: '/contacts/:id/tags/vip', prepare: make.taggedContact },
  { permission: 'contacts:erase', method: 'DELETE', path: '/contacts/:id', prepare: make.contact },
  { permission: 'segments:write', method: 'POST', path: '/segments', body: { name: 'API seg', definition: { match: 'all', children: [] } } },
  { permission: 'segments:write', method: 'PATCH', path: '/segments/:id', body: { name: 'Renamed' }, prepare: make.segment },
  { permission: 'segments:write', method: 'DELETE', path: '/segments/:id', prepare: make.segment },
  { permission: 'designs:write', method: 'POST', path: '/email-designs', body: { name: 'API design', subject: 'S', html: '<p>x</p>' } },
  { permission: 'designs:write', method: 'PATCH', path: '/email-designs/:id', body: { name: 'Renamed' }, prepare: make.design },
  { permission: 'designs:write', method: 'DELETE', path: '/email-designs/:id', prepare: make.design },
  { permission: 'campaigns:write', method: 'POST', path: '/campaigns', body: { name: 'API campaign' } },
  { permission: 'campaigns:write', method: 'PATCH', path: '/campaigns/:id', body: { name: 'Renamed' }, prepare: make.campaign },
  { permission: 'campaigns:write', method: 'POST', path: '/campaigns/:id/test-send', body: () => ({ to: [owner.email] }), prepare: make.campaign },
  { permission: 'campaigns:send', method: 'POST', path: '/campaigns/:id/schedule', body: { sendAt: '2031-06-02T09:00' }, prepare: make.campaign },
  { permission: 'campaigns:send', method: 'POST', path: '/campaigns/:id/unschedule', prepare: make.scheduledCampaign },
  { permission: 'campaigns:send', method: 'POST', path: '/campaigns/:id/pause', prepare: () => make.campaignIn('sending') },
  { permission: 'campaigns:send', method: 'POST', path: '/campaigns/:id/resume', prepare: () => make.campaignIn('paused') },
  { permission: 'campaigns:send', method: 'POST', path: '/campaigns/:id/cancel', prepare: make.scheduledCampaign },
  { permission: 'suppressions:manage', method: 'POST', path: '/suppressions', body: { email: 'api-suppressed@example.com' } },
  { permission: 'suppressions:manage', method: 'DELETE', path: '/suppressions/:id', prepare: make.suppressed },
  { permission: 'settings:sender', method: 'DELETE', path: '/email-sender' },
  { permission: 'settings:sender', method: 'POST', path: '/email-sender/test' },
  { permission: 'settings:sender', method: 'POST', path: '/email-sender/test-email', body: () => ({ to: owner.email }) },
  { permission: 'settings:workspace', method: 'PATCH', path: '/workspace', body: { postalAddress: '1 Role St' } },
];

beforeAll(async () => {
  owner = await signUpMerchant('Roles store');
  members.owner = owner;
  ownerKey = await keyWithRole('admin');
  sharedDesignId = await make.design();
  // Test sends on the platform sender go only to verified members.
  await env.DB.prepare('UPDATE users SET email_verified_at = ? WHERE id = ?').bind(Date.now(), owner.userId).run();
  for (const role of ['admin', 'editor', 'viewer'] as const) {
    members[role] = await joinAs(role);
    keys[role] = await keyWithRole(role);
  }
  // Four sign-ups (a password hash each) and four keys: longer than the default hook time on a busy machine.
}, 120_000);

/** The request went through the role check and did what it asked. */
function expectAllowed(res: Response, body: string, label: string) {
  expect(res.status, `${label}: ${body.slice(0, 300)}`).toBeLessThan(400);
}

describe('the roles table on the dashboard', () => {
  for (const role of ROLES) {
    for (const route of dashboardRoutes) {
      const allowed = roleAllows(role, route.permission);
      it(`${role}: POST ${route.path} ${allowed ? 'goes through' : 'is refused with 403'} (${route.permission})`, async () => {
        const id = route.prepare ? await route.prepare() : '';
        const path = route.path.replace(':id', id);
        const fields = typeof route.fields === 'function' ? route.fields(id) : (route.fields ?? {});
        const { client } = members[role];
        let res: Response;
        if (route.multipart) {
          const form = new FormData();
          form.set('_csrf', client.csrfToken);
          form.set('file', new File(['email\nimported@example.com\n'], 'contacts.csv', { type: 'text/csv' }));
          res = await client.request(path, { method: 'POST', body: form, headers: { origin: ORIGIN } });
        } else {
          res = await client.post(path, fields);
        }
        const body = await res.text();
        if (allowed) expectAllowed(res, body, `${role} ${path}`);
        else {
          expect(res.status, body.slice(0, 300)).toBe(403);
          expect(res.headers.get('content-type')).toContain('text/html');
          expect(body).toContain(`Your role (${role}) cannot`);
        }
      });
    }
  }
});

describe('the roles table on the API, by the role of the key', () => {
  for (const role of ['admin', 'editor', 'viewer'] as const) {
    for (const route of apiRoutes) {
      const allowed = roleAllows(role, route.permission);
      it(`${role} key: ${route.method} ${route.path} ${allowed ? 'goes through' : 'is refused with 403'} (${route.permission})`, async () => {
        const path = route.prepare ? route.path.replace(':id', encodeURIComponent(await route.prepare())) : route.path;
        const init = route.csv
          ? { method: 'POST', headers: { 'content-type': 'text/csv' }, body: 'email\nkey-import@example.com\n' }
          : json(route.method, typeof route.body === 'function' ? route.body() : route.body);
        const res = await callApi(keys[role], path, init);
        const body = await res.text();
        if (allowed) expectAllowed(res, body, `${role} ${path}`);
        else {
          expect(res.status, body).toBe(403);
          const error = (JSON.parse(body) as { error: { code: string; message: string } }).error;
          expect(error.code).toBe('forbidden');
          expect(error.message).toContain(`Your role (${role}) cannot`);
        }
      });
    }
  }
});

describe('what a refused role leaves behind', () => {
  it('a viewer and an editor cannot erase a contact nor send a campaign: the rows are as they were', async () => {
    const contactId = await make.contact();
    const campaignId = await make.campaign();
    for (const role of ['viewer', 'editor'] as const) {
      expect((await members[role].client.post(`/app/contacts/${contactId}/erase`)).status).toBe(403);
      expect((await callApi(keys[role], `/contacts/${contactId}`, { method: 'DELETE' })).status).toBe(403);
      expect((await members[role].client.post(`/app/marketing/campaigns/${campaignId}/schedule`, { when: 'now' })).status).toBe(403);
      expect((await callApi(keys[role], `/campaigns/${campaignId}/schedule`, json('POST', { now: true }))).status).toBe(403);
    }
    expect(await env.DB.prepare('SELECT id FROM contacts WHERE id = ?').bind(contactId).first('id')).toBe(contactId);
    expect(await env.DB.prepare('SELECT status FROM campaigns WHERE id = ?').bind(campaignId).first('status')).toBe('draft');
  });

  it('an admin erases and schedules', async () => {
    const contactId = await make.contact();
    expect((await members.admin.client.post(`/app/contacts/${contactId}/erase`)).status).toBe(303);
    expect(await env.DB.prepare('SELECT id FROM contacts WHERE id = ?').bind(contactId).first('id')).toBeNull();
    const campaignId = await make.campaign();
    expect((await callApi(keys.admin, `/campaigns/${campaignId}/schedule`, json('POST', { sendAt: '2031-06-02T09:00' }))).status).toBe(200);
    expect(await env.DB.prepare('SELECT status FROM campaigns WHERE id = ?').bind(campaignId).first('status')).toBe('scheduled');
  });

  for (const role of ROLES) {
    it(`${role}: reads every list on the dashboard${role === 'owner' ? '' : ' and through its key on the API'}`, async () => {
      for (const page of ['/app/marketing', '/app/contacts', '/app/segments', '/app/settings', '/app/settings/members']) {
        expect((await members[role].client.get(page)).status, `${role} ${page}`).toBe(200);
      }
      if (role === 'owner') return;
      for (const path of ['/contacts', '/segments', '/campaigns', '/email-designs', '/workspace']) {
        expect((await callApi(keys[role], path)).status, `${role} ${path}`).toBe(200);
      }
    });
  }
});

describe('the role of an API key', () => {
  it('is chosen at creation, never above its creator nor above admin', async () => {
    const admin = members.admin.client;
    await admin.get('/app/settings');
    const asOwner = await admin.post('/app/settings/api-keys', { name: 'Too strong', role: 'owner' });
    expect(asOwner.status).toBe(400);
    expect(await asOwner.text()).toContain('A key can be admin, editor, viewer');
    const byOwner = await owner.client.post('/app/settings/api-keys', { name: 'Owner key', role: 'owner' });
    expect(byOwner.status).toBe(400);
  });

  it('keys made before roles act as admin (the migration default)', async () => {
    const role = await env.DB.prepare("SELECT dflt_value FROM pragma_table_info('api_keys') WHERE name = 'role'").first('dflt_value');
    expect(role).toBe("'admin'");
  });

  it('campaign and contact pages offer sending and erasing only to roles that may', async () => {
    const campaignId = await make.scheduledCampaign();
    const contactId = await make.contact();
    for (const role of ROLES) {
      const campaignPage = await (await members[role].client.get(`/app/marketing/campaigns/${campaignId}`)).text();
      const contactPage = await (await members[role].client.get(`/app/contacts/${contactId}`)).text();
      const mayAct = roleAllows(role, 'campaigns:send');
      expect(campaignPage.includes(`/app/marketing/campaigns/${campaignId}/cancel`), role).toBe(mayAct);
      const schedulePage = await (await members[role].client.get(`/app/marketing/campaigns/${campaignId}?step=schedule`)).text();
      expect(schedulePage.includes(`/app/marketing/campaigns/${campaignId}/unschedule`), role).toBe(mayAct);
      expect(contactPage.includes(`/app/contacts/${contactId}/erase`), role).toBe(roleAllows(role, 'contacts:erase'));
    }
  });

  it('lets the dashboard offer only what the viewer may do', async () => {
    const viewerPage = await (await members.viewer.client.get('/app/settings')).text();
    expect(viewerPage).not.toContain('action="/app/settings/api-keys"');
    expect(viewerPage).toContain('Only owners and admins can create or revoke keys.');
    const adminPage = await (await members.admin.client.get('/app/settings')).text();
    expect(adminPage).toContain('action="/app/settings/api-keys"');
    expect(adminPage).not.toContain('<option value="owner">owner</option>');
  });
});
