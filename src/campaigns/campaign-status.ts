// The campaign lifecycle as data: every status change and every edit goes through
// `assertCampaignMove`, so the rules live in one table.
import type { CampaignStatus } from '../db/schema';
import { AppError } from '../lib/errors';

/**
 * Allowed next statuses. `scheduled → scheduled` is a reschedule; `scheduled → draft`
 * takes it off the schedule; only the cron claim and "send now" enter `sending`.
 * `scheduled → paused` is the cron holding a due campaign that must not go out (its email
 * would lack the postal address); the merchant pauses only a sending one.
 */
export const CAMPAIGN_TRANSITIONS: Record<CampaignStatus, readonly CampaignStatus[]> = {
  draft: ['scheduled', 'sending', 'cancelled'],
  scheduled: ['scheduled', 'draft', 'sending', 'paused', 'cancelled'],
  sending: ['sent', 'paused', 'cancelled'],
  paused: ['sending', 'cancelled'],
  sent: [],
  cancelled: [],
};

/** Statuses in which the campaign's name, audience and content may still change. */
export const EDITABLE_CAMPAIGN_STATUSES: readonly CampaignStatus[] = ['draft', 'scheduled'];

const LOCKED_BECAUSE: Record<CampaignStatus, string> = {
  draft: 'This campaign is a draft.',
  scheduled: 'This campaign is scheduled.',
  sending: 'This campaign is sending now; it can no longer be edited or rescheduled. Pause or cancel it instead.',
  paused: 'This campaign is paused; it can no longer be edited or rescheduled. Resume or cancel it.',
  sent: 'This campaign was sent; it can no longer be edited or rescheduled.',
  cancelled: 'This campaign was cancelled; it can no longer be edited or scheduled. Create a new campaign instead.',
};

/** True when a campaign may move from one status to the other (`'edit'`: keep its status and change its fields). */
export function canMoveCampaign(from: CampaignStatus, to: CampaignStatus | 'edit'): boolean {
  return to === 'edit' ? EDITABLE_CAMPAIGN_STATUSES.includes(from) : CAMPAIGN_TRANSITIONS[from].includes(to);
}

/** Throws 409 with the reason in plain words when the move is not allowed. */
export function assertCampaignMove(from: CampaignStatus, to: CampaignStatus | 'edit'): void {
  if (!canMoveCampaign(from, to)) throw new AppError('conflict', LOCKED_BECAUSE[from]);
}

/** Throws 409 unless the merchant may pause the campaign: a sending one (holding a scheduled one is the platform's move). */
export function assertCampaignPausable(from: CampaignStatus): void {
  if (from === 'scheduled') throw new AppError('conflict', 'Only a sending campaign can be paused. This campaign is scheduled: unschedule it to keep it from going out.');
  assertCampaignMove(from, 'paused');
}

/**
 * Throws 409 unless the campaign is paused: resuming is the paused → sending move only
 * (draft → sending is "send now", which a resume must never do).
 */
export function assertCampaignResumable(from: CampaignStatus): void {
  if (from !== 'paused') throw new AppError('conflict', `Only a paused campaign can be resumed. ${LOCKED_BECAUSE[from]}`);
  assertCampaignMove(from, 'sending');
}
