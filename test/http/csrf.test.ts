import { describe, expect, it } from 'vitest';
import { BrowserClient } from '../helpers/browser-client';
import { signUpMerchant } from '../helpers/factories';

describe('CSRF protection of form posts', () => {
  it('accepts a form carrying the token of its own page', async () => {
    const { client } = await signUpMerchant();
    const res = await client.post('/app/settings/api-keys', { name: 'With token' });
    expect(res.status).toBe(201);
  });

  it('refuses a form without the token', async () => {
    const { client } = await signUpMerchant();
    const res = await client.post('/app/settings/api-keys', { name: 'No token', _csrf: '' });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('This form has expired');
  });

  it("refuses another browser's token", async () => {
    const victim = await signUpMerchant();
    const attacker = new BrowserClient();
    await attacker.get('/login');
    const res = await victim.client.post('/app/settings/api-keys', { name: 'Forged', _csrf: attacker.csrfToken });
    expect(res.status).toBe(403);
  });

  it('refuses a post from another origin even with a valid token', async () => {
    const { client } = await signUpMerchant();
    const res = await client.post('/app/settings/api-keys', { name: 'Cross site' }, { origin: 'https://evil.example' });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('submitted from another site');
  });

  it('protects the signed-out forms too (login CSRF)', async () => {
    const client = new BrowserClient();
    const res = await client.request('/login', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'email=a%40b.example&password=whatever',
    });
    expect(res.status).toBe(403);
  });
});
