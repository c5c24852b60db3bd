import { describe, expect, it } from 'vitest';
import { assertCampaignMove, assertCampaignPausable, assertCampaignResumable, CAMPAIGN_TRANSITIONS, canMoveCampaign } from '../../src/campaigns/campaign-status';
import { CAMPAIGN_STATUSES } from '../../src/db/schema';
import { AppError } from '../../src/lib/errors';

describe('the campaign lifecycle', () => {
  it('has a row for every status, naming only known statuses', () => {
    expect(Object.keys(CAMPAIGN_TRANSITIONS).sort()).toEqual([...CAMPAIGN_STATUSES].sort());
    for (const next of Object.values(CAMPAIGN_TRANSITIONS)) for (const status of next) expect(CAMPAIGN_STATUSES).toContain(status);
  });

  it('goes draft → scheduled → sending → sent, pauses and resumes while sending, and can be cancelled until it is sent', () => {
    expect(canMoveCampaign('draft', 'scheduled')).toBe(true);
    expect(canMoveCampaign('scheduled', 'scheduled')).toBe(true);
    expect(canMoveCampaign('scheduled', 'sending')).toBe(true);
    expect(canMoveCampaign('sending', 'sent')).toBe(true);
    expect(canMoveCampaign('draft', 'cancelled')).toBe(true);
    expect(canMoveCampaign('scheduled', 'cancelled')).toBe(true);
    expect(canMoveCampaign('sending', 'paused')).toBe(true);
    expect(canMoveCampaign('paused', 'sending')).toBe(true);
    expect(canMoveCampaign('sending', 'cancelled')).toBe(true);
    expect(canMoveCampaign('paused', 'cancelled')).toBe(true);
    expect(canMoveCampaign('draft', 'sent')).toBe(false);
    expect(canMoveCampaign('draft', 'paused')).toBe(false);
    expect(canMoveCampaign('paused', 'sent')).toBe(false);
    for (const status of ['sent', 'cancelled'] as const) expect(CAMPAIGN_TRANSITIONS[status]).toEqual([]);
  });

  it('allows edits only while a draft or scheduled', () => {
    expect(canMoveCampaign('draft', 'edit')).toBe(true);
    expect(canMoveCampaign('scheduled', 'edit')).toBe(true);
    for (const status of ['sending', 'paused', 'sent', 'cancelled'] as const) expect(canMoveCampaign(status, 'edit')).toBe(false);
  });

  it('refuses with a 409 that says why', () => {
    let refusal: unknown;
    try {
      assertCampaignMove('sent', 'scheduled');
    } catch (err) {
      refusal = err;
    }
    expect(refusal).toBeInstanceOf(AppError);
    expect(refusal).toMatchObject({ code: 'conflict', message: 'This campaign was sent; it can no longer be edited or rescheduled.' });
    expect(() => assertCampaignMove('sent', 'edit')).toThrow(/was sent/);
    expect(() => assertCampaignMove('draft', 'edit')).not.toThrow();
  });

  it('lets the platform hold a due scheduled campaign (scheduled → paused), while the merchant pauses only a sending one', () => {
    expect(canMoveCampaign('scheduled', 'paused')).toBe(true);
    expect(() => assertCampaignPausable('sending')).not.toThrow();
    expect(() => assertCampaignPausable('scheduled')).toThrow(/Only a sending campaign can be paused/);
    expect(() => assertCampaignPausable('draft')).toThrow('This campaign is a draft.');
  });

  it('resumes only a paused campaign, never a draft or scheduled one', () => {
    expect(() => assertCampaignResumable('paused')).not.toThrow();
    for (const status of ['draft', 'scheduled', 'sending', 'sent', 'cancelled'] as const) expect(() => assertCampaignResumable(status), status).toThrow(/Only a paused campaign can be resumed/);
  });
});
