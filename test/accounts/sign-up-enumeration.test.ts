import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { BrowserClient } from '../helpers/browser-client';
import { PASSWORD, signUpMerchant, uniqueEmail } from '../helpers/factories';
import { mailWithSubject } from './account-mail';

async function signUp(email: string) {
  const client = new BrowserClient();
  await client.get('/signup');
  const res = await client.post('/signup', { email, password: 'an attacker password 9', workspaceName: 'Probe' });
  return { res, cookies: res.headers.getSetCookie().map((cookie) => cookie.split('=')[0]) };
}

describe('sign-up', () => {
  it('account enumeration through sign-up: a taken address gets the same answer as a new one, and its owner an email', async () => {
    const owner = await signUpMerchant();
    const [taken, fresh] = await Promise.all([signUp(owner.email), signUp(uniqueEmail('fresh'))]);
    expect(taken.res.status).toBe(fresh.res.status);
    expect(taken.res.headers.get('location')).toBe(fresh.res.headers.get('location'));
    expect(taken.cookies).toEqual(fresh.cookies);
    expect(taken.cookies).not.toContain('sid');
    expect(await taken.res.text()).toBe(await fresh.res.text());
    const mail = await mailWithSubject(owner.email, 'You already have an account');
    expect(mail.text).toContain('/reset-password?token=');
    // The attacker's password changed nothing.
    const client = new BrowserClient();
    await client.get('/login');
    expect((await client.post('/login', { email: owner.email, password: PASSWORD })).status).toBe(303);
    expect(await env.DB.prepare('SELECT count(*) AS n FROM workspaces WHERE name = ?').bind('Probe').first('n')).toBe(1);
  });
});
