import { describe, expect, it } from 'vitest';
import { assertCampaignMove, CAMPAIGN_TRANSITIONS, canMoveCampaign } from '../../src/campaigns/campaign-status';
import { CAMPAIGN_STATUSES } from '../../src/db/schema';
import { AppError } from '../../src/lib/errors';

describe('the campaign lifecycle', () => {
  it('has a row for every status, naming only known statuses', () => {
    expect(Object.keys(CAMPAIGN_TRANSITIONS).sort()).toEqual([...CAMPAIGN_STATUSES].sort());
    for (const next of Object.values(CAMPAIGN_TRANSITIONS)) for (const status of next) expect(CAMPAIGN_STATUSES).toContain(status);
  });

  it('goes draft → scheduled → sending → sent, and can be cancelled only before it starts', () => {
    expect(canMoveCampaign('draft', 'scheduled')).toBe(true);
    expect(canMoveCampaign('scheduled', 'scheduled')).toBe(true);
    expect(canMoveCampaign('scheduled', 'sending')).toBe(true);
    expect(canMoveCampaign('sending', 'sent')).toBe(true);
    expect(canMoveCampaign('draft', 'cancelled')).toBe(true);
    expect(canMoveCampaign('scheduled', 'cancelled')).toBe(true);
    expect(canMoveCampaign('sending', 'cancelled')).toBe(false);
    expect(canMoveCampaign('draft', 'sent')).toBe(false);
  });

  it('allows edits only while a draft or scheduled', () => {
    expect(canMoveCampaign('draft', 'edit')).toBe(true);
    expect(canMoveCampaign('scheduled', 'edit')).toBe(true);
    for (const status of ['sending', 'sent', 'cancelled'] as const) expect(canMoveCampaign(status, 'edit')).toBe(false);
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
});
