// Texts people send to a workspace's number (Twilio's incoming-message webhook): opt-out
// and opt-in keywords change the number's SMS consent, HELP is answered. Anything else is
// neither stored nor answered: there is no inbox here, and the merchant reads replies in
// Twilio's console.
import { z } from 'zod';
import { suppressStatement, unsuppressStatement } from '../consent/suppressions.service';
import { normalizePhone } from '../contacts/contact-fields';
import { consentByPhoneStatements } from '../contacts/contacts.service';
import { runBatch } from '../db/client';
import type { Tenant } from '../db/tenant';
import { readSmsKeyword } from './sms-keywords';
import type { TwilioWebhookAccount } from './twilio-webhook-account';

/** The fields of Twilio's incoming-message request that are read (it sends more, all signed). */
export const InboundSms = z.object({
  From: z.string().min(1).max(64),
  Body: z.string().default(''),
});
export type InboundSms = z.infer<typeof InboundSms>;

/** Where consent changes made by a texted keyword are recorded as coming from. */
export const SMS_KEYWORD_SOURCE = 'sms_keyword';

/** The answer to HELP: the workspace's own text, else a sentence naming it. */
export function smsHelpReply(account: Pick<TwilioWebhookAccount, 'workspaceName' | 'helpText' | 'replyToEmail'>): string {
  const own = account.helpText?.trim();
  if (own) return own;
  const contact = account.replyToEmail ? ` Questions: ${account.replyToEmail}.` : '';
  return `${account.workspaceName}: marketing texts.${contact} Reply STOP to unsubscribe, START to resubscribe. Msg & data rates may apply.`;
}

/**
 * Applies a text's keyword; answers the reply to send back, or null for none. STOP and its
 * synonyms unsubscribe the number's contact and suppress the number (even with no contact:
 * a later import cannot text it); START and its synonyms subscribe the number's contact
 * (the number's owner asks for texts, whatever its consent was) and lift a suppression made by an opt-out (not a bounce or the merchant's own).
 * Each is a state, not a toggle, so a replayed request changes nothing more.
 */
export async function receiveSms(tenant: Tenant, account: TwilioWebhookAccount, sms: InboundSms, now = Date.now()): Promise<string | null> {
  const read = readSmsKeyword(sms.Body);
  if (!read) return null;
  if (read.keyword === 'help') return smsHelpReply(account);
  // A short code or an alphanumeric sender has no number to opt out.
  const phone = normalizePhone(sms.From);
  if (!phone) return null;
  const number = { channel: 'sms', address: phone } as const;
  if (read.keyword === 'opt_out') {
    await runBatch(tenant.db, [
      ...consentByPhoneStatements(tenant, phone, 'sms', 'unsubscribed', SMS_KEYWORD_SOURCE, now),
      suppressStatement(tenant, number, 'unsubscribed', `Texted ${read.word}`, now),
    ]);
  } else {
    await runBatch(tenant.db, [...consentByPhoneStatements(tenant, phone, 'sms', 'subscribed', SMS_KEYWORD_SOURCE, now), unsuppressStatement(tenant, number, 'unsubscribed')]);
  }
  // Twilio's opt-out handling confirms STOP and START itself (and refuses to text a number
  // that has just opted out), so a reply of ours would be a second message or an error.
  return null;
}
