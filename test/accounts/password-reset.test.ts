import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { signAccountToken } from '../../src/accounts/account-tokens';
import { BrowserClient } from '../helpers/browser-client';
import { PASSWORD, signUpMerchant, uniqueEmail } from '../helpers/factories';
import { receivedFor } from '../helpers/smtp-sink';
import { linkIn, mailWithSubject } from './account-mail';

const NEW_PASSWORD = 'a brand new passphrase 42';

async function askForReset(email: string) {
  const client = new BrowserClient();
  await client.get('/forgot-password');
  return client.post('/forgot-password', { email });
}

async function logIn(email: string, password: string) {
  const client = new BrowserClient();
  await client.get('/login');
  return { client, res: await client.post('/login', { email, password }) };
}

/** Follows a reset link and submits a new password through its form. */
async function resetThrough(link: string, password: string) {
  const client = new BrowserClient();
  const page = await client.get(link);
  const token = /name="token" value="([^"]+)"/.exec(await page.clone().text())?.[1] ?? new URL(link, 'https://x').searchParams.get('token')!;
  return { page, res: await client.post('/reset-password', { token, password }) };
}

describe('password reset by email', () => {
  it('mails a link that sets a new password; the old one stops working and the new one logs in', async () => {
    const { email } = await signUpMerchant();
    const asked = await askForReset(email);
    expect(asked.status).toBe(200);
    const mail = await mailWithSubject(email, 'Reset your password');
    expect(mail.from).toContain(env.PLATFORM_SENDER_EMAIL);
    const { page, res } = await resetThrough(linkIn(mail, '/reset-password?token='), NEW_PASSWORD);
    expect(page.status).toBe(200);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/login?reset=done');
    expect((await logIn(email, PASSWORD)).res.status).toBe(401);
    expect((await logIn(email, NEW_PASSWORD)).res.status).toBe(303);
  });

  it('account enumeration through "forgot password": known and unknown addresses get the same answer', async () => {
    const { email } = await signUpMerchant();
    const unknown = uniqueEmail('nobody');
    const [known, missing] = await Promise.all([askForReset(email), askForReset(unknown)]);
    const normalize = (html: string, address: string) => html.replaceAll(address, 'ADDRESS').replace(/(name="_csrf" value|nonce)="[^"]+"/g, '');
    expect(known.status).toBe(missing.status);
    expect(normalize(await known.text(), email)).toBe(normalize(await missing.text(), unknown));
    await mailWithSubject(email, 'Reset your password');
    expect(await receivedFor(unknown)).toEqual([]);
  });

  it('a reset link replayed after use is refused (single use)', async () => {
    const { email } = await signUpMerchant();
    await askForReset(email);
    const link = linkIn(await mailWithSubject(email, 'Reset your password'), '/reset-password?token=');
    expect((await resetThrough(link, NEW_PASSWORD)).res.status).toBe(303);
    const replay = await resetThrough(link, 'attacker chosen password 1');
    expect(replay.page.status).toBe(400);
    expect(replay.res.status).toBe(400);
    expect(await replay.res.text()).toContain('expired or has already been used');
    expect((await logIn(email, NEW_PASSWORD)).res.status).toBe(303);
  });

  it('two uses of one reset link at once: only one sets the password', async () => {
    const { email } = await signUpMerchant();
    await askForReset(email);
    const link = linkIn(await mailWithSubject(email, 'Reset your password'), '/reset-password?token=');
    const token = new URL(link, 'https://x').searchParams.get('token')!;
    const [a, b] = [new BrowserClient(), new BrowserClient()];
    await Promise.all([a.get(link), b.get(link)]);
    const results = await Promise.all([a.post('/reset-password', { token, password: 'first racing password' }), b.post('/reset-password', { token, password: 'second racing password' })]);
    expect(results.map((res) => res.status).sort()).toEqual([303, 400]);
  });

  it('an expired or altered reset link is refused', async () => {
    const { email, userId } = await signUpMerchant();
    const hash = await env.DB.prepare('SELECT password_hash FROM users WHERE id = ?').bind(userId).first<string>('password_hash');
    const expired = await signAccountToken(env.APP_SECRET, 'password-reset', userId, hash!, Date.now() - 2 * 60 * 60 * 1000);
    expect((await resetThrough(`/reset-password?token=${expired}`, NEW_PASSWORD)).res.status).toBe(400);
    const valid = await signAccountToken(env.APP_SECRET, 'password-reset', userId, hash!, Date.now());
    const [id, , signature] = valid.split('.');
    // The expiry pushed a year out under the same signature.
    const extended = `${id}.${Date.now() + 365 * 24 * 60 * 60 * 1000}.${signature}`;
    expect((await resetThrough(`/reset-password?token=${extended}`, NEW_PASSWORD)).res.status).toBe(400);
    // A verification link is not a reset link.
    const verification = await signAccountToken(env.APP_SECRET, 'verify-email', userId, hash!, Date.now());
    expect((await resetThrough(`/reset-password?token=${verification}`, NEW_PASSWORD)).res.status).toBe(400);
    expect((await logIn(email, PASSWORD)).res.status).toBe(303);
  });

  it("resetting ends the user's other sessions", async () => {
    const merchant = await signUpMerchant();
    expect((await merchant.client.get('/app/marketing')).status).toBe(200);
    await askForReset(merchant.email);
    await resetThrough(linkIn(await mailWithSubject(merchant.email, 'Reset your password'), '/reset-password?token='), NEW_PASSWORD);
    expect((await merchant.client.get('/app/marketing')).status).toBe(302);
    expect(await env.DB.prepare('SELECT count(*) AS n FROM sessions WHERE user_id = ?').bind(merchant.userId).first('n')).toBe(0);
  });

  it('a weak new password is refused and the link stays usable', async () => {
    const { email } = await signUpMerchant();
    await askForReset(email);
    const link = linkIn(await mailWithSubject(email, 'Reset your password'), '/reset-password?token=');
    const weak = await resetThrough(link, '          ');
    expect(weak.res.status).toBe(400);
    const html = await weak.res.text();
    expect(html).toContain('Use at least 10 characters');
    expect(html).toContain('name="token"');
    expect((await resetThrough(link, NEW_PASSWORD)).res.status).toBe(303);
  });
});
