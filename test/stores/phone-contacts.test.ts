// Store webhooks creating SMS-only contacts, and the merge when a later event carries both.
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { signUpMerchant } from '../helpers/factories';
import { connectStore, sendShopify, sendWooCommerce, waitForProcessed, type TestConnection } from '../helpers/store-webhooks';

let shop: TestConnection;
let woo: TestConnection;

beforeAll(async () => {
  shop = await connectStore((await signUpMerchant('Phone Shopify Store')).workspaceId, 'shopify');
  woo = await connectStore((await signUpMerchant('Phone Woo Store')).workspaceId, 'woocommerce');
});

function contactsWithPhone(connection: TestConnection, phone: string) {
  return env.DB.prepare('SELECT * FROM contacts WHERE workspace_id = ? AND phone = ?')
    .bind(connection.workspaceId, phone)
    .all<Record<string, unknown>>()
    .then((rows) => rows.results);
}

describe('phone-only contacts from store webhooks', () => {
  it('makes an SMS subscriber of a Shopify SMS consent for a phone nobody has, then gives it the email of the customer record', async () => {
    const consent = { id: 9001, phone: '+16135550101', sms_marketing_consent: { state: 'subscribed', consent_updated_at: '2026-03-07T09:30:00-05:00' } };
    await waitForProcessed(await sendShopify(shop, 'customers_marketing_consent/update', JSON.stringify(consent)));
    const [subscriber] = await contactsWithPhone(shop, '+16135550101');
    expect(subscriber).toMatchObject({ email: null, sms_consent: 'subscribed', sms_consent_source: 'shopify' });

    const customer = { id: 9001, email: 'Sms.First@example.com', phone: '+16135550101', first_name: 'Sia', state: 'enabled', updated_at: '2026-03-08T10:00:00Z' };
    await waitForProcessed(await sendShopify(shop, 'customers/create', JSON.stringify(customer)));
    expect(await contactsWithPhone(shop, '+16135550101')).toEqual([expect.objectContaining({ id: subscriber!.id, email: 'sms.first@example.com', first_name: 'Sia', sms_consent: 'subscribed' })]);
    const created = await env.DB.prepare("SELECT count(*) AS n FROM triggers WHERE workspace_id = ? AND kind = 'contact_created' AND contact_id = ?").bind(shop.workspaceId, subscriber!.id).first('n');
    expect(created).toBe(1);
  });

  it('merges a phone-only contact into the email contact when an order carries both', async () => {
    const consent = { id: 9002, phone: '+16135550102', sms_marketing_consent: { state: 'unsubscribed', consent_updated_at: '2026-03-07T09:30:00-05:00' } };
    await waitForProcessed(await sendShopify(shop, 'customers_marketing_consent/update', JSON.stringify(consent)));
    const byEmail = { id: 9003, email: 'both@example.com', first_name: 'Bo', state: 'enabled', sms_marketing_consent: { state: 'subscribed', consent_updated_at: '2026-03-09T09:30:00Z' } };
    await waitForProcessed(await sendShopify(shop, 'customers/create', JSON.stringify(byEmail)));
    const order = { id: 7001, email: 'both@example.com', phone: '+16135550102', created_at: '2026-03-10T10:00:00Z', currency: 'USD', total_price: '12.00', financial_status: 'paid', line_items: [] };
    await waitForProcessed(await sendShopify(shop, 'orders/create', JSON.stringify(order)));
    const rows = await contactsWithPhone(shop, '+16135550102');
    // One contact: the email's, with the phone, the order, and the phone side's unsubscribe.
    expect(rows).toEqual([expect.objectContaining({ email: 'both@example.com', first_name: 'Bo', sms_consent: 'unsubscribed', order_count: 1 })]);
  });

  it('makes a contact of a WooCommerce guest order that gives only a phone', async () => {
    const order = {
      id: 801,
      status: 'processing',
      currency: 'USD',
      total: '9.50',
      customer_id: 0,
      date_created_gmt: '2026-03-10T10:00:00',
      date_modified_gmt: '2026-03-10T10:00:00',
      billing: { first_name: 'Pia', email: '', phone: '(415) 555-0103', country: 'US' },
      line_items: [],
    };
    await waitForProcessed(await sendWooCommerce(woo, 'order.created', JSON.stringify(order)));
    // Written without +, read with the billing country.
    expect(await contactsWithPhone(woo, '+14155550103')).toEqual([expect.objectContaining({ email: null, first_name: 'Pia', order_count: 1 })]);
  });
});
