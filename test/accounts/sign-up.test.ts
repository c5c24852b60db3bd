import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { BrowserClient } from '../helpers/browser-client';
import { PASSWORD, signUpMerchant, uniqueEmail } from '../helpers/factories';
import { mailWithSubject } from './account-mail';

describe('sign-up', () => {
  it('creates a user, an owned workspace with settings, and (after log-in) a session', async () => {
    const email = uniqueEmail();
    const merchant = await signUpMerchant('Acme Outdoor', email);
    const workspace = await env.DB.prepare('SELECT name, time_zone FROM workspaces WHERE id = ?').bind(merchant.workspaceId).first();
    expect(workspace).toEqual({ name: 'Acme Outdoor', time_zone: 'Europe/Paris' });
    const role = await env.DB.prepare('SELECT role FROM memberships WHERE user_id = ?').bind(merchant.userId).first('role');
    expect(role).toBe('owner');
    expect(await env.DB.prepare('SELECT 1 FROM workspace_settings WHERE workspace_id = ?').bind(merchant.workspaceId).first()).not.toBeNull();
    const page = await merchant.client.get('/app/marketing');
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Acme Outdoor');
  });

  it('normalizes the email so one person is one account', async () => {
    const email = uniqueEmail();
    await signUpMerchant('First', email);
    const client = new BrowserClient();
    await client.get('/signup');
    const res = await client.post('/signup', { email: `  ${email.toUpperCase()} `, password: PASSWORD, workspaceName: 'Second' });
    expect(res.status).toBe(303);
    expect(await env.DB.prepare('SELECT count(*) AS n FROM users WHERE email = ?').bind(email).first('n')).toBe(1);
    expect((await mailWithSubject(email, 'You already have an account')).text).toContain('/reset-password?token=');
  });

  it('stores the password as a salted PBKDF2-SHA256 hash with 100,000 iterations', async () => {
    const a = await signUpMerchant();
    const b = await signUpMerchant();
    const rows = await env.DB.prepare('SELECT password_hash FROM users WHERE id IN (?, ?)').bind(a.userId, b.userId).all<{ password_hash: string }>();
    const [first, second] = rows.results.map((row) => row.password_hash.split('$'));
    expect(first![0]).toBe('pbkdf2-sha256');
    expect(first![1]).toBe('100000');
    expect(first!.join('$')).not.toContain(PASSWORD);
    // Same password, different salt and hash.
    expect(first![2]).not.toBe(second![2]);
    expect(first![3]).not.toBe(second![3]);
  });

  it('re-renders the form naming each invalid field, and writes nothing', async () => {
    const client = new BrowserClient();
    await client.get('/signup');
    const before = await env.DB.prepare('SELECT count(*) AS n FROM users').first('n');
    const res = await client.post('/signup', { email: 'not-an-email', password: 'short', workspaceName: '', timeZone: 'Mars/Olympus' });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain('Enter a valid email address');
    expect(html).toContain('Use at least 10 characters');
    expect(html).toContain('Enter a name');
    expect(html).toContain('Choose a valid time zone');
    expect(html).toContain('value="not-an-email"');
    expect(await env.DB.prepare('SELECT count(*) AS n FROM users').first('n')).toBe(before);
  });
});
