import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { signUpMerchant } from '../helpers/factories';
import { connectStore, sendCustomEvent, waitForDeliveries, waitForProcessed, type TestConnection } from '../helpers/store-webhooks';

let store: TestConnection;

beforeAll(async () => {
  const merchant = await signUpMerchant('Custom Cart');
  store = await connectStore(merchant.workspaceId, 'custom', 'GBP');
});

const customer = { email: 'Mia@Example.com', firstName: 'Mia', phone: '+44 7911 123456', registered: true };

describe('generic store events', () => {
  it('upserts customers, places and completes orders, and tracks carts, views and back-in-stock requests', async () => {
    await waitForProcessed(await sendCustomEvent(store, { type: 'customer.upserted', data: { ...customer, emailConsent: 'subscribed', tags: ['wholesale'] } }));
    await waitForProcessed(await sendCustomEvent(store, { type: 'product.updated', data: { externalId: 'p1', sku: 'MUG-1', title: 'Mug', priceCents: 1200, inventory: 0 } }));
    await waitForProcessed(await sendCustomEvent(store, { type: 'product.viewed', data: { customer, sku: 'MUG-1' } }));
    await waitForProcessed(await sendCustomEvent(store, { type: 'back_in_stock.subscribed', data: { customer, sku: 'MUG-1' } }));
    await waitForProcessed(
      await sendCustomEvent(store, {
        type: 'cart.updated',
        data: {
          externalId: 'cart-9',
          customer,
          currency: 'GBP',
          valueCents: 2400,
          recoveryUrl: 'https://cart.example/r/9',
          items: [{ sku: 'MUG-1', title: 'Mug', quantity: 2, unitPriceCents: 1200 }],
        },
      }),
    );
    await waitForProcessed(
      await sendCustomEvent(store, {
        type: 'order.completed',
        data: { externalId: 'o-1', customer, currency: 'GBP', totalCents: 2400, cartId: 'cart-9', items: [{ sku: 'MUG-1', title: 'Mug', quantity: 2, unitPriceCents: 1200 }] },
      }),
    );

    const contact = await env.DB.prepare('SELECT * FROM contacts WHERE workspace_id = ? AND email = ?').bind(store.workspaceId, 'mia@example.com').first<Record<string, unknown>>();
    expect(contact).toMatchObject({ phone: '+447911123456', email_consent: 'subscribed', order_count: 1, total_spent_cents: 2400, registered: 1 });
    const interests = await env.DB.prepare('SELECT kind FROM product_interests WHERE contact_id = ? ORDER BY kind').bind(contact!.id).all<{ kind: string }>();
    expect(interests.results.map((row) => row.kind)).toEqual(['back_in_stock', 'carted', 'viewed']);
    expect(await env.DB.prepare("SELECT status FROM carts WHERE workspace_id = ? AND external_id = 'cart-9'").bind(store.workspaceId).first('status')).toBe('converted');
  });

  it('answers an invalid event with 400 naming the field inside data', async () => {
    const res = await sendCustomEvent(store, { type: 'order.placed', data: { externalId: 'o-2', customer, currency: 'POUNDS', totalCents: 'lots' } });
    expect(res.status).toBe(400);
    const paths = (await res.json<{ error: { issues: { path: string }[] } }>()).error.issues.map((issue) => issue.path);
    expect(paths).toEqual(expect.arrayContaining(['data.currency', 'data.totalCents']));
  });

  it('dedupes on the event id', async () => {
    const event = { id: 'evt-once', type: 'customer.upserted', data: { email: 'once@example.com' } };
    await waitForProcessed(await sendCustomEvent(store, event));
    await waitForDeliveries(await sendCustomEvent(store, event), 2);
  });
});
