// A contact's first trigger is never lost: whichever event creates the contact (a
// consent update, an order, a checkout, a generic event) raises contact_created once,
// and the customer record arriving later raises nothing more.
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import checkoutsCreate from '../fixtures/shopify/checkouts-create.json?raw';
import customersCreate from '../fixtures/shopify/customers-create.json?raw';
import emailConsentUpdate from '../fixtures/shopify/customers-email-marketing-consent-update.json?raw';
import smsConsentUpdate from '../fixtures/shopify/customers-marketing-consent-update.json?raw';
import ordersCreate from '../fixtures/shopify/orders-create.json?raw';
import customerCreated from '../fixtures/woocommerce/customer-created.json?raw';
import orderCreated from '../fixtures/woocommerce/order-created.json?raw';
import { signUpMerchant } from '../helpers/factories';
import { connectStore, sendCustomEvent, sendShopify, sendWooCommerce, waitForProcessed, type TestConnection } from '../helpers/store-webhooks';

/** The contact_created triggers of the contact with this email or phone, with their source. */
async function createdTriggers(workspaceId: string, where: { email: string } | { phone: string }) {
  const [column, value] = 'email' in where ? ['email', where.email] : ['phone', where.phone];
  const rows = await env.DB.prepare(`SELECT t.data FROM triggers t JOIN contacts c ON c.id = t.contact_id WHERE t.workspace_id = ? AND t.kind = 'contact_created' AND c.${column} = ?`)
    .bind(workspaceId, value)
    .all<{ data: string }>();
  return rows.results.map((row) => JSON.parse(row.data) as { source: string });
}

async function newStore(platform: 'shopify' | 'woocommerce' | 'custom'): Promise<TestConnection> {
  return connectStore((await signUpMerchant(`First trigger ${platform}`)).workspaceId, platform);
}

describe('contact_created, whatever event comes first', () => {
  let shop: TestConnection;
  beforeAll(async () => {
    shop = await newStore('shopify');
  });

  it('Shopify email consent before customers/create: one contact_created', async () => {
    await waitForProcessed(await sendShopify(shop, 'customers_email_marketing_consent/update', emailConsentUpdate));
    expect(await createdTriggers(shop.workspaceId, { email: 'bob.norman@mail.example.com' })).toEqual([{ source: 'shopify' }]);
    await waitForProcessed(await sendShopify(shop, 'customers/create', customersCreate));
    await waitForProcessed(await sendShopify(shop, 'customers/update', customersCreate.replace('"updated_at":"2026-03-01T10:15:31-05:00"', '"updated_at":"2026-03-02T10:00:00-05:00"')));
    expect(await createdTriggers(shop.workspaceId, { email: 'bob.norman@mail.example.com' })).toHaveLength(1);
  });

  it('Shopify SMS consent (phone only) before the customer with email and phone: one contact_created, on the one contact', async () => {
    const store = await newStore('shopify');
    await waitForProcessed(await sendShopify(store, 'customers_marketing_consent/update', smsConsentUpdate));
    expect(await createdTriggers(store.workspaceId, { phone: '+16136120707' })).toHaveLength(1);
    await waitForProcessed(await sendShopify(store, 'customers/create', customersCreate));
    const contacts = await env.DB.prepare('SELECT email, phone, sms_consent FROM contacts WHERE workspace_id = ?').bind(store.workspaceId).all();
    expect(contacts.results).toEqual([{ email: 'bob.norman@mail.example.com', phone: '+16136120707', sms_consent: 'subscribed' }]);
    expect(await createdTriggers(store.workspaceId, { email: 'bob.norman@mail.example.com' })).toHaveLength(1);
  });

  it('Shopify order before customers/create: one contact_created', async () => {
    const store = await newStore('shopify');
    await waitForProcessed(await sendShopify(store, 'orders/create', ordersCreate));
    const customer = customersCreate.replace(/Bob\.Norman@Mail\.example\.com/g, 'jon@example.com').replace('"id":706405506930370084', '"id":115310627314723954');
    await waitForProcessed(await sendShopify(store, 'customers/create', customer));
    expect(await createdTriggers(store.workspaceId, { email: 'jon@example.com' })).toEqual([{ source: 'shopify' }]);
  });

  it('Shopify checkout before anything else: one contact_created', async () => {
    const store = await newStore('shopify');
    await waitForProcessed(await sendShopify(store, 'checkouts/create', checkoutsCreate));
    await waitForProcessed(await sendShopify(store, 'orders/create', ordersCreate.replace(/jon@example\.com/g, 'ann@example.com')));
    expect(await createdTriggers(store.workspaceId, { email: 'ann@example.com' })).toHaveLength(1);
  });

  it('WooCommerce guest order before the customer registers: one contact_created', async () => {
    const store = await newStore('woocommerce');
    await waitForProcessed(await sendWooCommerce(store, 'order.created', orderCreated));
    const registered = customerCreated.replace(/"email":"[^"]*"/g, '"email":"john.doe@example.com"');
    await waitForProcessed(await sendWooCommerce(store, 'customer.created', registered));
    expect(await createdTriggers(store.workspaceId, { email: 'john.doe@example.com' })).toEqual([{ source: 'woocommerce' }]);
  });

  it('generic events: a cart, a view or an order first, then the customer: one contact_created each', async () => {
    const store = await newStore('custom');
    const product = { externalId: 'p-1', sku: 'MUG-1', title: 'Mug', priceCents: 900, currency: 'EUR' };
    await waitForProcessed(await sendCustomEvent(store, { type: 'product.updated', data: product }));
    const firsts = [
      { email: 'cart-first@example.com', type: 'cart.updated', data: { externalId: 'c-1', customer: { email: 'cart-first@example.com' }, currency: 'EUR', valueCents: 900, items: [] } },
      { email: 'view-first@example.com', type: 'product.viewed', data: { customer: { email: 'view-first@example.com' }, sku: 'MUG-1' } },
      { email: 'order-first@example.com', type: 'order.paid', data: { externalId: 'o-1', customer: { email: 'order-first@example.com' }, currency: 'EUR', totalCents: 900 } },
    ];
    for (const first of firsts) {
      await waitForProcessed(await sendCustomEvent(store, { type: first.type, data: first.data }));
      await waitForProcessed(await sendCustomEvent(store, { type: 'customer.upserted', data: { email: first.email, firstName: 'Later' } }));
      expect(await createdTriggers(store.workspaceId, { email: first.email })).toEqual([{ source: 'custom' }]);
    }
  });
});
