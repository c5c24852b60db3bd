// Email as a delivery channel: the workspace's sender (its own SMTP server or the
// platform's), composition, SMTP lanes, and what each outcome means for the delivery,
// the suppression list and the sender's health. On the platform sender it also keeps
// the platform's rules: members only until the workspace is trusted, and the caps.
import type { OutgoingEmail, SmtpOutcome } from '../channels/email';
import { describeSkipReason, type SkipReason } from '../consent/eligibility';
import { suppressEmailStatement } from '../consent/suppressions.service';
import type { ChannelOutcome, DeliveryChannel } from '../deliveries/delivery-channel';
import type { Tenant } from '../db/tenant';
import { composeEmail } from './compose-email';
import { resolveSender, type ResolvedSender } from './email-sender.service';
import { describePlatformCap, platformSenderLimits, takePlatformSendPlace } from './platform-sender-limits';
import { memberAddresses } from './platform-sender-trust';
import { recordSenderAttempts, senderFailureOf } from './sender-health';
import { openLanes, sendOnLane } from './smtp-lanes';

// Connections one workspace opens to its server at most (of the Worker's six).
export const SMTP_LANES = 4;

/** What an SMTP outcome means for the delivery. */
function deliveryOutcome(tenant: Tenant, email: OutgoingEmail, outcome: SmtpOutcome): ChannelOutcome {
  if (outcome.ok) return { status: 'sent', providerId: email.headers!['Message-ID']! };
  // The server may have it: a resend could duplicate it.
  if (outcome.kind === 'unknown_outcome') return { status: 'unknown', reason: outcome.message };
  if (outcome.permanent) {
    const statements = outcome.hardBounce ? [suppressEmailStatement(tenant, email.to.email, 'hard_bounce', outcome.message, Date.now())] : [];
    return { status: 'failed', reason: outcome.message, statements };
  }
  return { status: 'retry', reason: outcome.message, senderFault: senderFailureOf(outcome) };
}

const UNTRUSTED: SkipReason = { type: 'platform_sender_untrusted', channel: 'email' };

/** The addresses the sender may reach: every one (null), or only members' verified ones while the platform sender does not trust the workspace. */
async function reachableAddresses(tenant: Tenant, sender: ResolvedSender): Promise<Set<string> | null> {
  return sender.trusted ? null : memberAddresses(tenant, 'verified');
}

export const emailChannel: DeliveryChannel = {
  async openSender(env, tenant, scope, maxLanes) {
    const sender = await resolveSender(tenant, env);
    const reachable = await reachableAddresses(tenant, sender);
    const limits = sender.platform ? platformSenderLimits(env) : null;
    /** The platform sender's caps: one place per send, taken just before it goes (skips and failed renders take none). */
    const capReached = async (): Promise<ChannelOutcome | null> => {
      const now = Date.now();
      const cap = limits ? await takePlatformSendPlace(tenant, limits, now) : null;
      return cap ? { status: 'wait', reason: describePlatformCap(cap), retryAfterMs: cap.until - now } : null;
    };
    // A workspace's lanes are its own: two workspaces on one server never share a connection.
    const laneOf = (lane: number) => `${tenant.workspaceId}:${lane}`;
    return {
      perSecond: sender.perSecond,
      lanes: Math.min(SMTP_LANES, maxLanes),
      connectAhead: (count) =>
        openLanes(
          scope,
          Array.from({ length: count }, (_, lane) => laneOf(lane)),
          sender.server,
        ),
      compose: async (delivery, recipient) =>
        reachable && !reachable.has(recipient.email?.trim().toLowerCase() ?? '')
          ? { status: 'skipped', reason: describeSkipReason(UNTRUSTED), code: UNTRUSTED.type }
          : composeEmail(env, scope, tenant, sender, delivery, recipient),
      send: async (email: OutgoingEmail, lane) => (await capReached()) ?? deliveryOutcome(tenant, email, await sendOnLane(scope, laneOf(lane), sender.server, email)),
      // The platform sender's faults are ours, not the workspace's: nothing for its merchant to fix.
      recordAttempts: ({ sent, fault }) => (sender.platform ? [] : recordSenderAttempts(tenant, { succeeded: sent, failure: fault }, Date.now())),
    };
  },
};
