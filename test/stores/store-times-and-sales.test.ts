// Sales are price drops even on first sight, and times come from the store's own
// timestamps (when a price changed, when stock came back, when a customer was created),
// not from when we processed the webhook.
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { openDb } from '../../src/db/client';
import { forWorkspace } from '../../src/db/tenant';
import { SegmentDefinition } from '../../src/segments/segment-definition';
import { countSegment } from '../../src/segments/segments.service';
import customersCreate from '../fixtures/shopify/customers-create.json?raw';
import smsConsentUpdate from '../fixtures/shopify/customers-marketing-consent-update.json?raw';
import inventoryLevelsUpdate from '../fixtures/shopify/inventory-levels-update.json?raw';
import productsUpdate from '../fixtures/shopify/products-update.json?raw';
import customerCreated from '../fixtures/woocommerce/customer-created.json?raw';
import orderCreated from '../fixtures/woocommerce/order-created.json?raw';
import productUpdated from '../fixtures/woocommerce/product-updated.json?raw';
import { signUpMerchant } from '../helpers/factories';
import { connectStore, sendShopify, sendWooCommerce, type TestConnection, waitForProcessed } from '../helpers/store-webhooks';

let shopify: TestConnection;
let woo: TestConnection;

beforeAll(async () => {
  const merchant = await signUpMerchant('Store Times');
  shopify = await connectStore(merchant.workspaceId, 'shopify', 'USD');
  woo = await connectStore(merchant.workspaceId, 'woocommerce', 'USD');
});

function product(sku: string) {
  return env.DB.prepare('SELECT * FROM products WHERE workspace_id = ? AND sku = ?').bind(shopify.workspaceId, sku).first<Record<string, unknown>>();
}

async function priceDrops(productId: unknown) {
  const rows = await env.DB.prepare("SELECT data FROM triggers WHERE workspace_id = ? AND kind = 'price_dropped' AND subject_id = ?").bind(shopify.workspaceId, productId).all<{ data: string }>();
  return rows.results.map((row) => JSON.parse(row.data) as Record<string, unknown>);
}

function contactCreatedAt(email: string) {
  return env.DB.prepare('SELECT created_at FROM contacts WHERE workspace_id = ? AND email = ?').bind(shopify.workspaceId, email).first<number>('created_at');
}

describe('sales as price drops', () => {
  it('takes a WooCommerce product first seen with a sale price below its regular price as a price drop, at the store’s time', async () => {
    const onSale = productUpdated
      .replace('"sku":"PREMIUM-Q"', '"sku":"SALE-Q"')
      .replace('"id":794,', '"id":795,')
      .replace('"price":"21.99"', '"price":"17.99"')
      .replace('"sale_price":""', '"sale_price":"17.99"')
      .replace('"on_sale":false', '"on_sale":true');
    await waitForProcessed(await sendWooCommerce(woo, 'product.created', onSale));
    const row = await product('SALE-Q');
    expect(row).toMatchObject({ price_cents: 1799, previous_price_cents: 2199, price_changed_at: Date.parse('2026-03-04T19:21:02Z') });
    expect(await priceDrops(row!.id)).toEqual([expect.objectContaining({ oldPriceCents: 2199, newPriceCents: 1799, sku: 'SALE-Q' })]);
  });

  it('does not take a product first seen at its regular price as a price drop', async () => {
    await waitForProcessed(await sendWooCommerce(woo, 'product.created', productUpdated));
    const row = await product('PREMIUM-Q');
    expect(row).toMatchObject({ price_cents: 2199, previous_price_cents: null, price_changed_at: null });
    expect(await priceDrops(row!.id)).toEqual([]);
  });

  it('takes a Shopify variant first seen below its compare-at price as a price drop, once', async () => {
    await waitForProcessed(await sendShopify(shopify, 'products/create', productsUpdate));
    // The same state again (products/update with nothing changed) is no new drop.
    await waitForProcessed(await sendShopify(shopify, 'products/update', productsUpdate));
    const row = await product('TSHIRT-M');
    expect(row).toMatchObject({ price_cents: 1999, previous_price_cents: 2499, price_changed_at: Date.parse('2026-03-04T10:00:00-05:00') });
    expect(await priceDrops(row!.id)).toEqual([expect.objectContaining({ oldPriceCents: 2499, newPriceCents: 1999 })]);
  });
});

describe("the store's own times", () => {
  it('records when a price changed and when stock came back as the store says', async () => {
    const soldOut = productsUpdate.replace('"inventory_quantity":75', '"inventory_quantity":0').replace('"updated_at":"2026-03-04T10:00:00-05:00"', '"updated_at":"2026-03-04T11:00:00-05:00"');
    await waitForProcessed(await sendShopify(shopify, 'products/update', soldOut));
    const cheaper = soldOut.replace(/"price":"19.99"/g, '"price":"14.99"').replace('"updated_at":"2026-03-04T11:00:00-05:00"', '"updated_at":"2026-03-05T10:00:00-05:00"');
    await waitForProcessed(await sendShopify(shopify, 'products/update', cheaper));
    expect(await product('TSHIRT-S')).toMatchObject({ price_cents: 1499, previous_price_cents: 1999, price_changed_at: Date.parse('2026-03-05T10:00:00-05:00') });
    await waitForProcessed(await sendShopify(shopify, 'inventory_levels/update', inventoryLevelsUpdate));
    expect(await product('TSHIRT-S')).toMatchObject({ inventory: 12, restocked_at: Date.parse('2026-03-06T09:00:00-05:00') });
  });

  it("dates a contact from the store's customer record, even when another event created it first", async () => {
    // The SMS consent topic arrives before customers/create: the contact is created now, by its phone...
    const start = Date.now();
    await waitForProcessed(await sendShopify(shopify, 'customers_marketing_consent/update', smsConsentUpdate));
    const byPhone = await env.DB.prepare('SELECT created_at FROM contacts WHERE workspace_id = ? AND phone = ?').bind(shopify.workspaceId, '+16136120707').first<number>('created_at');
    expect(byPhone).toBeGreaterThanOrEqual(start - 1000);
    // ...then the customer record says since when the store has known them.
    await waitForProcessed(await sendShopify(shopify, 'customers/create', customersCreate));
    expect(await contactCreatedAt('bob.norman@mail.example.com')).toBe(Date.parse('2026-03-01T10:15:30-05:00'));
  });

  it('dates a WooCommerce guest from their first order and a customer from date_created_gmt', async () => {
    await waitForProcessed(await sendWooCommerce(woo, 'order.created', orderCreated));
    expect(await contactCreatedAt('john.doe@example.com')).toBe(Date.parse('2026-03-02T15:10:00Z'));
    const older = customerCreated.replace('"date_created_gmt":"2026-03-03T10:00:00"', '"date_created_gmt":"2026-02-20T08:00:00"');
    await waitForProcessed(await sendWooCommerce(woo, 'customer.created', older));
    expect(await contactCreatedAt('john.doe@example.com')).toBe(Date.parse('2026-02-20T08:00:00Z'));
    // A later record never moves the time forward.
    await waitForProcessed(await sendWooCommerce(woo, 'customer.updated', customerCreated));
    expect(await contactCreatedAt('john.doe@example.com')).toBe(Date.parse('2026-02-20T08:00:00Z'));
  });

  it('leaves "created in the last 7 days" to contacts the store created lately, after a first sync', async () => {
    const definition = SegmentDefinition.parse({ match: 'all', children: [{ field: 'createdAt', op: 'withinDays', days: 7 }] });
    expect(await countSegment(forWorkspace(openDb(env.DB), shopify.workspaceId), definition)).toBe(0);
  });
});
