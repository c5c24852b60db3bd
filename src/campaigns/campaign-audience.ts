// Who a campaign reaches, as one SQL condition over contacts: its audience rules,
// its sending filter, and the reachability rules no filter can lift (an address or
// phone, not unsubscribed, not suppressed). Pure, like compileSegment.
import { and, eq, isNotNull, ne, not, type SQL } from 'drizzle-orm';
import { contacts, type CampaignChannel, type SendingFilter } from '../db/schema';
import { contactEmailSuppressed } from '../messages/suppressions.service';
import { compileSegment, type CompileContext } from '../segments/compile-segment';
import type { SegmentDefinition } from '../segments/segment-definition';

function reachable(channel: CampaignChannel, workspaceId: string): SQL {
  if (channel === 'sms') return and(isNotNull(contacts.phone), ne(contacts.smsConsent, 'unsubscribed')) as SQL;
  return and(
    isNotNull(contacts.email),
    ne(contacts.emailConsent, 'unsubscribed'),
    not(contactEmailSuppressed(workspaceId)),
  ) as SQL;
}

function filtered(channel: CampaignChannel, filter: SendingFilter): SQL | undefined {
  switch (filter) {
    case 'all':
      return undefined;
    case 'subscribed':
      return eq(channel === 'sms' ? contacts.smsConsent : contacts.emailConsent, 'subscribed');
    case 'registered':
      return eq(contacts.registered, true);
  }
}

/** The condition a contact must meet, now, to be sent this campaign. */
export function compileCampaignAudience(definition: SegmentDefinition, channel: CampaignChannel, filter: SendingFilter, ctx: CompileContext): SQL {
  return and(compileSegment(definition, ctx), reachable(channel, ctx.workspaceId), filtered(channel, filter)) as SQL;
}

/** True when the send job must also find an opt-in (not merely no opt-out) before sending. */
export function requiresOptIn(filter: SendingFilter): boolean {
  return filter === 'subscribed';
}
