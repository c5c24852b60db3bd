// What Twilio reports about a text after accepting it (its status callback): the delivery
// keeps the provider's latest status and error code, turns `failed` when the carrier did not
// deliver it, and a number that can never receive texts is suppressed.
import { eq, inArray, isNull, or, sql } from 'drizzle-orm';
import { z } from 'zod';
import { suppressStatement } from '../consent/suppressions.service';
import { normalizePhone } from '../contacts/contact-fields';
import { runBatch, type Statement } from '../db/client';
import { contacts, DELIVERY_STATUSES, deliveries, type SuppressionReason } from '../db/schema';
import type { Tenant } from '../db/tenant';
import type { ReasonCode } from '../deliveries/delivery-channel';
import { canMoveDelivery } from '../deliveries/delivery-status';

/** The fields of Twilio's status callback that are read (it sends more, all signed). */
export const SmsStatusCallback = z.object({
  MessageSid: z.string().min(1).max(64),
  MessageStatus: z
    .string()
    .min(1)
    .max(32)
    .transform((status) => status.toLowerCase()),
  ErrorCode: z.preprocess(
    (value) => (value === '' ? undefined : value),
    z
      .string()
      .regex(/^\d{1,10}$/, 'A number')
      .optional(),
  ),
  To: z.string().max(64).optional(),
});
export type SmsStatusCallback = z.infer<typeof SmsStatusCallback>;

// Twilio's statuses of an outgoing message, ranked in the order they happen. A report only
// replaces one of a lower rank: callbacks arrive out of order, and a late `sent` after
// `delivered` must change nothing. Final outcomes share a rank: the first one stands.
const STATUS_RANKS: Readonly<Record<string, number>> = {
  accepted: 0,
  scheduled: 0,
  queued: 1,
  sending: 2,
  sent: 3,
  delivered: 4,
  undelivered: 4,
  failed: 4,
  canceled: 4,
  read: 5,
};

// Reports that the message did not reach the phone.
const NOT_DELIVERED = new Set(['undelivered', 'failed']);

// Twilio's error codes in words; `suppress` for those saying the number can never receive
// texts from this sender, with the suppression reason (21610: the person texted STOP, so a
// START from them lifts it, as it lifts Twilio's own block).
const TWILIO_ERRORS: Readonly<Record<string, { words: string; suppress?: SuppressionReason }>> = {
  '21211': { words: 'not a valid phone number', suppress: 'hard_bounce' },
  '21610': { words: 'the recipient has opted out (texted STOP)', suppress: 'unsubscribed' },
  '21614': { words: 'not a mobile number', suppress: 'hard_bounce' },
  '30003': { words: 'the phone is off or out of reach' },
  '30004': { words: 'blocked by the recipient or their carrier' },
  '30005': { words: 'unknown number, or no longer in service', suppress: 'hard_bounce' },
  '30006': { words: 'a landline, or a carrier that cannot receive texts', suppress: 'hard_bounce' },
  '30007': { words: 'filtered by the carrier as spam' },
  '30008': { words: 'an unknown error at the carrier' },
};

/** The sentence a delivery that was not delivered is logged with. */
function notDeliveredReason(status: string, errorCode: string | undefined): string {
  if (!errorCode) return `Not delivered (Twilio reported "${status}" without an error code)`;
  const words = TWILIO_ERRORS[errorCode]?.words ?? 'see Twilio’s error reference';
  return `Not delivered: ${words} (Twilio error ${errorCode})`;
}

// Delivery statuses from which a carrier's "not delivered" may move it to failed.
const FAILABLE = DELIVERY_STATUSES.filter((status) => canMoveDelivery(status, 'failed'));

/** True when a report of `status` replaces what the delivery has (nothing, or an earlier status). */
function movesForward(stored: string | null, status: string): boolean {
  return stored === null || (STATUS_RANKS[stored] ?? -1) < STATUS_RANKS[status]!;
}

/**
 * Applies a status callback to the workspace's SMS delivery with that provider message id.
 * Answers false when nothing was applied: no such delivery in this workspace (another
 * workspace's id, a message not sent by us), a status Twilio added since, or a report older
 * than the one stored (a late `sent` after `delivered`). Nothing is written then, so a
 * replay changes nothing.
 */
export async function recordSmsStatus(tenant: Tenant, callback: SmsStatusCallback, now = Date.now()): Promise<boolean> {
  const status = callback.MessageStatus;
  const rank = STATUS_RANKS[status];
  if (rank === undefined) return false;
  const [delivery] = await tenant.db
    .select({ id: deliveries.id, providerStatus: deliveries.providerStatus, phone: contacts.phone })
    .from(deliveries)
    .innerJoin(contacts, tenant.where(contacts, eq(contacts.id, deliveries.contactId)))
    .where(tenant.where(deliveries, eq(deliveries.channel, 'sms'), eq(deliveries.messageId, callback.MessageSid)))
    .limit(1);
  if (!delivery || !movesForward(delivery.providerStatus, status)) return false;

  const earlier = Object.keys(STATUS_RANKS).filter((other) => STATUS_RANKS[other]! < rank);
  const fails = NOT_DELIVERED.has(status) ? inArray(deliveries.status, FAILABLE) : sql`0`;
  const statements: Statement[] = [
    tenant.db
      .update(deliveries)
      .set({
        providerStatus: status,
        providerErrorCode: callback.ErrorCode ?? null,
        status: sql`CASE WHEN ${fails} THEN 'failed' ELSE ${deliveries.status} END`,
        reason: sql`CASE WHEN ${fails} THEN ${notDeliveredReason(status, callback.ErrorCode)} ELSE ${deliveries.reason} END`,
        reasonCode: sql`CASE WHEN ${fails} THEN ${'undelivered' satisfies ReasonCode} ELSE ${deliveries.reasonCode} END`,
        updatedAt: now,
      })
      // Checked again here: two callbacks of one message may arrive at once.
      .where(tenant.where(deliveries, eq(deliveries.id, delivery.id), or(isNull(deliveries.providerStatus), earlier.length ? inArray(deliveries.providerStatus, earlier) : undefined))),
  ];
  const permanent = callback.ErrorCode ? TWILIO_ERRORS[callback.ErrorCode] : undefined;
  // The number Twilio texted (signed), else the contact's number now.
  const address = normalizePhone(callback.To) ?? delivery.phone;
  if (NOT_DELIVERED.has(status) && permanent?.suppress && address) {
    statements.push(suppressStatement(tenant, { channel: 'sms', address }, permanent.suppress, `Twilio error ${callback.ErrorCode}: ${permanent.words}`, now));
  }
  await runBatch(tenant.db, statements);
  return true;
}
