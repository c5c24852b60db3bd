// The marketing overview (30-day figures, weekly buckets) and a contact's messages, on real D1.
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { DAY, HOUR, MINUTE } from '../../src/lib/time';
import { newId } from '../../src/lib/ids';
import { insertContact } from '../helpers/data';
import { apiErrorOf, callApi, createApiKey, signUpMerchant } from '../helpers/factories';
import { flushEngagement, insertCampaign, insertDeliveries, seedMixedCampaign, touch } from './report-fixtures';

describe('the marketing overview', () => {
  it('buckets sent messages, first opens and first clicks into weeks from Monday (UTC), inside the range', async () => {
    const merchant = await signUpMerchant('Weekly Shop');
    const key = await createApiKey(merchant);
    // Monday 5 January 2026; the range runs to Sunday 18 January.
    const monday = Date.UTC(2026, 0, 5);
    const campaign = await insertCampaign(merchant.workspaceId, 'Weekly', monday - DAY);
    const rows = await insertDeliveries(
      merchant.workspaceId,
      campaign,
      [
        { status: 'sent', sentAt: monday - 1 }, // Sunday before: outside
        { status: 'sent', sentAt: monday },
        { status: 'sent', sentAt: monday + 6 * DAY + 23 * HOUR },
        { status: 'sent', sentAt: monday + 7 * DAY },
        { status: 'sent', sentAt: monday + 14 * DAY }, // the Monday after: outside
        { status: 'failed', reasonCode: 'provider_rejected' },
      ],
      monday - DAY,
    );
    await flushEngagement(merchant.workspaceId, campaign.id, [
      touch(rows[1]!.id, monday + HOUR, monday + 2 * HOUR),
      touch(rows[2]!.id, monday + 7 * DAY + HOUR),
      touch(rows[4]!.id, monday + 14 * DAY + HOUR),
    ]);
    const res = await callApi(key, '/reports/overview?from=2026-01-05&to=2026-01-18');
    expect(res.status).toBe(200);
    const body = await res.json<{ from: string; to: string; figures: Record<string, unknown>; weeks: { weekStart: number; sent: number; opens: number; clicks: number }[] }>();
    expect(body.weeks).toEqual([
      { weekStart: monday, sent: 2, opens: 1, clicks: 1 },
      { weekStart: monday + 7 * DAY, sent: 1, opens: 1, clicks: 0 },
    ]);
    // Of the 3 sent in the range, 2 were opened (one after it) and 1 clicked.
    expect(body.figures).toMatchObject({ sent: 3, opened: 2, clicked: 1 });
    expect(body.figures.openRate).toBeCloseTo(2 / 3);
    // A range starting mid-week still shows that whole week's bucket, counting only its days in range.
    const midWeek = await (await callApi(key, '/reports/overview?from=2026-01-11&to=2026-01-12')).json<{ weeks: { weekStart: number; sent: number }[] }>();
    expect(midWeek.weeks).toEqual([
      { weekStart: monday, sent: 1, opens: 0, clicks: 0 },
      { weekStart: monday + 7 * DAY, sent: 1, opens: 1, clicks: 0 },
    ]);
    const bad = await callApi(key, '/reports/overview?from=2026-01-05');
    expect(bad.status).toBe(400);
    expect((await apiErrorOf(bad)).issues?.map((issue) => issue.path)).toEqual(['to']);
  });

  it('covers the last 30 days by default, today included, on the page and in the API, with revenue credited in them', async () => {
    const merchant = await signUpMerchant('Thirty Days Shop');
    const key = await createApiKey(merchant);
    const today = Date.now() - (Date.now() % DAY);
    await seedMixedCampaign(merchant.workspaceId, today - 29 * DAY + HOUR, 'Recent');
    const old = await insertCampaign(merchant.workspaceId, 'Old', today - 31 * DAY);
    await insertDeliveries(merchant.workspaceId, old, [{ status: 'sent', sentAt: today - 30 * DAY - MINUTE }], today - 31 * DAY);
    const body = await (await callApi(key, '/reports/overview')).json<{ from: string; to: string; figures: { sent: number; opened: number; clicked: number; conversions: unknown } }>();
    expect(body.to).toBe(new Date(today).toISOString().slice(0, 10));
    expect(body.from).toBe(new Date(today - 29 * DAY).toISOString().slice(0, 10));
    expect(body.figures).toMatchObject({ sent: 5, opened: 3, clicked: 2, conversions: { conversions: 1, revenue: [{ currency: 'USD', cents: 4200 }] } });
    const html = await (await merchant.client.get('/app/marketing')).text();
    expect(html).toMatch(/data-overview="sent">5</);
    expect(html).toMatch(/data-overview="open-rate">60%</);
    expect(html).toMatch(/data-overview="revenue">\$42\.00</);
    expect(html).toContain('<title id="weekly-activity-chart-title">Weekly activity</title>');
    expect(html).toContain('The numbers as a table');
  });

  it('puts SMS beside email: sent, delivered once Twilio said so, failed, clicks and credited orders', async () => {
    const merchant = await signUpMerchant('Two Channel Shop');
    const key = await createApiKey(merchant);
    const today = Date.now() - (Date.now() % DAY);
    await seedMixedCampaign(merchant.workspaceId, today - 2 * DAY, 'Email');
    const text = newId();
    await env.DB.batch([
      env.DB.prepare("INSERT INTO contents (id, workspace_id, channel, name, created_at, updated_at) VALUES (?, ?, 'sms', 'Text', ?, ?)").bind(text, merchant.workspaceId, today, today),
      env.DB.prepare("INSERT INTO sms_contents (id, workspace_id, body) VALUES (?, ?, 'Hi')").bind(text, merchant.workspaceId),
    ]);
    const outcomes: [string, string | null][] = [
      ['sent', 'delivered'],
      ['sent', 'sent'],
      ['failed', 'undelivered'],
    ];
    for (const [i, [status, providerStatus]] of outcomes.entries()) {
      const contactId = await insertContact(merchant.workspaceId, { email: null, phone: `+1415555017${i}` });
      await env.DB.prepare(
        "INSERT INTO deliveries (id, workspace_id, contact_id, channel, source_type, source_id, step_key, occurrence_key, content_id, status, provider_status, queued_at, sent_at, updated_at) VALUES (?, ?, ?, 'sms', 'campaign', 'sms-campaign', '', '', ?, ?, ?, ?, ?, ?)",
      )
        .bind(newId(), merchant.workspaceId, contactId, text, status, providerStatus, today - DAY, today - DAY + MINUTE, today - DAY + MINUTE)
        .run();
    }
    const body = await (await callApi(key, '/reports/overview')).json<{ channels: { channel: string; sent: number }[] }>();
    expect(body.channels.map((row) => row.channel)).toEqual(['email', 'sms']);
    expect(body.channels[0]).toMatchObject({ channel: 'email', sent: 5, conversions: { conversions: 1 } });
    expect(body.channels[1]).toEqual({ channel: 'sms', sent: 2, delivered: 1, failed: 1, clicked: 0, conversions: { conversions: 0, revenue: [] } });
    const html = await (await merchant.client.get('/app/marketing')).text();
    expect(html).toMatch(
      /<tr data-channel="sms"><td data-label="Channel">SMS<\/td><td data-label="Sent" class="num">2<\/td><td data-label="Delivered" class="num">1<\/td><td data-label="Failed" class="num">1<\/td>/,
    );
  });
});

describe("a contact's messages", () => {
  it('lists each message with its campaign, status, open, click and credited order, newest first, a page at a time', async () => {
    const merchant = await signUpMerchant('Messages Shop');
    const key = await createApiKey(merchant);
    const startedAt = Date.UTC(2026, 8, 1, 9);
    const { campaign, rows } = await seedMixedCampaign(merchant.workspaceId, startedAt, 'September sale');
    const contactId = rows[0]!.contactId;
    // A second, later message to the same contact from another campaign.
    const later = await insertCampaign(merchant.workspaceId, 'October news', startedAt + 30 * DAY);
    await env.DB.prepare(
      "INSERT INTO deliveries (id, workspace_id, contact_id, channel, source_type, source_id, step_key, occurrence_key, content_id, status, queued_at, sent_at, updated_at) VALUES (?, ?, ?, 'email', 'campaign', ?, '', '', ?, 'sent', ?, ?, ?)",
    )
      .bind(`later-${contactId}`, merchant.workspaceId, contactId, later.id, later.contentId, startedAt + 30 * DAY, startedAt + 30 * DAY, startedAt + 30 * DAY)
      .run();
    const first = await (await callApi(key, `/contacts/${contactId}/messages?limit=1`)).json<{ messages: Record<string, unknown>[]; nextCursor: string | null }>();
    expect(first.messages).toEqual([expect.objectContaining({ deliveryId: `later-${contactId}`, sourceName: 'October news', status: 'sent', openedAt: null, orders: 0 })]);
    const second = await (await callApi(key, `/contacts/${contactId}/messages?limit=1&cursor=${first.nextCursor}`)).json<{ messages: Record<string, unknown>[]; nextCursor: string | null }>();
    expect(second.messages).toEqual([
      expect.objectContaining({
        deliveryId: rows[0]!.id,
        channel: 'email',
        sourceType: 'campaign',
        sourceId: campaign.id,
        sourceName: 'September sale',
        openedAt: startedAt + 30 * MINUTE,
        clickedAt: startedAt + 90 * MINUTE,
        orders: 1,
        revenueCents: 4200,
        currency: 'USD',
      }),
    ]);
    expect(second.nextCursor).toBeNull();
    const page = await (await merchant.client.get(`/app/contacts/${contactId}`)).text();
    expect(page).toContain('September sale');
    expect(page).toContain('October news');
    expect(page).toContain('$42.00');
    expect(page).not.toContain('No messages yet');
    // A message that was skipped is listed as such, with why.
    const skipped = await (await merchant.client.get(`/app/contacts/${rows[7]!.contactId}`)).text();
    expect(skipped).toContain('Skipped');
    expect(skipped).toContain('Email consent is &quot;unsubscribed&quot;');
    const bad = await callApi(key, `/contacts/${contactId}/messages?cursor=x`);
    expect(bad.status).toBe(400);
    expect((await apiErrorOf(bad)).issues?.map((issue) => issue.path)).toEqual(['cursor']);
  });
});
