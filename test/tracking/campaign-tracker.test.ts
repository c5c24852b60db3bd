import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';

describe('CampaignTracker', () => {
  it('counts every open and click, and each delivery once as unique', async () => {
    const tracker = env.CAMPAIGN_TRACKER.get(env.CAMPAIGN_TRACKER.idFromName('campaign:test-1'));
    expect(await tracker.record('open', 'delivery-a', 1)).toEqual({ unique: true });
    expect(await tracker.record('open', 'delivery-a', 2)).toEqual({ unique: false });
    expect(await tracker.record('open', 'delivery-b', 3)).toEqual({ unique: true });
    expect(await tracker.record('click', 'delivery-a', 4)).toEqual({ unique: true });
    expect(await tracker.counts()).toEqual({ opens: 3, uniqueOpens: 2, clicks: 1, uniqueClicks: 1 });
  });

  it('keeps each campaign in its own object', async () => {
    const other = env.CAMPAIGN_TRACKER.get(env.CAMPAIGN_TRACKER.idFromName('campaign:test-2'));
    expect(await other.counts()).toEqual({ opens: 0, uniqueOpens: 0, clicks: 0, uniqueClicks: 0 });
  });
});
