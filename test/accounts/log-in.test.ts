import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { BrowserClient } from '../helpers/browser-client';
import { PASSWORD, signUpMerchant } from '../helpers/factories';

async function logIn(email: string, password: string, ip = '203.0.113.7') {
  const client = new BrowserClient();
  await client.get('/login');
  const res = await client.post('/login', { email, password }, { 'cf-connecting-ip': ip });
  return { client, res };
}

describe('log-in', () => {
  it('starts a session with the right password and opens the dashboard', async () => {
    const { email } = await signUpMerchant();
    const { client, res } = await logIn(email, PASSWORD);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/app');
    expect((await client.get('/app/marketing')).status).toBe(200);
  });

  it('refuses a wrong password or unknown email with one message', async () => {
    const { email } = await signUpMerchant();
    const wrong = await logIn(email, 'not the password');
    expect(wrong.res.status).toBe(401);
    expect(await wrong.res.text()).toContain('Email or password is incorrect.');
    const unknown = await logIn('nobody@shop.example', PASSWORD);
    expect(unknown.res.status).toBe(401);
    expect(await unknown.res.text()).toContain('Email or password is incorrect.');
    expect((await wrong.client.get('/app/marketing')).status).toBe(302);
  });

  it('slows down repeated failures for an email, even when the right password follows', async () => {
    const { email } = await signUpMerchant();
    for (let i = 0; i < 5; i++) expect((await logIn(email, 'guess-' + i, `198.51.100.${i}`)).res.status).toBe(401);
    // The sixth failure starts the wait; the next attempt is refused before the password is checked.
    expect((await logIn(email, 'guess-6', '198.51.100.6')).res.status).toBe(401);
    const blocked = await logIn(email, PASSWORD, '198.51.100.7');
    expect(blocked.res.status).toBe(429);
    expect(Number(blocked.res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await blocked.res.text()).toContain('Too many failed sign-ins');
  });

  it('forgets failures once the email signs in', async () => {
    const { email } = await signUpMerchant();
    for (let i = 0; i < 3; i++) await logIn(email, 'guess-' + i, '192.0.2.50');
    expect((await logIn(email, PASSWORD, '192.0.2.50')).res.status).toBe(303);
    expect(await env.DB.prepare('SELECT count(*) AS n FROM login_throttles WHERE key = ?').bind(`email:${email}`).first('n')).toBe(0);
  });

  it('only follows `next` to paths inside the app', async () => {
    const { email } = await signUpMerchant();
    const client = new BrowserClient();
    await client.get('/login');
    const offsite = await client.post('/login', { email, password: PASSWORD, next: '//evil.example/phish' });
    expect(offsite.headers.get('location')).toBe('/app');
    const client2 = new BrowserClient();
    await client2.get('/login');
    const inside = await client2.post('/login', { email, password: PASSWORD, next: '/app/settings' });
    expect(inside.headers.get('location')).toBe('/app/settings');
  });

  it('logs out: the session stops working', async () => {
    const { client } = await signUpMerchant();
    const cookie = client.jar.get('sid')!;
    const res = await client.post('/logout');
    expect(res.status).toBe(303);
    expect(client.jar.has('sid')).toBe(false);
    // Replaying the old cookie does not bring the session back.
    client.jar.set('sid', cookie);
    expect((await client.get('/app/marketing')).status).toBe(302);
  });
});
