// Email as a delivery channel: the workspace's sender (its own SMTP server or the
// platform's), composition, SMTP lanes, and what each outcome means for the delivery,
// the suppression list and the sender's health.
import type { OutgoingEmail, SmtpOutcome } from '../channels/email';
import { suppressEmailStatement } from '../consent/suppressions.service';
import type { ChannelOutcome, DeliveryChannel } from '../deliveries/delivery-channel';
import type { Tenant } from '../db/tenant';
import { composeEmail } from './compose-email';
import { resolveSender } from './email-sender.service';
import { recordSenderAttempts, senderFailureOf } from './sender-health';
import { sendOnLane } from './smtp-lanes';

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

export const emailChannel: DeliveryChannel = {
  async openSender(env, tenant, scope, maxLanes) {
    const sender = await resolveSender(tenant, env);
    return {
      perSecond: sender.perSecond,
      lanes: Math.min(SMTP_LANES, maxLanes),
      compose: (delivery, recipient) => composeEmail(env, scope, tenant, sender, delivery, recipient),
      send: async (email: OutgoingEmail, lane) => deliveryOutcome(tenant, email, await sendOnLane(scope, `${tenant.workspaceId}:${lane}`, sender.server, email)),
      // The platform sender's faults are ours, not the workspace's: nothing for its merchant to fix.
      recordAttempts: ({ sent, fault }) => (sender.platform ? [] : recordSenderAttempts(tenant, { succeeded: sent, failure: fault }, Date.now())),
    };
  },
};
