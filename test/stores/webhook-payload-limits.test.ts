// Hostile and malformed store payloads: money that is not an amount, text beyond the
// API's limits, events the consumer cannot read. Bodies are the real fixtures with one
// value swapped in the raw text, signed as the platform signs them.
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import customersCreate from '../fixtures/shopify/customers-create.json?raw';
import ordersCreate from '../fixtures/shopify/orders-create.json?raw';
import productsUpdate from '../fixtures/shopify/products-update.json?raw';
import refundsCreate from '../fixtures/shopify/refunds-create.json?raw';
import customerCreated from '../fixtures/woocommerce/customer-created.json?raw';
import orderCreated from '../fixtures/woocommerce/order-created.json?raw';
import productUpdated from '../fixtures/woocommerce/product-updated.json?raw';
import { signUpMerchant } from '../helpers/factories';
import { connectStore, deliveryId, sendShopify, sendWooCommerce, waitForProcessed, waitForStatus, type TestConnection } from '../helpers/store-webhooks';
import { storeEventMessage } from '../../src/queues/messages';

let shop: TestConnection;
let woo: TestConnection;
let nextId = 1;

beforeAll(async () => {
  shop = await connectStore((await signUpMerchant('Hostile Shopify')).workspaceId, 'shopify');
  woo = await connectStore((await signUpMerchant('Hostile Woo')).workspaceId, 'woocommerce', 'EUR');
});

/** The fixture with its first `from` (raw JSON text) replaced by `to`; fails when `from` is not there. */
function swap(fixture: string, from: string, to: string): string {
  expect(fixture).toContain(from);
  return fixture.replace(from, () => to);
}

/** A fresh order id, so each test's order is its own. */
function freshOrderId(): string {
  nextId += 1;
  return `${4_000_000 + nextId}`;
}

async function expectRefused(res: Response, path: string) {
  expect(res.status, await res.clone().text()).toBe(400);
  const body = await res.json<{ error: { code: string; issues: { path: string }[] } }>();
  expect(body.error.code).toBe('invalid_input');
  expect(body.error.issues.map((issue) => issue.path)).toContain(path);
}

async function storedRows(connection: TestConnection, externalId: string) {
  const orders = await env.DB.prepare('SELECT count(*) AS n FROM orders WHERE workspace_id = ? AND external_id = ?').bind(connection.workspaceId, externalId).first<number>('n');
  const events = await env.DB.prepare('SELECT count(*) AS n FROM inbound_events WHERE workspace_id = ?').bind(connection.workspaceId).first<number>('n');
  return { orders, events };
}

// Every one of these answered 500 (Shopify retries a 5xx for 48 hours).
const NOT_AMOUNTS = ['""', '"."', '"-"', '1e21', '1.5e308', '1e400', '"1,99"', '"NaN"', '"Infinity"', '"90071992547409.92"', `"${'9'.repeat(5000)}"`];

describe('money that is not an amount', () => {
  it.each(NOT_AMOUNTS)('Shopify orders/create with a line price of %s gets a 400 naming line_items.0.price, and nothing is written', async (price) => {
    const id = freshOrderId();
    const before = await storedRows(shop, id);
    const body = swap(swap(ordersCreate, '{"id":820982911946154508', `{"id":${id}`), '"price":"199.00"', `"price":${price}`);
    await expectRefused(await sendShopify(shop, 'orders/create', body), 'line_items.0.price');
    expect(await storedRows(shop, id)).toEqual(before);
  });

  it.each(['""', '"-"', '1e21'])('Shopify orders/create with a total_price of %s gets a 400 naming total_price', async (total) => {
    await expectRefused(await sendShopify(shop, 'orders/create', swap(ordersCreate, '"total_price":"403.00"', `"total_price":${total}`)), 'total_price');
  });

  it('a Shopify refund transaction of "." or beyond 2^53 minor units gets a 400 naming transactions.0.amount', async () => {
    await expectRefused(await sendShopify(shop, 'refunds/create', swap(refundsCreate, '"amount":"199.00","currency"', '"amount":".","currency"')), 'transactions.0.amount');
    await expectRefused(await sendShopify(shop, 'refunds/create', swap(refundsCreate, '"amount":"199.00","currency"', '"amount":1.5e308,"currency"')), 'transactions.0.amount');
  });

  it('a Shopify product variant priced 1e21 gets a 400 naming variants.0.price', async () => {
    await expectRefused(await sendShopify(shop, 'products/update', swap(productsUpdate, '"price":"19.99"', '"price":1e21')), 'variants.0.price');
  });

  it('a Shopify order in a currency that is not an ISO code gets a 400 naming currency', async () => {
    await expectRefused(
      await sendShopify(shop, 'orders/create', swap(ordersCreate, '"currency":"USD","current_subtotal_price"', `"currency":"${'U'.repeat(500)}","current_subtotal_price"`)),
      'currency',
    );
  });

  it('stores negative zero ("-0.00") as the integer 0, not -0 or a float', async () => {
    const id = freshOrderId();
    const body = swap(swap(ordersCreate, '{"id":820982911946154508', `{"id":${id}`), '"total_price":"403.00"', '"total_price":"-0.00"');
    await waitForProcessed(await sendShopify(shop, 'orders/create', body));
    const row = await env.DB.prepare('SELECT total_cents, typeof(total_cents) AS type, CAST(total_cents AS TEXT) AS text FROM orders WHERE workspace_id = ? AND external_id = ?')
      .bind(shop.workspaceId, id)
      .first();
    expect(row).toEqual({ total_cents: 0, type: 'integer', text: '0' });
  });

  it.each(NOT_AMOUNTS)('WooCommerce order.created with a total of %s gets a 400 naming total, and nothing is written', async (total) => {
    const id = freshOrderId();
    const before = await storedRows(woo, id);
    const body = swap(swap(orderCreated, '{"id":727', `{"id":${id}`), '"total":"29.35"', `"total":${total}`);
    await expectRefused(await sendWooCommerce(woo, 'order.created', body), 'total');
    expect(await storedRows(woo, id)).toEqual(before);
  });

  it('a WooCommerce line item priced 1e21 or with a total of "-" gets a 400 naming it', async () => {
    await expectRefused(await sendWooCommerce(woo, 'order.created', swap(orderCreated, '"price":3,', '"price":1e21,')), 'line_items.0.price');
    const noPrice = swap(orderCreated, '"price":3,', '');
    await expectRefused(await sendWooCommerce(woo, 'order.created', swap(noPrice, '"total":"6.00"', '"total":"-"')), 'line_items.0.total');
  });

  it('still reads a WooCommerce product whose price is "" (unpriced) from its regular price', async () => {
    const body = swap(productUpdated, '"price":"21.99"', '"price":""');
    await waitForProcessed(await sendWooCommerce(woo, 'product.updated', body));
    const product = await env.DB.prepare('SELECT price_cents FROM products WHERE workspace_id = ? AND sku = ?').bind(woo.workspaceId, 'PREMIUM-Q').first();
    expect(product).toEqual({ price_cents: 2199 });
  });
});

describe('text beyond the API limits', () => {
  it('a Shopify customer with a 500 KB first name and 20,000 tags is kept, cut to 100 characters and 50 tags, and the cut is reported', async () => {
    const tags = Array.from({ length: 20_000 }, (_, i) => `tag-${i}`).join(', ');
    let body = swap(customersCreate, '"first_name":"Bob"', `"first_name":"${'B'.repeat(500_000)}"`);
    body = swap(body, '"tags":"vip, newsletter"', `"tags":"${tags}, ${'x'.repeat(65)}"`);
    body = swap(swap(body, '"Bob.Norman@Mail.example.com"', '"long.name@example.com"'), '"id":706405506930370084', '"id":706405506930370999');
    const res = await sendShopify(shop, 'customers/create', body);
    const answer = await res.clone().json<{ adjusted: { path: string; message: string }[] }>();
    expect(answer.adjusted.map((note) => note.path)).toEqual(['0.person.firstName', '0.tags', '0.tags']);
    await waitForProcessed(res);
    const contact = await env.DB.prepare('SELECT id, length(first_name) AS length FROM contacts WHERE workspace_id = ? AND email = ?')
      .bind(shop.workspaceId, 'long.name@example.com')
      .first<{ id: string; length: number }>();
    expect(contact?.length).toBe(100);
    const tagCount = await env.DB.prepare('SELECT count(*) AS n FROM contact_tags WHERE contact_id = ?').bind(contact!.id).first('n');
    expect(tagCount).toBe(50);
  });

  it('a WooCommerce customer with a 500 KB first name is kept with the name cut to 100 characters', async () => {
    const body = swap(swap(customerCreated, '"first_name":"John"', `"first_name":"${'J'.repeat(500_000)}"`), '"email":"john.doe@example.com"', '"email":"long.john@example.com"');
    await waitForProcessed(await sendWooCommerce(woo, 'customer.created', body));
    const length = await env.DB.prepare('SELECT length(first_name) AS length FROM contacts WHERE workspace_id = ? AND email = ?').bind(woo.workspaceId, 'long.john@example.com').first('length');
    expect(length).toBe(100);
  });

  it('a Shopify product title of 10,000 characters is kept, cut to 255', async () => {
    const body = swap(swap(productsUpdate, '"title":"Example T-Shirt"', `"title":"${'T'.repeat(10_000)}"`), '"sku":"TSHIRT-S"', '"sku":"LONG-TITLE-S"');
    await waitForProcessed(await sendShopify(shop, 'products/update', body));
    const length = await env.DB.prepare('SELECT length(title) AS length FROM products WHERE workspace_id = ? AND sku = ?').bind(shop.workspaceId, 'LONG-TITLE-S').first('length');
    expect(length).toBe(255);
  });

  it('identifiers out of bounds are refused, naming the field: a 300-character email, SKU or customer id', async () => {
    await expectRefused(
      await sendShopify(shop, 'orders/create', swap(ordersCreate, '"email":"jon@example.com","financial_status"', `"email":"${'a'.repeat(300)}@example.com","financial_status"`)),
      'email',
    );
    await expectRefused(await sendShopify(shop, 'orders/create', swap(ordersCreate, '"sku":"IPOD2008BLACK"', `"sku":"${'S'.repeat(300)}"`)), 'line_items.0.sku');
    await expectRefused(await sendShopify(shop, 'customers/create', swap(customersCreate, '"id":706405506930370084', `"id":"${'7'.repeat(300)}"`)), 'id');
  });

  it('an X-Shopify-Topic header of 1,000 characters is refused rather than stored', async () => {
    await expectRefused(await sendShopify(shop, `orders/${'x'.repeat(1000)}`, ordersCreate), 'X-Shopify-Topic');
  });
});

describe('the events consumer', () => {
  it('records a queued event it cannot read as rejected, with the reason, and moves on instead of retrying', async () => {
    const dedupeKey = deliveryId();
    const unreadable = { kind: 'order', externalId: 'x', totalCents: 1e21 };
    await env.EVENTS_QUEUE.send(storeEventMessage({ workspaceId: shop.workspaceId, connectionId: shop.id, topic: 'orders/create', dedupeKey, receivedAt: Date.now(), events: [unreadable] }));
    const event = () =>
      env.DB.prepare('SELECT id, status, reason FROM inbound_events WHERE connection_id = ? AND dedupe_key = ?').bind(shop.id, dedupeKey).first<{ id: string; status: string; reason: string }>();
    await expect.poll(async () => (await event())?.status, { timeout: 10_000, interval: 50 }).toBe('rejected');
    // The merchant sees why beside the connection's deliveries.
    expect((await event())?.reason).toMatch(/^rejected: .*0\.totalCents: Too big/);
    const letter = await env.DB.prepare('SELECT reason, attempts FROM dead_letters WHERE message_id = ?')
      .bind(`rejected:${(await event())!.id}`)
      .first<{ reason: string; attempts: number }>();
    expect(letter?.reason).toMatch(/^rejected: /);
    expect(letter?.attempts).toBe(1);
    // A well-formed webhook after it is applied as usual.
    await waitForStatus(await sendShopify(shop, 'orders/create', ordersCreate), 'processed');
  });
});
