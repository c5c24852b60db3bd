// The attack: keep the saved password, change the host to one you control, and the
// platform signs in there with the merchant's real password.
import { env } from 'cloudflare:workers';
import { beforeEach, describe, expect, it } from 'vitest';
import { apiErrorOf, callApi, createApiKey, signUpMerchant, type Merchant } from '../helpers/factories';
import { SMTP_PORT } from '../helpers/smtp-sink';

const SAVED = { host: '127.0.0.1', port: SMTP_PORT, security: 'none', username: 'test', fromEmail: 'news@own.example' };

let merchant: Merchant;
let key: string;

function putSender(body: unknown) {
  return callApi(key, '/email-sender', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

function stored() {
  return env.DB.prepare('SELECT smtp_host AS host, smtp_port AS port, smtp_username AS username, smtp_password_ciphertext AS ciphertext FROM workspace_settings WHERE workspace_id = ?')
    .bind(merchant.workspaceId)
    .first<{ host: string; port: number; username: string | null; ciphertext: string | null }>();
}

beforeEach(async () => {
  merchant = await signUpMerchant('Password Shop');
  key = await createApiKey(merchant);
  expect((await putSender({ ...SAVED, password: 'test' })).status).toBe(200);
});

describe('the saved SMTP password stays with its server', () => {
  it('changing the host forgets the saved password: a blank password is refused naming password', async () => {
    const before = await stored();
    const res = await putSender({ ...SAVED, host: 'localhost' });
    expect(res.status).toBe(400);
    expect((await apiErrorOf(res)).issues?.map((issue) => issue.path)).toEqual(['password']);
    // Nothing changed: the saved password is still only the old host's.
    expect(await stored()).toEqual(before);
    // With the password typed again, the new host is saved with it.
    expect((await putSender({ ...SAVED, host: 'localhost', password: 'test' })).status).toBe(200);
    expect(await stored()).toMatchObject({ host: 'localhost', ciphertext: expect.stringMatching(/^v1\./) });
    expect((await stored())!.ciphertext).not.toBe(before!.ciphertext);
  });

  it('changing the port forgets the saved password', async () => {
    const res = await putSender({ ...SAVED, port: 2525 });
    expect(res.status).toBe(400);
    expect((await apiErrorOf(res)).issues?.map((issue) => issue.path)).toEqual(['password']);
  });

  it('changing the username forgets the saved password', async () => {
    const res = await putSender({ ...SAVED, username: 'someone-else' });
    expect(res.status).toBe(400);
    expect((await apiErrorOf(res)).issues?.map((issue) => issue.path)).toEqual(['password']);
  });

  it('a new host without a username clears the saved password rather than keeping it', async () => {
    expect((await putSender({ ...SAVED, host: 'localhost', username: '' })).status).toBe(200);
    expect(await stored()).toMatchObject({ host: 'localhost', username: null, ciphertext: null });
  });

  it('the same host, port and username keep the saved password when it is left blank', async () => {
    const before = await stored();
    expect((await putSender({ ...SAVED, fromName: 'Renamed' })).status).toBe(200);
    expect((await stored())!.ciphertext).toBe(before!.ciphertext);
  });

  it('the settings form asks for the password again when the host changes', async () => {
    const res = await merchant.client.post('/app/settings/email', { ...SAVED, port: String(SMTP_PORT), host: 'localhost', password: '' });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain('Enter the password: the server, port or username changed, so the saved password is not sent to it.');
    expect((await stored())!.host).toBe('127.0.0.1');
    expect(await (await merchant.client.get('/app/settings/email')).text()).toContain('changing the server, port or username asks for it again');
  });
});
