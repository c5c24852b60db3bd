// SMS as a delivery channel: the workspace's Twilio account, quiet hours, composition,
// and what each of Twilio's answers means for the delivery and the suppression list.
import { suppressStatement } from '../consent/suppressions.service';
import type { ChannelOutcome, DeliveryChannel } from '../deliveries/delivery-channel';
import type { Tenant } from '../db/tenant';
import { formatInZone } from '../lib/time';
import { composeSms } from './compose-sms';
import { quietHoursEndAt, recipientTimeZone } from './quiet-hours';
import { resolveSmsSender, sendSms, type ResolvedSmsSender } from './sms-sender.service';
import { UNREACHABLE_NUMBER_CODES, type OutgoingSms, type TwilioOutcome } from './twilio-client';

// Twilio sends about one text a second from a long code (it queues the rest); a
// Messaging Service spreads them over its pool of numbers. A merchant whose numbers allow
// more (a short code, a registered 10DLC campaign) sets their rate in Settings → SMS.
const NUMBER_PER_SECOND = 1;
const SERVICE_PER_SECOND = 10;
// Twilio answers a request in a few hundred milliseconds: lanes enough to keep the pace.
const REQUEST_SECONDS = 0.3;

/** How fast and on how many lanes texts go through this sender. */
function smsPace(sender: ResolvedSmsSender | null, maxLanes: number): { perSecond: number; lanes: number } {
  const perSecond = sender?.sendRatePerSecond ?? (sender && 'messagingServiceSid' in sender.account.from ? SERVICE_PER_SECOND : NUMBER_PER_SECOND);
  return { perSecond, lanes: Math.max(1, Math.min(Math.ceil(perSecond * REQUEST_SECONDS), maxLanes)) };
}

/** What Twilio's answer means for the delivery. */
export function smsDeliveryOutcome(tenant: Tenant, sms: OutgoingSms, outcome: TwilioOutcome): ChannelOutcome {
  if (outcome.ok) return { status: 'sent', providerId: outcome.sid };
  switch (outcome.kind) {
    case 'unknown_outcome':
      return { status: 'unknown', reason: outcome.message };
    case 'auth':
      // The account's fault: the rest of this workspace's texts in the batch wait for a retry.
      return { status: 'retry', reason: outcome.message, senderFault: { kind: 'auth', message: outcome.message } };
    case 'unavailable':
      return { status: 'retry', reason: outcome.message, senderFault: null };
    case 'rejected': {
      // A number that cannot receive texts (invalid, a landline, or replied STOP) is not tried again.
      const unreachable = outcome.code !== null && UNREACHABLE_NUMBER_CODES.has(outcome.code);
      const reason = outcome.code === 21610 ? 'unsubscribed' : 'hard_bounce';
      const statements = unreachable ? [suppressStatement(tenant, { channel: 'sms', address: sms.to }, reason, outcome.message, Date.now())] : [];
      return { status: 'failed', reason: outcome.message, statements };
    }
  }
}

/** Why a delivery waits: the recipient's quiet hours, and until when (null: it may go now). */
function quietHoursWait(sender: ResolvedSmsSender, contactZone: string | null, now: number) {
  if (!sender.quietHours) return null;
  const zone = recipientTimeZone(contactZone, sender.workspace.timeZone);
  const end = quietHoursEndAt(now, zone, sender.quietHours);
  return end === null ? null : { status: 'wait' as const, reason: `Waiting for quiet hours to end (${formatInZone(end, zone)}, ${zone})`, code: 'quiet_hours' as const, retryAfterMs: end - now };
}

// Failed rather than skipped: the merchant has something to fix, and the logs say what.
const NO_ACCOUNT = { status: 'failed', reason: 'Not sent: the workspace has no Twilio account. Add it in Settings → SMS.', code: 'no_channel' } as const;

export const smsChannel: DeliveryChannel = {
  async openSender(env, tenant, scope, maxLanes) {
    const sender = await resolveSmsSender(tenant, env);
    return {
      ...smsPace(sender, maxLanes),
      // A text renders in a fraction of a millisecond, and composed together the batch's
      // short links are stored in one write instead of one per few texts.
      composeUpFront: true,
      compose: async (delivery, recipient) => {
        if (!sender) return NO_ACCOUNT;
        const { phone } = recipient;
        if (!phone) return { status: 'skipped', reason: 'The contact has no phone number', code: 'no_channel' };
        return quietHoursWait(sender, recipient.timeZone, Date.now()) ?? composeSms(env, scope, tenant, sender, delivery, { ...recipient, phone });
      },
      // Only what compose made is sent, and compose makes nothing without a sender.
      send: async (sms: OutgoingSms) => (sender ? smsDeliveryOutcome(tenant, sms, await sendSms(env, sender, sms)) : { status: 'failed', reason: NO_ACCOUNT.reason }),
      // No health record of the SMS sender yet: its faults show on each delivery's reason.
      recordAttempts: () => [],
    };
  },
};
