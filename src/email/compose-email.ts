// Composing one delivery's email: the design rendered for the contact and the
// occurrence, the compliance footer, the tracking transforms, and the headers every
// marketing email carries (Message-ID, RFC 8058 one-click List-Unsubscribe).
import { eq } from 'drizzle-orm';
import type { OutgoingEmail } from '../channels/email';
import { unsubscribeToken } from '../consent/unsubscribe-tokens';
import type { ClaimedDelivery, Composed, DeliveryRecipient } from '../deliveries/delivery-channel';
import { emailContents } from '../db/schema';
import type { Tenant } from '../db/tenant';
import type { Env } from '../env';
import type { BatchScope } from '../queues/batch-scope';
import { escapeHtml } from '../lib/html';
import { publicUrl } from '../lib/public-url';
import type { ResolvedSender } from './email-sender.service';
import { transformDeliveryHtml } from './html-transforms';
import { buildShopContext, renderEmail } from './render-email';

/** The footer every marketing email ends with, unless the design already links to the unsubscribe URL. */
export function withComplianceFooter(html: string, unsubscribeUrl: string, postalAddress: string | null): string {
  if (html.includes(escapeHtml(unsubscribeUrl)) || html.includes(unsubscribeUrl)) return html;
  const address = postalAddress ? `<br>${escapeHtml(postalAddress)}` : '';
  const footer = `<p style="font:12px/1.5 sans-serif;color:#6b7280;text-align:center;margin:24px 0">You receive this email because you subscribed. <a href="${escapeHtml(unsubscribeUrl)}" style="color:#6b7280">Unsubscribe</a>${address}</p>`;
  return /<\/body>/i.test(html) ? html.replace(/<\/body>/i, `${footer}</body>`) : html + footer;
}

/** RFC 2369 / RFC 8058 headers: the one-click URL, plus a mailto when a mailbox is routed to us. */
export function listUnsubscribeHeaders(unsubscribeUrl: string, token: string, mailbox: string | undefined): Record<string, string> {
  const mailto = mailbox ? `, <mailto:${mailbox}?subject=${encodeURIComponent(`unsubscribe ${token}`)}>` : '';
  return { 'List-Unsubscribe': `<${unsubscribeUrl}>${mailto}`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' };
}

/** The Message-ID of a delivery's email: derived from its id, so the record needs no round trip to learn it. */
export function deliveryMessageId(deliveryId: string, sender: ResolvedSender): string {
  return `<${deliveryId}@${sender.from.email.split('@')[1]!}>`;
}

const keepForBatch = async () => undefined;

/** Renders one delivery into the email to send, or says why it cannot go. */
export async function composeEmail(env: Env, scope: BatchScope, tenant: Tenant, sender: ResolvedSender, delivery: ClaimedDelivery, contact: DeliveryRecipient): Promise<Composed<OutgoingEmail>> {
  // Loaded once per batch: the batch's deliveries of a campaign share their design.
  const content = await scope.use(
    `content:${delivery.contentId}`,
    async () => {
      const [row] = await tenant.db
        .select({ subject: emailContents.subject, preheader: emailContents.preheader, html: emailContents.html })
        .from(emailContents)
        .where(tenant.where(emailContents, eq(emailContents.id, delivery.contentId)))
        .limit(1);
      return row ?? null;
    },
    keepForBatch,
  );
  if (!content) return { status: 'skipped', reason: 'Its email content was deleted', code: 'content_missing' };
  const { workspace } = sender;
  const token = await unsubscribeToken(env.APP_SECRET, delivery.id);
  const unsubscribeUrl = publicUrl(env, `/u/${token}`);
  const email = contact.email!;
  let rendered: ReturnType<typeof renderEmail>;
  try {
    rendered = renderEmail(content, {
      // The occurrence's data (a flow's cart, product, prices) first: the names below always win.
      ...(delivery.context ? (JSON.parse(delivery.context) as Record<string, unknown>) : {}),
      contact: { first_name: contact.firstName, last_name: contact.lastName, email },
      shop: buildShopContext(workspace),
      unsubscribe_url: unsubscribeUrl,
    });
  } catch (err) {
    // A design that fails to render for this contact fails this delivery, not the batch.
    return { status: 'failed', reason: `The design could not be rendered: ${(err as Error).message}`, code: 'render_failed' };
  }
  return {
    message: {
      from: sender.from,
      to: { name: [contact.firstName, contact.lastName].filter(Boolean).join(' ') || undefined, email },
      replyTo: sender.replyTo,
      subject: rendered.subject,
      html: await transformDeliveryHtml(withComplianceFooter(rendered.html, unsubscribeUrl, workspace.postalAddress), delivery),
      text: `${rendered.text}\n\nUnsubscribe: ${unsubscribeUrl}`,
      headers: { 'Message-ID': deliveryMessageId(delivery.id, sender), ...listUnsubscribeHeaders(unsubscribeUrl, token, env.UNSUBSCRIBE_MAILBOX) },
    },
  };
}
