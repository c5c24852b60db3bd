// Signature checks over the raw request bytes, before anything is parsed:
// re-serialized JSON never matches what the platform signed.
import { fromBase64Url, toHex } from '../lib/encoding';

const encoder = new TextEncoder();

async function hmac(key: CryptoKey, bytes: ArrayBuffer | Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.sign('HMAC', key, bytes));
}

/** An HMAC-SHA256 key for a webhook secret (imported once per connection and cached). */
export function importWebhookKey(secret: string): Promise<CryptoKey> {
  return crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && crypto.subtle.timingSafeEqual(a, b);
}

function decodeBase64(text: string): Uint8Array | null {
  try {
    return fromBase64Url(text.trim());
  } catch {
    return null;
  }
}

/** Shopify and WooCommerce: the header is base64(HMAC-SHA256(secret, raw body)). */
export async function verifyBase64BodySignature(key: CryptoKey, body: ArrayBuffer, header: string | undefined): Promise<boolean> {
  const given = header ? decodeBase64(header) : null;
  return given !== null && equalBytes(given, await hmac(key, body));
}

export const CUSTOM_SIGNATURE_TOLERANCE_SECONDS = 300;

/**
 * Generic events: `X-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`.
 * The timestamp is signed, so an old request cannot be replayed with a fresh one.
 */
export async function verifyTimestampedSignature(key: CryptoKey, body: ArrayBuffer, header: string | undefined, nowMs: number): Promise<'valid' | 'invalid' | 'stale'> {
  const parts = Object.fromEntries((header ?? '').split(',').map((part) => part.trim().split('=', 2) as [string, string]));
  const timestamp = Number(parts.t);
  const signature = parts.v1;
  if (!Number.isInteger(timestamp) || !signature || !/^[0-9a-f]{64}$/i.test(signature)) return 'invalid';
  const prefix = encoder.encode(`${timestamp}.`);
  const signed = new Uint8Array(prefix.byteLength + body.byteLength);
  signed.set(prefix);
  signed.set(new Uint8Array(body), prefix.byteLength);
  const expected = toHex(await hmac(key, signed));
  if (!equalBytes(encoder.encode(signature.toLowerCase()), encoder.encode(expected))) return 'invalid';
  return Math.abs(nowMs / 1000 - timestamp) > CUSTOM_SIGNATURE_TOLERANCE_SECONDS ? 'stale' : 'valid';
}

/** Base64 HMAC-SHA256, as Shopify and WooCommerce sign (for tests, fixtures and docs). */
export async function signBase64(secret: string, body: string): Promise<string> {
  const mac = await hmac(await importWebhookKey(secret), encoder.encode(body));
  return btoa(String.fromCharCode(...mac));
}
