// SMS through Twilio's REST API: the only code that talks to Twilio. Every answer
// comes back as data (sent, rejected, the account's fault, try later, or unknown) with
// a sentence a merchant can act on.
//
// A small fetch client rather than the `twilio` npm package. Measured on 2026-12-02 with
// this repository's wrangler 4.86.0 (`wrangler deploy --dry-run`, nodejs_compat), a
// worker that sends one message:
//   with twilio 6.3.1:  8,346.81 KiB upload, 542.66 KiB gzipped (axios, qs, dayjs, …)
//   with fetch:              0.54 KiB upload,   0.39 KiB gzipped
// The twilio build does load and run in workerd (through axios's fetch adapter) and in
// the vitest pool, but it adds 8 MB to every isolate's start (measured 2026-12-03: a
// local `wrangler dev` of each built script answered its first request 3.4-3.7 s after
// spawn with twilio, 1.7-1.9 s without) for one POST, and its errors come wrapped in
// axios's shapes. We need one endpoint, Basic auth and a form body.
import { readBoundedText } from '../lib/bounded-body';
import { SECOND } from '../lib/time';

/** Which account sends, and from what: a number of the account, or a Messaging Service (its pool of numbers). */
export type TwilioAccount = {
  accountSid: string;
  authToken: string;
  from: { number: string } | { messagingServiceSid: string };
};

/** One text, ready to go. */
export type OutgoingSms = { to: string; body: string; statusCallback: string | null };

/**
 * What Twilio said. `rejected`: Twilio refused this message (its code says why; resending
 * will not help); `auth`: the account's credentials were refused (the sender's fault);
 * `unavailable`: Twilio is busy or failing, or could not be reached (nothing was sent,
 * try later); `unknown_outcome`: the request went out and no usable answer came back,
 * so Twilio may have it and it must not be resent.
 */
export type TwilioOutcome = { ok: true; sid: string; message: string } | { ok: false; kind: 'rejected' | 'auth' | 'unavailable' | 'unknown_outcome'; code: number | null; message: string };

/** Twilio's codes that say the number itself cannot receive texts from this account (it goes on the suppression list). */
export const UNREACHABLE_NUMBER_CODES: ReadonlySet<number> = new Set([21610, 21211, 21614]);

// What the commonest codes mean, in a merchant's words (Twilio's own message follows).
const CODE_HINTS: Record<number, string> = {
  20003: 'Twilio refused the Account SID or Auth Token. Check them in Settings → SMS.',
  21211: 'The number is not a valid phone number.',
  21408: 'Your Twilio account is not allowed to send to this country (Twilio Console → Messaging → Geo permissions).',
  21606: 'The From number cannot send SMS from your account: check that it is yours and SMS-capable.',
  21610: 'The recipient replied STOP to your number: Twilio will not deliver to them.',
  21614: 'The number is not a mobile number, so it cannot receive texts.',
};

// Longest answer read from Twilio: a message resource or an error is about 1 KB.
const MAX_ANSWER_BYTES = 64 * 1024;

/** Default wait for Twilio's answer; TWILIO_TIMEOUT_SECONDS shortens it (tests). */
export const DEFAULT_TWILIO_TIMEOUT_MS = 15 * SECOND;

/** The wait for Twilio's answer from the optional var. */
export function twilioTimeoutMs(vars: { TWILIO_TIMEOUT_SECONDS?: string | undefined }): number {
  return Number(vars.TWILIO_TIMEOUT_SECONDS) > 0 ? Number(vars.TWILIO_TIMEOUT_SECONDS) * SECOND : DEFAULT_TWILIO_TIMEOUT_MS;
}

function parseJson(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** Twilio's error, as a sentence: our hint for the code, then Twilio's own words. */
export function describeTwilioError(code: number | null, twilioMessage: string | null, status: number): string {
  const said = twilioMessage ? ` Twilio said: “${twilioMessage.slice(0, 300)}”` : '';
  const hint = code !== null ? CODE_HINTS[code] : undefined;
  return `${hint ? `${hint} ` : ''}(Twilio error ${code ?? `HTTP ${status}`}).${said}`;
}

function failure(kind: Extract<TwilioOutcome, { ok: false }>['kind'], code: number | null, message: string): TwilioOutcome {
  return { ok: false, kind, code, message };
}

/** What an HTTP answer of the Messages API means. */
async function readAnswer(response: Response, to: string): Promise<TwilioOutcome> {
  const text = await readBoundedText(response, MAX_ANSWER_BYTES).catch(() => null);
  const json = text === null ? null : parseJson(text);
  const code = typeof json?.code === 'number' ? json.code : null;
  const twilioMessage = typeof json?.message === 'string' ? json.message : null;
  if (response.ok) {
    const sid = typeof json?.sid === 'string' && /^(SM|MM)[0-9a-f]{32}$/i.test(json.sid) ? json.sid : null;
    if (sid) return { ok: true, sid, message: `Twilio accepted the text to ${to} (${sid}).` };
    // Twilio took the request but its answer does not say what it did with it.
    return failure('unknown_outcome', null, `Twilio answered ${response.status} without a message id, so it may have the text to ${to}. It was not resent, to avoid a duplicate.`);
  }
  if (response.status === 401 || code === 20003) return failure('auth', code ?? 20003, describeTwilioError(code ?? 20003, twilioMessage, response.status));
  if (response.status === 429 || response.status >= 500)
    return failure('unavailable', code, `Twilio is not taking messages now (HTTP ${response.status}); it will be retried.${twilioMessage ? ` Twilio said: “${twilioMessage.slice(0, 300)}”` : ''}`);
  return failure('rejected', code, describeTwilioError(code, twilioMessage, response.status));
}

/**
 * Sends one text. Nothing throws: every failure is an outcome. A request that went out
 * and got no answer in time, or whose connection broke, is an unknown outcome (Twilio
 * may have queued it); only Twilio's own "not now" answers (429, 5xx) are retried.
 */
export async function sendTwilioMessage(apiBase: string, account: TwilioAccount, sms: OutgoingSms, timeoutMs: number): Promise<TwilioOutcome> {
  const form = new URLSearchParams({ To: sms.to });
  if ('number' in account.from) form.set('From', account.from.number);
  else form.set('MessagingServiceSid', account.from.messagingServiceSid);
  form.set('Body', sms.body);
  if (sms.statusCallback) form.set('StatusCallback', sms.statusCallback);
  const url = `${apiBase.replace(/\/+$/, '')}/2010-04-01/Accounts/${encodeURIComponent(account.accountSid)}/Messages.json`;
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: {
        authorization: `Basic ${btoa(`${account.accountSid}:${account.authToken}`)}`,
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
      },
      body: form.toString(),
      // A redirect is not an answer of the Messages API: never follow one with the credentials.
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    const error = err as Error;
    if (error.name === 'TimeoutError')
      return failure('unknown_outcome', null, `Twilio did not answer within ${Math.round(timeoutMs / SECOND)} seconds, so it may have the text to ${sms.to}. It was not resent, to avoid a duplicate.`);
    // A name that did not resolve: nothing left, so it is safe to retry. workerd says
    // "Network connection lost." both for a refused connection and for one dropped after
    // the request went out, so those are never resent.
    if (/DNS|resolve|ENOTFOUND/i.test(error.message)) return failure('unavailable', null, `Could not reach Twilio (${error.message.slice(0, 200)}); it will be retried.`);
    return failure('unknown_outcome', null, `The connection to Twilio broke (${error.message.slice(0, 200)}), so it may have the text to ${sms.to}. It was not resent, to avoid a duplicate.`);
  }
  return readAnswer(response, sms.to).catch(() => failure('unknown_outcome', null, `Twilio's answer was cut off, so it may have the text to ${sms.to}. It was not resent, to avoid a duplicate.`));
}
