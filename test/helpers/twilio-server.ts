// Reading what the local Twilio server (test/global/twilio-server.mjs) received, and the
// numbers it answers with Twilio's errors (scripts/dev-twilio.mjs).
import { env } from 'cloudflare:workers';
import { expect } from 'vitest';

export { TWILIO_TEST_ACCOUNT_SID, TWILIO_TEST_AUTH_TOKEN } from '../global/twilio-account';

const API = `http://127.0.0.1:${env.TEST_PORT_BASE + 50}/messages`;

// How the To numbers that get Twilio's errors start (scripts/dev-twilio.mjs).
const MAGIC_PREFIXES = {
  invalid: '+15005550001', // 400, code 21211
  notMobile: '+15005550009', // 400, code 21614
  serverError: '+15005550500', // 500
  stalls: '+15005550504', // never answers
} as const;

let sequence = 0;

/** A number of this test run that the server answers as `kind` (or accepts, for 'ok'). */
export function twilioNumber(kind: keyof typeof MAGIC_PREFIXES | 'ok'): string {
  sequence += 1;
  const own = `${Date.now() % 100}${sequence}`.padStart(3, '0').slice(-3);
  // San Francisco numbers, valid to libphonenumber (the test-SMS form checks them), unique in a run.
  return kind === 'ok' ? `+14157${String(Date.now() + sequence).slice(-6)}` : `${MAGIC_PREFIXES[kind]}${own}`;
}

/** A request the server received, and what it answered (null: still holding it). */
export type ReceivedSms = {
  accountSid: string;
  to: string;
  from: string | null;
  messagingServiceSid: string | null;
  body: string;
  statusCallback: string | null;
  receivedAt: number;
  sid: string | null;
  answered: number | null;
};

/** Every request for a number so far, answered or not. */
export async function smsRequestsFor(to: string): Promise<ReceivedSms[]> {
  return (await fetch(`${API}?to=${encodeURIComponent(to)}`)).json();
}

/** Waits for the first text accepted for a number. */
export async function waitForSms(to: string): Promise<ReceivedSms> {
  const accepted = async () => (await smsRequestsFor(to)).filter((sms) => sms.answered === 201);
  await expect.poll(async () => (await accepted()).length, { timeout: 10_000 }).toBeGreaterThan(0);
  return (await accepted())[0]!;
}
