import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { callApi, createApiKey, postApi, signUpMerchant, type Merchant } from '../helpers/factories';
import { smsRequestsFor, TWILIO_TEST_ACCOUNT_SID, TWILIO_TEST_AUTH_TOKEN, twilioNumber } from '../helpers/twilio-server';

const VALID = {
  accountSid: TWILIO_TEST_ACCOUNT_SID,
  authToken: TWILIO_TEST_AUTH_TOKEN,
  fromNumber: '+14155550142',
  helpText: 'Text Shop: help at shop.example',
  defaultCountry: 'us',
  sendRatePerSecond: 25,
  quietHoursStart: '21:30',
  quietHoursEnd: '07:45',
  clickWindowDays: 7,
};
const OTHER_TOKEN = 'b'.repeat(32);

type ErrorBody = { error: { code: string; issues?: { path: string; message: string }[] } };

let merchant: Merchant;
let key: string;

beforeAll(async () => {
  merchant = await signUpMerchant('SMS Settings Shop');
  key = await createApiKey(merchant);
});

function putSender(body: unknown) {
  return callApi(key, '/sms-sender', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

function settingsRow() {
  return env.DB.prepare(
    'SELECT twilio_account_sid, twilio_auth_token_ciphertext, sms_from_number, quiet_hours_start, quiet_hours_end, sms_click_window_ms, sms_send_rate_per_second FROM workspace_settings WHERE workspace_id = ?',
  )
    .bind(merchant.workspaceId)
    .first<Record<string, string | number | null>>();
}

describe('/api/v1/sms-sender', () => {
  it('refuses bad input naming the field and writing nothing, then saves an account whose token never comes back', async () => {
    const before = await settingsRow();
    for (const [change, field] of [
      [{ accountSid: 'AC123' }, 'accountSid'],
      [{ messagingServiceSid: `MG${'0'.repeat(32)}` }, 'fromNumber'],
      [{ fromNumber: '' }, 'fromNumber'],
      [{ fromNumber: '0612345678' }, 'fromNumber'],
      [{ helpText: 'x'.repeat(161) }, 'helpText'],
      [{ defaultCountry: 'XX' }, 'defaultCountry'],
      [{ quietHoursStart: '25:00' }, 'quietHoursStart'],
      [{ quietHoursEnd: null }, 'quietHoursEnd'],
      [{ clickWindowDays: 0 }, 'clickWindowDays'],
      [{ sendRatePerSecond: 0 }, 'sendRatePerSecond'],
      [{ sendRatePerSecond: 1001 }, 'sendRatePerSecond'],
      [{ sendRatePerSecond: 'fast' }, 'sendRatePerSecond'],
      [{ authToken: 'has spaces in it, not a token' }, 'authToken'],
    ] as const) {
      const res = await putSender({ ...VALID, ...change });
      expect(res.status, JSON.stringify(change)).toBe(400);
      expect((await res.json<ErrorBody>()).error.issues?.map((issue) => issue.path)).toContain(field);
    }
    expect(await settingsRow()).toEqual(before);

    const saved = await putSender(VALID);
    expect(saved.status).toBe(200);
    const text = await saved.text();
    expect(text).not.toContain(TWILIO_TEST_AUTH_TOKEN);
    expect(JSON.parse(text).sender).toEqual({
      configured: true,
      accountSid: TWILIO_TEST_ACCOUNT_SID,
      hasAuthToken: true,
      fromNumber: '+14155550142',
      messagingServiceSid: null,
      helpText: 'Text Shop: help at shop.example',
      defaultCountry: 'US',
      sendRatePerSecond: 25,
      quietHoursStart: '21:30',
      quietHoursEnd: '07:45',
      clickWindowDays: 7,
      incomingWebhookUrl: `https://marketing.example.com/webhooks/twilio/${merchant.workspaceId}/sms`,
      statusCallbackUrl: `https://marketing.example.com/webhooks/twilio/${merchant.workspaceId}/status`,
    });
    const row = await settingsRow();
    expect(row).toMatchObject({
      twilio_account_sid: TWILIO_TEST_ACCOUNT_SID,
      quiet_hours_start: 21 * 60 + 30,
      quiet_hours_end: 7 * 60 + 45,
      sms_click_window_ms: 7 * 86_400_000,
      sms_send_rate_per_second: 25,
    });
    expect(row!.twilio_auth_token_ciphertext).toMatch(/^v1\./);
    expect(await (await callApi(key, '/sms-sender')).text()).not.toContain(TWILIO_TEST_AUTH_TOKEN);

    // Write-only: left out, the stored token is kept for the same account, and asked for again for another.
    const { authToken: _, ...withoutToken } = VALID;
    expect((await putSender({ ...withoutToken, quietHoursStart: null, quietHoursEnd: null })).status).toBe(200);
    expect(await settingsRow()).toMatchObject({ twilio_auth_token_ciphertext: row!.twilio_auth_token_ciphertext, quiet_hours_start: null, quiet_hours_end: null });
    const otherAccount = await putSender({ ...withoutToken, accountSid: `AC${'f'.repeat(32)}` });
    expect(otherAccount.status).toBe(400);
    expect((await otherAccount.json<ErrorBody>()).error.issues?.[0]?.path).toBe('authToken');
    expect((await settingsRow())!.twilio_account_sid).toBe(TWILIO_TEST_ACCOUNT_SID);
  });

  it("sends a test SMS and reports Twilio's own answer, code and words", async () => {
    expect((await putSender(VALID)).status).toBe(200);
    const to = twilioNumber('ok');
    const sent = await (await postApi(key, '/sms-sender/test-sms', { to })).json<{ outcome: Record<string, unknown> }>();
    expect(sent.outcome).toMatchObject({ ok: true, sid: expect.stringMatching(/^SM/), code: null });
    expect((await smsRequestsFor(to))[0]).toMatchObject({ body: 'Test message from SMS Settings Shop: your SMS sender works.', from: '+14155550142' });
    expect((await postApi(key, '/sms-sender/test-sms', { to: 'not a number' })).status).toBe(400);

    expect((await putSender({ ...VALID, authToken: OTHER_TOKEN })).status).toBe(200);
    const refused = await postApi(key, '/sms-sender/test-sms', { to });
    const body = await refused.text();
    expect(JSON.parse(body).outcome).toMatchObject({ ok: false, kind: 'auth', code: 20003 });
    expect(JSON.parse(body).outcome.message).toContain('Twilio refused the Account SID or Auth Token');
    expect(body).not.toContain(OTHER_TOKEN);

    // Roles as on the email sender: an editor's key reads the settings but changes and tests nothing.
    const made = await merchant.client.post('/app/settings/api-keys', { name: 'Editor key', role: 'editor' });
    const editorKey = /value="(mk_[^"]+)"/.exec(await made.text())![1]!;
    expect((await callApi(editorKey, '/sms-sender')).status).toBe(200);
    const put = await callApi(editorKey, '/sms-sender', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(VALID) });
    expect(put.status).toBe(403);
    expect((await postApi(editorKey, '/sms-sender/test-sms', { to })).status).toBe(403);
    expect((await callApi(editorKey, '/sms-sender', { method: 'DELETE' })).status).toBe(403);

    expect((await callApi(key, '/sms-sender', { method: 'DELETE' })).status).toBe(204);
    const unset = await postApi(key, '/sms-sender/test-sms', { to });
    expect(unset.status).toBe(400);
    expect((await unset.json<ErrorBody>()).error.issues?.[0]?.path).toBe('accountSid');
  });
});

describe('Settings → SMS', () => {
  it('is in the settings navigation, shows the webhook URLs, names a bad field, and never shows the token', async () => {
    const { client, workspaceId } = merchant;
    expect(await (await client.get('/app/settings')).text()).toContain('href="/app/settings/sms"');
    const page = await (await client.get('/app/settings/sms')).text();
    expect(page).toContain(`https://marketing.example.com/webhooks/twilio/${workspaceId}/sms`);
    expect(page).toContain(`https://marketing.example.com/webhooks/twilio/${workspaceId}/status`);

    const form = { ...VALID, defaultCountry: 'US', clickWindowDays: '5', sendRatePerSecond: '25' };
    const bad = await client.post('/app/settings/sms', { ...form, fromNumber: '+14155550142', messagingServiceSid: `MG${'1'.repeat(32)}` });
    expect(bad.status).toBe(400);
    const badPage = await bad.text();
    expect(badPage).toContain('Enter either a From number or a Messaging Service SID (exactly one)');
    expect(badPage).not.toContain(TWILIO_TEST_AUTH_TOKEN);

    const saved = await client.post('/app/settings/sms', { ...form, quietHoursStart: 'off', quietHoursEnd: '' });
    expect(saved.status).toBe(303);
    const after = await (await client.get(saved.headers.get('location')!)).text();
    expect(after).toContain('SMS settings saved');
    expect(after).toMatch(/<input[^>]*name="sendRatePerSecond"[^>]*value="25"/);
    expect(after).not.toContain(TWILIO_TEST_AUTH_TOKEN);

    const tested = await client.post('/app/settings/sms/test-sms', { to: twilioNumber('ok') });
    expect(tested.status).toBe(200);
    expect(await tested.text()).toContain('Twilio accepted the text');
  });
});
