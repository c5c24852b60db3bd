// What counts as a purchase, end to end: signed Shopify and WooCommerce webhooks through the
// queue, then the contact aggregates, every segment condition that reads purchases and the
// order triggers. Full refunds, failed and unpaid orders bought nothing; partial refunds did.
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { openDb } from '../../src/db/client';
import { forWorkspace } from '../../src/db/tenant';
import { SegmentDefinition } from '../../src/segments/segment-definition';
import { pageSegment } from '../../src/segments/segments.service';
import ordersCreate from '../fixtures/shopify/orders-create.json?raw';
import refundsCreate from '../fixtures/shopify/refunds-create.json?raw';
import orderCreated from '../fixtures/woocommerce/order-created.json?raw';
import { signUpMerchant } from '../helpers/factories';
import { connectStore, sendShopify, sendWooCommerce, type TestConnection, waitForProcessed } from '../helpers/store-webhooks';

let shopify: TestConnection;
let woo: TestConnection;
let counter = 0;

beforeAll(async () => {
  const merchant = await signUpMerchant('Purchases');
  shopify = await connectStore(merchant.workspaceId, 'shopify', 'USD');
  woo = await connectStore(merchant.workspaceId, 'woocommerce', 'USD');
});

/** A Shopify order of $403.00 (two IPOD2008BLACK lines) by `email`, in `financialStatus`, placed 2026-03-02 14:00 UTC. */
function shopifyOrder(orderId: string, email: string, financialStatus: string): string {
  counter += 1;
  return ordersCreate
    .replace(/820982911946154508/g, orderId)
    .replace(/jon@example\.com/g, email)
    .replace(/115310627314723954/g, `9100000000000${counter}`)
    .replace('"financial_status":"pending"', `"financial_status":"${financialStatus}"`)
    .replace('"test":true', '"test":false');
}

/** Shopify's refunds/create for an order, giving back `amount` through one refund transaction. */
function shopifyRefund(orderId: string, refundId: string, amount: string): string {
  return refundsCreate
    .replace(/820982911946154508/g, orderId)
    .replace(/890088186047892319/g, refundId)
    .replace('"amount":"199.00"', `"amount":"${amount}"`);
}

/** A WooCommerce guest order of 29.35 (WOO-SINGLE-1, SHIP-IDEA-BLK-M) by `email`, in `status`, modified at `modified` (UTC). */
function wooOrder(orderId: number, email: string, status: string, modified = '2026-03-02T15:10:05'): string {
  return orderCreated
    .replace('{"id":727,', `{"id":${orderId},`)
    .replace('"John.Doe@Example.com"', JSON.stringify(email))
    .replace('"status":"processing"', `"status":"${status}"`)
    .replace('"date_modified_gmt":"2026-03-02T15:10:05"', `"date_modified_gmt":"${modified}"`);
}

const SHOPIFY_PLACED_AT = Date.parse('2026-03-02T09:00:00-05:00');
const WOO_PLACED_AT = Date.parse('2026-03-02T15:10:00Z');

const BUYERS = ['partly-refunded@shop.example', 'paid-later@shop.example'];
const NOT_BUYERS = ['fully-refunded@shop.example', 'refund-first@shop.example', 'failed@shop.example', 'on-hold@shop.example', 'pending@shop.example'];
const SKUS = ['IPOD2008BLACK', 'WOO-SINGLE-1'];

async function contact(email: string) {
  return env.DB.prepare('SELECT id, order_count, total_spent_cents, first_order_at, last_order_at FROM contacts WHERE workspace_id = ? AND email = ?')
    .bind(shopify.workspaceId, email)
    .first<{ id: string; order_count: number; total_spent_cents: number; first_order_at: number | null; last_order_at: number | null }>();
}

async function members(condition: unknown): Promise<string[]> {
  const definition = SegmentDefinition.parse({ match: 'all', children: [condition] });
  const rows = await pageSegment(forWorkspace(openDb(env.DB), shopify.workspaceId), definition, { limit: 100 });
  return rows.map((row) => row.email!).sort();
}

async function orderTriggerKinds(email: string): Promise<string[]> {
  const rows = await env.DB.prepare("SELECT t.kind FROM triggers t JOIN orders o ON o.id = t.subject_id WHERE o.workspace_id = ? AND o.email = ? AND t.kind LIKE 'order_%' ORDER BY t.kind")
    .bind(shopify.workspaceId, email)
    .all<{ kind: string }>();
  return rows.results.map((row) => row.kind);
}

describe('what a purchase is', () => {
  // The webhooks, in the order the stores send them; the tests below read what they left.
  it('applies full and partial refunds, failed and unpaid orders as Shopify and WooCommerce send them', async () => {
    // Paid, then refunds/create for the whole $403.00 while the order still says "paid".
    await waitForProcessed(await sendShopify(shopify, 'orders/paid', shopifyOrder('7100000000001', 'fully-refunded@shop.example', 'paid')));
    await waitForProcessed(await sendShopify(shopify, 'refunds/create', shopifyRefund('7100000000001', '7200000000001', '403.00')));
    // Paid, then one $199.00 line refunded.
    await waitForProcessed(await sendShopify(shopify, 'orders/paid', shopifyOrder('7100000000002', 'partly-refunded@shop.example', 'paid')));
    await waitForProcessed(await sendShopify(shopify, 'refunds/create', shopifyRefund('7100000000002', '7200000000002', '199.00')));
    // The whole refund arrives before its order.
    await waitForProcessed(await sendShopify(shopify, 'refunds/create', shopifyRefund('7100000000003', '7200000000003', '403.00')));
    await waitForProcessed(await sendShopify(shopify, 'orders/paid', shopifyOrder('7100000000003', 'refund-first@shop.example', 'paid')));
    // WooCommerce: the payment failed; awaiting a bank transfer; awaiting payment; and awaiting payment, then paid.
    await waitForProcessed(await sendWooCommerce(woo, 'order.created', wooOrder(9001, 'failed@shop.example', 'failed')));
    await waitForProcessed(await sendWooCommerce(woo, 'order.created', wooOrder(9002, 'on-hold@shop.example', 'on-hold')));
    await waitForProcessed(await sendWooCommerce(woo, 'order.created', wooOrder(9003, 'pending@shop.example', 'pending')));
    await waitForProcessed(await sendWooCommerce(woo, 'order.created', wooOrder(9004, 'paid-later@shop.example', 'pending')));
    expect(await contact('paid-later@shop.example')).toMatchObject({ order_count: 0, total_spent_cents: 0, last_order_at: null });
    await waitForProcessed(await sendWooCommerce(woo, 'order.updated', wooOrder(9004, 'paid-later@shop.example', 'processing', '2026-03-03T09:00:00')));
  }, 60_000);

  it('keeps the contact aggregates of purchases only: a full refund leaves spend 0 and order count 0', async () => {
    for (const email of NOT_BUYERS) {
      expect(await contact(email), email).toMatchObject({ order_count: 0, total_spent_cents: 0, first_order_at: null, last_order_at: null });
    }
    expect(await contact('partly-refunded@shop.example')).toMatchObject({ order_count: 1, total_spent_cents: 40300 - 19900, first_order_at: SHOPIFY_PLACED_AT, last_order_at: SHOPIFY_PLACED_AT });
    expect(await contact('paid-later@shop.example')).toMatchObject({ order_count: 1, total_spent_cents: 2935, first_order_at: WOO_PLACED_AT, last_order_at: WOO_PLACED_AT });
    const failed = await env.DB.prepare("SELECT status FROM orders WHERE workspace_id = ? AND external_id = '9001'").bind(woo.workspaceId).first('status');
    expect(failed).toBe('failed');
  });

  it('matches only purchases in every segment condition that reads them', async () => {
    const buyers = [...BUYERS].sort();
    const notBuyers = [...NOT_BUYERS].sort();
    const reading = [
      { field: 'orderCount', op: 'gte', value: 1 },
      { field: 'totalSpent', op: 'gt', value: 0 },
      { field: 'lastPurchase', op: 'withinDays', days: 36_500 },
      { field: 'firstPurchase', op: 'after', at: 0 },
      { field: 'purchased', op: 'ever' },
      { field: 'purchased', op: 'withinDays', days: 36_500 },
      { field: 'purchased', op: 'ever', skus: SKUS },
    ];
    for (const condition of reading) expect(await members(condition), JSON.stringify(condition)).toEqual(buyers);
    const notReading = [
      { field: 'orderCount', op: 'eq', value: 0 },
      { field: 'totalSpent', op: 'lte', value: 0 },
      { field: 'lastPurchase', op: 'never' },
      { field: 'purchased', op: 'never' },
      { field: 'purchased', op: 'notWithinDays', days: 36_500 },
      { field: 'purchased', op: 'never', skus: SKUS },
    ];
    for (const condition of notReading) expect(await members(condition), JSON.stringify(condition)).toEqual(notBuyers);
  });

  it('raises order_completed for paid orders only, never for failed or unpaid ones', async () => {
    for (const email of ['failed@shop.example', 'on-hold@shop.example', 'pending@shop.example']) expect(await orderTriggerKinds(email), email).toEqual([]);
    expect(await orderTriggerKinds('paid-later@shop.example')).toEqual(['order_completed']);
    // Refunded in full before the order came: it never was a purchase.
    expect(await orderTriggerKinds('refund-first@shop.example')).toEqual([]);
  });
});
