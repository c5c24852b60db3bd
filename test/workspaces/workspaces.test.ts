import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { createApiKey, patchApi, signUpMerchant } from '../helpers/factories';

describe('workspaces', () => {
  it('creates another workspace, owned by the user, and opens it', async () => {
    const merchant = await signUpMerchant('First Brand');
    const res = await merchant.client.post('/app/workspaces', { name: 'Second Brand', timeZone: 'America/New_York' });
    expect(res.status).toBe(303);
    const page = await (await merchant.client.get('/app/settings')).text();
    expect(page).toMatch(/<option value="[^"]+" selected="">Second Brand<\/option>/);
    expect(page).toContain('First Brand');
    const roles = await env.DB.prepare('SELECT role FROM memberships WHERE user_id = ?').bind(merchant.userId).all<{ role: string }>();
    expect(roles.results.map((row) => row.role)).toEqual(['owner', 'owner']);
  });

  it('switches between the workspaces of a user', async () => {
    const merchant = await signUpMerchant('Home Store');
    await merchant.client.post('/app/workspaces', { name: 'Other Store', timeZone: 'UTC' });
    await merchant.client.get('/app/settings');
    const res = await merchant.client.post('/app/workspaces/switch', { workspaceId: merchant.workspaceId });
    expect(res.status).toBe(303);
    const page = await (await merchant.client.get('/app/settings')).text();
    expect(page).toMatch(/<option value="[^"]+" selected="">Home Store<\/option>/);
  });

  it('saves settings from the Settings page', async () => {
    const merchant = await signUpMerchant('Before');
    const res = await merchant.client.post('/app/settings', {
      name: 'After',
      timeZone: 'Asia/Tokyo',
      senderName: 'After Shop',
      senderEmail: 'Hello@After.Example',
      replyToEmail: '',
      postalAddress: '1 Market St',
    });
    expect(res.status).toBe(303);
    const row = await env.DB.prepare('SELECT name, time_zone, sender_email FROM workspaces WHERE id = ?').bind(merchant.workspaceId).first();
    expect(row).toEqual({ name: 'After', time_zone: 'Asia/Tokyo', sender_email: 'hello@after.example' });
    expect(await (await merchant.client.get('/app/settings?saved=1')).text()).toContain('Workspace settings saved.');
  });

  it('re-renders Settings with the invalid fields named, keeping what was typed', async () => {
    const merchant = await signUpMerchant('Kept');
    const res = await merchant.client.post('/app/settings', { name: '', timeZone: 'Atlantis/Capital', senderEmail: 'nope' });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain('Enter a name');
    expect(html).toContain('Choose a valid time zone');
    expect(html).toContain('value="Atlantis/Capital"');
    expect(await env.DB.prepare('SELECT name FROM workspaces WHERE id = ?').bind(merchant.workspaceId).first('name')).toBe('Kept');
  });

  it('updates settings through the API, field by field', async () => {
    const merchant = await signUpMerchant('Api Store');
    const key = await createApiKey(merchant);
    const res = await patchApi(key, '/workspace', { postalAddress: '5 Harbour Rd' });
    expect(res.status).toBe(200);
    const body = await res.json<{ workspace: Record<string, unknown> }>();
    expect(body.workspace).toMatchObject({ name: 'Api Store', timeZone: 'Europe/Paris', postalAddress: '5 Harbour Rd' });
  });

  it('shows each section of the app with an empty state that says what will appear', async () => {
    const { client } = await signUpMerchant();
    const expectations: [string, string][] = [
      ['/app/marketing', 'No campaigns yet'],
      ['/app/marketing/flows', 'No flows yet'],
      ['/app/contacts', 'No contacts yet'],
      ['/app/segments', 'No segments yet'],
      ['/app/settings', 'No API keys'],
    ];
    for (const [path, text] of expectations) {
      const res = await client.get(path);
      expect(res.status, path).toBe(200);
      expect(await res.text(), path).toContain(text);
    }
    expect((await client.get('/app')).headers.get('location')).toBe('/app/marketing');
  });
});
