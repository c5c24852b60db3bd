// The CSRF token is bound to the session and to the workspace its page was rendered for.
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { BrowserClient } from '../helpers/browser-client';
import { signUpMerchant } from '../helpers/factories';

const keyCount = (workspaceId: string) => env.DB.prepare('SELECT count(*) AS n FROM api_keys WHERE workspace_id = ?').bind(workspaceId).first<number>('n');

describe('CSRF token bound to the session', () => {
  it("refuses another session's cookie-and-token pair planted in the victim's browser", async () => {
    const victim = await signUpMerchant('Victim');
    const attacker = await signUpMerchant('Attacker');
    // The attacker's own csrf cookie and the token of their page, both moved into the victim's jar.
    victim.client.jar.set('csrf', attacker.client.jar.get('csrf')!);
    const res = await victim.client.post('/app/settings/api-keys', { name: 'Planted', _csrf: attacker.client.csrfToken });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('This form has expired');
    expect(await keyCount(victim.workspaceId)).toBe(0);
  });

  it('refuses a token issued before log-in once a session exists', async () => {
    const merchant = await signUpMerchant('Fixated');
    const stranger = new BrowserClient();
    await stranger.get('/login');
    merchant.client.jar.set('csrf', stranger.jar.get('csrf')!);
    const res = await merchant.client.post('/app/settings/api-keys', { name: 'Pre-login token', _csrf: stranger.csrfToken });
    expect(res.status).toBe(403);
  });

  it('still accepts the token of its own page', async () => {
    const merchant = await signUpMerchant('Own');
    expect((await merchant.client.post('/app/settings/api-keys', { name: 'Fine' })).status).toBe(201);
  });
});

describe('two tabs on two workspaces', () => {
  it('a form rendered for workspace A and submitted after another tab switched to A2 writes nothing into A2 (409)', async () => {
    const merchant = await signUpMerchant('Brand A');
    const tabA = merchant.client;
    await tabA.get('/app/settings');
    const formTokenOfA = tabA.csrfToken;
    // The other tab: same cookies, creates and opens A2.
    expect((await tabA.post('/app/workspaces', { name: 'Brand A2', timeZone: 'UTC' })).status).toBe(303);
    const a2 = (await env.DB.prepare("SELECT w.id FROM workspaces w JOIN memberships m ON m.workspace_id = w.id WHERE m.user_id = ? AND w.name = 'Brand A2'")
      .bind(merchant.userId)
      .first<string>('id'))!;
    const res = await tabA.post('/app/settings/api-keys', { name: 'Meant for A', _csrf: formTokenOfA });
    expect(res.status).toBe(409);
    const page = await res.text();
    expect(page).toContain('This page was for workspace “Brand A”; you have since switched to “Brand A2”. Reload to continue.');
    expect(await keyCount(a2)).toBe(0);
    expect(await keyCount(merchant.workspaceId)).toBe(0);
  });

  it('a dashboard fetch carrying the token of A answers 409 in JSON after a switch to A2', async () => {
    const merchant = await signUpMerchant('Fetch A');
    await merchant.client.get('/app/segments/new');
    const tokenOfA = merchant.client.csrfToken;
    await merchant.client.post('/app/workspaces', { name: 'Fetch A2', timeZone: 'UTC' });
    const res = await merchant.client.request('/app/segments/preview', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', 'x-csrf-token': tokenOfA, origin: 'https://marketing.example.com' },
      body: JSON.stringify({ definition: { match: 'all', children: [] } }),
    });
    expect(res.status).toBe(409);
    expect((await res.json<{ error: { code: string } }>()).error.code).toBe('conflict');
  });

  it('a page rendered after the switch acts on A2', async () => {
    const merchant = await signUpMerchant('Then A');
    await merchant.client.post('/app/workspaces', { name: 'Then A2', timeZone: 'UTC' });
    await merchant.client.get('/app/settings');
    expect((await merchant.client.post('/app/settings/api-keys', { name: 'For A2' })).status).toBe(201);
  });

  it('a forged workspace in the token is refused: the workspace part is signed', async () => {
    const a = await signUpMerchant('Forge A');
    const b = await signUpMerchant('Forge B');
    await a.client.get('/app/settings');
    const mac = a.client.csrfToken.split('.')[1];
    const res = await a.client.post('/app/settings/api-keys', { name: 'Forged', _csrf: `${b.workspaceId}.${mac}` });
    expect(res.status).toBe(403);
  });
});
