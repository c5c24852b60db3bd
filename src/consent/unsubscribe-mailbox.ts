// The List-Unsubscribe mailto: a mail to UNSUBSCRIBE_MAILBOX (routed to this Worker by
// Cloudflare Email Routing) whose subject carries a delivery's signed token
// unsubscribes that delivery's contact, as the one-click POST does.
import { openDb } from '../db/client';
import type { Env } from '../env';
import { applyPreference, findRecipient } from './unsubscribe.service';

/** The token in a subject such as "unsubscribe <token>" (mail clients may prefix "Re:" or "Fwd:"). */
export function tokenFromSubject(subject: string): string | null {
  return /\bunsubscribe\s+([A-Za-z0-9_.-]+)/i.exec(subject)?.[1] ?? null;
}

/** Handles one inbound mail; true when it unsubscribed someone. Unknown or forged tokens change nothing. */
export async function receiveUnsubscribeMail(message: Pick<ForwardableEmailMessage, 'headers'>, env: Pick<Env, 'DB' | 'APP_SECRET'>): Promise<boolean> {
  const token = tokenFromSubject(message.headers.get('subject') ?? '');
  if (!token) return false;
  const recipient = await findRecipient(openDb(env.DB), env.APP_SECRET, token);
  if (!recipient) return false;
  await applyPreference(recipient, 'unsubscribe-email', 'unsubscribe_mailbox');
  return true;
}
