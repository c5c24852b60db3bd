// The `send-delivery` job, run on a whole queue batch at once: one email to one
// contact per message. Per workspace it reserves send slots (the rate limit), claims
// the deliveries (queued → sending, so only one worker ever sends each), checks
// consent and suppression now rather than when queued, renders, sends over a few
// parallel SMTP connections, and records every outcome in one D1 round trip.
// Temporary failures go back to the queue with backoff; a message the server took but
// never confirmed is recorded as an unknown outcome and never resent.
import { eq, inArray, sql } from 'drizzle-orm';
import type { z } from 'zod';
import { openEmailSession, type EmailSession, type OutgoingEmail, type SmtpOutcome, type SmtpServer } from '../channels/email';
import { openDb, runBatch, type Statement } from '../db/client';
import { campaigns, contacts, deliveries, emailContents } from '../db/schema';
import { forWorkspace, type Tenant } from '../db/tenant';
import type { Env } from '../env';
import type { BatchJobResult, BatchScope } from '../jobs/queue-consumer';
import { enqueue } from '../queues/enqueue';
import type { SendDeliveryMessage } from '../queues/messages';
import { chunk, groupBy } from '../lib/chunk';
import { escapeHtml } from '../lib/html';
import { suppressEmailStatement } from './deliveries.service';
import { canMoveDelivery } from './delivery-status';
import { resolveSender, type ResolvedSender } from './email-sender.service';
import { transformDeliveryHtml } from './html-transforms';
import { buildShopContext, renderEmail } from './render-email';
import { recordSenderAttempts, senderFailureOf, type SenderAttempts } from './sender-health';
import { reserveSendSlots, waitForSlot } from './send-pacing';
import { contactEmailSuppressed } from './suppressions.service';
import { unsubscribeToken } from './unsubscribe-tokens';

type Message = z.infer<typeof SendDeliveryMessage>;
type Delivery = typeof deliveries.$inferSelect;
type Recipient = { id: string; email: string | null; firstName: string | null; lastName: string | null; emailConsent: string; suppressed: number };

// Workers allow six outgoing connections at a time; a batch's workspaces share them,
// and one workspace opens at most four to its server.
const OUTGOING_CONNECTIONS = 6;
export const SMTP_LANES = 4;
// Ids per `IN (...)`: under D1's 100 bound parameters with the workspace id and status.
const IDS_PER_QUERY = 90;

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
function skipReason(contact: Recipient | undefined, requiresOptIn: boolean): string | null {
  if (!contact?.email) return 'The contact has no email address';
  if (contact.emailConsent === 'unsubscribed') return 'Email consent is "unsubscribed"';
  if (requiresOptIn && contact.emailConsent !== 'subscribed') return `Email consent is "${contact.emailConsent}"`;
  if (contact.suppressed) return 'The address is on the suppression list';
  return null;
}

const keepForBatch = async () => undefined;

/** A value loaded once per batch (a design its deliveries share): nothing to close. */
function perBatch<T>(scope: BatchScope, key: string, load: () => Promise<T>): Promise<T> {
  return scope.use(key, load, keepForBatch);
}

/** A connection of the batch's, and whether it has sent before (a reused one may have been closed by the server meanwhile). */
type Lane = { session: EmailSession; reused: boolean };

/**
 * Sends on one of the batch's connections to this server (opened on first use), so a
 * batch costs a handshake per lane, not per message. A connection the server closed
 * between two messages is reopened once: nothing of the message had been handed over.
 */
async function sendOnLane(scope: BatchScope, lane: string, server: SmtpServer, email: OutgoingEmail, retried = false): Promise<SmtpOutcome> {
  const key = `smtp:${lane}:${server.host}:${server.port}:${server.username ?? ''}`;
  let open: Lane;
  try {
    open = await scope.use(
      key,
      async (): Promise<Lane> => {
        const opened = await openEmailSession(server);
        if ('outcome' in opened) throw opened.outcome;
        return { session: opened.session, reused: false };
      },
      ({ session }) => session.close(),
    );
  } catch (outcome) {
    return outcome as SmtpOutcome;
  }
  const outcome = await open.session.send(email);
  if (outcome.ok || open.session.usable) {
    open.reused = true;
    return outcome;
  }
  open.session.abort();
  scope.forget(key);
  return outcome.kind === 'closed' && open.reused && !retried ? sendOnLane(scope, lane, server, email, true) : outcome;
}

// A delivery of a paused or cancelled campaign stays queued: resuming re-enqueues it,
// cancelling marks it cancelled. Checked in the claim itself, so a pause takes effect
// for every message not yet claimed, whatever is already on the queue.
const sourceHeld = sql`EXISTS (SELECT 1 FROM ${campaigns} WHERE ${campaigns.id} = ${deliveries.sourceId} AND ${campaigns.workspaceId} = ${deliveries.workspaceId} AND ${campaigns.status} IN ('paused', 'cancelled'))`;

/** Claims the queued deliveries among `ids` (queued → sending); the others were sent, taken already or held. */
async function claimDeliveries(tenant: Tenant, ids: string[], now: number): Promise<Delivery[]> {
  const claims = chunk(ids, IDS_PER_QUERY).map((slice) =>
    tenant.db
      .update(deliveries)
      .set({ status: 'sending', attempts: sql`${deliveries.attempts} + 1`, updatedAt: now })
      .where(tenant.where(deliveries, inArray(deliveries.id, slice), eq(deliveries.status, 'queued'), sql`NOT (${deliveries.sourceType} = 'campaign' AND ${sourceHeld})`))
      .returning(),
  );
  const [first, ...rest] = claims;
  return first ? (await tenant.db.batch([first, ...rest])).flat() : [];
}

async function loadRecipients(tenant: Tenant, contactIds: string[]): Promise<Map<string, Recipient>> {
  const reads = chunk([...new Set(contactIds)], IDS_PER_QUERY).map((slice) =>
    tenant.db
      .select({ id: contacts.id, email: contacts.email, firstName: contacts.firstName, lastName: contacts.lastName, emailConsent: contacts.emailConsent, suppressed: contactEmailSuppressed(tenant.workspaceId) })
      .from(contacts)
      .where(tenant.where(contacts, inArray(contacts.id, slice))),
  );
  const [first, ...rest] = reads;
  const rows = first ? (await tenant.db.batch([first, ...rest])).flat() : [];
  return new Map(rows.map((row) => [row.id, row]));
}

/** A delivery's status change, applied only if it is still `sending` (as every change here is). */
function finish(tenant: Tenant, id: string, to: Delivery['status'], fields: { reason?: string | null; messageId?: string; sentAt?: number }, now: number): Statement {
  if (!canMoveDelivery('sending', to)) throw new Error(`a delivery cannot go from sending to ${to}`);
  return tenant.db
    .update(deliveries)
    .set({ status: to, ...fields, updatedAt: now })
    .where(tenant.where(deliveries, eq(deliveries.id, id), eq(deliveries.status, 'sending')));
}

// Rows per bulk "sent" update: 3 bound values each (the CASE pair and the IN list).
const SENT_PER_UPDATE = 30;

/**
 * Marks sent deliveries in a few statements instead of one each: the Message-ID is
 * derived from the id (as composeEmail writes it) and each keeps its own send time.
 */
function markSent(tenant: Tenant, sent: { id: string; at: number }[], domain: string): Statement[] {
  if (!canMoveDelivery('sending', 'sent')) throw new Error('a delivery cannot go from sending to sent');
  return chunk(sent, SENT_PER_UPDATE).map((slice) =>
    tenant.db
      .update(deliveries)
      .set({
        status: 'sent',
        reason: null,
        messageId: sql`'<' || ${deliveries.id} || ${`@${domain}>`}`,
        sentAt: sql`CASE ${deliveries.id} ${sql.join(slice.map(({ id, at }) => sql`WHEN ${id} THEN ${at}`), sql` `)} END`,
        updatedAt: Math.max(...slice.map(({ at }) => at)),
      })
      .where(tenant.where(deliveries, inArray(deliveries.id, slice.map(({ id }) => id)), eq(deliveries.status, 'sending'))),
  );
}

/** The domain of a sender's address: Message-IDs are `<delivery id@domain>`. */
function messageIdDomain(sender: ResolvedSender): string {
  return sender.from.email.split('@')[1]!;
}

/** Renders one delivery into the email to send. */
async function composeEmail(env: Env, scope: BatchScope, tenant: Tenant, sender: ResolvedSender, delivery: Delivery, contact: Recipient): Promise<OutgoingEmail | null> {
  const content = await perBatch(scope, `content:${delivery.contentId}`, async () => {
    const [row] = await tenant.db.select().from(emailContents).where(tenant.where(emailContents, eq(emailContents.id, delivery.contentId))).limit(1);
    return row ?? null;
  });
  if (!content) return null;
  const { workspace } = sender;
  const token = await unsubscribeToken(env.APP_SECRET, delivery.id);
  const unsubscribeUrl = `${env.PUBLIC_BASE_URL.replace(/\/$/, '')}/u/${token}`;
  const email = contact.email!;
  const rendered = renderEmail(content, {
    // The occurrence's data (a flow's cart, product, prices) first: the names below always win.
    ...(delivery.context ? (JSON.parse(delivery.context) as Record<string, unknown>) : {}),
    contact: { first_name: contact.firstName, last_name: contact.lastName, email },
    shop: buildShopContext(workspace),
    unsubscribe_url: unsubscribeUrl,
  });
  return {
    from: sender.from,
    to: { name: [contact.firstName, contact.lastName].filter(Boolean).join(' ') || undefined, email },
    replyTo: sender.replyTo,
    subject: rendered.subject,
    html: await transformDeliveryHtml(withComplianceFooter(rendered.html, unsubscribeUrl, workspace.postalAddress), delivery),
    text: `${rendered.text}\n\nUnsubscribe: ${unsubscribeUrl}`,
    headers: { 'Message-ID': `<${delivery.id}@${messageIdDomain(sender)}>`, ...listUnsubscribeHeaders(unsubscribeUrl, token, env.UNSUBSCRIBE_MAILBOX) },
  };
}

/** Sends one workspace's messages of the batch over `laneCount` connections; fills `results` for them (failures are retried). */
async function sendForWorkspace(env: Env, scope: BatchScope, workspaceId: string, group: { message: Message; index: number }[], results: BatchJobResult[], laneCount: number): Promise<void> {
  const tenant = forWorkspace(openDb(env.DB), workspaceId);
  // Once per batch: the batch's messages of a workspace all come through here together.
  const sender = await resolveSender(tenant, env);

  const slots = await reserveSendSlots(env, workspaceId, group.length, sender.perSecond);
  const later = group.slice(slots.granted);
  if (later.length) {
    // Over the workspace's rate for longer than a consumer should wait: back on the queue, without using up a retry.
    await enqueue(
      env,
      later.map(({ message }) => message),
      { delaySeconds: Math.ceil(slots.retryAfterMs / 1000) },
    );
  }

  const now = Date.now();
  const claimed = await claimDeliveries(
    tenant,
    group.slice(0, slots.granted).map(({ message }) => message.deliveryId),
    now,
  );
  const recipients = await loadRecipients(
    tenant,
    claimed.map((delivery) => delivery.contactId),
  );
  const updates: Statement[] = [];
  const sendable: { delivery: Delivery; contact: Recipient }[] = [];
  for (const delivery of claimed) {
    const contact = recipients.get(delivery.contactId);
    const reason = skipReason(contact, delivery.requiresOptIn);
    if (reason) updates.push(finish(tenant, delivery.id, 'skipped', { reason }, now));
    else sendable.push({ delivery, contact: contact! });
  }

  const sent: { id: string; at: number }[] = [];
  // The last failure that was the server's or its settings' fault: once there is one, the
  // rest of this workspace's messages wait for a retry instead of each waiting out the fault.
  let senderFailure: SenderAttempts['failure'] = null;
  const indexOf = new Map(group.map(({ message, index }) => [message.deliveryId, index]));
  const retryLater = (delivery: Delivery, reason: string, at: number) => {
    updates.push(finish(tenant, delivery.id, 'queued', { reason }, at));
    // Retried by the queue with backoff (and dead-lettered in the end).
    results[indexOf.get(delivery.id)!] = { ok: false, error: reason };
  };
  /** Renders and sends one delivery, recording the outcome. */
  const deliver = async (delivery: Delivery, contact: Recipient, slot: number, lane: string) => {
    let email: OutgoingEmail | null;
    try {
      email = await composeEmail(env, scope, tenant, sender, delivery, contact);
    } catch (err) {
      // A design that fails to render for this contact fails this delivery, not the batch.
      updates.push(finish(tenant, delivery.id, 'failed', { reason: `The design could not be rendered: ${(err as Error).message}` }, Date.now()));
      return;
    }
    if (!email) {
      updates.push(finish(tenant, delivery.id, 'skipped', { reason: 'Its email content was deleted' }, Date.now()));
      return;
    }
    await waitForSlot(slots, slot);
    if (senderFailure) return retryLater(delivery, senderFailure.message, Date.now());
    const outcome = await sendOnLane(scope, lane, sender.server, email);
    const at = Date.now();
    if (outcome.ok) return void sent.push({ id: delivery.id, at });
    senderFailure = senderFailureOf(outcome) ?? senderFailure;
    if (outcome.kind === 'unknown_outcome') {
      // The server may have it: a resend could duplicate it, so it stays as it is, said so.
      updates.push(finish(tenant, delivery.id, 'unknown', { reason: outcome.message }, at));
    } else if (outcome.permanent) {
      updates.push(finish(tenant, delivery.id, 'failed', { reason: outcome.message }, at));
      if (outcome.hardBounce) updates.push(suppressEmailStatement(tenant, email.to.email, 'hard_bounce', outcome.message, at));
    } else {
      retryLater(delivery, outcome.message, at);
    }
  };
  // Each lane renders its next message while the others wait on their servers.
  let next = 0;
  const lane = async (laneNumber: number) => {
    while (next < sendable.length) {
      const slot = next++;
      await deliver(sendable[slot]!.delivery, sendable[slot]!.contact, slot, `${workspaceId}:${laneNumber}`);
    }
  };
  await Promise.all(Array.from({ length: Math.min(laneCount, sendable.length) }, (_, i) => lane(i)));
  // The platform sender's faults are ours, not the workspace's: nothing for its merchant to fix.
  const health = sender.platform ? [] : recordSenderAttempts(tenant, { succeeded: sent.length, failure: senderFailure }, Date.now());
  await runBatch(tenant.db, [...markSent(tenant, sent, messageIdDomain(sender)), ...updates, ...health]);
}

/**
 * Sends a batch's deliveries; a redelivered message finds its delivery no longer queued
 * and does nothing. Workspaces go side by side, so one workspace's slow or dead server
 * holds up only its own messages, and they share the Worker's outgoing connections.
 */
export async function runSendDeliveryBatch(messages: Message[], env: Env, scope: BatchScope): Promise<BatchJobResult[]> {
  const results: BatchJobResult[] = messages.map(() => ({ ok: true }));
  const byWorkspace = groupBy(
    messages.map((message, index) => ({ message, index })),
    ({ message }) => message.workspaceId,
  );
  const laneCount = Math.max(1, Math.min(SMTP_LANES, Math.floor(OUTGOING_CONNECTIONS / byWorkspace.size)));
  await Promise.all(
    [...byWorkspace].map(async ([workspaceId, group]) => {
      try {
        await sendForWorkspace(env, scope, workspaceId, group, results, laneCount);
      } catch (err) {
        for (const { index } of group) results[index] = { ok: false, error: String(err) };
      }
    }),
  );
  return results;
}
