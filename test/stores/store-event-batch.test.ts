// A queue batch of webhooks applied as a batch (one claim, lanes side by side, one mark)
// ends in the same contacts, totals, orders, carts, products, interests, triggers and
// webhook records as the same stream applied one webhook at a time: a mixed stream with
// duplicates, out-of-order updates, a refund before its order, a consent before its
// customer, catalog changes between orders, an unreadable webhook and an ignored topic.
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { DAY, HOUR, MINUTE } from '../../src/lib/time';
import { storeEventMessage, type StoreEventMessage } from '../../src/queues/messages';
import { planLanes, touchedKeys } from '../../src/stores/event-lanes';
import { runStoreEventBatch } from '../../src/stores/store-event-job';
import type { LineItem, Person, StoreEvent } from '../../src/stores/store-events';
import { signUpMerchant } from '../helpers/factories';
import { connectStore } from '../helpers/store-webhooks';

const T = Date.UTC(2026, 10, 27, 9);

function person(email: string | null, fields: Partial<Person> = {}): Person {
  return { email, phone: null, firstName: email?.split('@')[0] ?? null, lastName: null, externalId: null, registered: false, ...fields };
}

function line(sku: string, unitPriceCents: number, quantity = 1): LineItem {
  return { sku, productExternalId: null, title: sku, quantity, unitPriceCents };
}

function order(externalId: string, who: Person, fields: Partial<Extract<StoreEvent, { kind: 'order' }>>): StoreEvent {
  return {
    kind: 'order',
    externalId,
    person: who,
    status: 'paid',
    currency: 'USD',
    totalCents: 5000,
    refunds: [],
    placedAt: T,
    shippedAt: null,
    updatedAt: T,
    cartExternalId: null,
    items: [line('SKU-A', 5000)],
    acceptsEmailMarketing: false,
    ...fields,
  };
}

function product(sku: string, priceCents: number, inventory: number, updatedAt: number): StoreEvent {
  return {
    kind: 'product',
    parentExternalId: `parent-${sku}`,
    updatedAt,
    variants: [{ externalId: `variant-${sku}`, sku, title: sku, priceCents, currency: 'USD', inventory, inventoryItemId: `inv-${sku}`, url: `https://shop.example/${sku}`, imageUrl: null }],
  };
}

const alice = person('alice@example.com', { externalId: 'cust-1', registered: true });
const bob = person('Bob@Example.com');
const carol = person('carol@example.com');
const dave = person('dave@example.com', { externalId: 'cust-2' });

/** The stream, as [dedupe key, topic, events]: keys repeat where a store redelivers. */
const STREAM: [string, string, StoreEvent[] | null][] = [
  ['p-1', 'products/create', [product('SKU-A', 5000, 0, T), product('SKU-B', 3000, 5, T)]],
  ['c-1', 'customers/create', [{ kind: 'customer', person: alice, emailConsent: { status: 'subscribed', at: T }, smsConsent: null, tags: ['new'], updatedAt: T }]],
  ['sms-2', 'customers/sms', [{ kind: 'consent', person: person(null, { externalId: 'cust-2' }), channel: 'email', status: 'subscribed', at: T + MINUTE }]],
  [
    'cart-1',
    'checkouts/update',
    [
      {
        kind: 'cart',
        externalId: 'cart-1',
        person: bob,
        currency: 'USD',
        valueCents: 3000,
        items: [line('SKU-B', 3000)],
        recoveryUrl: 'https://shop.example/cart/1',
        completed: false,
        updatedAt: T + 2 * MINUTE,
        acceptsEmailMarketing: true,
      },
    ],
  ],
  ['view-1', 'interest', [{ kind: 'interest', person: alice, sku: 'SKU-A', interest: 'viewed', at: T + 3 * MINUTE }]],
  ['bis-1', 'interest', [{ kind: 'interest', person: carol, sku: 'SKU-A', interest: 'back_in_stock', at: T + 3 * MINUTE }]],
  ['view-2', 'interest', [{ kind: 'interest', person: bob, sku: 'SKU-B', interest: 'viewed', at: T + 3 * MINUTE }]],
  ['o-1@10', 'orders/updated', [order('o-1', alice, { updatedAt: T + 10 * MINUTE, status: 'paid' })]],
  // Older than the one applied: ignored by both.
  ['o-1@5', 'orders/updated', [order('o-1', alice, { updatedAt: T + 5 * MINUTE, status: 'placed' })]],
  // A refund of an order that has not arrived yet.
  ['r-1', 'refunds/create', [{ kind: 'refund', orderExternalId: 'o-2', externalId: 'r-1', amountCents: 1000, at: T + HOUR }]],
  ['o-2', 'orders/create', [order('o-2', bob, { totalCents: 3000, cartExternalId: 'cart-1', items: [line('SKU-B', 3000)], placedAt: T + 30 * MINUTE, updatedAt: T + 30 * MINUTE })]],
  ['c-2', 'customers/create', [{ kind: 'customer', person: dave, emailConsent: null, smsConsent: null, tags: [], updatedAt: T + 40 * MINUTE }]],
  // Redelivered.
  ['o-1@10', 'orders/updated', [order('o-1', alice, { updatedAt: T + 10 * MINUTE, status: 'paid' })]],
  // A price drop and a restock, between orders.
  ['p-2', 'products/update', [product('SKU-B', 2000, 5, T + HOUR)]],
  ['inv-1', 'inventory_levels/update', [{ kind: 'inventory', inventoryItemId: 'inv-SKU-A', available: 3, updatedAt: T + HOUR }]],
  ['o-3', 'orders/create', [order('o-3', alice, { status: 'shipped', shippedAt: T + 2 * DAY, placedAt: T + DAY, updatedAt: T + 2 * DAY, items: [line('SKU-A', 2500, 2)] })]],
  ['c-1b', 'customers/update', [{ kind: 'customer', person: alice, emailConsent: null, smsConsent: null, tags: ['vip'], updatedAt: T + 3 * DAY }]],
  // An older customer update after a newer one: its consent loses (store tags only ever add).
  ['c-1a', 'customers/update', [{ kind: 'customer', person: alice, emailConsent: { status: 'unsubscribed', at: T - DAY }, smsConsent: null, tags: ['old'], updatedAt: T - DAY }]],
  ['phone-1', 'customers/sms', [{ kind: 'consent', person: person(null, { phone: '+14155550100' }), channel: 'sms', status: 'subscribed', at: T + HOUR }]],
  ['o-4', 'orders/create', [order('o-4', person(null, { phone: '+14155550100' }), { totalCents: 1200, items: [line('SKU-B', 1200)], placedAt: T + 2 * HOUR })]],
  ['bad-1', 'orders/create', [{ kind: 'order', externalId: 'o-bad' } as unknown as StoreEvent]],
  ['ignored-1', 'app/uninstalled', null],
  ['o-2', 'orders/create', [order('o-2', bob, { totalCents: 3000, cartExternalId: 'cart-1', items: [line('SKU-B', 3000)], placedAt: T + 30 * MINUTE, updatedAt: T + 30 * MINUTE })]],
  ['r-2', 'refunds/create', [{ kind: 'refund', orderExternalId: 'o-1', externalId: 'r-2', amountCents: 5000, at: T + 4 * DAY }]],
];

async function streamFor(workspaceName: string): Promise<{ workspaceId: string; messages: StoreEventMessage[] }> {
  const { workspaceId } = await signUpMerchant(workspaceName);
  const connection = await connectStore(workspaceId, 'custom');
  const messages = STREAM.map(([dedupeKey, topic, events], i) => storeEventMessage({ workspaceId, connectionId: connection.id, topic, dedupeKey, receivedAt: T + i * 1000, events }));
  return { workspaceId, messages };
}

/** Everything the stream wrote, with generated ids replaced by what the store calls the rows. */
async function snapshot(workspaceId: string) {
  const all = async (query: string) => (await env.DB.prepare(query).bind(workspaceId).all()).results;
  const who = "COALESCE(c.email, c.phone, '(nobody)')";
  return {
    contacts: await all(
      `SELECT email, phone, first_name, email_consent, sms_consent, registered, total_spent_cents, order_count, first_order_at, last_order_at, external_id, email_consent_at, sms_consent_at, source_updated_at
       FROM contacts WHERE workspace_id = ? ORDER BY email, phone`,
    ),
    tags: await all(`SELECT ${who} AS who, t.tag FROM contact_tags t JOIN contacts c ON c.id = t.contact_id WHERE t.workspace_id = ? ORDER BY who, t.tag`),
    consentChanges: await all(
      `SELECT ${who} AS who, x.channel, x.status, x.changed_at FROM consent_changes x JOIN contacts c ON c.id = x.contact_id WHERE x.workspace_id = ? ORDER BY who, x.channel, x.changed_at, x.status`,
    ),
    orders: await all(
      `SELECT o.external_id, ${who} AS who, o.status, o.total_cents, o.refunded_cents, o.placed_at, o.shipped_at, o.source_updated_at, o.cart_external_id
       FROM orders o LEFT JOIN contacts c ON c.id = o.contact_id WHERE o.workspace_id = ? ORDER BY o.external_id`,
    ),
    items: await all(
      `SELECT o.external_id, i.sku, p.sku AS product_sku, i.quantity, i.unit_price_cents FROM order_items i JOIN orders o ON o.id = i.order_id LEFT JOIN products p ON p.id = i.product_id
       WHERE i.workspace_id = ? ORDER BY o.external_id, i.sku`,
    ),
    refunds: await all('SELECT order_external_id, external_id, amount_cents FROM order_refunds WHERE workspace_id = ? ORDER BY external_id'),
    carts: await all(
      `SELECT k.external_id, ${who} AS who, k.status, k.value_cents, o.external_id AS converted_order FROM carts k LEFT JOIN contacts c ON c.id = k.contact_id LEFT JOIN orders o ON o.id = k.converted_order_id
       WHERE k.workspace_id = ? ORDER BY k.external_id`,
    ),
    products: await all('SELECT sku, price_cents, previous_price_cents, inventory FROM products WHERE workspace_id = ? ORDER BY sku'),
    interests: await all(
      `SELECT ${who} AS who, p.sku, i.kind, i.first_at, i.last_at FROM product_interests i JOIN contacts c ON c.id = i.contact_id JOIN products p ON p.id = i.product_id WHERE i.workspace_id = ? ORDER BY who, p.sku, i.kind`,
    ),
    triggers: await all(
      `SELECT t.kind, ${who} AS who, COALESCE(o.external_id, p.sku, k.external_id, CASE WHEN t.subject_id = t.contact_id THEN 'the contact' END, t.subject_id) AS subject
       FROM triggers t LEFT JOIN contacts c ON c.id = t.contact_id LEFT JOIN orders o ON o.id = t.subject_id LEFT JOIN products p ON p.id = t.subject_id LEFT JOIN carts k ON k.id = t.subject_id
       WHERE t.workspace_id = ? ORDER BY t.kind, who, subject`,
    ),
    storeIds: await all(`SELECT s.external_id, ${who} AS who FROM contact_store_ids s JOIN contacts c ON c.id = s.contact_id WHERE s.workspace_id = ? ORDER BY s.external_id`),
    pendingConsents: await all('SELECT external_id, channel, status FROM pending_store_consents WHERE workspace_id = ? ORDER BY external_id, channel'),
    webhooks: await all('SELECT dedupe_key, status, deliveries FROM inbound_events WHERE workspace_id = ? ORDER BY dedupe_key'),
  };
}

describe('store events applied a queue batch at a time', () => {
  it('end in the same state as one webhook at a time, on a mixed stream with duplicates and out-of-order events', async () => {
    const single = await streamFor('One at a time');
    for (const message of single.messages) expect(await runStoreEventBatch([message], env)).toEqual([{ ok: true }]);

    const whole = await streamFor('One batch');
    expect(await runStoreEventBatch(whole.messages, env)).toEqual(whole.messages.map(() => ({ ok: true })));

    // Batches cut mid-stream, as the queue may cut them.
    const cut = await streamFor('Batches of five');
    for (let i = 0; i < cut.messages.length; i += 5) await runStoreEventBatch(cut.messages.slice(i, i + 5), env);

    const expected = await snapshot(single.workspaceId);
    // The stream did what it says, so the comparison compares something.
    expect(expected.orders.map((row) => [row.external_id, row.who, row.status, row.refunded_cents])).toEqual([
      ['o-1', 'alice@example.com', 'paid', 5000],
      ['o-2', 'bob@example.com', 'paid', 1000],
      ['o-3', 'alice@example.com', 'shipped', 0],
      ['o-4', '+14155550100', 'paid', 0],
    ]);
    expect(expected.webhooks.find((row) => row.dedupe_key === 'bad-1')).toMatchObject({ status: 'rejected' });
    expect(expected.webhooks.find((row) => row.dedupe_key === 'o-1@10')).toMatchObject({ status: 'processed', deliveries: 2 });
    expect(expected.carts).toEqual([expect.objectContaining({ external_id: 'cart-1', converted_order: 'o-2' })]);
    expect(expected.triggers.map((row) => row.kind)).toEqual(expect.arrayContaining(['contact_created', 'order_completed', 'order_shipped', 'price_dropped', 'back_in_stock', 'cart_updated']));
    expect(expected.tags.map((row) => row.tag)).toEqual(['new', 'old', 'vip']);
    expect(expected.contacts.find((row) => row.email === 'alice@example.com')).toMatchObject({ email_consent: 'subscribed', total_spent_cents: 5000, order_count: 1 });

    expect(await snapshot(whole.workspaceId)).toEqual(expected);
    expect(await snapshot(cut.workspaceId)).toEqual(expected);
  });

  it('counts a webhook delivered twice in one batch once, and applies it once', async () => {
    const { workspaceId, messages } = await streamFor('Twice in a batch');
    const o2 = messages.filter((message) => message.dedupeKey === 'o-2');
    expect(await runStoreEventBatch([...o2, ...o2], env)).toEqual([{ ok: true }, { ok: true }, { ok: true }, { ok: true }]);
    const { webhooks, orders } = await snapshot(workspaceId);
    expect(webhooks).toEqual([{ dedupe_key: 'o-2', status: 'processed', deliveries: 4 }]);
    expect(orders).toEqual([expect.objectContaining({ external_id: 'o-2', total_cents: 3000 })]);
  });

  it('retries only the webhook that failed; the rest of its batch is applied', async () => {
    const { workspaceId, messages } = await streamFor('One fails');
    const byKey = (key: string) => messages.find((message) => message.dedupeKey === key)!;
    // Interest in a SKU the store has not sent yet: retried until the product arrives.
    const results = await runStoreEventBatch([byKey('c-1'), byKey('view-1'), byKey('o-2')], env);
    expect(results).toEqual([{ ok: true }, { ok: false, error: expect.stringContaining('No product with SKU SKU-A yet') }, { ok: true }]);
    const { webhooks } = await snapshot(workspaceId);
    expect(webhooks).toEqual([
      { dedupe_key: 'c-1', status: 'processed', deliveries: 1 },
      { dedupe_key: 'o-2', status: 'processed', deliveries: 1 },
      { dedupe_key: 'view-1', status: 'queued', deliveries: 1 },
    ]);
    expect(await runStoreEventBatch([byKey('p-1'), byKey('view-1')], env)).toEqual([{ ok: true }, { ok: true }]);
  });

  it('claims the others of a batch when one webhook’s workspace was deleted after its connection was cached', async () => {
    const gone = await streamFor('Deleted meanwhile');
    const neighbour = await streamFor('Healthy neighbour');
    const byKey = (stream: { messages: StoreEventMessage[] }, key: string) => stream.messages.find((message) => message.dedupeKey === key)!;
    // Applied once, so this isolate has its connection cached.
    expect(await runStoreEventBatch([byKey(gone, 'c-1')], env)).toEqual([{ ok: true }]);
    await env.DB.prepare('DELETE FROM workspaces WHERE id = ?').bind(gone.workspaceId).run();

    const results = await runStoreEventBatch([byKey(gone, 'o-2'), byKey(neighbour, 'c-1'), byKey(neighbour, 'o-2')], env);
    expect(results).toEqual([{ ok: false, error: expect.stringContaining('FOREIGN KEY') }, { ok: true }, { ok: true }]);
    expect((await snapshot(neighbour.workspaceId)).webhooks).toEqual([
      { dedupe_key: 'c-1', status: 'processed', deliveries: 1 },
      { dedupe_key: 'o-2', status: 'processed', deliveries: 1 },
    ]);
  });
});

describe('lanes', () => {
  const keysOf = (email: string | null, orderId?: string) =>
    touchedKeys('ws', 'conn', [orderId ? order(orderId, person(email), {}) : { kind: 'customer', person: person(email), emailConsent: null, smsConsent: null, tags: [], updatedAt: null }]);

  it('puts webhooks about the same customer or order in one lane, in arrival order, and the others side by side', () => {
    const plan = planLanes([keysOf('a@example.com'), keysOf('b@example.com'), keysOf('A@example.com', 'o-1'), keysOf(null, 'o-1'), keysOf('c@example.com')]);
    expect(plan).toEqual([[[0, 2, 3], [1], [4]]]);
  });

  it('runs a catalog change alone, where it arrived', () => {
    const catalog = touchedKeys('ws', 'conn', [product('SKU-A', 100, 1, T)]);
    expect(catalog).toBeNull();
    expect(planLanes([keysOf('a@example.com'), catalog, keysOf('a@example.com'), keysOf('b@example.com')])).toEqual([[[0]], [[1]], [[2], [3]]]);
  });

  it('cannot be joined to another webhook’s lane by quotes, commas or CR/LF in a store’s customer id', () => {
    // Spelled to look like the order key's parts if keys were joined with separators.
    const externalId = 'o-1"]\r\n["ws","order","conn:o-1';
    const forged = touchedKeys('ws', 'conn', [{ kind: 'customer', person: person(null, { externalId }), emailConsent: null, smsConsent: null, tags: [], updatedAt: null }]);
    expect(forged).toHaveLength(1);
    expect(planLanes([keysOf(null, 'o-1'), forged])).toEqual([[[0], [1]]]);
  });

  it('keeps the same customer of two workspaces apart', () => {
    const a = touchedKeys('ws-1', 'conn-1', [{ kind: 'customer', person: person('a@example.com'), emailConsent: null, smsConsent: null, tags: [], updatedAt: null }]);
    const b = touchedKeys('ws-2', 'conn-2', [{ kind: 'customer', person: person('a@example.com'), emailConsent: null, smsConsent: null, tags: [], updatedAt: null }]);
    expect(planLanes([a, b])).toEqual([[[0], [1]]]);
  });
});
