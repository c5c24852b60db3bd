import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { openDb, runBatch } from '../../src/db/client';
import { forWorkspace, type Tenant } from '../../src/db/tenant';
import { smsDeliveryOutcome } from '../../src/sms/sms-channel';
import { sendTwilioMessage, type OutgoingSms, type TwilioAccount } from '../../src/sms/twilio-client';
import { signUpMerchant } from '../helpers/factories';
import { smsRequestsFor, TWILIO_TEST_ACCOUNT_SID, TWILIO_TEST_AUTH_TOKEN, twilioNumber } from '../helpers/twilio-server';

const ACCOUNT: TwilioAccount = { accountSid: TWILIO_TEST_ACCOUNT_SID, authToken: TWILIO_TEST_AUTH_TOKEN, from: { number: '+14155550100' } };
const CALLBACK = 'https://marketing.example.com/webhooks/twilio/w1/status';
const TIMEOUT_MS = 2_000;

let tenant: Tenant;

beforeAll(async () => {
  tenant = forWorkspace(openDb(env.DB), (await signUpMerchant('Twilio Client Shop')).workspaceId);
});

function send(sms: OutgoingSms, account = ACCOUNT) {
  return sendTwilioMessage(env.TWILIO_API_BASE, account, sms, TIMEOUT_MS);
}

function suppressionOf(phone: string) {
  return env.DB.prepare("SELECT reason, detail FROM suppressions WHERE workspace_id = ? AND channel = 'sms' AND address = ?")
    .bind(tenant.workspaceId, phone)
    .first<{ reason: string; detail: string }>();
}

describe('the Twilio client against a local Twilio', () => {
  it('sends from a number or a Messaging Service, with Basic auth, the form fields and the status callback', async () => {
    const to = twilioNumber('ok');
    const sms = { to, body: 'Hello from the shop', statusCallback: CALLBACK };
    const outcome = await send(sms);
    expect(outcome).toMatchObject({ ok: true, sid: expect.stringMatching(/^SM[0-9a-f]{32}$/) });
    expect(smsDeliveryOutcome(tenant, sms, outcome)).toEqual({ status: 'sent', providerId: outcome.ok ? outcome.sid : '' });
    const viaService = await send({ to, body: 'Via the service', statusCallback: null }, { ...ACCOUNT, from: { messagingServiceSid: `MG${'ab'.repeat(16)}` } });
    expect(viaService.ok).toBe(true);
    const received = await smsRequestsFor(to);
    expect(received.map(({ from, messagingServiceSid, body, statusCallback, answered }) => ({ from, messagingServiceSid, body, statusCallback, answered }))).toEqual([
      { from: '+14155550100', messagingServiceSid: null, body: 'Hello from the shop', statusCallback: CALLBACK, answered: 201 },
      { from: null, messagingServiceSid: `MG${'ab'.repeat(16)}`, body: 'Via the service', statusCallback: null, answered: 201 },
    ]);
  });

  it("fails a number Twilio calls invalid or not a mobile, in Twilio's words, and suppresses it for SMS", async () => {
    for (const [kind, code, words] of [
      ['invalid', 21211, 'The number is not a valid phone number. (Twilio error 21211).'],
      ['notMobile', 21614, 'The number is not a mobile number, so it cannot receive texts. (Twilio error 21614).'],
    ] as const) {
      const sms = { to: twilioNumber(kind), body: 'Hi', statusCallback: null };
      const outcome = await send(sms);
      expect(outcome).toMatchObject({ ok: false, kind: 'rejected', code });
      expect(outcome.message).toContain(words);
      expect(outcome.message).toContain('Twilio said: “');
      const result = smsDeliveryOutcome(tenant, sms, outcome);
      expect(result).toMatchObject({ status: 'failed', reason: outcome.message });
      await runBatch(tenant.db, result.status === 'failed' ? (result.statements ?? []) : []);
      expect(await suppressionOf(sms.to)).toEqual({ reason: 'hard_bounce', detail: outcome.message });
    }
  });

  it('tells a refused account (a sender fault) from a busy Twilio (retried) and from a stalled one (unknown, sent once)', async () => {
    const wrongToken = { to: twilioNumber('ok'), body: 'Hi', statusCallback: null };
    const refused = await send(wrongToken, { ...ACCOUNT, authToken: 'f'.repeat(32) });
    expect(refused).toMatchObject({ ok: false, kind: 'auth', code: 20003 });
    expect(refused.message).toContain('Twilio refused the Account SID or Auth Token');
    expect(smsDeliveryOutcome(tenant, wrongToken, refused)).toMatchObject({ status: 'retry', senderFault: { kind: 'auth' } });

    const busy = { to: twilioNumber('serverError'), body: 'Hi', statusCallback: null };
    const failing = await send(busy);
    expect(failing).toMatchObject({ ok: false, kind: 'unavailable', code: 20500 });
    expect(smsDeliveryOutcome(tenant, busy, failing)).toMatchObject({ status: 'retry', senderFault: null });
    expect(await suppressionOf(busy.to)).toBeNull();

    const stalled = { to: twilioNumber('stalls'), body: 'Hi', statusCallback: null };
    const started = Date.now();
    const silent = await send(stalled);
    expect(Date.now() - started).toBeLessThan(TIMEOUT_MS + 1_500);
    expect(silent).toMatchObject({ ok: false, kind: 'unknown_outcome' });
    expect(silent.message).toContain('It was not resent');
    expect(smsDeliveryOutcome(tenant, stalled, silent)).toEqual({ status: 'unknown', reason: silent.message });
    expect(await smsRequestsFor(stalled.to)).toHaveLength(1);

    // workerd reports a refused connection as it does one lost mid-request: never resent.
    const nowhere = await sendTwilioMessage(`http://127.0.0.1:${env.TEST_PORT_BASE + 49}`, ACCOUNT, wrongToken, TIMEOUT_MS);
    expect(nowhere).toMatchObject({ ok: false, kind: 'unknown_outcome' });
  });
});
