// The one seam between the delivery pipeline and a channel (email now, SMS next). The
// pipeline claims deliveries, checks consent, paces and records outcomes; a channel
// only renders a delivery for its recipient, sends it, and says what happened. Adding
// a channel is an implementation of this and an entry in the registry the consumer
// is given (src/jobs/job-handlers.ts); nothing in the pipeline changes.
import type { SkipReason } from '../consent/eligibility';
import type { BatchScope } from '../queues/batch-scope';
import type { Statement } from '../db/client';
import type { ConsentChannel, deliveries, SenderErrorKind } from '../db/schema';
import type { Tenant } from '../db/tenant';
import type { Env } from '../env';

/** A delivery row as the pipeline claimed it. */
export type ClaimedDelivery = typeof deliveries.$inferSelect;

/** The contact a delivery goes to, as the pipeline read it (the channel's address among them). */
export type DeliveryRecipient = { id: string; email: string | null; phone: string | null; firstName: string | null; lastName: string | null; timeZone: string | null };

/**
 * What became of one send. `retry`: a temporary failure, tried again later with backoff;
 * with `senderFault` it was the server's or its settings' fault, so the batch stops
 * sending for this sender. `unknown`: the provider may have it; never resent.
 * `statements` run in the batch that records the outcome (e.g. suppressing a bounced address).
 * `wait`: not sent and not a failure (a cap of the sender is reached): the delivery goes
 * back to queued with the reason and its message returns after `retryAfterMs`, without
 * using up a retry; the batch's other messages for this sender wait with it.
 */
export type ChannelOutcome =
  | { status: 'sent'; providerId: string }
  | { status: 'retry'; reason: string; senderFault: SenderFault | null }
  | { status: 'failed'; reason: string; statements?: Statement[] }
  | { status: 'unknown'; reason: string }
  | { status: 'wait'; reason: string; retryAfterMs: number };

/** A failure of the sender itself (its server, credentials or TLS), for its health record. */
export type SenderFault = { kind: SenderErrorKind; message: string };

/**
 * Why a delivery did not go out (or not yet), as a code results and analytics group by;
 * the sentence beside it says the same in words. Consent skips are the rule's own types.
 */
export type ReasonCode =
  | SkipReason['type']
  | 'no_channel'
  | 'content_missing'
  | 'render_failed'
  | 'provider_rejected'
  | 'provider_unavailable'
  | 'unknown_outcome'
  | 'gave_up'
  // Accepted by the provider, then not delivered (Twilio's status callback: undelivered or failed).
  | 'undelivered'
  | 'cancelled'
  // Waiting (still queued) for a cap of the sender to reset: the platform sender's hourly or daily limit.
  | 'sender_capped'
  // Waiting (still queued) for the recipient's quiet hours to end (src/sms/quiet-hours.ts).
  | 'quiet_hours'
  // A flow's own skips (src/flows): a message within the smart-sending hours, or no longer in the flow's audience.
  | 'smart_sending'
  | 'not_in_audience';

/** The code of a channel outcome that is not a send. */
export const OUTCOME_CODES: Record<Exclude<ChannelOutcome['status'], 'sent'>, ReasonCode> = {
  failed: 'provider_rejected',
  retry: 'provider_unavailable',
  unknown: 'unknown_outcome',
  wait: 'sender_capped',
};

/**
 * A delivery rendered for its recipient, or why it cannot go out at all, or not yet:
 * `wait` holds back this delivery alone (e.g. its recipient's quiet hours), unlike a
 * send's `wait` outcome, which holds back the sender's other messages too.
 */
export type Composed<M> = { message: M } | { status: 'skipped' | 'failed'; reason: string; code: ReasonCode } | { status: 'wait'; reason: string; code: ReasonCode; retryAfterMs: number };

/** One workspace's sender on a channel, for one batch. */
export type ChannelSender<M = unknown> = {
  // Most messages a second (the workspace's limit), or null for none.
  perSecond: number | null;
  // How many sends may run at once (connections to the provider).
  lanes: number;
  // Starts opening the first `count` connections without waiting, so their handshakes overlap the batch's reads.
  connectAhead?(count: number): void;
  // Composes the batch's messages due within a second before the first send, instead of each
  // lane one message ahead: for cheap compositions whose writes then share one round trip (a text's short links).
  composeUpFront?: boolean;
  compose(delivery: ClaimedDelivery, recipient: DeliveryRecipient): Promise<Composed<M>>;
  send(message: M, lane: number): Promise<ChannelOutcome>;
  // Statements recording what the batch learned about the sender (its health), if anything.
  recordAttempts(attempts: { sent: number; fault: SenderFault | null }): Statement[];
};

/** A channel: opens a workspace's sender for a batch (connections live in the batch scope). */
export type DeliveryChannel = {
  openSender(env: Env, tenant: Tenant, scope: BatchScope, lanes: number): Promise<ChannelSender>;
};

/** The channels the pipeline can send on; a delivery on a channel without one fails with the reason. */
export type ChannelRegistry = Partial<Record<ConsentChannel, DeliveryChannel>>;
