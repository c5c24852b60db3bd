import { createExecutionContext, createScheduledController, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import worker from '../../src/index';
import ordersCreate from '../fixtures/shopify/orders-create.json?raw';
import { apiErrorOf, signUpMerchant } from '../helpers/factories';
import { connectStore, sendShopify, type TestConnection, waitForProcessed } from '../helpers/store-webhooks';
import { openDb } from '../../src/db/client';
import { forWorkspace } from '../../src/db/tenant';
import { createStoreConnection } from '../../src/stores/store-connections.service';

/** A Shopify connection as the dashboard creates it (no secret yet), with the secret Shopify will show. */
async function connectShopifyAwaitingSecret(workspaceId: string): Promise<TestConnection> {
  const connection = await createStoreConnection(forWorkspace(openDb(env.DB), workspaceId), env.ENCRYPTION_KEY, { platform: 'shopify', name: 'New shop', currency: 'USD' });
  return { id: connection.id, workspaceId, secret: 'shpss_shown-after-the-first-webhook' };
}

describe('Settings → Store connections', () => {
  it('connects a WooCommerce store with a generated secret, encrypted at rest, and shows its URL and secret once asked', async () => {
    const merchant = await signUpMerchant();
    await merchant.client.get('/app/settings/stores');
    const res = await merchant.client.post('/app/settings/stores', { platform: 'woocommerce', name: 'My Woo', currency: 'eur' });
    expect(res.status).toBe(303);
    const row = await env.DB.prepare('SELECT id, currency, secret_ciphertext FROM store_connections WHERE workspace_id = ?')
      .bind(merchant.workspaceId)
      .first<{ id: string; currency: string; secret_ciphertext: string }>();
    expect(row!.currency).toBe('EUR');
    expect(row!.secret_ciphertext).toMatch(/^v1\./);

    const page = await (await merchant.client.get(res.headers.get('location')!)).text();
    expect(page).toContain(`https://marketing.example.com/webhooks/woocommerce/${row!.id}`);
    const secret = /value="(whsec_[^"]+)"/.exec(page)?.[1];
    expect(secret).toBeDefined();
    expect(row!.secret_ciphertext).not.toContain(secret);
    expect(page).toContain('WooCommerce → Settings → Advanced → Webhooks');

    const plain = await (await merchant.client.get('/app/settings/stores')).text();
    expect(plain).not.toContain(secret!);
  });

  it('creates a Shopify connection before its secret: the URL and topics first, then a form for the secret', async () => {
    const merchant = await signUpMerchant();
    await merchant.client.get('/app/settings/stores');
    const res = await merchant.client.post('/app/settings/stores', { platform: 'shopify', name: 'Shop', currency: 'USD' });
    expect(res.status).toBe(303);
    const row = await env.DB.prepare('SELECT id, secret_ciphertext FROM store_connections WHERE workspace_id = ?').bind(merchant.workspaceId).first<{ id: string; secret_ciphertext: string }>();
    expect(row!.secret_ciphertext).toBe('');
    const page = await (await merchant.client.get(res.headers.get('location')!)).text();
    const url = page.indexOf(`https://marketing.example.com/webhooks/shopify/${row!.id}`);
    const form = page.indexOf(`action="/app/settings/stores/${row!.id}/secret"`);
    expect(url).toBeGreaterThan(0);
    expect(form).toBeGreaterThan(url);
    expect(page).toContain('Waiting for the signing secret');
    expect(page.slice(url, form)).toContain('Order creation');
    expect(page.slice(url, form)).toContain('Inventory level update');
  });

  it('refuses webhooks before the secret is set with 401, records them as rejected "no secret yet", and accepts them once it is pasted', async () => {
    const merchant = await signUpMerchant();
    const shop = await connectShopifyAwaitingSecret(merchant.workspaceId);
    for (let i = 0; i < 3; i++) {
      const early = await sendShopify(shop, 'orders/create', ordersCreate);
      expect(early.status).toBe(401);
      expect((await apiErrorOf(early)).message).toMatch(/^No signing secret yet/);
    }
    // One row however many arrive: unverified requests cannot grow storage.
    expect((await env.DB.prepare('SELECT topic, status, reason, deliveries FROM inbound_events WHERE connection_id = ?').bind(shop.id).all()).results).toEqual([
      { topic: 'orders/create', status: 'rejected', reason: expect.stringMatching(/^No signing secret yet/), deliveries: 3 },
    ]);
    expect(await env.DB.prepare('SELECT count(*) AS n FROM orders WHERE workspace_id = ?').bind(merchant.workspaceId).first('n')).toBe(0);
    const page = await (await merchant.client.get('/app/settings/stores')).text();
    expect(page).toContain('Rejected');
    expect(page).toContain('No signing secret yet');
    expect(page).toContain('3 times');

    const saved = await merchant.client.post(`/app/settings/stores/${shop.id}/secret`, { secret: shop.secret });
    expect(saved.status).toBe(303);
    expect(await env.DB.prepare('SELECT secret_ciphertext FROM store_connections WHERE id = ?').bind(shop.id).first('secret_ciphertext')).toMatch(/^v1\./);
    await waitForProcessed(await sendShopify(shop, 'orders/create', ordersCreate));
    const after = await (await merchant.client.get('/app/settings/stores')).text();
    expect(after).not.toContain('Waiting for the signing secret');
    expect(after).toContain('Applied');
  });

  it("refuses an empty or short secret naming the field, and another workspace's connection with 404", async () => {
    const merchant = await signUpMerchant();
    const shop = await connectShopifyAwaitingSecret(merchant.workspaceId);
    await merchant.client.get('/app/settings/stores');
    const empty = await merchant.client.post(`/app/settings/stores/${shop.id}/secret`, { secret: '  ' });
    expect(empty.status).toBe(400);
    expect(await empty.text()).toContain('Paste the signing secret');
    const short = await merchant.client.post(`/app/settings/stores/${shop.id}/secret`, { secret: 'abc' });
    expect(short.status).toBe(400);
    expect(await short.text()).toContain('at least 8 characters');
    expect(await env.DB.prepare('SELECT secret_ciphertext FROM store_connections WHERE id = ?').bind(shop.id).first('secret_ciphertext')).toBe('');

    const other = await signUpMerchant();
    await other.client.get('/app/settings/stores');
    expect((await other.client.post(`/app/settings/stores/${shop.id}/secret`, { secret: 'a-secret-of-theirs' })).status).toBe(404);
    expect(await env.DB.prepare('SELECT secret_ciphertext FROM store_connections WHERE id = ?').bind(shop.id).first('secret_ciphertext')).toBe('');
  });

  it('disconnects a store: its webhooks are refused from then on', async () => {
    const merchant = await signUpMerchant();
    const connection = await connectStore(merchant.workspaceId, 'custom');
    await merchant.client.get('/app/settings/stores');
    expect((await merchant.client.post(`/app/settings/stores/${connection.id}/delete`)).status).toBe(303);
    expect(await env.DB.prepare('SELECT count(*) AS n FROM store_connections WHERE id = ?').bind(connection.id).first('n')).toBe(0);
  });

  it('re-enqueues events left queued (a lost queue send) from the cron tick', async () => {
    const merchant = await signUpMerchant();
    const connection = await connectStore(merchant.workspaceId, 'custom');
    const eventId = 'stale-event-1';
    const payload = JSON.stringify([
      {
        kind: 'customer',
        person: { email: 'late@example.com', phone: null, firstName: null, lastName: null, externalId: null, registered: false },
        emailConsent: null,
        smsConsent: null,
        tags: [],
        updatedAt: null,
      },
    ]);
    await env.DB.prepare("INSERT INTO inbound_events (id, workspace_id, connection_id, topic, dedupe_key, status, payload, received_at) VALUES (?, ?, ?, 'customer.upserted', ?, 'queued', ?, ?)")
      .bind(eventId, merchant.workspaceId, connection.id, eventId, payload, Date.now() - 3_600_000)
      .run();
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ scheduledTime: Date.now(), cron: '* * * * *' }), env, ctx);
    await waitOnExecutionContext(ctx);
    await expect.poll(() => env.DB.prepare('SELECT status FROM inbound_events WHERE id = ?').bind(eventId).first('status'), { timeout: 10_000 }).toBe('processed');
    expect(await env.DB.prepare('SELECT count(*) AS n FROM contacts WHERE workspace_id = ? AND email = ?').bind(merchant.workspaceId, 'late@example.com').first('n')).toBe(1);
  });
});
