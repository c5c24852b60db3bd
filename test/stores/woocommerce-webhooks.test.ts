import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import customerCreated from '../fixtures/woocommerce/customer-created.json?raw';
import orderCreated from '../fixtures/woocommerce/order-created.json?raw';
import productUpdated from '../fixtures/woocommerce/product-updated.json?raw';
import { signUpMerchant } from '../helpers/factories';
import { connectStore, sendWooCommerce, waitForProcessed, type TestConnection } from '../helpers/store-webhooks';

let woo: TestConnection;

beforeAll(async () => {
  const merchant = await signUpMerchant('Woo Store');
  woo = await connectStore(merchant.workspaceId, 'woocommerce', 'EUR');
});

function contact(email: string) {
  return env.DB.prepare('SELECT * FROM contacts WHERE workspace_id = ? AND email = ?').bind(woo.workspaceId, email).first<Record<string, unknown>>();
}

describe('WooCommerce webhooks', () => {
  it('merges a guest order and the later registered customer into one contact', async () => {
    await waitForProcessed(await sendWooCommerce(woo, 'order.created', orderCreated));
    const guest = await contact('john.doe@example.com');
    expect(guest).toMatchObject({ registered: 0, order_count: 1, total_spent_cents: 2935, phone: '+14155552671' });

    await waitForProcessed(await sendWooCommerce(woo, 'customer.created', customerCreated));
    const registered = await contact('john.doe@example.com');
    expect(registered).toMatchObject({ id: guest!.id, registered: 1, external_id: '25', order_count: 1 });
    const count = await env.DB.prepare('SELECT count(*) AS n FROM contacts WHERE workspace_id = ?').bind(woo.workspaceId).first('n');
    expect(count).toBe(1);
  });

  it('reads line-item prices sent as numbers and totals sent as strings', async () => {
    const items = await env.DB.prepare("SELECT sku, quantity, unit_price_cents FROM order_items WHERE order_id = (SELECT id FROM orders WHERE workspace_id = ? AND external_id = '727') ORDER BY sku")
      .bind(woo.workspaceId)
      .all();
    expect(items.results).toEqual([
      { sku: 'SHIP-IDEA-BLK-M', quantity: 1, unit_price_cents: 1200 },
      { sku: 'WOO-SINGLE-1', quantity: 2, unit_price_cents: 300 },
    ]);
  });

  it('follows status changes to completed and refunded, subtracting the refund', async () => {
    const completed = orderCreated
      .replace('"status":"processing"', '"status":"completed"')
      .replace('"date_modified_gmt":"2026-03-02T15:10:05"', '"date_modified_gmt":"2026-03-04T10:00:00"')
      .replace('"date_completed_gmt":null', '"date_completed_gmt":"2026-03-04T10:00:00"');
    await waitForProcessed(await sendWooCommerce(woo, 'order.updated', completed));
    const order = await env.DB.prepare("SELECT id, status, shipped_at FROM orders WHERE workspace_id = ? AND external_id = '727'")
      .bind(woo.workspaceId)
      .first<{ id: string; status: string; shipped_at: number }>();
    expect(order).toMatchObject({ status: 'completed', shipped_at: Date.parse('2026-03-04T10:00:00Z') });
    const kinds = await env.DB.prepare('SELECT kind FROM triggers WHERE subject_id = ? ORDER BY kind').bind(order!.id).all<{ kind: string }>();
    expect(kinds.results.map((row) => row.kind)).toEqual(['order_completed', 'order_shipped']);

    const partlyRefunded = completed
      .replace('"refunds":[]', '"refunds":[{"id":730,"reason":"damaged","total":"-10.00"}]')
      .replace('"date_modified_gmt":"2026-03-04T10:00:00"', '"date_modified_gmt":"2026-03-05T10:00:00"');
    await waitForProcessed(await sendWooCommerce(woo, 'order.updated', partlyRefunded));
    expect(await contact('john.doe@example.com')).toMatchObject({ total_spent_cents: 1935, order_count: 1 });

    const refunded = partlyRefunded.replace('"status":"completed"', '"status":"refunded"').replace('"date_modified_gmt":"2026-03-05T10:00:00"', '"date_modified_gmt":"2026-03-06T10:00:00"');
    await waitForProcessed(await sendWooCommerce(woo, 'order.updated', refunded));
    expect(await contact('john.doe@example.com')).toMatchObject({ total_spent_cents: 0, order_count: 0 });
  });

  it('ignores an update older than the one already applied', async () => {
    // The original order.created, delivered again (new delivery id) after the refund.
    await waitForProcessed(await sendWooCommerce(woo, 'order.updated', orderCreated));
    const order = await env.DB.prepare("SELECT status FROM orders WHERE workspace_id = ? AND external_id = '727'").bind(woo.workspaceId).first('status');
    expect(order).toBe('refunded');
  });

  it('records products with stock, in the store currency', async () => {
    await waitForProcessed(await sendWooCommerce(woo, 'product.updated', productUpdated));
    const product = await env.DB.prepare('SELECT * FROM products WHERE workspace_id = ? AND sku = ?').bind(woo.workspaceId, 'PREMIUM-Q').first();
    expect(product).toMatchObject({ price_cents: 2199, currency: 'EUR', inventory: 0, url: 'https://shop.example/product/premium-quality-19/' });
  });
});
