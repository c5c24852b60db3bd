// Conversion figures read back exactly what attribution wrote: per campaign or flow, and
// per date range of the orders, in each currency, counting only orders with revenue left.
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { openDb } from '../../src/db/client';
import { forWorkspace, type Tenant } from '../../src/db/tenant';
import { applyStoreEvent, type EventSource } from '../../src/stores/apply-store-events';
import { type ConversionFigures, readConversionFigures, readWorkspaceConversions } from '../../src/tracking/conversion-figures';
import { insertContact } from '../helpers/data';
import { insertEmailContent } from '../helpers/deliveries';
import { signUpMerchant, uniqueEmail } from '../helpers/factories';
import { connectStore } from '../helpers/store-webhooks';
import { DAY, HOUR, type Touch, orderEvent, touchedDelivery } from './attribution-helpers';

const start = Date.UTC(2026, 9, 1);
let tenant: Tenant;
let other: Tenant;
// Each workspace's store connection, which keys its orders.
const stores = new Map<string, string>();

/** A buyer who touched a message an hour before placing an order, applied as the events consumer does. */
async function convert(on: Tenant, touch: Touch, order: { externalId: string; placedAt: number; totalCents: number; currency?: string; refundedCents?: number }) {
  const email = uniqueEmail('buyer');
  const contactId = await insertContact(on.workspaceId, { email });
  const contentId = await insertEmailContent(on.workspaceId, { subject: 'Hi', html: '<p>Hi</p>' });
  await touchedDelivery({ workspaceId: on.workspaceId, contentId }, contactId, { clickedAt: order.placedAt - HOUR, ...touch });
  const refunds = order.refundedCents ? [{ externalId: `${order.externalId}-refund`, amountCents: order.refundedCents, at: order.placedAt + HOUR }] : [];
  const source: EventSource = { connectionId: stores.get(on.workspaceId)!, platform: 'custom', currency: 'USD' };
  await applyStoreEvent(on, orderEvent({ ...order, email, refunds }), source);
}

/** The same figures computed straight from order_attributions. */
async function rawFigures(workspaceId: string, where: string, ...params: unknown[]): Promise<ConversionFigures> {
  const rows = await env.DB.prepare(
    `SELECT currency, COUNT(*) AS orders, SUM(revenue_cents) AS cents FROM order_attributions WHERE workspace_id = ? AND revenue_cents > 0 AND ${where} GROUP BY currency ORDER BY currency`,
  )
    .bind(workspaceId, ...params)
    .all<{ currency: string; orders: number; cents: number }>();
  return { conversions: rows.results.reduce((sum, row) => sum + row.orders, 0), revenue: rows.results.map(({ currency, cents }) => ({ currency, cents })) };
}

beforeAll(async () => {
  tenant = forWorkspace(openDb(env.DB), (await signUpMerchant('Figures Shop')).workspaceId);
  other = forWorkspace(openDb(env.DB), (await signUpMerchant('Other Figures Shop')).workspaceId);
  for (const on of [tenant, other]) stores.set(on.workspaceId, (await connectStore(on.workspaceId, 'custom')).id);
  await convert(tenant, { sourceId: 'spring' }, { externalId: 'f-1', placedAt: start, totalCents: 1000 });
  await convert(tenant, { sourceId: 'spring' }, { externalId: 'f-2', placedAt: start + DAY, totalCents: 2000, currency: 'EUR' });
  await convert(tenant, { sourceId: 'spring' }, { externalId: 'f-3', placedAt: start + DAY, totalCents: 500, refundedCents: 500 });
  await convert(tenant, { sourceId: 'summer' }, { externalId: 'f-4', placedAt: start + 2 * DAY, totalCents: 700 });
  await convert(tenant, { sourceType: 'flow', sourceId: 'welcome' }, { externalId: 'f-5', placedAt: start + 3 * DAY, totalCents: 300, refundedCents: 100 });
  // Another workspace's campaign with the same id and a sale in the same days.
  await convert(other, { sourceId: 'spring' }, { externalId: 'f-1', placedAt: start + DAY, totalCents: 9900 });
});

describe('conversion figures', () => {
  it('of a campaign: its orders with revenue left, per currency, as the rows say', async () => {
    const figures = await readConversionFigures(tenant, 'campaign', 'spring');
    expect(figures).toEqual({
      conversions: 2,
      revenue: [
        { currency: 'EUR', cents: 2000 },
        { currency: 'USD', cents: 1000 },
      ],
    });
    expect(figures).toEqual(await rawFigures(tenant.workspaceId, "source_type = 'campaign' AND source_id = 'spring'"));
    expect(await readConversionFigures(tenant, 'flow', 'welcome')).toEqual({ conversions: 1, revenue: [{ currency: 'USD', cents: 200 }] });
    expect(await readConversionFigures(tenant, 'flow', 'spring')).toEqual({ conversions: 0, revenue: [] });
  });

  it('of a campaign over a date range, from included and to excluded', async () => {
    const range = { from: start + DAY, to: start + 2 * DAY };
    const figures = await readConversionFigures(tenant, 'campaign', 'spring', range);
    expect(figures).toEqual({ conversions: 1, revenue: [{ currency: 'EUR', cents: 2000 }] });
    expect(figures).toEqual(await rawFigures(tenant.workspaceId, "source_id = 'spring' AND ordered_at >= ? AND ordered_at < ?", range.from, range.to));
  });

  it('of the workspace over a date range: every campaign and flow, no other workspace', async () => {
    const range = { from: start + DAY, to: start + 3 * DAY };
    const figures = await readWorkspaceConversions(tenant, range);
    expect(figures).toEqual({
      conversions: 2,
      revenue: [
        { currency: 'EUR', cents: 2000 },
        { currency: 'USD', cents: 700 },
      ],
    });
    expect(figures).toEqual(await rawFigures(tenant.workspaceId, 'ordered_at >= ? AND ordered_at < ?', range.from, range.to));
    expect(await readWorkspaceConversions(tenant, { from: start, to: start + 4 * DAY })).toEqual({
      conversions: 4,
      revenue: [
        { currency: 'EUR', cents: 2000 },
        { currency: 'USD', cents: 1900 },
      ],
    });
    expect(await readWorkspaceConversions(other, range)).toEqual({ conversions: 1, revenue: [{ currency: 'USD', cents: 9900 }] });
  });
});
