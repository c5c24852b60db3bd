// Several stores in one workspace: every store object is keyed by its connection, so two
// stores' order #727 or SKU TSHIRT-S stay apart, and a contact carries one customer id per
// store. Webhooks are signed and sent as Shopify and WooCommerce send them.
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { openDb } from '../../src/db/client';
import { forWorkspace } from '../../src/db/tenant';
import { deleteStoreConnection } from '../../src/stores/store-connections.service';
import shopifyCheckout from '../fixtures/shopify/checkouts-create.json?raw';
import shopifyCustomer from '../fixtures/shopify/customers-create.json?raw';
import shopifyEmailConsent from '../fixtures/shopify/customers-email-marketing-consent-update.json?raw';
import shopifySmsConsent from '../fixtures/shopify/customers-marketing-consent-update.json?raw';
import shopifyInventory from '../fixtures/shopify/inventory-levels-update.json?raw';
import shopifyOrderFixture from '../fixtures/shopify/orders-create.json?raw';
import shopifyProduct from '../fixtures/shopify/products-update.json?raw';
import shopifyRefund from '../fixtures/shopify/refunds-create.json?raw';
import wooCustomer from '../fixtures/woocommerce/customer-created.json?raw';
import wooOrder from '../fixtures/woocommerce/order-created.json?raw';
import wooProduct from '../fixtures/woocommerce/product-updated.json?raw';
import { signUpMerchant } from '../helpers/factories';
import { connectStore, sendShopify, sendWooCommerce, type TestConnection, waitForProcessed } from '../helpers/store-webhooks';

// A real (not test) paid order: Shopify's sample is a test notification with a pending payment.
const shopifyOrder = shopifyOrderFixture.replace('"test":true', '"test":false').replace('"financial_status":"pending"', '"financial_status":"paid"');
// The consent topic without the email: the customer is named only by Shopify's customer id.
const consentByCustomerId = shopifyEmailConsent.replace('"email_address":"bob.norman@mail.example.com",', '');

/** Store connections of one new workspace. */
async function workspaceWith<P extends ('shopify' | 'woocommerce')[]>(...platforms: P): Promise<{ [K in keyof P]: TestConnection }> {
  const { workspaceId } = await signUpMerchant('Two Stores');
  const stores: TestConnection[] = [];
  for (const platform of platforms) stores.push(await connectStore(workspaceId, platform, platform === 'woocommerce' ? 'EUR' : 'USD'));
  return stores as { [K in keyof P]: TestConnection };
}

function contactOf(workspaceId: string, email: string) {
  return env.DB.prepare('SELECT id, email_consent, total_spent_cents, order_count, external_id FROM contacts WHERE workspace_id = ? AND email = ?')
    .bind(workspaceId, email)
    .first<{ id: string; email_consent: string; total_spent_cents: number; order_count: number; external_id: string | null }>();
}

async function rows<T>(query: string, ...params: unknown[]): Promise<T[]> {
  return (
    await env.DB.prepare(query)
      .bind(...params)
      .all<T>()
  ).results;
}

describe('two stores of the same platform in one workspace', () => {
  it('keeps both stores’ order #727 apart, each buyer with their own spend, and refunds one store’s order only', async () => {
    const [first, second] = await workspaceWith('woocommerce', 'woocommerce');
    await waitForProcessed(await sendWooCommerce(first, 'order.created', wooOrder));
    const otherBuyer = wooOrder
      .replace('"email":"John.Doe@Example.com"', '"email":"mary.major@example.com"')
      .replaceAll('(415) 555-2671', '(415) 555-0199')
      .replace('"total":"29.35"', '"total":"50.00"');
    await waitForProcessed(await sendWooCommerce(second, 'order.created', otherBuyer));

    const orders = await rows<{ connection_id: string; email: string; total_cents: number }>(
      "SELECT connection_id, email, total_cents FROM orders WHERE workspace_id = ? AND external_id = '727' ORDER BY total_cents",
      first.workspaceId,
    );
    expect(orders).toEqual([
      { connection_id: first.id, email: 'John.Doe@Example.com', total_cents: 2935 },
      { connection_id: second.id, email: 'mary.major@example.com', total_cents: 5000 },
    ]);
    expect(await contactOf(first.workspaceId, 'john.doe@example.com')).toMatchObject({ total_spent_cents: 2935, order_count: 1 });
    expect(await contactOf(first.workspaceId, 'mary.major@example.com')).toMatchObject({ total_spent_cents: 5000, order_count: 1 });

    // The second store refunds its #727 in full: the first store's buyer keeps their spend.
    const refunded = otherBuyer
      .replace('"status":"processing"', '"status":"refunded"')
      .replace('"refunds":[]', '"refunds":[{"id":730,"reason":"","total":"-50.00"}]')
      .replace('"date_modified_gmt":"2026-03-02T15:10:05"', '"date_modified_gmt":"2026-03-05T10:00:00"');
    await waitForProcessed(await sendWooCommerce(second, 'order.updated', refunded));
    expect(await contactOf(first.workspaceId, 'mary.major@example.com')).toMatchObject({ total_spent_cents: 0, order_count: 0 });
    expect(await contactOf(first.workspaceId, 'john.doe@example.com')).toMatchObject({ total_spent_cents: 2935, order_count: 1 });
    expect(await rows('SELECT connection_id, order_external_id, amount_cents FROM order_refunds WHERE workspace_id = ?', first.workspaceId)).toEqual([
      { connection_id: second.id, order_external_id: '727', amount_cents: 5000 },
    ]);
  });

  it('applies a Shopify refund, checkout and order to the store that sent them', async () => {
    const [first, second] = await workspaceWith('shopify', 'shopify');
    const kim = (payload: string) => payload.replaceAll('jon@example.com', 'kim@example.com').replaceAll('ann@example.com', 'kim@example.com');
    // Both stores have checkout 123123123 open; the order of each completes it.
    await waitForProcessed(await sendShopify(first, 'checkouts/create', shopifyCheckout));
    await waitForProcessed(await sendShopify(second, 'checkouts/create', kim(shopifyCheckout)));
    const order = shopifyOrder.replace('"checkout_token":"bd5a8aa1ecd019dd3520ff791ee3a24c"', '"checkout_token":"123123123"');
    await waitForProcessed(await sendShopify(first, 'orders/create', order));
    expect(await rows('SELECT connection_id, status FROM carts WHERE workspace_id = ? ORDER BY status', first.workspaceId)).toEqual([
      { connection_id: first.id, status: 'converted' },
      { connection_id: second.id, status: 'open' },
    ]);

    await waitForProcessed(await sendShopify(second, 'orders/create', kim(order)));
    await waitForProcessed(await sendShopify(first, 'refunds/create', shopifyRefund));
    expect(await contactOf(first.workspaceId, 'jon@example.com')).toMatchObject({ total_spent_cents: 40300 - 19900, order_count: 1 });
    expect(await contactOf(first.workspaceId, 'kim@example.com')).toMatchObject({ total_spent_cents: 40300, order_count: 1 });
    expect(await rows('SELECT connection_id, status FROM carts WHERE workspace_id = ?', first.workspaceId)).toEqual(expect.arrayContaining([{ connection_id: second.id, status: 'converted' }]));
  });
});

describe('stores of different platforms in one workspace', () => {
  it('keeps the same SKU from Shopify and WooCommerce as two products, each updated by its own store', async () => {
    const [shopify, woo] = await workspaceWith('shopify', 'woocommerce');
    await waitForProcessed(await sendShopify(shopify, 'products/update', shopifyProduct));
    await waitForProcessed(await sendWooCommerce(woo, 'product.updated', wooProduct.replace('"sku":"PREMIUM-Q"', '"sku":"TSHIRT-S"')));
    const products = () =>
      rows<{ connection_id: string; price_cents: number; currency: string; inventory: number }>(
        "SELECT connection_id, price_cents, currency, inventory FROM products WHERE workspace_id = ? AND sku = 'TSHIRT-S' ORDER BY currency",
        shopify.workspaceId,
      );
    expect(await products()).toEqual([
      { connection_id: woo.id, price_cents: 2199, currency: 'EUR', inventory: 0 },
      { connection_id: shopify.id, price_cents: 1999, currency: 'USD', inventory: 75 },
    ]);

    // Shopify's stock level names its inventory item: the WooCommerce product keeps its stock.
    await waitForProcessed(await sendShopify(shopify, 'inventory_levels/update', shopifyInventory));
    expect((await products()).map((row) => row.inventory)).toEqual([0, 12]);

    // A WooCommerce order's line links to the WooCommerce product of that SKU.
    await waitForProcessed(await sendWooCommerce(woo, 'order.created', wooOrder.replace('"sku":"WOO-SINGLE-1"', '"sku":"TSHIRT-S"')));
    const [line] = await rows<{ connection_id: string }>(
      "SELECT p.connection_id FROM order_items i JOIN products p ON p.id = i.product_id WHERE i.workspace_id = ? AND i.sku = 'TSHIRT-S'",
      woo.workspaceId,
    );
    expect(line).toEqual({ connection_id: woo.id });
  });

  it('finds the contact for a Shopify consent update by Shopify’s customer id after a WooCommerce update of the same email', async () => {
    const [shopify, woo] = await workspaceWith('shopify', 'woocommerce');
    await waitForProcessed(await sendShopify(shopify, 'customers/create', shopifyCustomer));
    const sameEmail = wooCustomer.replaceAll('john.doe@example.com', 'bob.norman@mail.example.com');
    await waitForProcessed(await sendWooCommerce(woo, 'customer.updated', sameEmail));
    const contact = await contactOf(shopify.workspaceId, 'bob.norman@mail.example.com');
    expect(contact).toMatchObject({ email_consent: 'subscribed', external_id: '25' });
    expect(await rows('SELECT connection_id, external_id FROM contact_store_ids WHERE contact_id = ? ORDER BY external_id', contact!.id)).toEqual([
      { connection_id: woo.id, external_id: '25' },
      { connection_id: shopify.id, external_id: '706405506930370084' },
    ]);

    await waitForProcessed(await sendShopify(shopify, 'customers_email_marketing_consent/update', consentByCustomerId));
    expect(await contactOf(shopify.workspaceId, 'bob.norman@mail.example.com')).toMatchObject({ email_consent: 'unsubscribed' });
  });

  it('keeps a store’s customer id on the contact an SMS subscriber is merged into by another store', async () => {
    const [shopify, woo] = await workspaceWith('shopify', 'woocommerce');
    const bob = wooCustomer.replaceAll('john.doe@example.com', 'bob.norman@mail.example.com');
    await waitForProcessed(await sendWooCommerce(woo, 'customer.created', bob));
    // Shopify's SMS subscriber, known by phone only, becomes its own contact for now.
    await waitForProcessed(await sendShopify(shopify, 'customers_marketing_consent/update', shopifySmsConsent));
    // WooCommerce then gives Bob that phone: the two contacts are one person.
    await waitForProcessed(await sendWooCommerce(woo, 'customer.updated', bob.replace('"phone":"(415) 555-2671"', '"phone":"+16136120707"')));
    const contact = await contactOf(shopify.workspaceId, 'bob.norman@mail.example.com');
    expect(await rows('SELECT count(*) AS n FROM contacts WHERE workspace_id = ?', shopify.workspaceId)).toEqual([{ n: 1 }]);

    await waitForProcessed(await sendShopify(shopify, 'customers_email_marketing_consent/update', consentByCustomerId));
    expect(await contactOf(shopify.workspaceId, 'bob.norman@mail.example.com')).toMatchObject({ id: contact!.id, email_consent: 'unsubscribed' });
  });

  it('does not let one store’s customer id name a contact of another store', async () => {
    const [shopify, otherShopify] = await workspaceWith('shopify', 'shopify');
    await waitForProcessed(await sendShopify(shopify, 'customers/create', shopifyCustomer));
    // The other store's customer with the same id is someone else, not known yet: Bob keeps his consent.
    await waitForProcessed(await sendShopify(otherShopify, 'customers_email_marketing_consent/update', consentByCustomerId));
    expect(await contactOf(shopify.workspaceId, 'bob.norman@mail.example.com')).toMatchObject({ email_consent: 'subscribed' });
    expect(await rows('SELECT connection_id, status FROM pending_store_consents WHERE workspace_id = ?', shopify.workspaceId)).toEqual([{ connection_id: otherShopify.id, status: 'unsubscribed' }]);
  });
});

describe('a consent update before its customer', () => {
  it('is kept, not dead-lettered, and applied when the customer arrives', async () => {
    const [shopify] = await workspaceWith('shopify');
    await waitForProcessed(await sendShopify(shopify, 'customers_email_marketing_consent/update', consentByCustomerId));
    expect(await rows('SELECT id FROM contacts WHERE workspace_id = ?', shopify.workspaceId)).toEqual([]);

    // customers/create says subscribed on 1 March; the unsubscribe of 7 March is newer and wins.
    await waitForProcessed(await sendShopify(shopify, 'customers/create', shopifyCustomer));
    const contact = await contactOf(shopify.workspaceId, 'bob.norman@mail.example.com');
    expect(contact).toMatchObject({ email_consent: 'unsubscribed' });
    expect(await rows('SELECT status, changed_at FROM consent_changes WHERE contact_id = ? ORDER BY changed_at', contact!.id)).toEqual([
      { status: 'subscribed', changed_at: Date.parse('2026-03-01T10:15:30-05:00') },
      { status: 'unsubscribed', changed_at: Date.parse('2026-03-07T09:00:00-05:00') },
    ]);
    expect(await rows('SELECT * FROM pending_store_consents WHERE workspace_id = ?', shopify.workspaceId)).toEqual([]);
  });

  it('gives way to a newer consent the customer record carries', async () => {
    const [shopify] = await workspaceWith('shopify');
    await waitForProcessed(await sendShopify(shopify, 'customers_email_marketing_consent/update', consentByCustomerId));
    const resubscribed = shopifyCustomer.replace('"consent_updated_at":"2026-03-01T10:15:30-05:00"', '"consent_updated_at":"2026-03-09T10:00:00-05:00"');
    await waitForProcessed(await sendShopify(shopify, 'customers/create', resubscribed));
    expect(await contactOf(shopify.workspaceId, 'bob.norman@mail.example.com')).toMatchObject({ email_consent: 'subscribed' });
    expect(await rows('SELECT * FROM pending_store_consents WHERE workspace_id = ?', shopify.workspaceId)).toEqual([]);
  });
});

describe('deleting a store connection', () => {
  it('keeps its orders as history that still counts, and forgets its customer ids', async () => {
    const [woo, shopify] = await workspaceWith('woocommerce', 'shopify');
    await waitForProcessed(await sendWooCommerce(woo, 'order.created', wooOrder));
    await waitForProcessed(await sendWooCommerce(woo, 'customer.created', wooCustomer));
    await deleteStoreConnection(forWorkspace(openDb(env.DB), woo.workspaceId), woo.id);

    expect(await rows("SELECT connection_id, total_cents FROM orders WHERE workspace_id = ? AND external_id = '727'", woo.workspaceId)).toEqual([{ connection_id: null, total_cents: 2935 }]);
    expect(await contactOf(woo.workspaceId, 'john.doe@example.com')).toMatchObject({ total_spent_cents: 2935, order_count: 1 });
    expect(await rows('SELECT * FROM contact_store_ids WHERE workspace_id = ?', woo.workspaceId)).toEqual([]);
    // The other store goes on as before.
    await waitForProcessed(await sendShopify(shopify, 'orders/create', shopifyOrder));
    expect(await contactOf(shopify.workspaceId, 'jon@example.com')).toMatchObject({ total_spent_cents: 40300, order_count: 1 });
  });
});
