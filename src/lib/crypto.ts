// WebCrypto helpers: random tokens, hashing, HMAC, constant-time comparison, passwords.
import { fromBase64Url, toBase64Url, toHex } from './encoding';

const encoder = new TextEncoder();

/** A random token of `bytes` bytes, base64url-encoded. */
export function randomToken(bytes = 32): string {
  return toBase64Url(crypto.getRandomValues(new Uint8Array(bytes)));
}

/**
 * `length` characters drawn from `alphabet` by the platform's CSPRNG, every character
 * equally likely: bytes at or above the largest multiple of the alphabet's size are drawn again.
 */
export function randomString(alphabet: string, length: number): string {
  const limit = 256 - (256 % alphabet.length);
  let out = '';
  while (out.length < length) {
    for (const byte of crypto.getRandomValues(new Uint8Array(length + 8))) {
      if (byte < limit && out.length < length) out += alphabet[byte % alphabet.length];
    }
  }
  return out;
}

/** SHA-256 of a string, as hex. Used to store tokens and keys we must never keep in clear. */
export async function sha256Hex(text: string): Promise<string> {
  return toHex(await crypto.subtle.digest('SHA-256', encoder.encode(text)));
}

// Imported HMAC keys: of the server's secrets (APP_SECRET), since a send signs a token per
// link and its unsubscribe links, and of workspaces' Twilio Auth Tokens, since every text
// brings several signed status callbacks; the import costs more than a signature. The key
// is kept rather than the import's promise, which requests arriving during the import
// would await from another request's context (workerd cancels such a wait). Bounded: past
// it the cache starts again, so a Worker serving many workspaces keeps only recent ones.
const HMAC_KEYS_KEPT = 64;
const hmacKeys = new Map<string, CryptoKey>();

/** The HMAC key of `secret` over `hash`, imported once per isolate while it stays among the recent ones. */
export async function hmacKey(secret: string, hash: 'SHA-1' | 'SHA-256'): Promise<CryptoKey> {
  const name = `${hash}:${secret}`;
  const known = hmacKeys.get(name);
  if (known) return known;
  const key = await crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash }, false, ['sign', 'verify']);
  if (hmacKeys.size >= HMAC_KEYS_KEPT) hmacKeys.clear();
  hmacKeys.set(name, key);
  return key;
}

/** The HMAC-SHA256 key of a server secret. */
export function hmacSha256Key(secret: string): Promise<CryptoKey> {
  return hmacKey(secret, 'SHA-256');
}

/** HMAC-SHA256 of `message` with `secret`, as base64url. */
export async function hmacSha256(secret: string, message: string): Promise<string> {
  return toBase64Url(await crypto.subtle.sign('HMAC', await hmacSha256Key(secret), encoder.encode(message)));
}

/** Compares two strings in time independent of where they differ. */
export function timingSafeEqual(a: string, b: string): boolean {
  const left = encoder.encode(a);
  const right = encoder.encode(b);
  // Compare against itself when lengths differ so the time does not reveal the length of `b`.
  const lengthsMatch = left.byteLength === right.byteLength;
  return crypto.subtle.timingSafeEqual(left, lengthsMatch ? right : left) && lengthsMatch;
}

// workerd refuses PBKDF2 above 100,000 iterations, so this is the strongest setting the runtime allows;
// the count is stored in each hash so it can be raised later without invalidating old ones.
export const PASSWORD_ITERATIONS = 100_000;
const PASSWORD_SALT_BYTES = 16;
const PASSWORD_HASH_BITS = 256;

async function pbkdf2(password: string, salt: Uint8Array, iterations: number): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey('raw', encoder.encode(password), 'PBKDF2', false, ['deriveBits']);
  const bits = await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations }, key, PASSWORD_HASH_BITS);
  return new Uint8Array(bits);
}

/** Hashes a password as `pbkdf2-sha256$<iterations>$<salt>$<hash>` with a fresh salt. */
export async function hashPassword(password: string): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(PASSWORD_SALT_BYTES));
  const hash = await pbkdf2(password, salt, PASSWORD_ITERATIONS);
  return `pbkdf2-sha256$${PASSWORD_ITERATIONS}$${toBase64Url(salt)}$${toBase64Url(hash)}`;
}

/** Checks a password against a stored hash, reading the iteration count it was made with. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, iterations, salt, hash] = stored.split('$');
  if (scheme !== 'pbkdf2-sha256' || !iterations || !salt || !hash) return false;
  const candidate = await pbkdf2(password, fromBase64Url(salt), Number(iterations));
  return timingSafeEqual(toBase64Url(candidate), hash);
}

const AES_IV_BYTES = 12;

async function importAesKey(base64Key: string): Promise<CryptoKey> {
  const raw = fromBase64Url(base64Key);
  if (raw.byteLength !== 32) throw new Error('ENCRYPTION_KEY must be the base64 of 32 bytes');
  return crypto.subtle.importKey('raw', raw, 'AES-GCM', false, ['encrypt', 'decrypt']);
}

/** Encrypts a secret for storage: `v1.<iv>.<ciphertext>` (base64url), AES-256-GCM with a fresh IV. */
export async function encryptSecret(base64Key: string, plaintext: string): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(AES_IV_BYTES));
  const ciphertext = await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, await importAesKey(base64Key), encoder.encode(plaintext));
  return `v1.${toBase64Url(iv)}.${toBase64Url(ciphertext)}`;
}

/** Decrypts what `encryptSecret` produced; throws when the key is wrong or the data was altered. */
export async function decryptSecret(base64Key: string, stored: string): Promise<string> {
  const [version, iv, ciphertext] = stored.split('.');
  if (version !== 'v1' || !iv || !ciphertext) throw new Error('unrecognized secret format');
  const plaintext = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: fromBase64Url(iv) }, await importAesKey(base64Key), fromBase64Url(ciphertext));
  return new TextDecoder().decode(plaintext);
}
