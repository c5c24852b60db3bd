// The deliveries log of a store connection (Settings → Store connections, and
// /api/v1/store-connections/:id): each delivery's topic and what became of it.
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/lib/ids';
import { storeEventMessage } from '../../src/queues/messages';
import { DELIVERIES_SHOWN } from '../../src/stores/store-deliveries';
import ordersCreate from '../fixtures/shopify/orders-create.json?raw';
import { callApi, createApiKey, type Merchant, signUpMerchant } from '../helpers/factories';
import { connectStore, deliveryId, sendShopify, type TestConnection, waitForDeliveries, waitForProcessed, waitForStatus } from '../helpers/store-webhooks';

type Delivery = { id: string; topic: string; status: string; reason: string | null; deliveries: number; receivedAt: number; redeliveredAt: number | null };

let merchant: Merchant;
let key: string;
let shop: TestConnection;

beforeAll(async () => {
  merchant = await signUpMerchant('Deliveries Store');
  key = await createApiKey(merchant, 'deliveries');
  shop = await connectStore(merchant.workspaceId, 'shopify');
});

async function deliveriesOf(connectionId: string): Promise<Delivery[]> {
  const res = await callApi(key, `/store-connections/${connectionId}`);
  expect(res.status).toBe(200);
  return (await res.json<{ storeConnection: { deliveries: Delivery[] } }>()).storeConnection.deliveries;
}

describe('a store connection’s deliveries log', () => {
  it('lists each delivery newest first with its status: applied, duplicate, ignored, test, rejected with the reason', async () => {
    const applied = await sendShopify(shop, 'orders/create', ordersCreate, { webhookId: 'log-applied' });
    await waitForProcessed(applied);
    await waitForDeliveries(await sendShopify(shop, 'orders/create', ordersCreate, { webhookId: 'log-applied' }), 2);
    await waitForStatus(await sendShopify(shop, 'themes/publish', '{"id":1}', { webhookId: 'log-ignored' }), 'ignored');
    // Events the consumer cannot read are closed as rejected, with why.
    const unreadable = deliveryId();
    await env.EVENTS_QUEUE.send(
      storeEventMessage({
        workspaceId: shop.workspaceId,
        connectionId: shop.id,
        topic: 'orders/updated',
        dedupeKey: unreadable,
        receivedAt: Date.now(),
        events: [{ kind: 'order', totalCents: 1e21 }],
      }),
    );
    await expect.poll(async () => (await deliveriesOf(shop.id)).find((row) => row.topic === 'orders/updated')?.status, { timeout: 10_000, interval: 50 }).toBe('rejected');
    // A platform's test notification is recorded as `test` by the consumer; written here as it leaves it.
    await env.DB.prepare("INSERT INTO inbound_events (id, workspace_id, connection_id, topic, dedupe_key, status, received_at) VALUES (?, ?, ?, 'orders/create', 'log-test', 'test', ?)")
      .bind(newId(), shop.workspaceId, shop.id, Date.now())
      .run();
    for (let i = 0; i < 2; i++) expect((await sendShopify(shop, 'customers/create', '{"id":1}', { secret: 'an-old-secret' })).status).toBe(401);

    const log = await deliveriesOf(shop.id);
    expect(log.map((row) => [row.topic, row.status, row.deliveries])).toEqual([
      ['customers/create', 'rejected', 2],
      ['orders/create', 'test', 1],
      ['orders/updated', 'rejected', 1],
      ['themes/publish', 'ignored', 1],
      ['orders/create', 'processed', 2],
    ]);
    expect(log[0]!.reason).toBe('The signature does not match this connection’s secret.');
    expect(log[2]!.reason).toMatch(/totalCents/);
    expect(log[4]!.redeliveredAt).toBeGreaterThanOrEqual(log[4]!.receivedAt);

    const page = await (await merchant.client.get('/app/settings/stores')).text();
    const logHtml = page.slice(page.indexOf('Last deliveries'));
    for (const words of ['Applied', 'Ignored: topic not used', 'Test received', 'Rejected', 'The signature does not match this connection’s secret.', 'totalCents', '2 times']) {
      expect(logHtml).toContain(words);
    }
    // What the store sent is shown as text, never as markup.
    expect(logHtml).not.toContain('<script');
  });

  it('is bounded: a replay storm of one webhook adds no rows, and the log shows the latest deliveries only', async () => {
    const busy = await connectStore(merchant.workspaceId, 'shopify');
    const first = await sendShopify(busy, 'orders/create', ordersCreate, { webhookId: 'replayed' });
    await waitForProcessed(first);
    for (let i = 0; i < 5; i++) await sendShopify(busy, 'orders/create', ordersCreate, { webhookId: 'replayed' });
    await waitForDeliveries(first, 6);
    for (let i = 0; i < 5; i++) await sendShopify(busy, 'orders/create', ordersCreate, { secret: 'forged' });
    expect(await env.DB.prepare('SELECT count(*) AS n FROM inbound_events WHERE connection_id = ?').bind(busy.id).first('n')).toBe(2);

    const now = Date.now();
    await env.DB.batch(
      Array.from({ length: DELIVERIES_SHOWN + 5 }, (_, i) =>
        env.DB.prepare("INSERT INTO inbound_events (id, workspace_id, connection_id, topic, dedupe_key, status, received_at) VALUES (?, ?, ?, 'products/update', ?, 'processed', ?)").bind(
          newId(now + i),
          busy.workspaceId,
          busy.id,
          `old-${i}`,
          now - 60_000 + i,
        ),
      ),
    );
    const log = await deliveriesOf(busy.id);
    expect(log).toHaveLength(DELIVERIES_SHOWN);
    expect(log[0]).toMatchObject({ status: 'rejected', deliveries: 5 });
  });

  it('shows a topic sent with a refused delivery as text, cut to 100 characters', async () => {
    const odd = await connectStore(merchant.workspaceId, 'shopify');
    const topic = `<img src=x onerror=alert(1)>${'x'.repeat(200)}`;
    expect((await sendShopify(odd, topic, '{}', { secret: 'nope' })).status).toBe(401);
    const [row] = await deliveriesOf(odd.id);
    expect(row!.topic).toHaveLength(100);
    const page = await (await merchant.client.get('/app/settings/stores')).text();
    expect(page).not.toContain('<img src=x');
    expect(page).toContain('&lt;img src=x');
  });

  it('answers 404 for another workspace’s connection', async () => {
    const other = await signUpMerchant('Other Store');
    const theirs = await connectStore(other.workspaceId, 'woocommerce');
    const res = await callApi(key, `/store-connections/${theirs.id}`);
    expect(res.status).toBe(404);
  });
});
