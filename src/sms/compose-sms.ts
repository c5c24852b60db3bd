// Composing one delivery's text: the SMS design rendered for the contact and the
// occurrence with the merge tags of email, and the opt-out line every marketing text
// carries (STOP is honoured by Twilio and by the incoming-message webhook).
import { eq } from 'drizzle-orm';
import type { ClaimedDelivery, Composed, DeliveryRecipient } from '../deliveries/delivery-channel';
import { smsContents } from '../db/schema';
import type { Tenant } from '../db/tenant';
import { buildShopContext, renderTextTemplate } from '../email/render-email';
import type { BatchScope } from '../queues/batch-scope';
import type { ResolvedSmsSender } from './sms-sender.service';
import type { OutgoingSms } from './twilio-client';

/** The opt-out line added to a text that does not already say how to stop. */
export const OPT_OUT_LINE = 'Reply STOP to opt out';

/** The most characters Twilio takes in one message body (it splits it into segments itself). */
export const MAX_SMS_CHARACTERS = 1600;

/** The text as sent: the rendered body, then the opt-out line unless the body already mentions STOP. */
export function composeSmsText(body: string): string {
  const text = body.trim();
  return /\bSTOP\b/i.test(text) ? text : `${text}\n${OPT_OUT_LINE}`;
}

const keepForBatch = async () => undefined;

/** Renders one delivery into the text to send, or says why it cannot go. */
export async function composeSms(
  scope: BatchScope,
  tenant: Tenant,
  sender: ResolvedSmsSender,
  delivery: ClaimedDelivery,
  contact: DeliveryRecipient & { phone: string },
): Promise<Composed<OutgoingSms>> {
  // Loaded once per batch: the batch's deliveries of a campaign share their design.
  const content = await scope.use(
    `sms-content:${delivery.contentId}`,
    async () => {
      const [row] = await tenant.db
        .select({ body: smsContents.body })
        .from(smsContents)
        .where(tenant.where(smsContents, eq(smsContents.id, delivery.contentId)))
        .limit(1);
      return row ?? null;
    },
    keepForBatch,
  );
  if (!content) return { status: 'skipped', reason: 'Its SMS content was deleted, or is not an SMS design', code: 'content_missing' };
  let body: string;
  try {
    body = renderTextTemplate('body', content.body, {
      // The occurrence's data (a flow's cart, product, prices) first: the names below always win.
      ...(delivery.context ? (JSON.parse(delivery.context) as Record<string, unknown>) : {}),
      contact: { first_name: contact.firstName, last_name: contact.lastName, email: contact.email, phone: contact.phone },
      shop: buildShopContext(sender.workspace),
    });
  } catch (err) {
    // A design that fails to render for this contact fails this delivery, not the batch.
    return { status: 'failed', reason: `The text could not be rendered: ${(err as Error).message}`, code: 'render_failed' };
  }
  if (!body.trim()) return { status: 'failed', reason: 'The text is empty once rendered for this contact', code: 'render_failed' };
  // Links are shortened here (src/sms short links, /s/:code) before the opt-out line is added.
  const text = composeSmsText(body);
  if (text.length > MAX_SMS_CHARACTERS) return { status: 'failed', reason: `The text is ${text.length} characters once rendered; Twilio takes at most ${MAX_SMS_CHARACTERS}.`, code: 'render_failed' };
  return { message: { to: contact.phone, body: text, statusCallback: sender.statusCallback } };
}
