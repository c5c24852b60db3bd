// The `send-delivery` job: one email to one contact. The claim (queued → sending)
// makes sure only one worker ever sends a delivery; consent and suppression are
// checked now, not when queued; temporary failures go back to the queue with backoff.
// What every message of a batch shares (sender, workspace, design, connection, rate
// slots) is loaded once per batch through the BatchScope.
import { eq } from 'drizzle-orm';
import type { z } from 'zod';
import { sendOnSession, tryOpenEmailSession, type EmailSession, type OutgoingEmail, type SmtpOutcome, type SmtpServer } from '../channels/email';
import { openDb } from '../db/client';
import { contacts, emailContents } from '../db/schema';
import { forWorkspace, type Tenant } from '../db/tenant';
import type { Env } from '../env';
import type { BatchScope } from '../jobs/queue-consumer';
import type { SendDeliveryMessage } from '../jobs/queue-messages';
import { getWorkspace } from '../workspaces/workspaces.service';
import { claimDelivery, moveDelivery, suppressEmail } from './deliveries.service';
import { resolveSender } from './email-sender.service';
import { transformDeliveryHtml } from './html-transforms';
import { renderEmail } from './render-email';
import { createSendPacer } from './send-pacing';
import { contactEmailSuppressed } from './suppressions.service';
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

/** RFC 2369 / RFC 8058 headers: the one-click URL, plus a mailto when a mailbox is routed to us. */
export function listUnsubscribeHeaders(unsubscribeUrl: string, token: string, mailbox: string | undefined): Record<string, string> {
  const mailto = mailbox ? `, <mailto:${mailbox}?subject=${encodeURIComponent(`unsubscribe ${token}`)}>` : '';
  return { 'List-Unsubscribe': `<${unsubscribeUrl}>${mailto}`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' };
}

/** Why a contact must not get this delivery now, or null when it may be sent. */
function skipReason(contact: { email: string | null; emailConsent: string; suppressed: number } | undefined, requiresOptIn: boolean): string | null {
  if (!contact?.email) return 'The contact has no email address';
  if (contact.emailConsent === 'unsubscribed') return 'Email consent is "unsubscribed"';
  if (requiresOptIn && contact.emailConsent !== 'subscribed') return `Email consent is "${contact.emailConsent}"`;
  if (contact.suppressed) return 'The address is on the suppression list';
  return null;
}

const keepForBatch = async () => undefined;

/** A value loaded once per batch (sender, workspace, design): nothing to close. */
function perBatch<T>(scope: BatchScope, key: string, load: () => Promise<T>): Promise<T> {
  return scope.use(key, load, keepForBatch);
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

async function loadRecipient(tenant: Tenant, contactId: string) {
  const [contact] = await tenant.db
    .select({
      email: contacts.email,
      firstName: contacts.firstName,
      lastName: contacts.lastName,
      emailConsent: contacts.emailConsent,
      suppressed: contactEmailSuppressed(tenant.workspaceId),
    })
    .from(contacts)
    .where(tenant.where(contacts, eq(contacts.id, contactId)))
    .limit(1);
  return contact;
}

/** Sends one delivery; a redelivered message finds it no longer queued and does nothing. */
export async function runSendDeliveryJob(message: z.infer<typeof SendDeliveryMessage>, env: Env, scope: BatchScope): Promise<void> {
  const tenant = forWorkspace(openDb(env.DB), message.workspaceId);
  const sender = await perBatch(scope, `sender:${tenant.workspaceId}`, () => resolveSender(tenant, env));
  const pacer = await perBatch(scope, `pace:${tenant.workspaceId}`, async () => createSendPacer(env, tenant.workspaceId, sender.perSecond));
  const pace = await pacer.next();
  if (!pace.send) {
    // Over the workspace's rate for longer than a consumer should wait: come back later, without using up a retry.
    await env.SENDS_QUEUE.send(message, { delaySeconds: Math.ceil(pace.deferMs / 1000) });
    return;
  }

  const delivery = await claimDelivery(tenant, message.deliveryId);
  if (!delivery) return;
  const skip = (reason: string) => moveDelivery(tenant, delivery.id, 'sending', 'skipped', { reason });
  const contact = await loadRecipient(tenant, delivery.contactId);
  const reason = skipReason(contact, delivery.requiresOptIn);
  if (reason) return void (await skip(reason));
  const email = contact!.email!;

  const content = await perBatch(scope, `content:${delivery.contentId}`, async () => {
    const [row] = await tenant.db.select().from(emailContents).where(tenant.where(emailContents, eq(emailContents.id, delivery.contentId))).limit(1);
    return row ?? null;
  });
  if (!content) return void (await skip('Its email content was deleted'));
  const workspace = await perBatch(scope, `workspace:${tenant.workspaceId}`, () => getWorkspace(tenant));
  const token = await unsubscribeToken(env.APP_SECRET, delivery.id);
  const unsubscribeUrl = `${env.PUBLIC_BASE_URL.replace(/\/$/, '')}/u/${token}`;
  const rendered = await renderEmail(content, {
    // The occurrence's data (a flow's cart, product, prices) first: the names below always win.
    ...(delivery.context ? (JSON.parse(delivery.context) as Record<string, unknown>) : {}),
    contact: { first_name: contact!.firstName, last_name: contact!.lastName, email },
    shop: { name: workspace.name, postal_address: workspace.postalAddress },
    unsubscribe_url: unsubscribeUrl,
  });
  const messageId = `<${delivery.id}@${sender.from.email.split('@')[1]}>`;
  const outcome = await sendThroughBatchConnection(scope, tenant.workspaceId, sender.server, {
    from: sender.from,
    to: { name: [contact!.firstName, contact!.lastName].filter(Boolean).join(' ') || undefined, email },
    replyTo: sender.replyTo,
    subject: rendered.subject,
    html: await transformDeliveryHtml(withComplianceFooter(rendered.html, unsubscribeUrl, workspace.postalAddress), delivery),
    text: `${rendered.text}\n\nUnsubscribe: ${unsubscribeUrl}`,
    headers: { 'Message-ID': messageId, ...listUnsubscribeHeaders(unsubscribeUrl, token, env.UNSUBSCRIBE_MAILBOX) },
  });

  if (outcome.ok) {
    await moveDelivery(tenant, delivery.id, 'sending', 'sent', { messageId, sentAt: Date.now(), reason: null });
    return;
  }
  if (outcome.permanent) {
    await moveDelivery(tenant, delivery.id, 'sending', 'failed', { reason: outcome.message });
    if (outcome.hardBounce) await suppressEmail(tenant, email, 'hard_bounce', outcome.message);
    return;
  }
  await moveDelivery(tenant, delivery.id, 'sending', 'queued', { reason: outcome.message });
  // Thrown so the queue retries it with backoff (and dead-letters it in the end).
  throw new Error(outcome.message);
}
