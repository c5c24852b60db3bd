// Twilio's request signature (X-Twilio-Signature), as twilio-node's validateRequest
// computes it (src/webhooks/webhooks.ts): base64 HMAC-SHA1, keyed with the account's Auth
// Token, of the full URL Twilio requested followed by every POST parameter in name order,
// each as name then value. A name sent more than once contributes each distinct value once,
// values in order. Written on WebCrypto: workerd has no node:crypto HMAC-SHA1 helper here.
import { hmacKey, timingSafeEqual } from '../lib/crypto';

const encoder = new TextEncoder();

// JavaScript's default sort (UTF-16 code units), the order twilio-node's Object.keys().sort() gives.
const byCodeUnits = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The text Twilio signs: the URL, then each parameter name followed by its value(s). */
function signedText(url: string, params: URLSearchParams): string {
  const names = [...new Set(params.keys())].sort(byCodeUnits);
  let text = url;
  for (const name of names) {
    for (const value of [...new Set(params.getAll(name))].sort(byCodeUnits)) text += name + value;
  }
  return text;
}

/** The signature Twilio sends for a POST of `params` to `url`, signed with `authToken`. */
export async function twilioSignature(authToken: string, url: string, params: URLSearchParams): Promise<string> {
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', await hmacKey(authToken, 'SHA-1'), encoder.encode(signedText(url, params))));
  return btoa(String.fromCharCode(...mac));
}

/**
 * The URL as Twilio may have signed it: with its port left off, and with it written out
 * (443 or 80 when none is given). Twilio's own validator accepts both because Twilio's
 * signers differ.
 */
function urlSpellings(url: string): string[] {
  const { protocol, hostname, port, pathname, search } = new URL(url);
  const shownPort = port || (protocol === 'https:' ? '443' : '80');
  return [`${protocol}//${hostname}${pathname}${search}`, `${protocol}//${hostname}:${shownPort}${pathname}${search}`];
}

/** True when `header` is Twilio's signature of this request under `authToken`; compared in constant time. */
export async function verifyTwilioSignature(authToken: string, url: string, params: URLSearchParams, header: string | undefined): Promise<boolean> {
  if (!header) return false;
  let valid = false;
  // Every spelling is checked, so the time taken does not say which one matched.
  for (const spelling of urlSpellings(url)) valid = timingSafeEqual(await twilioSignature(authToken, spelling, params), header.trim()) || valid;
  return valid;
}
