// /api/v1 reads of store data: orders, carts, products and store connections, as keyset
// pages narrowed by contact and time, scoped to the key's workspace.
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/lib/ids';
import ordersCreate from '../fixtures/shopify/orders-create.json?raw';
import productsUpdate from '../fixtures/shopify/products-update.json?raw';
import { insertContact, insertOrder } from '../helpers/data';
import { apiErrorOf, callApi, createApiKey, signUpMerchant } from '../helpers/factories';
import { connectStore, sendShopify, type TestConnection, waitForProcessed } from '../helpers/store-webhooks';

const DAY = 86_400_000;
const BASE = Date.parse('2026-02-01T00:00:00Z');

let key: string;
let otherKey: string;
let shop: TestConnection;
let ann: string;
let bob: string;
let otherContact: string;
const annOrders: string[] = [];
const other: Record<string, string> = {};

async function insertCart(workspaceId: string, contactId: string, createdAt: number): Promise<string> {
  const id = newId(createdAt);
  const items = JSON.stringify([{ sku: 'TSHIRT-S', title: 'Example T-Shirt', quantity: 2, unitPriceCents: 1999, imageUrl: null }]);
  await env.DB.prepare("INSERT INTO carts (id, workspace_id, external_id, contact_id, status, currency, value_cents, items, created_at, updated_at) VALUES (?, ?, ?, ?, 'open', 'USD', 3998, ?, ?, ?)")
    .bind(id, workspaceId, `cart-${id}`, contactId, items, createdAt, createdAt)
    .run();
  return id;
}

async function insertInterest(workspaceId: string, contactId: string, productId: string, kind: string, at: number): Promise<void> {
  await env.DB.prepare('INSERT INTO product_interests (workspace_id, contact_id, product_id, kind, first_at, last_at) VALUES (?, ?, ?, ?, ?, ?)')
    .bind(workspaceId, contactId, productId, kind, at, at)
    .run();
}

async function json<T>(path: string, apiKey = key): Promise<T> {
  const res = await callApi(apiKey, path);
  expect(res.status, await res.clone().text()).toBe(200);
  return res.json<T>();
}

beforeAll(async () => {
  const merchant = await signUpMerchant('Reads Store');
  key = await createApiKey(merchant, 'reads');
  shop = await connectStore(merchant.workspaceId, 'shopify');
  ann = await insertContact(merchant.workspaceId);
  bob = await insertContact(merchant.workspaceId);
  // Ann: one order a day for 5 days; Bob: one.
  for (let i = 0; i < 5; i++) annOrders.push(await insertOrder(merchant.workspaceId, ann, { placedAt: BASE + i * DAY, skus: [`SKU-${i}`] }));
  await insertOrder(merchant.workspaceId, bob, { placedAt: BASE + 2 * DAY + 1 });
  await insertCart(merchant.workspaceId, ann, BASE);
  await insertCart(merchant.workspaceId, bob, BASE + DAY);

  const otherMerchant = await signUpMerchant('Other Reads Store');
  otherKey = await createApiKey(otherMerchant, 'other');
  otherContact = await insertContact(otherMerchant.workspaceId);
  other.order = await insertOrder(otherMerchant.workspaceId, otherContact, { placedAt: BASE });
  other.cart = await insertCart(otherMerchant.workspaceId, otherContact, BASE);
  other.connection = (await connectStore(otherMerchant.workspaceId, 'woocommerce')).id;
});

describe('GET /api/v1/orders', () => {
  it('pages newest first with a cursor, each order once, with its lines', async () => {
    const seen: string[] = [];
    let path = `/orders?contactId=${ann}&limit=2`;
    for (;;) {
      const page = await json<{ orders: { id: string; placedAt: number; items: { sku: string }[] }[]; nextCursor: string | null }>(path);
      seen.push(...page.orders.map((order) => order.id));
      expect(page.orders.every((order) => order.items.length === 1)).toBe(true);
      if (!page.nextCursor) break;
      path = `/orders?contactId=${ann}&limit=2&cursor=${encodeURIComponent(page.nextCursor)}`;
    }
    expect(seen).toEqual([...annOrders].reverse());
  });

  it('filters by time: from (inclusive) and to (exclusive), as epoch ms or ISO 8601', async () => {
    const byMs = await json<{ orders: { id: string }[] }>(`/orders?from=${BASE + DAY}&to=${BASE + 3 * DAY}`);
    expect(byMs.orders.map((order) => order.id)).toEqual([expect.any(String), annOrders[2], annOrders[1]]);
    const byIso = await json<{ orders: { id: string }[] }>(`/orders?contactId=${ann}&from=2026-02-02&to=2026-02-04T00:00:00Z`);
    expect(byIso.orders.map((order) => order.id)).toEqual([annOrders[2], annOrders[1]]);
  });

  it('reads an order that arrived by Shopify webhook, with its lines and money in minor units', async () => {
    await waitForProcessed(await sendShopify(shop, 'orders/create', ordersCreate));
    const { orders } = await json<{ orders: { id: string; externalId: string; email: string }[] }>(`/orders?from=2026-03-01T00:00:00Z`);
    const listed = orders.find((order) => order.email === 'jon@example.com');
    expect(listed).toBeDefined();
    const { order } = await json<{ order: Record<string, unknown> }>(`/orders/${listed!.id}`);
    expect(order).toMatchObject({ externalId: '820982911946154508', currency: 'USD', totalCents: expect.any(Number), items: [{ sku: 'IPOD2008BLACK' }, { sku: 'IPOD2008BLACK' }] });
    expect(order.contactId).toEqual(expect.any(String));
  });
});

describe('GET /api/v1/carts', () => {
  it('lists carts newest first, narrowed to a contact, with their lines', async () => {
    const all = await json<{ carts: { contactId: string }[] }>('/carts');
    expect(all.carts.map((cart) => cart.contactId)).toEqual([bob, ann]);
    const anns = await json<{ carts: { id: string; items: unknown[]; valueCents: number }[] }>(`/carts?contactId=${ann}`);
    expect(anns.carts).toHaveLength(1);
    expect(anns.carts[0]).toMatchObject({ valueCents: 3998, items: [{ sku: 'TSHIRT-S', quantity: 2, unitPriceCents: 1999 }] });
    expect((await json<{ cart: { id: string } }>(`/carts/${anns.carts[0]!.id}`)).cart.id).toBe(anns.carts[0]!.id);
  });
});

describe('GET /api/v1/products', () => {
  it('lists products with price, previous price, stock and interested contacts, and narrows to a contact’s interests', async () => {
    await waitForProcessed(await sendShopify(shop, 'products/update', productsUpdate));
    const cheaper = productsUpdate.replace(/"price":"19\.99"/g, '"price":"14.99"').replace(/"updated_at":"([^"]+)"/g, '"updated_at":"2030-01-01T00:00:00Z"');
    await waitForProcessed(await sendShopify(shop, 'products/update', cheaper));
    const { products } = await json<{ products: { id: string; sku: string; priceCents: number; previousPriceCents: number | null; inventory: number | null; interestedContacts: number }[] }>(
      '/products',
    );
    const small = products.find((product) => product.sku === 'TSHIRT-S')!;
    const medium = products.find((product) => product.sku === 'TSHIRT-M')!;
    expect(small).toMatchObject({ priceCents: 1499, previousPriceCents: 1999, inventory: 75, interestedContacts: 0 });

    await insertInterest(shop.workspaceId, ann, small.id, 'viewed', BASE);
    await insertInterest(shop.workspaceId, ann, small.id, 'carted', BASE + 1);
    await insertInterest(shop.workspaceId, bob, small.id, 'back_in_stock', BASE + 2);
    await insertInterest(shop.workspaceId, bob, medium.id, 'viewed', BASE + 3);
    expect((await json<{ product: { interestedContacts: number } }>(`/products/${small.id}`)).product.interestedContacts).toBe(2);
    const anns = await json<{ products: { sku: string }[] }>(`/products?contactId=${ann}`);
    expect(anns.products.map((product) => product.sku)).toEqual(['TSHIRT-S']);
  });
});

describe('GET /api/v1/store-connections', () => {
  it('lists connections with their webhook URL and whether a secret is set, never the secret', async () => {
    const res = await callApi(key, '/store-connections');
    const text = await res.text();
    expect(res.status).toBe(200);
    const { storeConnections } = JSON.parse(text) as { storeConnections: Record<string, unknown>[] };
    expect(storeConnections).toEqual([expect.objectContaining({ id: shop.id, platform: 'shopify', awaitingSecret: false, webhookUrl: `https://marketing.example.com/webhooks/shopify/${shop.id}` })]);
    expect(text).not.toContain(shop.secret);
    expect(text).not.toMatch(/secretCiphertext|"v1\./);
    const one = await callApi(key, `/store-connections/${shop.id}`);
    expect(await one.text()).not.toContain(shop.secret);
  });
});

describe('store reads refuse what they cannot answer', () => {
  it.each([
    ['limit=0', 'limit'],
    ['limit=many', 'limit'],
    ['from=yesterday', 'from'],
    ['from=2026-02-30', 'from'],
    ['from=2026-02-01T00:00:00', 'from'],
    ['from=2000&to=1000', 'to'],
    ['cursor=not-a-cursor', 'cursor'],
    ['contactId=not%20an%20id', 'contactId'],
  ])('answers 400 naming the field for %s', async (query, field) => {
    for (const resource of ['orders', 'carts', 'products']) {
      const res = await callApi(key, `/${resource}?${query}`);
      expect(res.status, `${resource}?${query}`).toBe(400);
      expect((await apiErrorOf(res)).issues?.map((issue) => issue.path)).toContain(field);
    }
  });

  it('answers 400 naming an unknown parameter', async () => {
    const res = await callApi(key, '/orders?customer=1');
    expect(res.status).toBe(400);
    const { error } = await res.json<{ error: { issues: { message: string }[] } }>();
    expect(error.issues[0]!.message).toContain('customer');
  });

  it('answers 404 for another workspace’s ids, and for another workspace’s contact as a filter', async () => {
    for (const path of [`/orders/${other.order}`, `/carts/${other.cart}`, `/store-connections/${other.connection}`, `/orders?contactId=${otherContact}`, `/products?contactId=${otherContact}`]) {
      expect((await callApi(key, path)).status, path).toBe(404);
    }
    const { products } = await json<{ products: { id: string }[] }>('/products');
    expect((await callApi(otherKey, `/products/${products[0]!.id}`)).status).toBe(404);
  });

  it('never lists another workspace’s rows', async () => {
    const theirs = await json<{ orders: { id: string }[] }>('/orders', otherKey);
    expect(theirs.orders.map((order) => order.id)).toEqual([other.order]);
    expect((await json<{ carts: { id: string }[] }>('/carts', otherKey)).carts.map((cart) => cart.id)).toEqual([other.cart]);
    expect((await json<{ products: unknown[] }>('/products', otherKey)).products).toEqual([]);
  });
});
