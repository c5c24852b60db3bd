// Who may receive marketing on a channel, now: one rule, written once, used as SQL for
// audiences (a campaign's fan-out, the builder's live count) and as the check at send
// time. It answers with a typed reason (data analytics can group); the sentence a
// merchant reads is rendered in one place, `describeSkipReason`.
import { and, eq, isNotNull, ne, not, sql, type SQL } from 'drizzle-orm';
import { contacts, suppressions, type ConsentChannel, type ConsentStatus } from '../db/schema';

/**
 * What a source asks of a contact's consent: an explicit opt-in (campaigns with the
 * "opted in" filter, the default), or merely no opt-out (the "all customers" filter,
 * transactional-style flow steps).
 */
export type ConsentRequirement = 'opted_in' | 'not_opted_out';

/** Why a contact may not be sent a message on a channel now. */
export type SkipReason =
  | { type: 'no_address'; channel: ConsentChannel }
  | { type: 'unsubscribed'; channel: ConsentChannel }
  | { type: 'not_opted_in'; channel: ConsentChannel; consent: ConsentStatus }
  | { type: 'suppressed'; channel: ConsentChannel }
  // The platform's shared sender reaches only members of a workspace it does not trust yet (src/email/platform-sender-trust.ts).
  | { type: 'platform_sender_untrusted'; channel: ConsentChannel };

/** The columns of a contact the rule reads on each channel (`key`: the address's name on a contact). */
const ON_CHANNEL = {
  email: { key: 'email', address: contacts.email, consent: contacts.emailConsent },
  sms: { key: 'phone', address: contacts.phone, consent: contacts.smsConsent },
} as const;

/**
 * SQL true when the contact row being read has a suppressed address on the channel.
 * The outer column is written qualified: drizzle leaves a single-table query's columns
 * bare, so the contact's address is named with its table.
 */
export function suppressedSql(channel: ConsentChannel, workspaceId: string): SQL<number> {
  const address = sql.raw(`"contacts"."${ON_CHANNEL[channel].address.name}"`);
  return sql<number>`EXISTS (SELECT 1 FROM ${suppressions} WHERE ${suppressions.workspaceId} = ${workspaceId} AND ${suppressions.channel} = ${channel} AND ${suppressions.address} = ${address})`;
}

/** The rule as SQL over contacts: true when the contact may receive on the channel now. */
export function eligibleSql(channel: ConsentChannel, requirement: ConsentRequirement, workspaceId: string): SQL {
  const { address, consent } = ON_CHANNEL[channel];
  return and(isNotNull(address), ne(consent, 'unsubscribed'), requirement === 'opted_in' ? eq(consent, 'subscribed') : undefined, not(suppressedSql(channel, workspaceId))) as SQL;
}

/**
 * What the send-time check reads of each recipient beyond its email and phone, as select
 * fields for the channel (the address is not selected twice: D1 returns one column of a name).
 */
export function consentFields(channel: ConsentChannel, workspaceId: string) {
  return { consent: ON_CHANNEL[channel].consent, suppressed: suppressedSql(channel, workspaceId) };
}

/** A recipient as the check reads it: its addresses and `consentFields`. */
export type ConsentFacts = { email: string | null; phone: string | null; consent: ConsentStatus; suppressed: number | boolean };

/** The rule at send time: why the contact may not receive now, or null when it may. Agrees with `eligibleSql`. */
export function skipReasonOf(facts: ConsentFacts | undefined, channel: ConsentChannel, requirement: ConsentRequirement): SkipReason | null {
  if (!facts?.[ON_CHANNEL[channel].key]) return { type: 'no_address', channel };
  if (facts.consent === 'unsubscribed') return { type: 'unsubscribed', channel };
  if (requirement === 'opted_in' && facts.consent !== 'subscribed') return { type: 'not_opted_in', channel, consent: facts.consent };
  if (facts.suppressed) return { type: 'suppressed', channel };
  return null;
}

const CHANNEL_WORDS: Record<ConsentChannel, { address: string; consent: string }> = {
  email: { address: 'email address', consent: 'Email consent' },
  sms: { address: 'phone number', consent: 'SMS consent' },
};

/** The sentence for the logs and the campaign's results. */
export function describeSkipReason(reason: SkipReason): string {
  const words = CHANNEL_WORDS[reason.channel];
  switch (reason.type) {
    case 'no_address':
      return `The contact has no ${words.address}`;
    case 'unsubscribed':
      return `${words.consent} is "unsubscribed"`;
    case 'not_opted_in':
      return `${words.consent} is "${reason.consent}"`;
    case 'suppressed':
      return reason.channel === 'email' ? 'The address is on the suppression list' : 'The number is on the suppression list';
    case 'platform_sender_untrusted':
      return "Not sent: the platform sender reaches only your workspace's members until you connect your store and verify your email, or add your own SMTP server, to send to customers";
  }
}
