// A campaign's report, recipients, CSV and log, through /api/v1 and the dashboard, on real
// D1: every figure is checked against the raw rows it is read from.
import { env, exports } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { unsubscribeToken } from '../../src/consent/unsubscribe-tokens';
import { parseCsv } from '../../src/contacts/csv';
import { csvCell } from '../../src/lib/csv-write';
import { DAY, HOUR, MINUTE } from '../../src/lib/time';
import { ORIGIN } from '../helpers/browser-client';
import { apiErrorOf, callApi, createApiKey, type Merchant, signUpMerchant } from '../helpers/factories';
import { flushEngagement, insertDeliveries, insertCampaign, seedMixedCampaign, touch } from './report-fixtures';

type Report = {
  campaign: { id: string; name: string };
  report: {
    deliveries: {
      recipients: number;
      pending: number;
      delivered: number;
      failed: number;
      skipped: number;
      failedByReason: { reasonCode: string; count: number }[];
      skippedByReason: { reasonCode: string; count: number }[];
    };
    engagement: {
      uniqueOpens: number;
      uniqueClicks: number;
      unsubscribes: number;
      opens: number;
      clicks: number;
      machineOpens: number;
      machineClicks: number;
      openRate: number;
      clickRate: number;
      unsubscribeRate: number;
    };
    conversions: { conversions: number; revenue: { currency: string; cents: number }[] };
    hourly: { start: number; opens: number[]; clicks: number[] };
    links: { url: string; clicks: number; uniqueClicks: number; machineClicks: number }[];
  };
};
type Recipient = { deliveryId: string; address: string; status: string; openedAt: number | null; clickedAt: number | null; unsubscribedAt: number | null; orders: number; revenueCents: number };

let merchant: Merchant;
let key: string;
let seeded: Awaited<ReturnType<typeof seedMixedCampaign>>;
const startedAt = Date.UTC(2026, 9, 5, 10, 0);

beforeAll(async () => {
  merchant = await signUpMerchant('Report Shop');
  key = await createApiKey(merchant);
  seeded = await seedMixedCampaign(merchant.workspaceId, startedAt);
});

async function raw<T>(query: string, ...binds: unknown[]): Promise<T> {
  return (await env.DB.prepare(query)
    .bind(...binds)
    .first<T>())!;
}

async function allRecipients(filter = '', limit = 2): Promise<Recipient[]> {
  const seen: Recipient[] = [];
  let cursor: string | null = null;
  do {
    const res = await callApi(key, `/campaigns/${seeded.campaign.id}/recipients?limit=${limit}${filter ? `&filter=${filter}` : ''}${cursor ? `&cursor=${cursor}` : ''}`);
    expect(res.status).toBe(200);
    const page: { recipients: Recipient[]; nextCursor: string | null } = await res.json();
    seen.push(...page.recipients);
    cursor = page.nextCursor;
  } while (cursor);
  return seen;
}

describe('the campaign report', () => {
  it('equals the raw deliveries, engagements, daily rollups and attributions', async () => {
    const { id } = seeded.campaign;
    const res = await callApi(key, `/campaigns/${id}/report`);
    expect(res.status).toBe(200);
    const { report }: Report = await res.json();
    const ws = merchant.workspaceId;
    const byStatus = await env.DB.prepare("SELECT status, COUNT(*) AS n FROM deliveries WHERE workspace_id = ? AND source_type = 'campaign' AND source_id = ? GROUP BY status")
      .bind(ws, id)
      .all<{ status: string; n: number }>();
    const status = Object.fromEntries(byStatus.results.map((row) => [row.status, row.n]));
    expect(report.deliveries).toMatchObject({ recipients: 9, delivered: status.sent, failed: status.failed, skipped: status.skipped, pending: status.queued });
    expect(report.deliveries.failedByReason).toEqual([{ reasonCode: 'provider_rejected', count: 2 }]);
    expect(report.deliveries.skippedByReason).toEqual([{ reasonCode: 'unsubscribed', count: 1 }]);

    const engaged = await raw<{ opens: number; clicks: number; unsubscribes: number }>(
      "SELECT COUNT(e.opened_at) AS opens, COUNT(e.clicked_at) AS clicks, COUNT(e.unsubscribed_at) AS unsubscribes FROM delivery_engagements e JOIN deliveries d ON d.id = e.delivery_id WHERE d.workspace_id = ? AND d.source_id = ? AND d.source_type = 'campaign'",
      ws,
      id,
    );
    expect(engaged).toEqual({ opens: 3, clicks: 2, unsubscribes: 1 });
    const daily = await raw<{ opens: number; clicks: number; machineOpens: number; machineClicks: number }>(
      'SELECT SUM(opens) AS opens, SUM(clicks) AS clicks, SUM(machine_opens) AS machineOpens, SUM(machine_clicks) AS machineClicks FROM engagement_daily WHERE workspace_id = ? AND source_id = ?',
      ws,
      id,
    );
    expect(report.engagement).toMatchObject({ uniqueOpens: engaged.opens, uniqueClicks: engaged.clicks, unsubscribes: engaged.unsubscribes, ...daily });
    expect(daily.machineOpens).toBe(1);
    // Rates are out of the delivered messages.
    expect(report.engagement.openRate).toBeCloseTo(engaged.opens / status.sent!);
    expect(report.engagement.clickRate).toBeCloseTo(engaged.clicks / status.sent!);

    const credited = await raw<{ n: number; cents: number }>(
      'SELECT COUNT(*) AS n, SUM(revenue_cents) AS cents FROM order_attributions WHERE workspace_id = ? AND source_id = ? AND revenue_cents > 0',
      ws,
      id,
    );
    expect(credited).toEqual({ n: 1, cents: 4200 });
    expect(report.conversions).toEqual({ conversions: 1, revenue: [{ currency: 'USD', cents: 4200 }] });

    // First opens at 30 and 90 minutes, the third 50 hours in (past the chart); clicks at 90 and 120 minutes.
    expect(report.hourly.start).toBe(startedAt);
    expect(report.hourly.opens).toHaveLength(48);
    expect(report.hourly.opens.slice(0, 3)).toEqual([1, 1, 0]);
    expect(report.hourly.opens.reduce((a, b) => a + b)).toBe(2);
    expect(report.hourly.clicks.slice(0, 3)).toEqual([0, 1, 1]);
    expect(report.links).toEqual([
      { url: 'https://shop.example/a', clicks: 1, uniqueClicks: 1, machineClicks: 0 },
      { url: 'https://shop.example/b', clicks: 1, uniqueClicks: 1, machineClicks: 1 },
    ]);
  });

  it('shows the figures, the rate denominator, the 48-hour chart and the links on the campaign page', async () => {
    const html = await (await merchant.client.get(`/app/marketing/campaigns/${seeded.campaign.id}`)).text();
    expect(html).toMatch(/data-engagement="opens">3</);
    expect(html).toMatch(/data-engagement="clicks">2</);
    expect(html).toMatch(/data-engagement="unsubscribes">1</);
    expect(html).toMatch(/data-engagement="conversions">1</);
    expect(html).toMatch(/data-engagement="revenue">\$42\.00</);
    expect(html).toMatch(/data-rate="opens">60% open rate</);
    expect(html).toContain('out of the <strong>delivered</strong> messages');
    expect(html).toMatch(/<svg[^>]*role="img"[^>]*aria-labelledby="first-hours-chart-title first-hours-chart-desc"/);
    expect(html).toContain('<title id="first-hours-chart-title">Opens and clicks in the first 48 hours</title>');
    expect(html).toContain('https://shop.example/b');
    expect(html).toContain(`/app/marketing/campaigns/${seeded.campaign.id}/logs`);
    expect(html).toContain(`/app/marketing/campaigns/${seeded.campaign.id}/recipients.csv`);
  });
});

describe('the recipient list', () => {
  it('filters by opened, clicked, failed, skipped, unsubscribed and converted, as the raw rows say', async () => {
    const [a, b, c, , e, failed1, failed2, skipped] = seeded.rows;
    const ids = (rows: Recipient[]) => rows.map((row) => row.deliveryId).sort();
    expect(ids(await allRecipients('opened'))).toEqual([a!.id, b!.id, c!.id].sort());
    expect(ids(await allRecipients('clicked'))).toEqual([a!.id, b!.id].sort());
    expect(ids(await allRecipients('failed'))).toEqual([failed1!.id, failed2!.id].sort());
    expect(ids(await allRecipients('skipped'))).toEqual([skipped!.id]);
    expect(ids(await allRecipients('unsubscribed'))).toEqual([e!.id]);
    const converted = await allRecipients('converted');
    expect(converted.map((row) => [row.deliveryId, row.orders, row.revenueCents])).toEqual([[a!.id, 1, 4200]]);
  });

  it('pages through every recipient once, in order, with a keyset cursor', async () => {
    const all = await allRecipients('', 2);
    expect(all.map((row) => row.deliveryId)).toEqual(seeded.rows.map((row) => row.id));
    expect(all[0]).toMatchObject({ status: 'sent', address: seeded.rows[0]!.email });
  });

  it('filters on the page too, and a bad filter shows every recipient', async () => {
    const html = await (await merchant.client.get(`/app/marketing/campaigns/${seeded.campaign.id}?filter=unsubscribed`)).text();
    expect(html).toContain(seeded.rows[4]!.email);
    expect(html).not.toContain(seeded.rows[0]!.email);
    const all = await (await merchant.client.get(`/app/marketing/campaigns/${seeded.campaign.id}?filter=nope`)).text();
    expect(all).toContain(seeded.rows[0]!.email);
  });

  it('exports the filtered recipients as CSV, with formula-like cells neutralised', async () => {
    const res = await merchant.client.get(`/app/marketing/campaigns/${seeded.campaign.id}/recipients.csv`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="Mixed-results-recipients.csv"');
    const records = parseCsv(await res.text()).map((record) => record.fields);
    expect(records[0]).toEqual(['delivery_id', 'contact_id', 'channel', 'address', 'status', 'reason', 'sent_at', 'opened_at', 'clicked_at', 'unsubscribed_at', 'orders', 'revenue', 'currency']);
    expect(records.slice(1).map((fields) => fields[0])).toEqual(seeded.rows.map((row) => row.id));
    const first = records[1]!;
    expect(first.slice(3, 5)).toEqual([seeded.rows[0]!.email, 'sent']);
    expect(first[7]).toBe(new Date(startedAt + 30 * MINUTE).toISOString());
    expect(first.slice(10)).toEqual(['1', '42.00', 'USD']);
    // The reason a server gave is outside text: it must not run as a formula.
    expect(records[7]![5]).toBe('\'=HYPERLINK("https://evil.example","x")');
    const clicked = parseCsv(await (await merchant.client.get(`/app/marketing/campaigns/${seeded.campaign.id}/recipients.csv?filter=clicked`)).text());
    expect(clicked).toHaveLength(3);
  });

  it('neutralises every formula start and quotes what needs it', () => {
    expect(['=1+1', '+1', '-1', '@SUM(A1)', '\tx', '\rx'].map(csvCell)).toEqual(["'=1+1", "'+1", "'-1", "'@SUM(A1)", "'\tx", '"\'\rx"']);
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell(null)).toBe('');
    expect(csvCell(-5)).toBe('-5');
  });
});

describe('the log', () => {
  it('keeps events inside the UTC days asked for, both included, and pages through them', async () => {
    const dayStart = Date.UTC(2026, 9, 20);
    const campaign = await insertCampaign(merchant.workspaceId, 'Log bounds', dayStart - DAY);
    const rows = await insertDeliveries(
      merchant.workspaceId,
      campaign,
      [
        { status: 'sent', sentAt: dayStart - 1 },
        { status: 'sent', sentAt: dayStart },
        { status: 'sent', sentAt: dayStart + 5 * HOUR },
        { status: 'skipped', reasonCode: 'unsubscribed', reason: 'Email consent is "unsubscribed"' },
        { status: 'sent', sentAt: dayStart + 2 * DAY - 1 },
        { status: 'sent', sentAt: dayStart + 2 * DAY },
      ],
      dayStart - DAY,
    );
    // The skipped one was decided a minute after it was queued, the day before.
    const page = async (query: string) => {
      const res = await callApi(key, `/campaigns/${campaign.id}/logs?${query}`);
      expect(res.status).toBe(200);
      return res.json<{ from: string; to: string; events: { at: number; event: string; deliveryId: string }[]; nextCursor: string | null }>();
    };
    const one = await page('from=2026-10-20&to=2026-10-21&limit=2');
    expect(one).toMatchObject({ from: '2026-10-20', to: '2026-10-21' });
    const seen = [...one.events];
    let cursor = one.nextCursor;
    while (cursor) {
      const next = await page(`from=2026-10-20&to=2026-10-21&limit=2&cursor=${cursor}`);
      seen.push(...next.events);
      cursor = next.nextCursor;
    }
    expect(seen.map((event) => event.deliveryId)).toEqual([rows[1]!.id, rows[2]!.id, rows[4]!.id]);
    expect(seen.map((event) => event.event)).toEqual(['sent', 'sent', 'sent']);
    const dayBefore = await page('from=2026-10-19&to=2026-10-19');
    expect(dayBefore.events.map((event) => [event.deliveryId, event.event])).toEqual([
      [rows[3]!.id, 'skipped'],
      [rows[0]!.id, 'sent'],
    ]);
  });

  it('lists conversions with sends, on the page and in the CSV', async () => {
    const { id } = seeded.campaign;
    const res = await callApi(key, `/campaigns/${id}/logs?from=2026-10-05&to=2026-10-05`);
    const { events } = await res.json<{ events: { event: string; revenueCents: number | null; deliveryId: string }[] }>();
    expect(events.filter((event) => event.event === 'conversion')).toEqual([expect.objectContaining({ deliveryId: seeded.rows[0]!.id, revenueCents: 4200 })]);
    expect(events.filter((event) => event.event === 'sent')).toHaveLength(5);
    const html = await (await merchant.client.get(`/app/marketing/campaigns/${id}/logs?from=2026-10-05&to=2026-10-05`)).text();
    expect(html).toContain('Conversion');
    expect(html).toContain('$42.00');
    const csv = await merchant.client.get(`/app/marketing/campaigns/${id}/logs.csv?from=2026-10-05&to=2026-10-05`);
    const records = parseCsv(await csv.text());
    expect(records[0]!.fields).toEqual(['at', 'event', 'delivery_id', 'contact_id', 'address', 'detail', 'order', 'revenue', 'currency']);
    expect(records.some((record) => record.fields[1] === 'conversion' && record.fields[7] === '42.00')).toBe(true);
  });

  it('refuses bad dates and cursors naming the field (400)', async () => {
    const { id } = seeded.campaign;
    const cases: [string, string][] = [
      ['from=2026-13-01&to=2026-12-01', 'from'],
      ['from=2026-10-05', 'to'],
      ['from=2026-10-05&to=2026-10-01', 'to'],
      ['from=2024-01-01&to=2026-01-01', 'to'],
      ['cursor=nope', 'cursor'],
      ['limit=1000', 'limit'],
    ];
    for (const [query, field] of cases) {
      const res = await callApi(key, `/campaigns/${id}/logs?${query}`);
      expect(res.status, query).toBe(400);
      expect((await apiErrorOf(res)).issues?.map((issue) => issue.path)).toContain(field);
    }
    const filter = await callApi(key, `/campaigns/${id}/recipients?filter=opens`);
    expect(filter.status).toBe(400);
    expect((await apiErrorOf(filter)).issues?.map((issue) => issue.path)).toEqual(['filter']);
    // The page says what was wrong and shows the default range.
    const page = await merchant.client.get(`/app/marketing/campaigns/${id}/logs?from=2026-02-30&to=2026-03-01`);
    expect(page.status).toBe(400);
    expect(await page.text()).toContain('Not a date in the calendar');
  });
});

describe('unsubscribes', () => {
  it("credits a one-click unsubscribe through a message's link to that message, once", async () => {
    const campaign = await insertCampaign(merchant.workspaceId, 'Unsubscribe credit', startedAt);
    const [row] = await insertDeliveries(merchant.workspaceId, campaign, [{ status: 'sent', sentAt: startedAt }], startedAt);
    const path = `/u/${await unsubscribeToken(env.APP_SECRET, row!.id)}`;
    for (let i = 0; i < 2; i++) {
      const form = new FormData();
      form.set('List-Unsubscribe', 'One-Click');
      expect((await exports.default.fetch(new Request(`${ORIGIN}${path}`, { method: 'POST', body: form }))).status).toBe(200);
    }
    const engagement = await raw<{ unsubscribed_at: number; opened_at: number | null }>('SELECT unsubscribed_at, opened_at FROM delivery_engagements WHERE delivery_id = ?', row!.id);
    expect(engagement.unsubscribed_at).toBeTypeOf('number');
    expect(engagement.opened_at).toBeNull();
    const { report }: Report = await (await callApi(key, `/campaigns/${campaign.id}/report`)).json();
    expect(report.engagement).toMatchObject({ unsubscribes: 1, uniqueOpens: 0 });
    expect(report.engagement.unsubscribeRate).toBe(1);
  });
});

describe('the figures the database keeps', () => {
  // What the report said before migration 0036: a join of every delivery of the campaign to its engagement.
  async function joined(campaignId: string) {
    const start = await raw<{ started_at: number }>('SELECT started_at FROM campaigns WHERE id = ?', campaignId);
    const rows = await env.DB.prepare(
      "SELECT e.opened_at AS o, e.clicked_at AS c, e.unsubscribed_at AS u FROM delivery_engagements e JOIN deliveries d ON d.id = e.delivery_id WHERE d.workspace_id = ? AND d.source_type = 'campaign' AND d.source_id = ?",
    )
      .bind(merchant.workspaceId, campaignId)
      .all<{ o: number | null; c: number | null; u: number | null }>();
    const hours = (at: number | null) => (at === null ? -1 : Math.floor((at - start.started_at) / HOUR));
    const perHour = (pick: (row: { o: number | null; c: number | null }) => number | null) => Array.from({ length: 48 }, (_, hour) => rows.results.filter((row) => hours(pick(row)) === hour).length);
    return {
      engagement: {
        uniqueOpens: rows.results.filter((row) => row.o !== null).length,
        uniqueClicks: rows.results.filter((row) => row.c !== null).length,
        unsubscribes: rows.results.filter((row) => row.u !== null).length,
      },
      opens: perHour((row) => row.o),
      clicks: perHour((row) => row.c),
    };
  }

  async function reported(campaignId: string) {
    const { report }: Report = await (await callApi(key, `/campaigns/${campaignId}/report`)).json();
    const { uniqueOpens, uniqueClicks, unsubscribes } = report.engagement;
    return { engagement: { uniqueOpens, uniqueClicks, unsubscribes }, opens: report.hourly.opens, clicks: report.hourly.clicks };
  }

  it("follow a later flush and an erased contact, and never another campaign's", async () => {
    const start = startedAt + 10 * DAY;
    const { campaign, rows } = await seedMixedCampaign(merchant.workspaceId, start, 'Erased later');
    const before = await reported(seeded.campaign.id);
    expect(await reported(campaign.id)).toEqual(await joined(campaign.id));

    // The reader who opened 50 hours in clicks in hour 3 (a later flush updates the engagement row).
    const [a, , c] = rows;
    await flushEngagement(merchant.workspaceId, campaign.id, [touch(c!.id, start + 50 * HOUR, start + 3 * HOUR + MINUTE)], [], 2);
    const later = await reported(campaign.id);
    expect(later.engagement).toEqual({ uniqueOpens: 3, uniqueClicks: 3, unsubscribes: 1 });
    expect(later.clicks.slice(0, 4)).toEqual([0, 1, 1, 1]);
    expect(later).toEqual(await joined(campaign.id));

    // Erasing the reader who opened in hour 0 and clicked in hour 1 takes their engagement out of every figure.
    expect((await callApi(key, `/contacts/${a!.contactId}`, { method: 'DELETE' })).status).toBe(204);
    const erased = await reported(campaign.id);
    expect(erased.engagement).toEqual({ uniqueOpens: 2, uniqueClicks: 2, unsubscribes: 1 });
    expect(erased.opens.slice(0, 2)).toEqual([0, 1]);
    expect(erased.clicks.slice(0, 4)).toEqual([0, 0, 1, 1]);
    expect(erased).toEqual(await joined(campaign.id));
    expect(await reported(seeded.campaign.id)).toEqual(before);
  });
});

describe("another workspace's campaign", () => {
  it('is a 404 on every report endpoint and page', async () => {
    const other = await signUpMerchant('Other Shop');
    const otherKey = await createApiKey(other);
    const { id } = seeded.campaign;
    for (const path of [`/campaigns/${id}/report`, `/campaigns/${id}/recipients`, `/campaigns/${id}/logs`, `/contacts/${seeded.rows[0]!.contactId}/messages`]) {
      expect((await callApi(otherKey, path)).status, path).toBe(404);
    }
    for (const path of [`/app/marketing/campaigns/${id}`, `/app/marketing/campaigns/${id}/recipients.csv`, `/app/marketing/campaigns/${id}/logs`, `/app/marketing/campaigns/${id}/logs.csv`]) {
      const res = await other.client.get(path);
      expect(res.status, path).toBe(404);
      expect(await res.text()).not.toContain(seeded.rows[0]!.email);
    }
  });
});
