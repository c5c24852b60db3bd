import { env, exports } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import ordersCreate from '../fixtures/shopify/orders-create.json?raw';
import { ORIGIN } from '../helpers/browser-client';
import { signUpMerchant } from '../helpers/factories';
import { connectStore, customSignature, sendCustomBody, sendShopify, sendWooCommerce, type TestConnection } from '../helpers/store-webhooks';

let shopA: TestConnection;
let shopB: TestConnection;
let wooA: TestConnection;
let customA: TestConnection;

beforeAll(async () => {
  const a = await signUpMerchant('Store A');
  const b = await signUpMerchant('Store B');
  shopA = await connectStore(a.workspaceId, 'shopify');
  shopB = await connectStore(b.workspaceId, 'shopify');
  wooA = await connectStore(a.workspaceId, 'woocommerce');
  customA = await connectStore(a.workspaceId, 'custom');
});

async function inboundCount(connectionId: string) {
  return env.DB.prepare('SELECT count(*) AS n FROM inbound_events WHERE connection_id = ?').bind(connectionId).first<number>('n');
}

describe('webhook signatures and input', () => {
  it('refuses a bad Shopify signature with 401 and stores nothing but the refusal', async () => {
    const res = await sendShopify(shopA, 'orders/create', ordersCreate, { secret: 'not-the-secret' });
    expect(res.status).toBe(401);
    expect((await res.json<{ error: { code: string } }>()).error.code).toBe('unauthorized');
    expect(await inboundCount(shopA.id)).toBe(1);
    expect(await env.DB.prepare('SELECT status, payload FROM inbound_events WHERE connection_id = ?').bind(shopA.id).first()).toEqual({ status: 'rejected', payload: null });
  });

  it("does not accept workspace B's secret on workspace A's connection", async () => {
    const res = await sendShopify(shopA, 'orders/create', ordersCreate, { secret: shopB.secret });
    expect(res.status).toBe(401);
  });

  it('refuses a body changed after signing (re-serialized JSON does not match)', async () => {
    const { signBase64 } = await import('../../src/stores/webhook-signatures');
    const signature = await signBase64(shopA.secret, ordersCreate);
    const reserialized = JSON.stringify(JSON.parse(ordersCreate));
    const res = await exports.default.fetch(
      new Request(`${ORIGIN}/webhooks/shopify/${shopA.id}`, {
        method: 'POST',
        body: reserialized,
        headers: { 'x-shopify-topic': 'orders/create', 'X-SHOPIFY-HMAC-SHA256': signature, 'x-shopify-webhook-id': 'w-1' },
      }),
    );
    expect(res.status).toBe(401);
  });

  it('answers 404 for an unknown connection, or one of another platform', async () => {
    expect((await sendShopify({ ...shopA, id: 'nope' }, 'orders/create', ordersCreate)).status).toBe(404);
    expect((await sendShopify({ ...wooA }, 'orders/create', ordersCreate)).status).toBe(404);
  });

  it('answers malformed JSON and missing fields with 400 naming the field', async () => {
    const broken = await sendShopify(shopA, 'orders/create', '{"id": 1, ');
    expect(broken.status).toBe(400);
    const missing = await sendShopify(shopA, 'orders/create', JSON.stringify({ id: 5, created_at: '2026-01-01T00:00:00Z', total_price: '1.00' }));
    expect(missing.status).toBe(400);
    const body = await missing.json<{ error: { issues: { path: string }[] } }>();
    expect(body.error.issues.map((issue) => issue.path)).toContain('currency');
  });

  it('rejects bodies over 1 MB with 413', async () => {
    const huge = JSON.stringify({ id: 1, note: 'x'.repeat(1024 * 1024) });
    const res = await sendShopify(shopA, 'orders/create', huge);
    expect(res.status).toBe(413);
  });

  it("answers WooCommerce's unsigned ping when a webhook is created", async () => {
    const res = await exports.default.fetch(
      new Request(`${ORIGIN}/webhooks/woocommerce/${wooA.id}`, { method: 'POST', body: 'webhook_id=12', headers: { 'content-type': 'application/x-www-form-urlencoded' } }),
    );
    expect(res.status).toBe(200);
    expect(await inboundCount(wooA.id)).toBe(0);
  });

  it('refuses a bad WooCommerce signature', async () => {
    expect((await sendWooCommerce(wooA, 'order.created', '{"id":1}', { secret: 'wrong' })).status).toBe(401);
  });

  it('refuses generic events with a stale or forged timestamp (replay)', async () => {
    const body = JSON.stringify({ id: 'evt-replay', type: 'customer.upserted', occurredAt: new Date().toISOString(), data: { email: 'r@example.com' } });
    const old = await customSignature(customA.secret, body, Math.floor(Date.now() / 1000) - 3600);
    const stale = await sendCustomBody(customA, body, old);
    expect(stale.status).toBe(401);
    expect(await stale.text()).toContain('5 minutes');
    // Re-stamping an old signature with a fresh time breaks it: the time is signed.
    const forged = old.replace(/t=\d+/, `t=${Math.floor(Date.now() / 1000)}`);
    expect((await sendCustomBody(customA, body, forged)).status).toBe(401);
    expect((await sendCustomBody(customA, body)).status).toBe(202);
  });
});
