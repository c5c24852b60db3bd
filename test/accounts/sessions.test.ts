import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { BrowserClient } from '../helpers/browser-client';
import { PASSWORD, signUpMerchant } from '../helpers/factories';

async function sessionCookieHeader(origin: string): Promise<string> {
  const { email } = await signUpMerchant();
  const client = new BrowserClient(origin);
  await client.get('/login');
  const res = await client.post('/login', { email, password: PASSWORD });
  return res.headers.getSetCookie().find((cookie) => cookie.startsWith('sid='))!;
}

describe('sessions', () => {
  it('sets an HttpOnly, Secure, SameSite=Lax cookie', async () => {
    const cookie = await sessionCookieHeader('https://marketing.example.com');
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/Secure/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
  });

  it('drops Secure only on plain-http localhost, for local development', async () => {
    const cookie = await sessionCookieHeader('http://localhost:8787');
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).not.toMatch(/Secure/i);
  });

  it('stores only a hash of the session token', async () => {
    const { client, userId } = await signUpMerchant();
    const token = client.jar.get('sid')!;
    const row = await env.DB.prepare('SELECT token_hash FROM sessions WHERE user_id = ?').bind(userId).first<{ token_hash: string }>();
    expect(row!.token_hash).not.toBe(token);
    expect(row!.token_hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('sends a signed-out visitor to the login page, remembering where they were going', async () => {
    const res = await new BrowserClient().get('/app/settings');
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/login?next=%2Fapp%2Fsettings');
  });

  it('treats an expired session as signed out', async () => {
    const { client, userId } = await signUpMerchant();
    await env.DB.prepare('UPDATE sessions SET expires_at = ? WHERE user_id = ?')
      .bind(Date.now() - 1, userId)
      .run();
    expect((await client.get('/app/marketing')).status).toBe(302);
  });
});
