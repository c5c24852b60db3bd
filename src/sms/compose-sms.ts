// Composing one delivery's text: the SMS design rendered for the contact and the
// occurrence with the merge tags of email, and the opt-out line every marketing text
// carries (STOP is honoured by Twilio and by the incoming-message webhook).
import { eq } from 'drizzle-orm';
import type { ClaimedDelivery, Composed, DeliveryRecipient } from '../deliveries/delivery-channel';
import { runBatch } from '../db/client';
import { smsContents } from '../db/schema';
import type { Tenant } from '../db/tenant';
import { buildShopContext, renderTextTemplate } from '../email/render-email';
import type { Env } from '../env';
import { coalesce } from '../lib/coalesce';
import type { BatchScope } from '../queues/batch-scope';
import type { ResolvedSmsSender } from './sms-sender.service';
import { insertShortLinks, shortenSmsLinks, type ShortLinkRow } from './short-links';
import { MAX_SMS_BODY } from './sms-contents.schemas';
import { withOptOutLine } from './sms-segments';
import type { OutgoingSms } from './twilio-client';

/** The most characters Twilio takes in one message body (it splits it into segments itself). */
const MAX_SMS_CHARACTERS = MAX_SMS_BODY;

const keepForBatch = async () => undefined;

/** Renders one delivery into the text to send, or says why it cannot go. */
export async function composeSms(
  env: Pick<Env, 'PUBLIC_BASE_URL'>,
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
  // Stored before the text leaves, so a recipient never follows a code that leads nowhere; a
  // retried delivery makes new codes and the old ones point at the same delivery and URLs.
  // The batch's texts store their links together: one round trip for the links of every
  // text composed meanwhile (the whole batch at once, as the SMS channel composes up front).
  const shortened = shortenSmsLinks(env, delivery.id, body.trim());
  const storeLinks = await scope.use(`sms-short-links:${tenant.workspaceId}`, async () => coalesce<ShortLinkRow>((links) => runBatch(tenant.db, insertShortLinks(tenant, links))), keepForBatch);
  await storeLinks(shortened.links);
  const text = withOptOutLine(shortened.text);
  if (text.length > MAX_SMS_CHARACTERS) return { status: 'failed', reason: `The text is ${text.length} characters once rendered; Twilio takes at most ${MAX_SMS_CHARACTERS}.`, code: 'render_failed' };
  return { message: { to: contact.phone, body: text, statusCallback: sender.statusCallback } };
}
