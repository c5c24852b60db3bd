import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import checkoutsCreate from '../fixtures/shopify/checkouts-create.json?raw';
import customersCreate from '../fixtures/shopify/customers-create.json?raw';
import emailConsentUpdate from '../fixtures/shopify/customers-email-marketing-consent-update.json?raw';
import smsConsentUpdate from '../fixtures/shopify/customers-marketing-consent-update.json?raw';
import inventoryLevelsUpdate from '../fixtures/shopify/inventory-levels-update.json?raw';
import ordersCreate from '../fixtures/shopify/orders-create.json?raw';
import productsUpdate from '../fixtures/shopify/products-update.json?raw';
import refundsCreate from '../fixtures/shopify/refunds-create.json?raw';
import { signUpMerchant } from '../helpers/factories';
import { connectStore, sendShopify, waitForDeliveries, waitForProcessed, waitForStatus, type TestConnection } from '../helpers/store-webhooks';

let shop: TestConnection;

beforeAll(async () => {
  const merchant = await signUpMerchant('Shopify Store');
  shop = await connectStore(merchant.workspaceId, 'shopify');
});

// The fixture is an order awaiting payment (not a purchase yet); this one was paid at checkout.
const paidOrder = ordersCreate.replace('"financial_status":"pending"', '"financial_status":"paid"');

function contactByEmail(email: string) {
  return env.DB.prepare('SELECT * FROM contacts WHERE workspace_id = ? AND email = ?').bind(shop.workspaceId, email).first<Record<string, unknown>>();
}

function triggers(kind: string) {
  return env.DB.prepare('SELECT * FROM triggers WHERE workspace_id = ? AND kind = ?').bind(shop.workspaceId, kind).all<Record<string, unknown>>();
}

describe('Shopify webhooks', () => {
  it('creates a contact from customers/create with the consent an older API version embeds', async () => {
    await waitForProcessed(await sendShopify(shop, 'customers/create', customersCreate));
    const contact = await contactByEmail('bob.norman@mail.example.com');
    expect(contact).toMatchObject({
      first_name: 'Bob',
      last_name: 'Norman',
      phone: '+16136120707',
      registered: 1,
      email_consent: 'subscribed',
      sms_consent: 'not_subscribed',
      // Beyond 2^53: kept exactly, as a string.
      external_id: '706405506930370084',
      // Each channel keeps its own consent time.
      email_consent_at: Date.parse('2026-03-01T10:15:30-05:00'),
    });
    const tags = await env.DB.prepare('SELECT tag FROM contact_tags WHERE contact_id = ? ORDER BY tag').bind(contact!.id).all<{ tag: string }>();
    expect(tags.results.map((row) => row.tag)).toEqual(['newsletter', 'vip']);
    expect((await triggers('contact_created')).results.some((row) => row.contact_id === contact!.id)).toBe(true);
  });

  it('applies consent from the 2025-01+ consent topics, by customer id when no email is sent', async () => {
    await waitForProcessed(await sendShopify(shop, 'customers/create', customersCreate));
    await waitForProcessed(await sendShopify(shop, 'customers_email_marketing_consent/update', emailConsentUpdate));
    await waitForProcessed(await sendShopify(shop, 'customers_marketing_consent/update', smsConsentUpdate));
    const contact = await contactByEmail('bob.norman@mail.example.com');
    expect(contact).toMatchObject({ email_consent: 'unsubscribed', sms_consent: 'subscribed', email_consent_source: 'shopify' });
    const history = await env.DB.prepare('SELECT channel, status FROM consent_changes WHERE contact_id = ? ORDER BY changed_at').bind(contact!.id).all();
    expect(history.results).toContainEqual({ channel: 'email', status: 'unsubscribed' });
    expect(history.results).toContainEqual({ channel: 'sms', status: 'subscribed' });
  });

  it('records an order with its items and keeps the contact aggregates, refunds subtracting', async () => {
    await waitForProcessed(await sendShopify(shop, 'orders/create', paidOrder));
    const contact = await contactByEmail('jon@example.com');
    expect(contact).toMatchObject({ first_name: 'José', order_count: 1, total_spent_cents: 40300, registered: 0, email_consent: 'subscribed' });
    const order = await env.DB.prepare('SELECT * FROM orders WHERE workspace_id = ? AND external_id = ?').bind(shop.workspaceId, '820982911946154508').first();
    expect(order).toMatchObject({ status: 'paid', total_cents: 40300, currency: 'USD', contact_id: contact!.id, placed_at: Date.parse('2026-03-02T09:00:00-05:00') });
    const items = await env.DB.prepare('SELECT sku, quantity, unit_price_cents FROM order_items WHERE order_id = ?').bind(order!.id).all();
    expect(items.results).toEqual([
      { sku: 'IPOD2008BLACK', quantity: 1, unit_price_cents: 19900 },
      { sku: 'IPOD2008BLACK', quantity: 1, unit_price_cents: 19900 },
    ]);

    await waitForProcessed(await sendShopify(shop, 'refunds/create', refundsCreate));
    expect(await contactByEmail('jon@example.com')).toMatchObject({ total_spent_cents: 40300 - 19900, order_count: 1 });
  });

  it('moves an order through paid and fulfilled, raising order_completed and order_shipped once each', async () => {
    const paid = paidOrder.replace('"updated_at":"2026-03-02T09:00:01-05:00"', '"updated_at":"2026-03-02T09:10:00-05:00"');
    const fulfilled = paid.replace('"fulfillment_status":null', '"fulfillment_status":"fulfilled"').replace('"updated_at":"2026-03-02T09:10:00-05:00"', '"updated_at":"2026-03-03T09:00:00-05:00"');
    await waitForProcessed(await sendShopify(shop, 'orders/paid', paid));
    await waitForProcessed(await sendShopify(shop, 'orders/fulfilled', fulfilled));
    await waitForProcessed(await sendShopify(shop, 'orders/paid', paid.replace('"test":false', '"test":false ')));
    const order = await env.DB.prepare('SELECT id, status FROM orders WHERE workspace_id = ? AND external_id = ?').bind(shop.workspaceId, '820982911946154508').first<{ id: string; status: string }>();
    // The late orders/paid is older than the stored update: it changes nothing.
    expect(order!.status).toBe('shipped');
    expect((await triggers('order_completed')).results.filter((row) => row.subject_id === order!.id)).toHaveLength(1);
    expect((await triggers('order_shipped')).results.filter((row) => row.subject_id === order!.id)).toHaveLength(1);
  });

  it('subtracts a cancelled order from the spend', async () => {
    const cancelled = ordersCreate
      .replace('"cancelled_at":null', '"cancelled_at":"2026-03-04T09:00:00-05:00"')
      .replace('"updated_at":"2026-03-02T09:00:01-05:00"', '"updated_at":"2026-03-04T09:00:00-05:00"');
    await waitForProcessed(await sendShopify(shop, 'orders/cancelled', cancelled));
    expect(await contactByEmail('jon@example.com')).toMatchObject({ total_spent_cents: 0, order_count: 0 });
  });

  it('keeps an open checkout as a cart with its recovery URL, converted by the order that follows', async () => {
    await waitForProcessed(await sendShopify(shop, 'checkouts/create', checkoutsCreate));
    const cart = await env.DB.prepare('SELECT * FROM carts WHERE workspace_id = ? AND external_id = ?').bind(shop.workspaceId, '123123123').first<Record<string, unknown>>();
    expect(cart).toMatchObject({ status: 'open', value_cents: 39800, recovery_url: 'https://checkout.local/548380009/checkouts/123123123/recover?key=example-secret-token' });
    expect(JSON.parse(cart!.items as string)[0]).toMatchObject({ sku: 'IPOD2008BLACK', quantity: 2, unitPriceCents: 19900 });
    expect((await triggers('cart_updated')).results.some((row) => row.subject_id === cart!.id)).toBe(true);

    const order = ordersCreate
      .replace(/820982911946154508/g, '820982911946154599')
      .replace(/jon@example\.com/g, 'ann@example.com')
      .replace('"checkout_token":"bd5a8aa1ecd019dd3520ff791ee3a24c"', '"checkout_token":"123123123"');
    await waitForProcessed(await sendShopify(shop, 'orders/create', order));
    const after = await env.DB.prepare('SELECT status, converted_order_id FROM carts WHERE id = ?').bind(cart!.id).first();
    expect(after).toMatchObject({ status: 'converted' });
    expect(after!.converted_order_id).toBeTruthy();
  });

  it('tracks price drops and restocks of products, per variant SKU', async () => {
    const outOfStock = productsUpdate.replace('"inventory_quantity":75', '"inventory_quantity":0');
    await waitForProcessed(await sendShopify(shop, 'products/create', outOfStock));
    const cheaper = outOfStock.replace(/"price":"19.99"/g, '"price":"14.99"').replace('"updated_at":"2026-03-04T10:00:00-05:00"', '"updated_at":"2026-03-05T10:00:00-05:00"');
    await waitForProcessed(await sendShopify(shop, 'products/update', cheaper));
    const small = await env.DB.prepare('SELECT * FROM products WHERE workspace_id = ? AND sku = ?').bind(shop.workspaceId, 'TSHIRT-S').first<Record<string, unknown>>();
    expect(small).toMatchObject({ price_cents: 1499, previous_price_cents: 1999, inventory: 0, title: 'Example T-Shirt – Small', url: 'https://demo-shop.myshopify.com/products/example-t-shirt' });
    // First seen below its compare-at price (24.99): a sale is a price drop too; then 19.99 -> 14.99.
    const drops = (await triggers('price_dropped')).results.filter((row) => row.subject_id === small!.id).map((row) => JSON.parse(row.data as string));
    expect(drops).toHaveLength(2);
    expect(drops).toEqual(expect.arrayContaining([expect.objectContaining({ oldPriceCents: 2499, newPriceCents: 1999 }), expect.objectContaining({ oldPriceCents: 1999, newPriceCents: 1499 })]));

    await waitForProcessed(await sendShopify(shop, 'inventory_levels/update', inventoryLevelsUpdate));
    const restocked = await env.DB.prepare('SELECT inventory, restocked_at FROM products WHERE id = ?').bind(small!.id).first<{ inventory: number; restocked_at: number }>();
    expect(restocked!.inventory).toBe(12);
    expect(restocked!.restocked_at).toBeGreaterThan(0);
    expect((await triggers('back_in_stock')).results.filter((row) => row.subject_id === small!.id)).toHaveLength(1);
  });

  it('counts a redelivery (same webhook id) without applying it again', async () => {
    const body = paidOrder.replace(/820982911946154508/g, '820982911946150001').replace(/jon@example\.com/g, 'dup@example.com');
    await waitForProcessed(await sendShopify(shop, 'orders/create', body, { webhookId: 'same-webhook-id' }));
    const contact = await contactByEmail('dup@example.com');
    await waitForDeliveries(await sendShopify(shop, 'orders/create', body, { webhookId: 'same-webhook-id' }), 2);
    expect(await contactByEmail('dup@example.com')).toMatchObject({ order_count: 1, total_spent_cents: 40300, updated_at: contact!.updated_at });
  });

  it('records an unknown topic as ignored and answers 202 so Shopify stops retrying', async () => {
    const res = await sendShopify(shop, 'themes/publish', '{"id":1}');
    expect(await res.clone().json()).toEqual({ status: 'ignored' });
    await waitForStatus(res, 'ignored');
  });

  it('stores at the edge an order too large for a queue message, and applies it from there', async () => {
    // JSON.parse rounds the big ids here; the order is found by its email instead.
    const order = JSON.parse(ordersCreate.replace(/jon@example\.com/g, 'bulk@example.com'));
    order.id = 4242;
    const item = order.line_items[0];
    order.line_items = Array.from({ length: 600 }, (_, i) => ({ ...item, id: i, sku: `BULK-${i}`, title: `Bulk item number ${i} with a long descriptive title` }));
    await waitForProcessed(await sendShopify(shop, 'orders/create', JSON.stringify(order)));
    const count = await env.DB.prepare("SELECT count(*) AS n FROM order_items WHERE order_id = (SELECT id FROM orders WHERE workspace_id = ? AND external_id = '4242')")
      .bind(shop.workspaceId)
      .first('n');
    expect(count).toBe(600);
  });
});
