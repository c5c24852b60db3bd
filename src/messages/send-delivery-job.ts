// The `send-delivery` job: one email to one contact. Consent and suppression are
// checked now (not when queued); the claim (queued → sending) makes sure only one
// worker ever sends a delivery; temporary failures go back to the queue with backoff.
import { eq } from 'drizzle-orm';
import type { z } from 'zod';
import { sendOnSession, tryOpenEmailSession, type EmailSession, type OutgoingEmail, type SmtpOutcome, type SmtpServer } from '../channels/email';
import { openDb } from '../db/client';
import { contacts, deliveries, emailContents } from '../db/schema';
import { forWorkspace, type Tenant } from '../db/tenant';
import type { Env } from '../env';
import type { BatchScope } from '../jobs/queue-consumer';
import type { SendDeliveryMessage } from '../jobs/queue-messages';
import { getWorkspace } from '../workspaces/workspaces.service';
import { isSuppressed, moveDelivery, suppressEmail } from './deliveries.service';
import { resolveSender } from './email-sender.service';
import { transformDeliveryHtml } from './html-transforms';
import { renderEmail } from './render-email';
import { unsubscribeToken } from './unsubscribe-tokens';

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/** The footer every marketing email ends with, unless the design already links to the unsubscribe URL. */
export function withComplianceFooter(html: string, unsubscribeUrl: string, postalAddress: string | null): string {
  if (html.includes(escapeHtml(unsubscribeUrl)) || html.includes(unsubscribeUrl)) return html;
  const address = postalAddress ? `<br>${escapeHtml(postalAddress)}` : '';
  const footer = `<p style="font:12px/1.5 sans-serif;color:#6b7280;text-align:center;margin:24px 0">You receive this email because you subscribed. <a href="${escapeHtml(unsubscribeUrl)}" style="color:#6b7280">Unsubscribe</a>${address}</p>`;
  return /<\/body>/i.test(html) ? html.replace(/<\/body>/i, `${footer}</body>`) : html + footer;
}

async function skip(tenant: Tenant, id: string, reason: string): Promise<void> {
  await moveDelivery(tenant, id, 'sending', 'skipped', { reason });
}

/**
 * Sends on the batch's connection for this workspace's server (opened on first use),
 * so a batch of one workspace's messages costs one SMTP handshake. A failed send
 * drops the connection: the server may have closed it.
 */
async function sendThroughBatchConnection(scope: BatchScope, workspaceId: string, server: SmtpServer, email: OutgoingEmail): Promise<SmtpOutcome> {
  const key = `smtp:${workspaceId}:${server.host}:${server.port}:${server.username ?? ''}`;
  let session: EmailSession;
  try {
    session = await scope.use(
      key,
      async () => {
        const opened = await tryOpenEmailSession(server);
        if ('outcome' in opened) throw opened.outcome;
        return opened.session;
      },
      (open) => open.close(),
    );
  } catch (outcome) {
    return outcome as SmtpOutcome;
  }
  const outcome = await sendOnSession(session, server, email);
  if (!outcome.ok) {
    // Dropped, not closed: the server may have hung up (see EmailSession).
    session.abort();
    scope.forget(key);
  }
  return outcome;
}

/** Sends one delivery; a redelivered message finds it no longer queued and does nothing. */
export async function runSendDeliveryJob(message: z.infer<typeof SendDeliveryMessage>, env: Env, scope: BatchScope): Promise<void> {
  const tenant = forWorkspace(openDb(env.DB), message.workspaceId);
  const [delivery] = await tenant.db.select().from(deliveries).where(tenant.where(deliveries, eq(deliveries.id, message.deliveryId))).limit(1);
  if (!delivery || delivery.status !== 'queued') return;
  if (!(await moveDelivery(tenant, delivery.id, 'queued', 'sending'))) return;

  const [contact] = await tenant.db.select().from(contacts).where(tenant.where(contacts, eq(contacts.id, delivery.contactId))).limit(1);
  if (!contact?.email) return skip(tenant, delivery.id, 'The contact has no email address');
  if (contact.emailConsent !== 'subscribed') return skip(tenant, delivery.id, `Email consent is "${contact.emailConsent}"`);
  if (await isSuppressed(tenant, contact.email)) return skip(tenant, delivery.id, 'The address is on the suppression list');

  const [content] = await tenant.db.select().from(emailContents).where(tenant.where(emailContents, eq(emailContents.id, delivery.contentId))).limit(1);
  if (!content) return skip(tenant, delivery.id, 'Its email content was deleted');
  const workspace = await getWorkspace(tenant);
  const unsubscribeUrl = `${env.PUBLIC_BASE_URL.replace(/\/$/, '')}/u/${await unsubscribeToken(env.APP_SECRET, delivery.id)}`;
  const rendered = await renderEmail(content, {
    contact: { first_name: contact.firstName, last_name: contact.lastName, email: contact.email },
    shop: { name: workspace.name, postal_address: workspace.postalAddress },
    unsubscribe_url: unsubscribeUrl,
  });
  const sender = await resolveSender(tenant, env);
  const messageId = `<${delivery.id}@${sender.from.email.split('@')[1]}>`;
  const outcome = await sendThroughBatchConnection(scope, message.workspaceId, sender.server, {
    from: sender.from,
    to: { name: [contact.firstName, contact.lastName].filter(Boolean).join(' ') || undefined, email: contact.email },
    replyTo: sender.replyTo,
    subject: rendered.subject,
    html: await transformDeliveryHtml(withComplianceFooter(rendered.html, unsubscribeUrl, workspace.postalAddress), delivery),
    text: `${rendered.text}\n\nUnsubscribe: ${unsubscribeUrl}`,
    // RFC 8058: mailbox providers show an unsubscribe button that POSTs to this URL.
    headers: { 'Message-ID': messageId, 'List-Unsubscribe': `<${unsubscribeUrl}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
  });

  if (outcome.ok) {
    await moveDelivery(tenant, delivery.id, 'sending', 'sent', { messageId, sentAt: Date.now(), reason: null });
    return;
  }
  if (outcome.permanent) {
    await moveDelivery(tenant, delivery.id, 'sending', 'failed', { reason: outcome.message });
    if (outcome.hardBounce) await suppressEmail(tenant, contact.email, 'hard_bounce', outcome.message);
    return;
  }
  await moveDelivery(tenant, delivery.id, 'sending', 'queued', { reason: outcome.message });
  // Thrown so the queue retries it with backoff (and dead-letters it in the end).
  throw new Error(outcome.message);
}
