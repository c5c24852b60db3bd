// Store data read right: WooCommerce text decoded from HTML once, order labels as the
// store shows them, SMS opt-in from a Shopify checkout, and the edge refusing (400
// naming the field) what the consumer could only have thrown away.
import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import checkoutsCreate from '../fixtures/shopify/checkouts-create.json?raw';
import ordersCreate from '../fixtures/shopify/orders-create.json?raw';
import orderCreated from '../fixtures/woocommerce/order-created.json?raw';
import productUpdated from '../fixtures/woocommerce/product-updated.json?raw';
import worker from '../../src/index';
import { storeEventMessage } from '../../src/queues/messages';
import { type Merchant, signUpMerchant } from '../helpers/factories';
import { connectStore, deliveryId, sendCustomEvent, sendShopify, sendWooCommerce, waitForProcessed, type TestConnection } from '../helpers/store-webhooks';

let merchant: Merchant;
let shop: TestConnection;
let woo: TestConnection;
let custom: TestConnection;

beforeAll(async () => {
  merchant = await signUpMerchant('Ingest Store');
  shop = await connectStore(merchant.workspaceId, 'shopify');
  woo = await connectStore(merchant.workspaceId, 'woocommerce', 'EUR');
  custom = await connectStore(merchant.workspaceId, 'custom');
});

function contactByEmail(email: string) {
  return env.DB.prepare('SELECT * FROM contacts WHERE workspace_id = ? AND email = ?').bind(merchant.workspaceId, email).first<Record<string, unknown>>();
}

/** Replaces `from` (which must be there) with `to`. */
function swap(body: string, from: string | RegExp, to: string): string {
  const replaced = body.replace(from, to);
  expect(replaced).not.toBe(body);
  return replaced;
}

describe('WooCommerce text', () => {
  it('is decoded from HTML exactly once: names, line items and products', async () => {
    const order = swap(
      swap(
        swap(
          orderCreated,
          '"first_name":"John","last_name":"Doe","company":"","address_1":"969 Market","address_2":"","city":"San Francisco","state":"CA","postcode":"94103","country":"US","email"',
          '"first_name":"Zo&euml;","last_name":"O&#039;Brien &amp; Sons","company":"","address_1":"969 Market","address_2":"","city":"San Francisco","state":"CA","postcode":"94103","country":"US","email"',
        ),
        '"name":"Woo Single #1"',
        '"name":"Salt &amp; Pepper &#8211; Set"',
      ),
      '"name":"Ship Your Idea \\u2013 Color: Black, Size: M Test"',
      '"name":"Fish &amp;amp; Chips"',
    );
    await waitForProcessed(await sendWooCommerce(woo, 'order.created', order));
    expect(await contactByEmail('john.doe@example.com')).toMatchObject({ first_name: 'Zoë', last_name: "O'Brien & Sons" });
    const items = await env.DB.prepare('SELECT oi.title FROM order_items oi JOIN orders o ON o.id = oi.order_id WHERE o.workspace_id = ? AND o.external_id = ? ORDER BY oi.sku DESC')
      .bind(merchant.workspaceId, '727')
      .all<{ title: string }>();
    expect(items.results.map((row) => row.title)).toEqual(['Salt & Pepper – Set', 'Fish &amp; Chips']);

    await waitForProcessed(await sendWooCommerce(woo, 'product.updated', swap(productUpdated, '"name":"Premium Quality"', '"name":"Caf&eacute; &amp; Cr&egrave;me"')));
    const product = await env.DB.prepare('SELECT title FROM products WHERE workspace_id = ? AND sku = ?').bind(merchant.workspaceId, 'PREMIUM-Q').first('title');
    expect(product).toBe('Café & Crème');
  });
});

describe('order labels', () => {
  it('keeps the store’s order name and shows it on the contact page instead of the internal id', async () => {
    const order = swap(ordersCreate, '"name":"#9999"', '"name":"#1001"');
    await waitForProcessed(await sendShopify(shop, 'orders/create', order));
    const row = await env.DB.prepare('SELECT name, contact_id FROM orders WHERE workspace_id = ? AND external_id = ?')
      .bind(merchant.workspaceId, '820982911946154508')
      .first<{ name: string; contact_id: string }>();
    expect(row?.name).toBe('#1001');
    expect(await env.DB.prepare('SELECT name FROM orders WHERE workspace_id = ? AND external_id = ?').bind(merchant.workspaceId, '727').first('name')).toBe('#727');

    const page = await (await merchant.client.get(`/app/contacts/${row!.contact_id}`)).text();
    expect(page).toContain('#1001');
    expect(page).not.toContain('#820982911946154508');
  });

  it('takes the generic format’s name, and the id with "#" without one', async () => {
    const customer = { email: 'labels@example.com' };
    await waitForProcessed(await sendCustomEvent(custom, { type: 'order.paid', data: { externalId: 'g-1', name: 'WEB-0042', customer, currency: 'EUR', totalCents: 500 } }));
    await waitForProcessed(await sendCustomEvent(custom, { type: 'order.paid', data: { externalId: 'g-2', customer, currency: 'EUR', totalCents: 500 } }));
    const contact = await contactByEmail('labels@example.com');
    const page = await (await merchant.client.get(`/app/contacts/${contact!.id}`)).text();
    expect(page).toContain('WEB-0042');
    expect(page).toContain('#g-2');
  });
});

describe('SMS opt-in at a Shopify checkout', () => {
  it('subscribes the number the buyer ticked the SMS box for', async () => {
    const checkout = swap(swap(checkoutsCreate, '"buyer_accepts_sms":false', '"buyer_accepts_sms":true'), '"sms_marketing_phone":null', '"sms_marketing_phone":"+14155550142"');
    await waitForProcessed(await sendShopify(shop, 'checkouts/create', checkout));
    expect(await contactByEmail('ann@example.com')).toMatchObject({
      phone: '+14155550142',
      sms_consent: 'subscribed',
      sms_consent_source: 'shopify',
      sms_consent_at: Date.parse('2026-03-03T08:05:00-05:00'),
    });
  });

  it('leaves SMS alone when the box is not ticked', async () => {
    const checkout = swap(swap(swap(checkoutsCreate, /ann@example\.com/g, 'no-sms@example.com'), '"token":"123123123"', '"token":"123123124"'), '"phone":null', '"phone":"+14155550143"');
    await waitForProcessed(await sendShopify(shop, 'checkouts/create', checkout));
    expect(await contactByEmail('no-sms@example.com')).toMatchObject({ phone: '+14155550143', sms_consent: 'not_subscribed' });
  });

  it('applies the SMS consent an order’s customer carries at its own time, so a later unsubscribe is not undone', async () => {
    const consent = '"sms_marketing_consent":{"state":"subscribed","opt_in_level":"single_opt_in","consent_updated_at":"2026-03-02T08:59:00-05:00","consent_collected_from":"SHOPIFY"}';
    const order = swap(
      swap(swap(ordersCreate, /jon@example\.com/g, 'sms-order@example.com'), /820982911946154508/g, '820982911946154777'),
      '"phone":null,"email_marketing_consent"',
      `"phone":"+14155550144","email_marketing_consent"`,
    ).replace('"sms_marketing_consent":null', consent);
    expect(order).toContain(consent);
    await waitForProcessed(await sendShopify(shop, 'orders/create', order));
    expect(await contactByEmail('sms-order@example.com')).toMatchObject({ phone: '+14155550144', sms_consent: 'subscribed', sms_consent_at: Date.parse('2026-03-02T08:59:00-05:00') });

    // STOP by text after that; the order's next update still embeds the old consent.
    await env.DB.prepare("UPDATE contacts SET sms_consent = 'unsubscribed', sms_consent_at = ? WHERE workspace_id = ? AND email = ?")
      .bind(Date.parse('2026-03-05T00:00:00Z'), merchant.workspaceId, 'sms-order@example.com')
      .run();
    await waitForProcessed(await sendShopify(shop, 'orders/updated', order.replace('"updated_at":"2026-03-02T09:00:01-05:00"', '"updated_at":"2026-03-06T09:00:00-05:00"')));
    expect(await contactByEmail('sms-order@example.com')).toMatchObject({ sms_consent: 'unsubscribed' });
  });
});

describe('edge validation', () => {
  async function expectRefused(res: Response, path: string) {
    expect(res.status, await res.clone().text()).toBe(400);
    const body = await res.json<{ error: { code: string; issues: { path: string }[] } }>();
    expect(body.error.code).toBe('invalid_input');
    expect(body.error.issues.map((issue) => issue.path)).toContain(path);
  }

  async function nothingRecorded(connection: TestConnection) {
    return env.DB.prepare('SELECT COUNT(*) AS n FROM inbound_events WHERE connection_id = ?').bind(connection.id).first<number>('n');
  }

  it('refuses a generic event with an invalid email, naming the field, and records nothing', async () => {
    const before = await nothingRecorded(custom);
    await expectRefused(await sendCustomEvent(custom, { id: deliveryId(), type: 'customer.upserted', data: { email: 'not an email' } }), 'data.email');
    await expectRefused(
      await sendCustomEvent(custom, { type: 'order.paid', data: { externalId: 'e-1', customer: { email: 'ann@@example.com' }, currency: 'EUR', totalCents: 1 } }),
      'data.customer.email',
    );
    await expectRefused(await sendCustomEvent(custom, { type: 'product.viewed', data: { customer: { email: 'ann@example' }, sku: 'MUG-1' } }), 'data.customer.email');
    expect(await nothingRecorded(custom)).toBe(before);
  });

  it('refuses totals beyond the safe integer range and currencies outside ISO 4217', async () => {
    const customer = { email: 'edge@example.com' };
    await expectRefused(await sendCustomEvent(custom, { type: 'order.paid', data: { externalId: 'e-2', customer, currency: 'EUR', totalCents: 2 ** 53 } }), 'data.totalCents');
    await expectRefused(await sendCustomEvent(custom, { type: 'cart.updated', data: { externalId: 'e-3', customer, currency: 'EUR', valueCents: -(2 ** 60) } }), 'data.valueCents');
    await expectRefused(await sendCustomEvent(custom, { type: 'order.paid', data: { externalId: 'e-4', customer, currency: 'ABC', totalCents: 1 } }), 'data.currency');
    await expectRefused(await sendShopify(shop, 'orders/create', swap(ordersCreate, '"currency":"USD","current_subtotal_price"', '"currency":"XYZ","current_subtotal_price"')), 'currency');
    await expectRefused(await sendWooCommerce(woo, 'order.created', swap(orderCreated, '"currency":"EUR"', '"currency":"EUX"')), 'currency');
    expect(await contactByEmail('edge@example.com')).toBeNull();
  });

  it('refuses a store connection in a currency outside ISO 4217, naming the field', async () => {
    await merchant.client.get('/app/settings/stores');
    const res = await merchant.client.post('/app/settings/stores', { platform: 'woocommerce', name: 'Typo', currency: 'EUX' });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('Use an ISO 4217 currency code such as USD');
  });

  it('refuses a negative quantity from every platform', async () => {
    await expectRefused(await sendShopify(shop, 'orders/create', ordersCreate.replace('"quantity":1', '"quantity":-1')), 'line_items.0.quantity');
    await expectRefused(await sendWooCommerce(woo, 'order.created', swap(orderCreated, '"quantity":2', '"quantity":-2')), 'line_items.0.quantity');
    const item = { sku: 'MUG-1', title: 'Mug', quantity: -1, unitPriceCents: 100 };
    await expectRefused(
      await sendCustomEvent(custom, { type: 'order.paid', data: { externalId: 'e-5', customer: { email: 'q@example.com' }, currency: 'EUR', totalCents: 1, items: [item] } }),
      'data.items.0.quantity',
    );
  });
});

describe('what can only fail in the consumer', () => {
  it('keeps the reason of each failed attempt, and is rejected with it when the retries run out', async () => {
    const id = deliveryId();
    const res = await sendCustomEvent(custom, { id, type: 'back_in_stock.subscribed', data: { customer: { email: 'waiting@example.com' }, sku: 'NEVER-SOLD' } });
    expect(res.status).toBe(202);
    const event = () => env.DB.prepare('SELECT status, reason FROM inbound_events WHERE connection_id = ? AND dedupe_key = ?').bind(custom.id, id).first<{ status: string; reason: string | null }>();
    await expect.poll(async () => (await event())?.reason, { timeout: 10_000, interval: 50 }).toBe('No product with SKU NEVER-SOLD yet');
    expect((await event())?.status).toBe('queued');

    // The queue gives up: the dead-letter consumer closes the event as rejected, keeping why.
    const body = storeEventMessage({ workspaceId: custom.workspaceId, connectionId: custom.id, topic: 'back_in_stock.subscribed', dedupeKey: id, receivedAt: Date.now(), events: [] });
    const batch = createMessageBatch('marketing-events-dlq', [{ id: `dead-${id}`, timestamp: new Date(), attempts: 6, body }]);
    const ctx = createExecutionContext();
    await worker.queue(batch, env);
    expect((await getQueueResult(batch, ctx)).ackAll).toBe(true);
    expect(await event()).toEqual({ status: 'rejected', reason: 'No product with SKU NEVER-SOLD yet' });
  });
});
