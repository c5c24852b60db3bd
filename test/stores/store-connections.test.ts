import { createExecutionContext, createScheduledController, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import worker from '../../src/index';
import { signUpMerchant } from '../helpers/factories';
import { connectStore } from '../helpers/store-webhooks';

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

  it('requires the signing secret for Shopify, naming the field', async () => {
    const merchant = await signUpMerchant();
    await merchant.client.get('/app/settings/stores');
    const res = await merchant.client.post('/app/settings/stores', { platform: 'shopify', name: 'Shop', currency: 'USD', secret: '' });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('Paste the signing secret');
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
