// Unsubscribe tokens: the delivery id signed with APP_SECRET, so a link can only
// unsubscribe the contact that delivery went to, and cannot be guessed or altered.
import { hmacSha256, timingSafeEqual } from '../lib/crypto';

/** The token in a delivery's unsubscribe link. */
export async function unsubscribeToken(secret: string, deliveryId: string): Promise<string> {
  return `${deliveryId}.${await hmacSha256(secret, `unsubscribe:${deliveryId}`)}`;
}

/** The delivery id a token was made for, or null when it is forged or altered. */
export async function readUnsubscribeToken(secret: string, token: string): Promise<string | null> {
  const [deliveryId, signature] = token.split('.');
  if (!deliveryId || !signature) return null;
  return timingSafeEqual(signature, await hmacSha256(secret, `unsubscribe:${deliveryId}`)) ? deliveryId : null;
}

/**
 * The token of the preferences page's form for one action on one unsubscribe link: it
 * proves the form was rendered by us, so another site cannot post a resubscribe.
 */
export async function preferencesFormToken(secret: string, token: string, action: string): Promise<string> {
  return hmacSha256(secret, `preferences:${action}:${token}`);
}

/** Whether a submitted form token is the one rendered for this link and action. */
export async function checkPreferencesFormToken(secret: string, token: string, action: string, submitted: string): Promise<boolean> {
  return timingSafeEqual(submitted, await preferencesFormToken(secret, token, action));
}
