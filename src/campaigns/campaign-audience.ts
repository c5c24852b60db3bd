// Who a campaign reaches, as one SQL condition over contacts: its audience rules, its
// sending filter, and the consent rule of src/consent/eligibility.ts (the one the send
// job checks again at send time). Pure, like compileSegment.
import { and, eq, type SQL } from 'drizzle-orm';
import { eligibleSql, type ConsentRequirement } from '../consent/eligibility';
import { contacts, type CampaignChannel, type SendingFilter } from '../db/schema';
import { compileSegment, type CompileContext } from '../segments/compile-segment';
import type { SegmentDefinition } from '../segments/segment-definition';

/** What consent a sending filter asks for: "opted in" needs the opt-in; the others only no opt-out. */
export function consentRequirement(filter: SendingFilter): ConsentRequirement {
  return filter === 'subscribed' ? 'opted_in' : 'not_opted_out';
}

/** The condition a contact must meet, now, to be sent this campaign. */
export function compileCampaignAudience(definition: SegmentDefinition, channel: CampaignChannel, filter: SendingFilter, ctx: CompileContext): SQL {
  return and(compileSegment(definition, ctx), eligibleSql(channel, consentRequirement(filter), ctx.workspaceId), filter === 'registered' ? eq(contacts.registered, true) : undefined) as SQL;
}

/** True when the send job must also find an opt-in (not merely no opt-out) before sending. */
export function requiresOptIn(filter: SendingFilter): boolean {
  return consentRequirement(filter) === 'opted_in';
}
