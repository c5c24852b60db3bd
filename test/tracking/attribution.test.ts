// Conversions: orders arrive through the real webhook and queue path and are credited to
// the message the contact last clicked, or else opened, within the workspace's windows.
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { openDb } from '../../src/db/client';
import { forWorkspace } from '../../src/db/tenant';
import { applyStoreEvent } from '../../src/stores/apply-store-events';
import { signClickToken, signOpenToken } from '../../src/tracking/tracking-tokens';
import { insertContact } from '../helpers/data';
import { insertEmailContent, insertQueuedDelivery } from '../helpers/deliveries';
import { createApiKey, patchApi, signUpMerchant, uniqueEmail } from '../helpers/factories';
import { connectStore, sendCustomEvent, type TestConnection, waitForProcessed } from '../helpers/store-webhooks';
import { DAY, HOUR, touchedDelivery } from './attribution-helpers';
import { flushTrackers, hit, waitForOpens } from './tracking-helpers';

const FIVE_DAYS = 5 * DAY;

type Shop = TestConnection & { contentId: string };
type Attribution = { delivery_id: string; source_type: string; source_id: string; touch: string; touched_at: number; revenue_cents: number; currency: string; ordered_at: number };

let shop: Shop;

async function openShop(name: string): Promise<Shop & { key: string }> {
  const merchant = await signUpMerchant(name);
  const store = await connectStore(merchant.workspaceId, 'custom', 'USD');
  return { ...store, contentId: await insertEmailContent(merchant.workspaceId, { subject: 'Hi', html: '<p>Hi</p>' }), key: await createApiKey(merchant) };
}

async function newBuyer(on: Shop = shop, email = uniqueEmail('buyer')): Promise<{ email: string; contactId: string }> {
  return { email, contactId: await insertContact(on.workspaceId, { email }) };
}

type OrderInput = { externalId: string; email: string; placedAt: number; totalCents?: number; refundedCents?: number; currency?: string; status?: string; eventId?: string };

/** Sends an order event through the webhook and waits until the events consumer applied it. */
async function sendOrder(on: Shop, order: OrderInput): Promise<void> {
  const data = {
    externalId: order.externalId,
    customer: { email: order.email },
    currency: order.currency ?? 'USD',
    totalCents: order.totalCents ?? 5000,
    refundedCents: order.refundedCents ?? 0,
    placedAt: order.placedAt,
  };
  await waitForProcessed(await sendCustomEvent(on, { ...(order.eventId ? { id: order.eventId } : {}), type: `order.${order.status ?? 'paid'}`, data }));
}

async function attributionsOf(on: Shop, externalId: string): Promise<Attribution[]> {
  const rows = await env.DB.prepare('SELECT a.* FROM order_attributions a JOIN orders o ON o.id = a.order_id WHERE o.workspace_id = ? AND o.external_id = ?')
    .bind(on.workspaceId, externalId)
    .all<Attribution>();
  return rows.results;
}

async function attributionOf(on: Shop, externalId: string): Promise<Attribution | null> {
  const rows = await attributionsOf(on, externalId);
  expect(rows.length).toBeLessThanOrEqual(1);
  return rows[0] ?? null;
}

beforeAll(async () => {
  shop = await openShop('Attribution Shop');
});

describe('order attribution', () => {
  it('credits a clicked message over a more recent opened one', async () => {
    const buyer = await newBuyer();
    const placedAt = Date.now() - HOUR;
    const clicked = await touchedDelivery(shop, buyer.contactId, { sourceId: 'camp-clicked', clickedAt: placedAt - 3 * DAY });
    await touchedDelivery(shop, buyer.contactId, { sourceType: 'flow', sourceId: 'flow-opened', openedAt: placedAt - 10 * 60_000 });
    await sendOrder(shop, { externalId: 'click-beats-open', email: buyer.email, placedAt, totalCents: 4200 });
    expect(await attributionOf(shop, 'click-beats-open')).toMatchObject({
      delivery_id: clicked,
      source_type: 'campaign',
      source_id: 'camp-clicked',
      touch: 'click',
      touched_at: placedAt - 3 * DAY,
      revenue_cents: 4200,
      currency: 'USD',
      ordered_at: placedAt,
    });
  });

  it('credits the latest click, across campaigns and flows', async () => {
    const buyer = await newBuyer();
    const placedAt = Date.now() - HOUR;
    await touchedDelivery(shop, buyer.contactId, { sourceId: 'camp-early', clickedAt: placedAt - 2 * DAY });
    const latest = await touchedDelivery(shop, buyer.contactId, { sourceType: 'flow', sourceId: 'flow-late', clickedAt: placedAt - DAY });
    await touchedDelivery(shop, buyer.contactId, { sourceId: 'camp-mid', clickedAt: placedAt - 1.5 * DAY });
    // Clicked after buying: not what led to the order.
    await touchedDelivery(shop, buyer.contactId, { sourceId: 'camp-after', clickedAt: placedAt + 1 });
    await sendOrder(shop, { externalId: 'latest-click', email: buyer.email, placedAt });
    expect(await attributionOf(shop, 'latest-click')).toMatchObject({ delivery_id: latest, source_type: 'flow', source_id: 'flow-late', touch: 'click' });
  });

  it('falls back to the latest opened message when nothing was clicked in the window', async () => {
    const buyer = await newBuyer();
    const placedAt = Date.now() - HOUR;
    await touchedDelivery(shop, buyer.contactId, { openedAt: placedAt - 3 * DAY });
    const latest = await touchedDelivery(shop, buyer.contactId, { openedAt: placedAt - 2 * DAY });
    await sendOrder(shop, { externalId: 'latest-open', email: buyer.email, placedAt });
    expect(await attributionOf(shop, 'latest-open')).toMatchObject({ delivery_id: latest, touch: 'open', touched_at: placedAt - 2 * DAY });
  });

  it('counts an open exactly at the edge of the open window, and not one ms before it', async () => {
    const placedAt = Date.now() - HOUR;
    const atEdge = await newBuyer();
    const edgeDelivery = await touchedDelivery(shop, atEdge.contactId, { openedAt: placedAt - FIVE_DAYS });
    const pastEdge = await newBuyer();
    await touchedDelivery(shop, pastEdge.contactId, { openedAt: placedAt - FIVE_DAYS - 1 });
    await sendOrder(shop, { externalId: 'open-edge-in', email: atEdge.email, placedAt });
    await sendOrder(shop, { externalId: 'open-edge-out', email: pastEdge.email, placedAt });
    expect(await attributionOf(shop, 'open-edge-in')).toMatchObject({ delivery_id: edgeDelivery, touch: 'open' });
    expect(await attributionOf(shop, 'open-edge-out')).toBeNull();
  });

  it('counts a click exactly at the edge of the click window, and not one ms before it (the open then counts)', async () => {
    const wide = await openShop('Wide Opens');
    expect((await patchApi(wide.key, '/workspace', { clickWindowHours: 120, openWindowHours: 240 })).status).toBe(200);
    const placedAt = Date.now() - HOUR;
    const atEdge = await newBuyer(wide);
    const edgeDelivery = await touchedDelivery(wide, atEdge.contactId, { clickedAt: placedAt - FIVE_DAYS });
    const pastEdge = await newBuyer(wide);
    const pastDelivery = await touchedDelivery(wide, pastEdge.contactId, { clickedAt: placedAt - FIVE_DAYS - 1 });
    await sendOrder(wide, { externalId: 'click-edge-in', email: atEdge.email, placedAt });
    await sendOrder(wide, { externalId: 'click-edge-out', email: pastEdge.email, placedAt });
    expect(await attributionOf(wide, 'click-edge-in')).toMatchObject({ delivery_id: edgeDelivery, touch: 'click' });
    expect(await attributionOf(wide, 'click-edge-out')).toMatchObject({ delivery_id: pastDelivery, touch: 'open', touched_at: placedAt - FIVE_DAYS - 1 });
  });

  it('follows each workspace’s windows', async () => {
    const narrow = await openShop('Narrow Windows');
    expect((await patchApi(narrow.key, '/workspace', { clickWindowHours: 24, openWindowHours: 24 })).status).toBe(200);
    const placedAt = Date.now() - HOUR;
    const here = await newBuyer(narrow);
    await touchedDelivery(narrow, here.contactId, { clickedAt: placedAt - 30 * HOUR });
    const there = await newBuyer();
    const credited = await touchedDelivery(shop, there.contactId, { clickedAt: placedAt - 30 * HOUR });
    await sendOrder(narrow, { externalId: 'windows-narrow', email: here.email, placedAt });
    await sendOrder(shop, { externalId: 'windows-default', email: there.email, placedAt });
    expect(await attributionOf(narrow, 'windows-narrow')).toBeNull();
    expect(await attributionOf(shop, 'windows-default')).toMatchObject({ delivery_id: credited, touch: 'click' });
  });

  it('never credits a message that only a machine opened', async () => {
    const buyer = await newBuyer();
    const placedAt = Date.now() - HOUR;
    await touchedDelivery(shop, buyer.contactId, { machineOpenedAt: placedAt - HOUR });
    await sendOrder(shop, { externalId: 'machine-only', email: buyer.email, placedAt });
    expect(await attributionOf(shop, 'machine-only')).toBeNull();
  });

  it('never credits a message of another workspace, even to the same address', async () => {
    const other = await openShop('Other Shop');
    const email = uniqueEmail('shared');
    const theirs = await newBuyer(other, email);
    await touchedDelivery(other, theirs.contactId, { clickedAt: Date.now() - 2 * HOUR });
    await newBuyer(shop, email);
    await sendOrder(shop, { externalId: 'foreign-touch', email, placedAt: Date.now() - HOUR });
    expect(await attributionOf(shop, 'foreign-touch')).toBeNull();
    expect(await env.DB.prepare('SELECT COUNT(*) AS n FROM order_attributions WHERE workspace_id = ?').bind(other.workspaceId).first('n')).toBe(0);
  });

  it('credits an order once, when it is first a purchase, whatever replays and later touches come', async () => {
    const buyer = await newBuyer();
    const placedAt = Date.now() - HOUR;
    const first = await touchedDelivery(shop, buyer.contactId, { clickedAt: placedAt - 2 * HOUR });
    await sendOrder(shop, { externalId: 'once', email: buyer.email, placedAt, status: 'placed' });
    expect(await attributionOf(shop, 'once')).toBeNull();
    await sendOrder(shop, { externalId: 'once', email: buyer.email, placedAt, status: 'paid', eventId: 'once-paid' });
    expect(await attributionOf(shop, 'once')).toMatchObject({ delivery_id: first, touch: 'click' });
    // A click that would win now (later, still before the order) reaches D1 after the order was credited.
    await touchedDelivery(shop, buyer.contactId, { clickedAt: placedAt - HOUR });
    await sendOrder(shop, { externalId: 'once', email: buyer.email, placedAt, status: 'paid', eventId: 'once-paid' });
    await sendOrder(shop, { externalId: 'once', email: buyer.email, placedAt, status: 'paid' });
    await sendOrder(shop, { externalId: 'once', email: buyer.email, placedAt, status: 'shipped' });
    expect(await attributionsOf(shop, 'once')).toEqual([expect.objectContaining({ delivery_id: first, touch: 'click', revenue_cents: 5000 })]);
  });

  it('reduces the credited revenue by refunds, to 0 when the order is fully refunded, and keeps the row', async () => {
    const buyer = await newBuyer();
    const placedAt = Date.now() - HOUR;
    const delivery = await touchedDelivery(shop, buyer.contactId, { clickedAt: placedAt - HOUR });
    await sendOrder(shop, { externalId: 'refunded', email: buyer.email, placedAt, totalCents: 10_000 });
    expect(await attributionOf(shop, 'refunded')).toMatchObject({ revenue_cents: 10_000 });
    // A refund on its own, as Shopify's refunds/create is applied.
    const tenant = forWorkspace(openDb(env.DB), shop.workspaceId);
    await applyStoreEvent(
      tenant,
      { kind: 'refund', orderExternalId: 'refunded', externalId: 'r-1', amountCents: 2_500, at: Date.now() },
      { connectionId: shop.id, platform: 'custom', currency: 'USD' },
    );
    expect(await attributionOf(shop, 'refunded')).toMatchObject({ revenue_cents: 7_500 });
    // The order restated with a running refund total (the generic format) that covers the rest.
    await sendOrder(shop, { externalId: 'refunded', email: buyer.email, placedAt, totalCents: 10_000, refundedCents: 7_500 });
    expect(await attributionOf(shop, 'refunded')).toMatchObject({ delivery_id: delivery, revenue_cents: 0 });
    await sendOrder(shop, { externalId: 'refunded', email: buyer.email, placedAt, totalCents: 10_000, status: 'refunded' });
    expect(await attributionOf(shop, 'refunded')).toMatchObject({ delivery_id: delivery, revenue_cents: 0 });
  });

  it('credits a cancelled order nothing', async () => {
    const buyer = await newBuyer();
    const placedAt = Date.now() - HOUR;
    await touchedDelivery(shop, buyer.contactId, { clickedAt: placedAt - HOUR });
    await sendOrder(shop, { externalId: 'cancelled-paid', email: buyer.email, placedAt });
    await sendOrder(shop, { externalId: 'cancelled-paid', email: buyer.email, placedAt, status: 'cancelled' });
    expect(await attributionOf(shop, 'cancelled-paid')).toMatchObject({ revenue_cents: 0 });
    await sendOrder(shop, { externalId: 'cancelled-only', email: buyer.email, placedAt, status: 'cancelled' });
    expect(await attributionOf(shop, 'cancelled-only')).toBeNull();
  });

  it('credits nothing that is not a purchase: failed, unpaid, or refunded in full while still "paid"', async () => {
    const buyer = await newBuyer();
    const placedAt = Date.now() - HOUR;
    await touchedDelivery(shop, buyer.contactId, { clickedAt: placedAt - HOUR });
    await sendOrder(shop, { externalId: 'failed-payment', email: buyer.email, placedAt, status: 'failed' });
    await sendOrder(shop, { externalId: 'awaiting-payment', email: buyer.email, placedAt, status: 'placed' });
    await sendOrder(shop, { externalId: 'refunded-while-paid', email: buyer.email, placedAt, totalCents: 4000, refundedCents: 4000 });
    for (const order of ['failed-payment', 'awaiting-payment', 'refunded-while-paid']) expect(await attributionOf(shop, order), order).toBeNull();
    // A payment that failed on a credited order leaves it at 0, no conversion.
    await sendOrder(shop, { externalId: 'failed-later', email: buyer.email, placedAt, totalCents: 4000 });
    expect(await attributionOf(shop, 'failed-later')).toMatchObject({ revenue_cents: 4000 });
    await sendOrder(shop, { externalId: 'failed-later', email: buyer.email, placedAt, totalCents: 4000, status: 'failed' });
    expect(await attributionOf(shop, 'failed-later')).toMatchObject({ revenue_cents: 0 });
  });
});

describe('attribution with real opens and clicks', () => {
  const sentAt = Date.now() - DAY;

  it('never credits machine opens and clicks', async () => {
    const buyer = await newBuyer();
    const delivery = {
      id: await insertQueuedDelivery(shop.workspaceId, buyer.contactId, shop.contentId, 'camp-machines'),
      workspaceId: shop.workspaceId,
      sourceType: 'campaign',
      sourceId: 'camp-machines',
    };
    const source = { workspaceId: shop.workspaceId, sourceType: 'campaign', sourceId: 'camp-machines' };
    // Apple's privacy proxy fetches the pixel; a scanner follows two links in a burst.
    await hit(`/o/${await signOpenToken(env.APP_SECRET, delivery, sentAt)}`, { 'user-agent': 'Mozilla/5.0', 'cf-connecting-ip': '17.58.0.1' });
    await hit(`/c/${await signClickToken(env.APP_SECRET, delivery, sentAt, 'https://shop.example/a')}`);
    await hit(`/c/${await signClickToken(env.APP_SECRET, delivery, sentAt, 'https://shop.example/b')}`);
    await waitForOpens(source, 3);
    await flushTrackers(source);
    const engagement = await env.DB.prepare('SELECT opened_at, clicked_at, machine_opened_at FROM delivery_engagements WHERE delivery_id = ?').bind(delivery.id).first();
    expect(engagement).toMatchObject({ opened_at: null, clicked_at: null, machine_opened_at: expect.any(Number) });
    await sendOrder(shop, { externalId: 'machines', email: buyer.email, placedAt: Date.now() });
    expect(await attributionOf(shop, 'machines')).toBeNull();
  });

  it('credits an order placed after a click that reached D1 only later, when the tracker flushes', async () => {
    const buyer = await newBuyer();
    const delivery = { id: await insertQueuedDelivery(shop.workspaceId, buyer.contactId, shop.contentId, 'camp-late'), workspaceId: shop.workspaceId, sourceType: 'campaign', sourceId: 'camp-late' };
    const source = { workspaceId: shop.workspaceId, sourceType: 'campaign', sourceId: 'camp-late' };
    await hit(`/c/${await signClickToken(env.APP_SECRET, delivery, sentAt, 'https://shop.example/mug')}`, { 'user-agent': 'Mozilla/5.0 (Macintosh) Safari/605' });
    await waitForOpens(source, 1);
    await sendOrder(shop, { externalId: 'late-click', email: buyer.email, placedAt: Date.now(), totalCents: 3100 });
    expect(await attributionOf(shop, 'late-click')).toBeNull();
    await flushTrackers(source);
    expect(await attributionOf(shop, 'late-click')).toMatchObject({ delivery_id: delivery.id, source_id: 'camp-late', touch: 'click', revenue_cents: 3100 });
  });
});
