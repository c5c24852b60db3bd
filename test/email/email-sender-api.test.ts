import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { callApi, createApiKey, postApi, signUpMerchant, uniqueEmail, type Merchant } from '../helpers/factories';
import { addMember } from '../helpers/platform-trust';
import { SMTP_PORT, waitForEmail } from '../helpers/smtp-sink';

const LOCAL_SMTP = { host: '127.0.0.1', port: SMTP_PORT, security: 'none', username: 'test', fromName: 'API Shop', fromEmail: 'news@api-shop.example' };
// Refused by the local server (it accepts test/test only), and easy to look for in a body.
const WRONG_PASSWORD = 'Wr0ng-Secret-Pa55';

type SenderBody = {
  sender: { configured: boolean; host: string | null; port: number | null; hasPassword: boolean; fromEmail: string | null } & Record<string, unknown>;
  health: { state: string; error: string | null; kind: string | null; failingSince: number | null; checkedAt: number | null; authFailures: number; waiting: number; summary: string };
};
type OutcomeBody = { outcome: { ok: boolean; message: string; kind: string | null } };
type ErrorBody = { error: { code: string; message: string; issues?: { path: string; message: string }[] } };

function putSender(key: string, body: unknown) {
  return callApi(key, '/email-sender', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

function settingsRow(workspaceId: string) {
  return env.DB.prepare('SELECT smtp_host, smtp_password_ciphertext, sender_error_kind, sender_auth_failures FROM workspace_settings WHERE workspace_id = ?')
    .bind(workspaceId)
    .first<Record<string, string | number | null>>();
}

let merchant: Merchant;
let key: string;

beforeAll(async () => {
  merchant = await signUpMerchant('Sender API Shop');
  key = await createApiKey(merchant);
});

describe('/api/v1/email-sender', () => {
  it('reads the platform sender state, sets the own server, tests it and removes it', async () => {
    const fresh = await (await callApi(key, '/email-sender')).json<SenderBody>();
    expect(fresh.sender).toMatchObject({ configured: false, host: null, hasPassword: false });
    expect(fresh.health).toMatchObject({ state: 'untested', error: null, kind: null, authFailures: 0, waiting: 0 });

    const put = await putSender(key, { ...LOCAL_SMTP, password: 'test', sendRatePerSecond: 10 });
    expect(put.status).toBe(200);
    const saved = await put.json<SenderBody>();
    expect(saved.sender).toEqual({
      configured: true,
      host: '127.0.0.1',
      port: SMTP_PORT,
      security: 'none',
      username: 'test',
      hasPassword: true,
      fromName: 'API Shop',
      fromEmail: 'news@api-shop.example',
      sendRatePerSecond: 10,
    });
    expect(saved.health.state).toBe('untested');
    expect((await settingsRow(merchant.workspaceId))!.smtp_password_ciphertext).toMatch(/^v1\./);

    // The password is write-only: leaving it out keeps the stored one.
    const ciphertext = (await settingsRow(merchant.workspaceId))!.smtp_password_ciphertext;
    expect((await putSender(key, LOCAL_SMTP)).status).toBe(200);
    expect((await settingsRow(merchant.workspaceId))!.smtp_password_ciphertext).toBe(ciphertext);

    const test = await (await postApi(key, '/email-sender/test')).json<OutcomeBody>();
    expect(test.outcome).toMatchObject({ ok: true, kind: null });
    expect(test.outcome.message).toContain('signed in as test');
    const afterTest = await (await callApi(key, '/email-sender')).json<SenderBody>();
    expect(afterTest.health).toMatchObject({ state: 'ok', checkedAt: expect.any(Number), failingSince: null });
    expect(afterTest.health.summary).toMatch(/^Working: the last attempt succeeded on .*; 0 messages waiting\.$/);

    // Test sends go only to the workspace's members: src/email/platform-sender-trust.ts.
    const to = uniqueEmail('api-test');
    await addMember(merchant.workspaceId, to);
    const sent = await (await postApi(key, '/email-sender/test-email', { to })).json<OutcomeBody>();
    expect(sent.outcome).toMatchObject({ ok: true, kind: null });
    expect((await waitForEmail(to)).from).toBe('"API Shop" <news@api-shop.example>');

    const removed = await callApi(key, '/email-sender', { method: 'DELETE' });
    expect(removed.status).toBe(204);
    const after = await (await callApi(key, '/email-sender')).json<SenderBody>();
    expect(after.sender).toMatchObject({ configured: false, host: null, hasPassword: false });
    expect(after.health.state).toBe('untested');
  });

  it('tests a refused password: its kind in the answer, the state failing with what to fix, not counted toward the pause', async () => {
    const own = await signUpMerchant('Refused Shop');
    const ownKey = await createApiKey(own);
    await putSender(ownKey, { ...LOCAL_SMTP, password: WRONG_PASSWORD });
    const test = await (await postApi(ownKey, '/email-sender/test')).json<OutcomeBody>();
    expect(test.outcome).toMatchObject({ ok: false, kind: 'auth' });
    expect(test.outcome.message).toContain('535');

    const { health } = await (await callApi(ownKey, '/email-sender')).json<SenderBody>();
    expect(health).toMatchObject({ state: 'failing', kind: 'auth', failingSince: expect.any(Number), authFailures: 0 });
    expect(health.summary).toContain('Failing since');
    expect(health.summary).toContain('Fix: check the username and password in Settings → Email sender.');
  });

  it('names each invalid field with 400, and writes nothing', async () => {
    const own = await signUpMerchant();
    const ownKey = await createApiKey(own);
    await putSender(ownKey, { ...LOCAL_SMTP, password: 'test' });
    const before = await settingsRow(own.workspaceId);

    const res = await putSender(ownKey, { host: 'smtp://bad host', port: 25, security: 'ssl', fromEmail: 'nope', sendRatePerSecond: 0 });
    expect(res.status).toBe(400);
    const { error } = await res.json<ErrorBody>();
    expect(error.code).toBe('invalid_input');
    expect(error.issues!.map((issue) => issue.path).sort()).toEqual(['fromEmail', 'host', 'port', 'security', 'sendRatePerSecond']);
    expect(error.issues!.find((issue) => issue.path === 'port')!.message).toContain('Port 25 is blocked');
    expect(await settingsRow(own.workspaceId)).toEqual(before);

    const notJson = await callApi(ownKey, '/email-sender', { method: 'PUT', body: 'host=x' });
    expect(notJson.status).toBe(400);

    const badTo = await postApi(ownKey, '/email-sender/test-email', { to: 'not-an-address' });
    expect(badTo.status).toBe(400);
    expect((await badTo.json<ErrorBody>()).error.issues!.map((issue) => issue.path)).toEqual(['to']);
  });
});

describe('/api/v1/email-sender security', () => {
  it('needs an API key', async () => {
    const res = await callApi('mk_not-a-key', '/email-sender');
    expect(res.status).toBe(401);
  });

  it("never lets another workspace's key read or change the sender", async () => {
    const victim = await signUpMerchant('Victim Shop');
    const victimKey = await createApiKey(victim);
    await putSender(victimKey, { ...LOCAL_SMTP, host: 'smtp.victim.example', password: WRONG_PASSWORD });
    const victimBefore = await settingsRow(victim.workspaceId);

    const attacker = await signUpMerchant('Attacker Shop');
    const attackerKey = await createApiKey(attacker);
    const read = await (await callApi(attackerKey, '/email-sender')).json<SenderBody>();
    expect(JSON.stringify(read)).not.toContain('victim');
    expect(read.sender.configured).toBe(false);

    // Each call acts on the key's own workspace, whatever the attacker sends.
    await putSender(attackerKey, { ...LOCAL_SMTP, port: 2599, password: 'x', workspaceId: victim.workspaceId });
    await postApi(attackerKey, '/email-sender/test');
    await callApi(attackerKey, '/email-sender', { method: 'DELETE' });
    expect(await settingsRow(victim.workspaceId)).toEqual(victimBefore);
  });

  it('never returns the password in any response', async () => {
    const own = await signUpMerchant();
    const ownKey = await createApiKey(own);
    const bodies = await Promise.all(
      [
        await putSender(ownKey, { ...LOCAL_SMTP, password: WRONG_PASSWORD }),
        await callApi(ownKey, '/email-sender'),
        await postApi(ownKey, '/email-sender/test'),
        await postApi(ownKey, '/email-sender/test-email', { to: uniqueEmail('pw') }),
        await putSender(ownKey, { ...LOCAL_SMTP, password: WRONG_PASSWORD, port: 25 }),
      ].map((res) => res.text()),
    );
    for (const body of bodies) {
      expect(body).not.toContain(WRONG_PASSWORD);
      expect(body).not.toContain('ciphertext');
    }
  });

  it('is for owners only: a member cannot create the API key it would need', async () => {
    const owner = await signUpMerchant();
    const member = await signUpMerchant();
    await env.DB.prepare("INSERT INTO memberships (workspace_id, user_id, role, created_at) VALUES (?, ?, 'editor', ?)").bind(owner.workspaceId, member.userId, Date.now()).run();
    await member.client.post('/app/workspaces/switch', { workspaceId: owner.workspaceId });
    await member.client.get('/app/settings');
    expect((await member.client.post('/app/settings/api-keys', { name: 'Member key' })).status).toBe(403);
  });
});
