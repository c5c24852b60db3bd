// Signed links mailed to a user: `<user id>.<expiry>.<HMAC>`. The HMAC also covers
// what must not have changed since the link was sent, so no table has to remember
// it: a reset link covers the password hash (changing the password, with a fresh
// salt, kills every reset link: single use), a verification link the address.
import { hmacSha256, timingSafeEqual } from '../lib/crypto';
import { DAY, HOUR } from '../lib/time';

/** What a link is for, and how long it lives. */
export const ACCOUNT_LINKS = {
  'password-reset': { ttl: HOUR },
  'verify-email': { ttl: 3 * DAY },
} as const;
export type AccountLinkPurpose = keyof typeof ACCOUNT_LINKS;

function signature(secret: string, purpose: AccountLinkPurpose, userId: string, expiresAt: number, boundTo: string): Promise<string> {
  return hmacSha256(secret, `${purpose}:${userId}:${expiresAt}:${boundTo}`);
}

/** A token for `purpose`, for the user, bound to `boundTo` (the password hash, the address). */
export async function signAccountToken(secret: string, purpose: AccountLinkPurpose, userId: string, boundTo: string, now: number): Promise<string> {
  const expiresAt = now + ACCOUNT_LINKS[purpose].ttl;
  return `${userId}.${expiresAt}.${await signature(secret, purpose, userId, expiresAt, boundTo)}`;
}

/** The user a token names, before its signature is checked (which needs that user's row). */
export function accountTokenUserId(token: string): string | null {
  const parts = token.split('.');
  return parts.length === 3 && parts[0] ? parts[0] : null;
}

/** Whether the token is ours, for this purpose, unexpired, and what it was bound to is unchanged. */
export async function checkAccountToken(secret: string, purpose: AccountLinkPurpose, token: string, boundTo: string, now: number): Promise<boolean> {
  const [userId, expiry, signed] = token.split('.');
  const expiresAt = Number(expiry);
  if (!userId || !signed || !Number.isSafeInteger(expiresAt) || expiresAt <= now) return false;
  return timingSafeEqual(signed, await signature(secret, purpose, userId, expiresAt, boundTo));
}
