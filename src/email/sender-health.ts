// The workspace sender's state as real attempts found it (send batches, "Test
// connection", test emails): working, failing since when and why, or not tried yet.
// Writes are statements for the caller's batch (the send job records them with its
// outcomes, in one round trip); repeated password refusals pause the workspace's
// sending campaigns in the same batch, instead of retrying for hours.
import { eq, inArray, sql } from 'drizzle-orm';
import type { SmtpOutcome } from '../channels/email';
import { canMoveCampaign } from '../campaigns/campaign-status';
import type { Statement } from '../db/client';
import { campaigns, deliveries, SENDER_ERROR_KINDS, workspaceSettings, type SenderErrorKind } from '../db/schema';
import type { Tenant } from '../db/tenant';
import { formatInZone } from '../lib/time';

/** Consecutive attempts refused for the password after which the workspace's sending campaigns pause. */
export const AUTH_FAILURES_BEFORE_PAUSE = 3;

/**
 * What one send batch (or one test) learned about the workspace's sender: how many
 * messages the server accepted, and the last sender-level failure. Recipient rejections
 * and unknown outcomes say nothing about the sender and are never passed here.
 */
export type SenderAttempts = { succeeded: number; failure: { kind: SenderErrorKind; message: string } | null };

/** The sender-level failure of an outcome, or null when it succeeded or failed for one recipient only. */
export function senderFailureOf(outcome: SmtpOutcome): SenderAttempts['failure'] {
  if (outcome.ok) return null;
  const kind = outcome.kind;
  return (SENDER_ERROR_KINDS as readonly string[]).includes(kind) ? { kind: kind as SenderErrorKind, message: outcome.message } : null;
}

/** The columns of a sender nobody has tried yet: new or removed settings start here. */
export const UNTESTED_SENDER = { senderError: null, senderErrorKind: null, senderFailingSince: null, senderCheckedAt: null, senderAuthFailures: 0 } as const;

function recordSuccess(tenant: Tenant, now: number): Statement {
  return tenant.db
    .update(workspaceSettings)
    .set({ senderError: null, senderErrorKind: null, senderFailingSince: null, senderCheckedAt: now, senderAuthFailures: 0 })
    .where(tenant.where(workspaceSettings));
}

function recordFailure(tenant: Tenant, failure: NonNullable<SenderAttempts['failure']>, now: number, countAuth: boolean): Statement {
  // A test leaves the count alone: only sends pause campaigns (see recordSenderTest).
  const authFailures = countAuth ? { senderAuthFailures: failure.kind === 'auth' ? sql`${workspaceSettings.senderAuthFailures} + 1` : 0 } : {};
  return tenant.db
    .update(workspaceSettings)
    .set({
      senderError: failure.message,
      senderErrorKind: failure.kind,
      senderCheckedAt: now,
      // The first failure of a run says since when; later ones keep it.
      senderFailingSince: sql`COALESCE(${workspaceSettings.senderFailingSince}, ${now})`,
      ...authFailures,
    })
    .where(tenant.where(workspaceSettings));
}

/** The reason stored on a campaign the platform paused after repeated password refusals. */
function authPauseReason(message: string): string {
  return `Paused automatically: your SMTP server refused the password ${AUTH_FAILURES_BEFORE_PAUSE} times in a row (last answer: ${message.replace(/\.$/, '')}). Fix the password in Settings → Email sender, then resume.`;
}

/**
 * Pauses the workspace's sending campaigns once the refusal count, as the statement
 * before it in the batch left it, has reached the limit. Reading the count in SQL keeps
 * it one round trip, and concurrent batches cannot both miss the threshold.
 */
function pauseOnRepeatedAuthFailures(tenant: Tenant, message: string, now: number): Statement {
  if (!canMoveCampaign('sending', 'paused')) throw new Error('a campaign cannot go from sending to paused');
  const refusals = sql`(SELECT ${workspaceSettings.senderAuthFailures} FROM ${workspaceSettings} WHERE ${workspaceSettings.workspaceId} = ${tenant.workspaceId})`;
  return tenant.db
    .update(campaigns)
    .set({ status: 'paused', pausedAt: now, pauseReason: authPauseReason(message), updatedAt: now })
    .where(tenant.where(campaigns, eq(campaigns.status, 'sending'), sql`${refusals} >= ${AUTH_FAILURES_BEFORE_PAUSE}`));
}

/**
 * Statements recording what a send batch learned about the sender, for the batch that
 * records its outcomes. A failure marks the sender failing (since the first failure of
 * the run) and counts a password refusal, or resets the count for any other kind; a
 * batch with successes and no failure marks it working; nothing attempted, nothing written.
 */
export function recordSenderAttempts(tenant: Tenant, attempts: SenderAttempts, now: number): Statement[] {
  const { failure } = attempts;
  if (failure) {
    const record = recordFailure(tenant, failure, now, true);
    return failure.kind === 'auth' ? [record, pauseOnRepeatedAuthFailures(tenant, failure.message, now)] : [record];
  }
  return attempts.succeeded > 0 ? [recordSuccess(tenant, now)] : [];
}

/**
 * Statements recording a test ("Test connection", a test email). A success clears a
 * failing state; a failure records it but never counts toward the auto-pause: a
 * merchant trying passwords in Settings must not pause their own campaigns.
 */
export function recordSenderTest(tenant: Tenant, outcome: SmtpOutcome, now: number): Statement[] {
  if (outcome.ok) return [recordSuccess(tenant, now)];
  const failure = senderFailureOf(outcome);
  return failure ? [recordFailure(tenant, failure, now, false)] : [];
}

/** The sender's state for pages and the API. */
export type SenderHealth = {
  // ok: the last attempt succeeded; failing: it failed (since failingSince); untested: no attempt since the settings were saved.
  state: 'ok' | 'failing' | 'untested';
  error: string | null;
  kind: SenderErrorKind | null;
  failingSince: number | null;
  checkedAt: number | null;
  authFailures: number;
  // The workspace's email deliveries still queued or sending.
  waiting: number;
};

/** Reads the sender's state and how many emails are waiting, in one round trip. */
export async function getSenderHealth(tenant: Tenant): Promise<SenderHealth> {
  const [[settings], [count]] = await tenant.db.batch([
    tenant.db
      .select({
        error: workspaceSettings.senderError,
        kind: workspaceSettings.senderErrorKind,
        failingSince: workspaceSettings.senderFailingSince,
        checkedAt: workspaceSettings.senderCheckedAt,
        authFailures: workspaceSettings.senderAuthFailures,
      })
      .from(workspaceSettings)
      .where(tenant.where(workspaceSettings)),
    tenant.db
      .select({ waiting: sql<number>`COUNT(*)` })
      .from(deliveries)
      .where(tenant.where(deliveries, eq(deliveries.channel, 'email'), inArray(deliveries.status, ['queued', 'sending']))),
  ]);
  const row = settings ?? { error: null, kind: null, failingSince: null, checkedAt: null, authFailures: 0 };
  const state = row.failingSince !== null ? 'failing' : row.checkedAt !== null ? 'ok' : 'untested';
  return { state, ...row, waiting: count?.waiting ?? 0 };
}

// What the merchant can do about each kind of failure (the stored error already says what happened).
const SENDER_FIXES: Record<SenderErrorKind, string> = {
  auth: 'check the username and password in Settings → Email sender.',
  tls: "check the security setting in Settings → Email sender (TLS on port 465, STARTTLS on 587) and that the server's certificate is valid.",
  starttls_missing: 'choose TLS on port 465 in Settings → Email sender if your provider offers it, or ask your provider to enable STARTTLS.',
  connect: 'check the host and port in Settings → Email sender (465 for TLS, 587 for STARTTLS; port 25 is blocked).',
  timeout: "check the host and port in Settings → Email sender and your provider's status page; sending is retried.",
  closed: "check your provider's sending limits and status page; sending is retried.",
  rejected: "check that your provider allows the From address in Settings → Email sender (a verified domain or sender) and your plan's sending limits.",
};

function waitingWords(waiting: number): string {
  return `${waiting} ${waiting === 1 ? 'message' : 'messages'} waiting`;
}

/**
 * The sender's state in one sentence for the merchant, with times in the workspace's
 * zone: the one place pages, the API and the campaign page get their words from.
 */
export function describeSenderHealth(health: SenderHealth, timeZone: string): string {
  if (health.state === 'untested') return `Not checked yet: no email has gone through this sender since its settings were saved; ${waitingWords(health.waiting)}.`;
  if (health.state === 'ok') return `Working: the last attempt succeeded on ${formatInZone(health.checkedAt!, timeZone)}; ${waitingWords(health.waiting)}.`;
  const error = (health.error ?? 'Your SMTP server failed.').trim();
  const pausing =
    health.kind !== 'auth' || health.authFailures === 0
      ? ''
      : health.authFailures < AUTH_FAILURES_BEFORE_PAUSE
        ? ` Sending campaigns pause after ${AUTH_FAILURES_BEFORE_PAUSE} refusals in a row (${health.authFailures} so far).`
        : ' Campaigns that were sending are paused: resume them once it is fixed.';
  return `${/[.!?]$/.test(error) ? error : `${error}.`} Failing since ${formatInZone(health.failingSince!, timeZone)}; ${waitingWords(health.waiting)}.${pausing} Fix: ${SENDER_FIXES[health.kind ?? 'rejected']}`;
}
