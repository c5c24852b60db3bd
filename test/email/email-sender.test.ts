import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { parseSmtpUrl } from '../../src/channels/email';
import { signUpMerchant, uniqueEmail } from '../helpers/factories';
import { addMember } from '../helpers/platform-trust';
import { receivedFor, SMTP_PORT, waitForEmail } from '../helpers/smtp-sink';

const LOCAL_SMTP = { host: '127.0.0.1', port: String(SMTP_PORT), security: 'none', username: 'test' };

describe('Settings → Email sender', () => {
  it('says mail goes out from the platform address until SMTP is configured, and sends tests through it', async () => {
    const merchant = await signUpMerchant('Platform Sender Shop');
    const page = await (await merchant.client.get('/app/settings/email')).text();
    expect(page).toContain(`Mail goes out from the platform address <strong>${env.PLATFORM_SENDER_EMAIL}</strong>`);

    // Test sends go only to the workspace's (verified) members: src/email/platform-sender-trust.ts.
    const to = uniqueEmail('inbox');
    await addMember(merchant.workspaceId, to);
    const res = await merchant.client.post('/app/settings/email/test-email', { to });
    expect(await res.text()).toContain('accepted the message');
    const email = await waitForEmail(to);
    expect(email.from).toBe(`"Platform Sender Shop via ${env.PLATFORM_SENDER_NAME}" <${env.PLATFORM_SENDER_EMAIL}>`);
    expect(email.subject).toBe('Test email from Edge Marketing');
    expect(email.text).toContain('the platform sender');
    expect(email.html).toContain('<strong>the platform sender</strong>');
  });

  it("saves the workspace's own SMTP server with the password encrypted, never shown again", async () => {
    const merchant = await signUpMerchant();
    const res = await merchant.client.post('/app/settings/email', { ...LOCAL_SMTP, password: 'test', fromName: 'Own Domain', fromEmail: 'news@own-domain.example' });
    expect(res.status).toBe(303);
    const row = await env.DB.prepare('SELECT smtp_host, smtp_password_ciphertext FROM workspace_settings WHERE workspace_id = ?').bind(merchant.workspaceId).first<Record<string, string>>();
    expect(row!.smtp_host).toBe('127.0.0.1');
    expect(row!.smtp_password_ciphertext).toMatch(/^v1\./);
    expect(row!.smtp_password_ciphertext).not.toContain('test');
    const page = await (await merchant.client.get('/app/settings/email')).text();
    expect(page).not.toContain('Mail goes out from the platform address');
    expect(page).toContain('Saved (encrypted). Leave empty to keep it;');
    expect(page).not.toMatch(/name="password"[^>]*value="[^"]+"/);

    // Saving again without a password keeps the stored one.
    await merchant.client.post('/app/settings/email', { ...LOCAL_SMTP, password: '', fromName: 'Own Domain', fromEmail: 'news@own-domain.example' });
    const connection = await merchant.client.post('/app/settings/email/test-connection');
    expect(await connection.text()).toMatch(new RegExp(`Connected to 127.0.0.1:${SMTP_PORT}.* and signed in as test.`));

    const to = uniqueEmail('own');
    await addMember(merchant.workspaceId, to);
    await merchant.client.post('/app/settings/email/test-email', { to });
    expect((await waitForEmail(to)).from).toBe('"Own Domain" <news@own-domain.example>');
  });

  it("reports the server's refusal in plain words", async () => {
    const merchant = await signUpMerchant();
    await merchant.client.post('/app/settings/email', { ...LOCAL_SMTP, password: 'wrong', fromEmail: 'news@own-domain.example' });
    const res = await merchant.client.post('/app/settings/email/test-connection');
    const html = await res.text();
    expect(html).toContain(`127.0.0.1:${SMTP_PORT} refused the username or password`);
    expect(html).toContain('535');
  });

  it("shows the sender's state from the last real attempt: a refused password, then working once fixed", async () => {
    const merchant = await signUpMerchant();
    const health = () =>
      env.DB.prepare('SELECT sender_error_kind AS kind, sender_failing_since AS since, sender_checked_at AS checked, sender_auth_failures AS refusals FROM workspace_settings WHERE workspace_id = ?')
        .bind(merchant.workspaceId)
        .first();
    await merchant.client.post('/app/settings/email', { ...LOCAL_SMTP, password: 'wrong', fromEmail: 'news@own-domain.example' });
    expect(await (await merchant.client.get('/app/settings/email')).text()).toContain('Not checked yet');

    const failed = await (await merchant.client.post('/app/settings/email/test-connection')).text();
    expect(await health()).toMatchObject({ kind: 'auth', since: expect.any(Number), refusals: 0 });
    const page = await (await merchant.client.get('/app/settings/email')).text();
    expect(page).toContain('Sender status');
    expect(page).toContain('Your email sender is failing.');
    expect(page).toMatch(/refused the username or password.*535/);
    expect(page).toContain('Fix: check the username and password in Settings → Email sender.');
    expect(page).toContain('Failing since');
    expect(page).toMatch(/<dt>Messages waiting<\/dt><dd>0<\/dd>/);
    expect(failed).toContain('Failing since');

    // Saving new settings starts over; a successful test marks it working.
    await merchant.client.post('/app/settings/email', { ...LOCAL_SMTP, password: 'test', fromEmail: 'news@own-domain.example' });
    expect(await health()).toMatchObject({ kind: null, since: null, checked: null });
    const working = await (await merchant.client.post('/app/settings/email/test-connection')).text();
    expect(working).toContain('Working: the last attempt succeeded on');
    expect(await health()).toMatchObject({ kind: null, since: null, checked: expect.any(Number), refusals: 0 });
  });

  it('records a failed test email as the state of the own server, but never the platform sender', async () => {
    const merchant = await signUpMerchant();
    const kind = () => env.DB.prepare('SELECT sender_error_kind FROM workspace_settings WHERE workspace_id = ?').bind(merchant.workspaceId).first('sender_error_kind');
    const [platformTo, nowhere] = [uniqueEmail('platform'), uniqueEmail('nowhere')];
    await addMember(merchant.workspaceId, platformTo);
    await addMember(merchant.workspaceId, nowhere);
    await merchant.client.post('/app/settings/email/test-email', { to: platformTo });
    expect(await env.DB.prepare('SELECT sender_checked_at FROM workspace_settings WHERE workspace_id = ?').bind(merchant.workspaceId).first('sender_checked_at')).toBeNull();
    await merchant.client.post('/app/settings/email', { host: '127.0.0.1', port: '2599', security: 'none', fromEmail: 'news@own-domain.example' });
    await merchant.client.post('/app/settings/email/test-email', { to: nowhere });
    expect(await kind()).toBe('connect');
  });

  it('reports a closed port as a connection failure', async () => {
    const merchant = await signUpMerchant();
    await merchant.client.post('/app/settings/email', { host: '127.0.0.1', port: '2599', security: 'none', fromEmail: 'news@own-domain.example' });
    const to = uniqueEmail('nowhere');
    await addMember(merchant.workspaceId, to);
    const html = await (await merchant.client.post('/app/settings/email/test-email', { to })).text();
    expect(html).toContain('Could not connect to 127.0.0.1:2599');
    expect(await receivedFor(to)).toEqual([]);
  });

  it('saves a sending speed limit, or none when left empty, and refuses nonsense', async () => {
    const merchant = await signUpMerchant();
    const rate = () => env.DB.prepare('SELECT send_rate_per_second FROM workspace_settings WHERE workspace_id = ?').bind(merchant.workspaceId).first('send_rate_per_second');
    const form = { ...LOCAL_SMTP, password: 'test', fromEmail: 'news@own-domain.example' };
    expect((await merchant.client.post('/app/settings/email', { ...form, sendRatePerSecond: '14' })).status).toBe(303);
    expect(await rate()).toBe(14);
    expect(await (await merchant.client.get('/app/settings/email')).text()).toMatch(/name="sendRatePerSecond"[^>]*value="14"/);
    const bad = await merchant.client.post('/app/settings/email', { ...form, sendRatePerSecond: '0' });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('At least 1 a second');
    expect(await rate()).toBe(14);
    await merchant.client.post('/app/settings/email', { ...form, sendRatePerSecond: '' });
    expect(await rate()).toBeNull();
  });

  it('names invalid fields, refusing port 25', async () => {
    const merchant = await signUpMerchant();
    const res = await merchant.client.post('/app/settings/email', { host: 'smtp://bad host', port: '25', security: 'tls', fromEmail: 'nope' });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain('Enter a host name, without smtp:// or a port');
    expect(html).toContain('Port 25 is blocked');
    expect(html).toContain('Enter a valid email address');
  });

  it('lets only the owner change the sender or send tests', async () => {
    const owner = await signUpMerchant();
    const member = await signUpMerchant();
    await env.DB.prepare("INSERT INTO memberships (workspace_id, user_id, role, created_at) VALUES (?, ?, 'editor', ?)").bind(owner.workspaceId, member.userId, Date.now()).run();
    await member.client.post('/app/workspaces/switch', { workspaceId: owner.workspaceId });
    await member.client.get('/app/settings/email');
    expect((await member.client.post('/app/settings/email', { ...LOCAL_SMTP, password: 'test', fromEmail: 'x@own-domain.example' })).status).toBe(403);
    expect((await member.client.post('/app/settings/email/test-email', { to: 'x@example.com' })).status).toBe(403);
    expect(await env.DB.prepare('SELECT smtp_host FROM workspace_settings WHERE workspace_id = ?').bind(owner.workspaceId).first('smtp_host')).toBeNull();
  });

  it('goes back to the platform sender when the SMTP server is removed', async () => {
    const merchant = await signUpMerchant();
    await merchant.client.post('/app/settings/email', { ...LOCAL_SMTP, password: 'test', fromEmail: 'news@own-domain.example' });
    expect((await merchant.client.post('/app/settings/email/remove')).status).toBe(303);
    expect(await (await merchant.client.get('/app/settings/email')).text()).toContain('Mail goes out from the platform address');
  });
});

describe('parseSmtpUrl', () => {
  it('reads the platform sender secret', () => {
    expect(parseSmtpUrl('smtps://user%40x.com:p%40ss@smtp.example.com')).toEqual({ host: 'smtp.example.com', port: 465, security: 'tls', username: 'user@x.com', password: 'p@ss' });
    expect(parseSmtpUrl('smtp://u:p@smtp.example.com:587')).toMatchObject({ port: 587, security: 'starttls' });
    expect(parseSmtpUrl('smtp://dev:dev@127.0.0.1:2525')).toMatchObject({ security: 'none' });
  });
});
