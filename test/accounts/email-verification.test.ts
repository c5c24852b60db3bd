import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { signAccountToken } from '../../src/accounts/account-tokens';
import { BrowserClient } from '../helpers/browser-client';
import { signUpMerchant } from '../helpers/factories';
import { receivedFor } from '../helpers/smtp-sink';
import { linkIn, mailWithSubject } from './account-mail';

function verifiedAt(userId: string) {
  return env.DB.prepare('SELECT email_verified_at FROM users WHERE id = ?').bind(userId).first<number | null>('email_verified_at');
}

describe('email verification', () => {
  it('sign-up mails a link that marks the address verified', async () => {
    const { email, userId } = await signUpMerchant();
    expect(await verifiedAt(userId)).toBeNull();
    const mail = await mailWithSubject(email, 'Confirm your email address');
    expect(mail.headers['auto-submitted']).toBe('auto-generated');
    const res = await new BrowserClient().get(linkIn(mail, '/verify-email?token='));
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('Your email address is confirmed');
    expect(await verifiedAt(userId)).toBeGreaterThan(0);
  });

  it('a forged or altered verification link verifies nothing', async () => {
    const { userId, email } = await signUpMerchant();
    const forged = await signAccountToken('not-the-app-secret', 'verify-email', userId, email, Date.now());
    expect((await new BrowserClient().get(`/verify-email?token=${forged}`)).status).toBe(400);
    // A link signed for another address (the account's address changed since) does not verify this one.
    const otherAddress = await signAccountToken(env.APP_SECRET, 'verify-email', userId, 'someone-else@shop.example', Date.now());
    expect((await new BrowserClient().get(`/verify-email?token=${otherAddress}`)).status).toBe(400);
    const expired = await signAccountToken(env.APP_SECRET, 'verify-email', userId, email, Date.now() - 4 * 24 * 60 * 60 * 1000);
    expect((await new BrowserClient().get(`/verify-email?token=${expired}`)).status).toBe(400);
    expect(await verifiedAt(userId)).toBeNull();
  });

  it('the dashboard asks to verify, with a button that mails a new link, until the address is verified', async () => {
    const merchant = await signUpMerchant();
    const page = await (await merchant.client.get('/app/marketing')).text();
    expect(page).toContain('Confirm your email address');
    expect(page).toContain('action="/app/account/verify-email"');
    await mailWithSubject(merchant.email, 'Confirm your email address');
    const resent = await merchant.client.post('/app/account/verify-email');
    expect(resent.status).toBe(200);
    expect(await resent.text()).toContain('We sent a new link');
    await expect.poll(async () => (await receivedFor(merchant.email)).filter((m) => m.subject === 'Confirm your email address').length, { timeout: 10_000 }).toBe(2);
    const latest = (await receivedFor(merchant.email)).filter((m) => m.subject === 'Confirm your email address').at(-1)!;
    await new BrowserClient().get(linkIn(latest, '/verify-email?token='));
    expect(await (await merchant.client.get('/app/marketing')).text()).not.toContain('action="/app/account/verify-email"');
  });

  it('mail bombing through "send a new link" is rate limited', async () => {
    const merchant = await signUpMerchant();
    await merchant.client.get('/app/marketing');
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await merchant.client.post('/app/account/verify-email')).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200]);
    const refused = await merchant.client.post('/app/account/verify-email');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});
