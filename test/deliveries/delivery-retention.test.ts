// Compacting a finished campaign's deliveries past the retention window
// (src/deliveries/delivery-retention.ts), on real D1: the figures stay exactly, the
// message-level rows go except those credited with an order, an old unsubscribe link
// still works, and nothing of a recent campaign or another workspace is touched.
import { env, exports } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { unsubscribeToken } from '../../src/consent/unsubscribe-tokens';
import { openDb } from '../../src/db/client';
import { compactFinishedCampaigns, DEFAULT_RETENTION_DAYS, retentionDays } from '../../src/deliveries/delivery-retention';
import { runCronTick } from '../../src/jobs/cron';
import { DAY, HOUR, MINUTE } from '../../src/lib/time';
import { ORIGIN } from '../helpers/browser-client';
import { callApi, createApiKey, type Merchant, signUpMerchant } from '../helpers/factories';
import { insertCampaign, insertDeliveries, seedMixedCampaign } from '../reports/report-fixtures';

const now = Date.UTC(2026, 11, 5, 12, 0);
// Finished 200 days ago (past the 180-day window), and 100 days ago (within it).
const oldStart = now - 200 * DAY;
const recentStart = now - 100 * DAY;

let merchant: Merchant;
let key: string;

beforeAll(async () => {
  merchant = await signUpMerchant('Retention Shop');
  key = await createApiKey(merchant);
});

async function count(query: string, ...binds: unknown[]): Promise<number> {
  return (await env.DB.prepare(query)
    .bind(...binds)
    .first<{ n: number }>())!.n;
}

const deliveriesOf = (campaignId: string) => count("SELECT COUNT(*) AS n FROM deliveries WHERE source_type = 'campaign' AND source_id = ?", campaignId);

async function reportOf(apiKey: string, campaignId: string) {
  const res = await callApi(apiKey, `/campaigns/${campaignId}/report`);
  expect(res.status).toBe(200);
  return (await res.json<{ report: unknown }>()).report;
}

async function dailyOf(campaignId: string) {
  return (await env.DB.prepare('SELECT day, channel, sent, delivered, failed, opened, clicked FROM delivery_daily WHERE source_id = ? ORDER BY day').bind(campaignId).all()).results;
}

describe('compacting a campaign past the retention window', () => {
  it('keeps every figure, deletes the messages except the credited one, and leaves recent campaigns and other workspaces alone', async () => {
    const old = await seedMixedCampaign(merchant.workspaceId, oldStart, 'Old news');
    const recent = await seedMixedCampaign(merchant.workspaceId, recentStart, 'Recent news');
    const other = await signUpMerchant('Other Retention Shop');
    const otherKey = await createApiKey(other);
    const theirs = await seedMixedCampaign(other.workspaceId, oldStart, 'Their old news');
    const before = await Promise.all([reportOf(key, old.campaign.id), reportOf(key, recent.campaign.id), dailyOf(old.campaign.id), reportOf(otherKey, theirs.campaign.id)]);
    expect(await deliveriesOf(old.campaign.id)).toBe(9);

    // The cron task, as a tick runs it.
    const results = await runCronTick(env, now, [{ name: 'compact-old-campaigns', run: (db, tickEnv, at) => compactFinishedCampaigns(db, tickEnv, at) }]);
    expect(results).toEqual([{ name: 'compact-old-campaigns', ok: true, handled: 14 }]);

    // The pending delivery (queued) is no final status and stays, as does the one credited with an order.
    const left = await env.DB.prepare("SELECT id, status FROM deliveries WHERE source_type = 'campaign' AND source_id = ? ORDER BY id").bind(old.campaign.id).all<{ id: string; status: string }>();
    expect(left.results.map((row) => row.status).sort()).toEqual(['queued', 'sent']);
    expect(await count('SELECT COUNT(*) AS n FROM order_attributions WHERE source_id = ?', old.campaign.id)).toBe(1);
    expect(await count('SELECT COUNT(*) AS n FROM delivery_archive WHERE workspace_id = ?', merchant.workspaceId)).toBe(7);
    expect(await count('SELECT COUNT(*) AS n FROM delivery_engagements e JOIN deliveries d ON d.id = e.delivery_id WHERE d.source_id = ?', old.campaign.id)).toBe(1);

    // Every figure of the report as it was: counts, rates, reasons, the chart, the links, the revenue.
    expect(await reportOf(key, old.campaign.id)).toEqual(before[0]);
    expect(await dailyOf(old.campaign.id)).toEqual(before[2]);
    expect(await reportOf(key, recent.campaign.id)).toEqual(before[1]);
    expect(await deliveriesOf(recent.campaign.id)).toBe(9);
    // Their campaign is as old, so it is compacted too, with their own figures.
    expect(await deliveriesOf(theirs.campaign.id)).toBe(2);
    expect(await count('SELECT COUNT(*) AS n FROM delivery_archive WHERE workspace_id = ?', other.workspaceId)).toBe(7);
    expect(await reportOf(otherKey, theirs.campaign.id)).toEqual(before[3]);

    const { campaign } = await (await callApi(key, `/campaigns/${old.campaign.id}`)).json<{ campaign: { compactedAt: number | null; progress: { recipients: number } } }>();
    expect(campaign.compactedAt).toBe(now);
    expect(campaign.progress.recipients).toBe(9);
    const page = await (await merchant.client.get(`/app/marketing/campaigns/${old.campaign.id}`)).text();
    expect(page).toContain('Its messages were compacted on');
    expect(page).toMatch(/data-engagement="opens">3</);

    // A second tick finds nothing left to do.
    expect(await compactFinishedCampaigns(openDb(env.DB), env, now + MINUTE)).toBe(0);
  });

  it('keeps an old message unsubscribe link working through the archive, until the contact is erased', async () => {
    const campaign = await insertCampaign(merchant.workspaceId, 'Old unsubscribe', oldStart);
    const [row] = await insertDeliveries(merchant.workspaceId, campaign, [{ status: 'sent', sentAt: oldStart + MINUTE }], oldStart);
    await compactFinishedCampaigns(openDb(env.DB), env, now);
    expect(await deliveriesOf(campaign.id)).toBe(0);

    const path = `/u/${await unsubscribeToken(env.APP_SECRET, row!.id)}`;
    const shown = await exports.default.fetch(new Request(`${ORIGIN}${path}`));
    expect(shown.status).toBe(200);
    const form = new FormData();
    form.set('List-Unsubscribe', 'One-Click');
    expect((await exports.default.fetch(new Request(`${ORIGIN}${path}`, { method: 'POST', body: form }))).status).toBe(200);
    const consent = await env.DB.prepare('SELECT email_consent FROM contacts WHERE id = ?').bind(row!.contactId).first<{ email_consent: string }>();
    expect(consent?.email_consent).toBe('unsubscribed');
    // Credited to no campaign: the message is no longer in one's figures.
    expect(await count('SELECT COALESCE(SUM(unsubscribes), 0) AS n FROM engagement_counts WHERE source_id = ?', campaign.id)).toBe(0);

    expect((await callApi(key, `/contacts/${row!.contactId}`, { method: 'DELETE' })).status).toBe(204);
    expect(await count('SELECT COUNT(*) AS n FROM delivery_archive WHERE id = ?', row!.id)).toBe(0);
    expect((await exports.default.fetch(new Request(`${ORIGIN}${path}`))).status).toBe(404);
  });

  it('goes a bounded number of pages per tick and resumes where it stopped', async () => {
    const start = oldStart - 10 * DAY;
    const campaign = await insertCampaign(merchant.workspaceId, 'Paged', start);
    const outcomes = [
      ...Array.from({ length: 5 }, () => ({ status: 'sent', sentAt: start + MINUTE })),
      { status: 'failed', reasonCode: 'provider_rejected', reason: '550' },
      { status: 'skipped', reasonCode: 'unsubscribed', reason: 'Unsubscribed' },
    ];
    await insertDeliveries(merchant.workspaceId, campaign, outcomes, start);
    const progress = async () => (await (await callApi(key, `/campaigns/${campaign.id}`)).json<{ campaign: { progress: unknown; compactedAt: number | null } }>()).campaign;
    const before = await progress();

    // Two pages of two: four deliveries, the oldest campaign first.
    expect(await compactFinishedCampaigns(openDb(env.DB), env, now, { pageSize: 2, pagesPerTick: 2 })).toBe(4);
    expect(await deliveriesOf(campaign.id)).toBe(3);
    expect((await progress()).compactedAt).toBeNull();
    const ticks = [];
    for (let i = 0; i < 5 && (await progress()).compactedAt === null; i++) ticks.push(await compactFinishedCampaigns(openDb(env.DB), env, now, { pageSize: 2, pagesPerTick: 2 }));
    expect(ticks.reduce((a, b) => a + b, 0)).toBe(3);
    expect(await deliveriesOf(campaign.id)).toBe(0);
    expect(await progress()).toEqual({ ...before, compactedAt: now });
  });
});

describe('the retention window', () => {
  it('is 180 days unless set, at least 30, and a malformed value is a deployment error', () => {
    expect(retentionDays({})).toBe(DEFAULT_RETENTION_DAYS);
    expect(retentionDays({ DELIVERY_RETENTION_DAYS: '' })).toBe(180);
    expect(retentionDays({ DELIVERY_RETENTION_DAYS: '60' })).toBe(60);
    for (const bad of ['29', '1.5', 'forever', '-1']) expect(() => retentionDays({ DELIVERY_RETENTION_DAYS: bad })).toThrow(/DELIVERY_RETENTION_DAYS/);
  });

  it('leaves a campaign finished within it untouched until it passes', async () => {
    const campaign = await insertCampaign(merchant.workspaceId, 'Within the window', now - 20 * DAY);
    await insertDeliveries(merchant.workspaceId, campaign, [{ status: 'sent', sentAt: now - 20 * DAY }], now - 20 * DAY);
    await compactFinishedCampaigns(openDb(env.DB), { DELIVERY_RETENTION_DAYS: '30' }, now);
    expect(await deliveriesOf(campaign.id)).toBe(1);
    await compactFinishedCampaigns(openDb(env.DB), { DELIVERY_RETENTION_DAYS: '30' }, now + 11 * DAY + HOUR);
    expect(await deliveriesOf(campaign.id)).toBe(0);
  });
});
