// Test notifications: Shopify's "Send test notification" (a sample payload with
// "test": true, signed with the shop's secret) and WooCommerce's ping when a webhook is
// saved (an unsigned `webhook_id=N` form body that must be answered exactly 200) are
// recorded as tests, shown on the connection, and change nothing else.
import { env, exports } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import customersCreate from '../fixtures/shopify/customers-create.json?raw';
import ordersCreate from '../fixtures/shopify/orders-create.json?raw';
import { ORIGIN } from '../helpers/browser-client';
import { type Merchant, signUpMerchant } from '../helpers/factories';
import { connectStore, sendShopify, waitForDeliveries, waitForStatus, type TestConnection } from '../helpers/store-webhooks';

let merchant: Merchant;
let shop: TestConnection;
let woo: TestConnection;

beforeAll(async () => {
  merchant = await signUpMerchant('Test Notifications');
  shop = await connectStore(merchant.workspaceId, 'shopify');
  woo = await connectStore(merchant.workspaceId, 'woocommerce');
});

async function counts() {
  const count = (table: string) => env.DB.prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE workspace_id = ?`).bind(merchant.workspaceId).first<{ n: number }>();
  return { contacts: (await count('contacts'))!.n, orders: (await count('orders'))!.n, triggers: (await count('triggers'))!.n, carts: (await count('carts'))!.n };
}

function lastTestAt(connection: TestConnection) {
  return env.DB.prepare('SELECT last_test_at FROM store_connections WHERE id = ?').bind(connection.id).first<number>('last_test_at');
}

/** WooCommerce's ping, exactly as WC_Webhook::deliver_ping posts it: no signature, no topic header. */
function wooPing(connection: TestConnection, webhookId: number) {
  return exports.default.fetch(
    new Request(`${ORIGIN}/webhooks/woocommerce/${connection.id}`, {
      method: 'POST',
      body: `webhook_id=${webhookId}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded; charset=UTF-8', 'user-agent': 'WooCommerce/9.6.0 Hookshot (WordPress/6.7.2)' },
    }),
  );
}

describe('test notifications', () => {
  it('answers a Shopify test order 200, records it as a test on the connection, and creates nothing', async () => {
    const before = await counts();
    const sample = ordersCreate.replace('"test":false', '"test":true').replace(/820982911946154508/g, '820982911946150001');
    const res = await sendShopify(shop, 'orders/create', sample);
    expect(res.status).toBe(200);
    expect(await res.clone().json()).toEqual({ status: 'test' });
    await waitForStatus(res, 'test');
    await expect.poll(() => lastTestAt(shop), { timeout: 10_000, interval: 50 }).toBeGreaterThan(0);
    expect(await counts()).toEqual(before);
    expect(await env.DB.prepare('SELECT id FROM orders WHERE external_id = ?').bind('820982911946150001').first()).toBeNull();
  });

  it('treats any Shopify topic with "test": true as a test, even a sample that our schema would refuse', async () => {
    const before = await counts();
    // A sample customer without the fields an order needs: it is a test, not a 400.
    const res = await sendShopify(shop, 'customers/create', customersCreate.replace('{"id":706405506930370084', '{"test":true,"id":"not-checked"'));
    await waitForStatus(res, 'test');
    const broken = await sendShopify(shop, 'orders/paid', '{"test":true,"total_price":"lots"}');
    await waitForStatus(broken, 'test');
    expect(await counts()).toEqual(before);
  });

  it('refuses a test notification with a bad signature: only the shop can mark its setup as working', async () => {
    const res = await sendShopify(shop, 'orders/create', ordersCreate.replace('"test":false', '"test":true'), { secret: 'someone-else' });
    expect(res.status).toBe(401);
  });

  it('answers WooCommerce’s ping exactly 200, records it on the connection, and counts a repeated ping once', async () => {
    const before = await counts();
    const res = await wooPing(woo, 4321);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'test' });
    const event = () =>
      env.DB.prepare('SELECT topic, status, deliveries FROM inbound_events WHERE connection_id = ? AND dedupe_key = ?')
        .bind(woo.id, 'woocommerce-ping:4321')
        .first<{ topic: string; status: string; deliveries: number }>();
    await expect.poll(async () => (await event())?.status, { timeout: 10_000, interval: 50 }).toBe('test');
    expect((await event())?.topic).toBe('ping');
    await expect.poll(() => lastTestAt(woo), { timeout: 10_000, interval: 50 }).toBeGreaterThan(0);

    expect((await wooPing(woo, 4321)).status).toBe(200);
    await expect.poll(async () => (await event())?.deliveries, { timeout: 10_000, interval: 50 }).toBe(2);
    expect(await counts()).toEqual(before);
  });

  it('still refuses an unsigned body that is not the ping', async () => {
    const res = await exports.default.fetch(new Request(`${ORIGIN}/webhooks/woocommerce/${woo.id}`, { method: 'POST', body: 'webhook_id=12&x=1' }));
    expect(res.status).toBe(401);
  });

  it('shows "Test received" on the connection in Settings → Store connections', async () => {
    await expect.poll(() => lastTestAt(shop), { timeout: 10_000, interval: 50 }).toBeGreaterThan(0);
    const page = await (await merchant.client.get('/app/settings/stores')).text();
    const card = (id: string) => page.slice(page.indexOf(`id="connection-${id}"`), page.indexOf('</section>', page.indexOf(`id="connection-${id}"`)));
    expect(card(shop.id)).toContain('Test received');
    expect(card(woo.id)).toContain('Test received');
    // Every topic the README lists, in the setup steps.
    for (const topic of ['Order creation', 'Order update', 'Order payment', 'Order fulfillment', 'Order cancellation', 'Refund create', 'Inventory level update']) {
      expect(card(shop.id)).toContain(topic);
    }
  });

  it('a real order after a test is applied as usual', async () => {
    const res = await sendShopify(shop, 'orders/create', ordersCreate);
    await waitForDeliveries(res, 1);
    await waitForStatus(res, 'processed');
    expect(await env.DB.prepare('SELECT name FROM orders WHERE workspace_id = ? AND external_id = ?').bind(merchant.workspaceId, '820982911946154508').first('name')).toBe('#9999');
  });
});
