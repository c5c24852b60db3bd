// Inviting people by email, accepting, and managing members' roles (Settings → Members).
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { BrowserClient } from '../helpers/browser-client';
import { PASSWORD, signUpMerchant, uniqueEmail } from '../helpers/factories';
import { receivedFor, waitForEmail } from '../helpers/smtp-sink';

const linkIn = (text: string) => /\/invitations\/([A-Za-z0-9_-]+)/.exec(text)![0]!;
const roleOf = (workspaceId: string, userId: string) => env.DB.prepare('SELECT role FROM memberships WHERE workspace_id = ? AND user_id = ?').bind(workspaceId, userId).first<string>('role');

async function invite(owner: Awaited<ReturnType<typeof signUpMerchant>>, email: string, role: string) {
  await owner.client.get('/app/settings/members');
  const res = await owner.client.post('/app/settings/members/invitations', { email, role });
  expect(res.status, await res.clone().text()).toBe(303);
  // The address may have had other mail (a sign-up's verification): find the invitation.
  await expect.poll(async () => (await receivedFor(email)).some((mail) => mail.subject.startsWith('You are invited')), { timeout: 10_000 }).toBe(true);
  const mail = (await receivedFor(email)).find((received) => received.subject.startsWith('You are invited'))!;
  return linkIn(mail.text!);
}

describe('invitations', () => {
  it('mails a link; a new address signs up through it and joins with the role', async () => {
    const owner = await signUpMerchant('Inviting store');
    const email = uniqueEmail('newcomer');
    const link = await invite(owner, email, 'editor');
    const mail = await waitForEmail(email);
    expect(mail.subject).toBe('You are invited to Inviting store');
    expect(mail.text).toContain(`invited you to join Inviting store as editor`);
    const stored = await env.DB.prepare('SELECT token_hash FROM invitations WHERE email = ?').bind(email).first<string>('token_hash');
    expect(link).not.toContain(stored!);

    const guest = new BrowserClient();
    const page = await guest.get(link);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Create account and join');
    const joined = await guest.post(link, { password: PASSWORD });
    expect(joined.status).toBe(303);
    const user = await env.DB.prepare('SELECT id, email_verified_at FROM users WHERE email = ?').bind(email).first<{ id: string; email_verified_at: number }>();
    expect(user!.email_verified_at).toBeGreaterThan(0);
    expect(await roleOf(owner.workspaceId, user!.id)).toBe('editor');
    expect((await guest.get('/app/contacts')).status).toBe(200);
  });

  it('works once: a used link answers 404 and adds nobody', async () => {
    const owner = await signUpMerchant('Once store');
    const email = uniqueEmail('once');
    const link = await invite(owner, email, 'viewer');
    const first = new BrowserClient();
    await first.get(link);
    expect((await first.post(link, { password: PASSWORD })).status).toBe(303);
    const second = new BrowserClient();
    expect((await second.get(link)).status).toBe(404);
    await second.get('/login');
    expect((await second.post(link, { password: 'another password 123' })).status).toBe(404);
  });

  it('expires: a link past its 7 days answers 404', async () => {
    const owner = await signUpMerchant('Expiring store');
    const email = uniqueEmail('late');
    const link = await invite(owner, email, 'viewer');
    await env.DB.prepare('UPDATE invitations SET expires_at = ? WHERE email = ?')
      .bind(Date.now() - 1, email)
      .run();
    expect((await new BrowserClient().get(link)).status).toBe(404);
  });

  it('an existing account logs in and joins; another signed-in address cannot use the link', async () => {
    const owner = await signUpMerchant('Existing store');
    const invitee = await signUpMerchant('Invitee own store');
    const intruder = await signUpMerchant('Intruder');
    const link = await invite(owner, invitee.email, 'admin');
    const token = link.split('/').pop()!;
    // Not signed in: the public page sends the account holder to log in first.
    expect(await (await new BrowserClient().get(link)).text()).toContain(`/app/invitations/${token}`);

    const page = await (await intruder.client.get(`/app/invitations/${token}`)).text();
    expect(page).toContain(`This invitation is for ${invitee.email}`);
    expect((await intruder.client.post(`/app/invitations/${token}/accept`)).status).toBe(403);
    expect(await roleOf(owner.workspaceId, intruder.userId)).toBeNull();

    await invitee.client.get(`/app/invitations/${token}`);
    expect((await invitee.client.post(`/app/invitations/${token}/accept`)).status).toBe(303);
    expect(await roleOf(owner.workspaceId, invitee.userId)).toBe('admin');
    expect(await (await invitee.client.get('/app/settings')).text()).toMatch(/<option value="[^"]+" selected="">Existing store<\/option>/);
  });

  it('an admin cannot invite an owner; a revoked link stops working', async () => {
    const owner = await signUpMerchant('Revoking store');
    const admin = await signUpMerchant('Admin own');
    await env.DB.prepare("INSERT INTO memberships (workspace_id, user_id, role, created_at) VALUES (?, ?, 'admin', ?)").bind(owner.workspaceId, admin.userId, Date.now()).run();
    await admin.client.post('/app/workspaces/switch', { workspaceId: owner.workspaceId });
    await admin.client.get('/app/settings/members');
    const refused = await admin.client.post('/app/settings/members/invitations', { email: uniqueEmail('boss'), role: 'owner' });
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain('You can invite as admin, editor, viewer');

    const email = uniqueEmail('revoked');
    const link = await invite(owner, email, 'viewer');
    const id = (await env.DB.prepare('SELECT id FROM invitations WHERE email = ?').bind(email).first<string>('id'))!;
    expect((await owner.client.post(`/app/settings/members/invitations/${id}/revoke`)).status).toBe(303);
    expect((await new BrowserClient().get(link)).status).toBe(404);
  });
});

describe('members', () => {
  it('never removes or demotes the last owner', async () => {
    const owner = await signUpMerchant('Last owner store');
    await owner.client.get('/app/settings/members');
    const removed = await owner.client.post(`/app/settings/members/${owner.userId}/remove`);
    expect(removed.status).toBe(409);
    expect(await removed.text()).toContain('A workspace needs an owner');
    expect((await owner.client.post(`/app/settings/members/${owner.userId}/role`, { role: 'admin' })).status).toBe(409);
    expect(await roleOf(owner.workspaceId, owner.userId)).toBe('owner');
  });

  it('lets an owner hand ownership on, then step down; an admin cannot touch owners', async () => {
    const owner = await signUpMerchant('Handover store');
    const next = await signUpMerchant('Next own');
    await env.DB.prepare("INSERT INTO memberships (workspace_id, user_id, role, created_at) VALUES (?, ?, 'admin', ?)").bind(owner.workspaceId, next.userId, Date.now()).run();
    await next.client.post('/app/workspaces/switch', { workspaceId: owner.workspaceId });
    await next.client.get('/app/settings/members');
    expect((await next.client.post(`/app/settings/members/${owner.userId}/remove`)).status).toBe(409);
    expect(await roleOf(owner.workspaceId, owner.userId)).toBe('owner');

    await owner.client.get('/app/settings/members');
    expect((await owner.client.post(`/app/settings/members/${next.userId}/role`, { role: 'owner' })).status).toBe(303);
    expect((await owner.client.post(`/app/settings/members/${owner.userId}/role`, { role: 'viewer' })).status).toBe(303);
    expect(await roleOf(owner.workspaceId, owner.userId)).toBe('viewer');
    expect(await roleOf(owner.workspaceId, next.userId)).toBe('owner');
  });

  it('a removed member loses access at once', async () => {
    const owner = await signUpMerchant('Removing store');
    const member = await signUpMerchant('Member own');
    await env.DB.prepare("INSERT INTO memberships (workspace_id, user_id, role, created_at) VALUES (?, ?, 'editor', ?)").bind(owner.workspaceId, member.userId, Date.now()).run();
    await member.client.post('/app/workspaces/switch', { workspaceId: owner.workspaceId });
    await owner.client.get('/app/settings/members');
    expect(await (await owner.client.get('/app/settings/members')).text()).toContain(member.email);
    expect((await owner.client.post(`/app/settings/members/${member.userId}/remove`)).status).toBe(303);
    expect(await roleOf(owner.workspaceId, member.userId)).toBeNull();
    expect((await member.client.get('/app/contacts')).status).toBe(302);
  });
});
