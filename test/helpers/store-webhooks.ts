// Sending store webhooks the way Shopify, WooCommerce and generic senders do:
// the raw bytes as the platform wrote them, signed over exactly those bytes.
import { env, exports } from 'cloudflare:workers';
import { expect } from 'vitest';
import { openDb } from '../../src/db/client';
import type { InboundEventStatus, StorePlatform } from '../../src/db/schema';
import { forWorkspace } from '../../src/db/tenant';
import { toHex } from '../../src/lib/encoding';
import { createStoreConnection } from '../../src/stores/store-connections.service';
import { signBase64 } from '../../src/stores/webhook-signatures';
import { ORIGIN } from './browser-client';

/** A connection with the secret the store signs with. */
export type TestConnection = { id: string; workspaceId: string; secret: string };

let webhookCounter = 0;

/** A unique delivery id, as platforms send per delivery. */
export function deliveryId(): string {
  webhookCounter += 1;
  return `delivery-${Date.now()}-${webhookCounter}`;
}

/** Creates a connection for a workspace with a known secret. */
export async function connectStore(workspaceId: string, platform: StorePlatform, currency = 'USD'): Promise<TestConnection> {
  const secret = `test-secret-${platform}-${workspaceId}`;
  const connection = await createStoreConnection(forWorkspace(openDb(env.DB), workspaceId), env.ENCRYPTION_KEY, { platform, name: `Test ${platform}`, currency, secret });
  return { id: connection.id, workspaceId, secret };
}

// What each sent webhook was, so waitForProcessed can find it by its dedupe key.
const sent = new WeakMap<Response, { connectionId: string; dedupeKey: string }>();

async function post(connection: TestConnection, path: string, body: string, headers: Record<string, string>, dedupeKey: string): Promise<Response> {
  const res = await exports.default.fetch(new Request(`${ORIGIN}${path}`, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } }));
  sent.set(res, { connectionId: connection.id, dedupeKey });
  return res;
}

/** POSTs a Shopify webhook signed with X-Shopify-Hmac-Sha256. */
export async function sendShopify(connection: TestConnection, topic: string, body: string, options: { webhookId?: string; secret?: string } = {}) {
  const webhookId = options.webhookId ?? deliveryId();
  return post(
    connection,
    `/webhooks/shopify/${connection.id}`,
    body,
    {
      'X-Shopify-Topic': topic,
      'X-Shopify-Hmac-Sha256': await signBase64(options.secret ?? connection.secret, body),
      'X-Shopify-Shop-Domain': 'demo-shop.myshopify.com',
      'X-Shopify-API-Version': '2025-07',
      'X-Shopify-Webhook-Id': webhookId,
      'X-Shopify-Triggered-At': new Date().toISOString(),
    },
    webhookId,
  );
}

/** POSTs a WooCommerce webhook signed with X-WC-Webhook-Signature. */
export async function sendWooCommerce(connection: TestConnection, topic: string, body: string, options: { deliveryId?: string; secret?: string } = {}) {
  const [resource, event] = topic.split('.');
  const delivery = options.deliveryId ?? deliveryId();
  return post(
    connection,
    `/webhooks/woocommerce/${connection.id}`,
    body,
    {
      'X-WC-Webhook-Source': 'https://shop.example/',
      'X-WC-Webhook-Topic': topic,
      'X-WC-Webhook-Resource': resource!,
      'X-WC-Webhook-Event': event!,
      'X-WC-Webhook-Signature': await signBase64(options.secret ?? connection.secret, body),
      'X-WC-Webhook-ID': '12',
      'X-WC-Webhook-Delivery-ID': delivery,
    },
    delivery,
  );
}

/** The generic format's signature header: t=<seconds>,v1=<hex HMAC of "t.body">. */
export async function customSignature(secret: string, body: string, timestampSeconds = Math.floor(Date.now() / 1000)): Promise<string> {
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const mac = await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(`${timestampSeconds}.${body}`));
  return `t=${timestampSeconds},v1=${toHex(mac)}`;
}

/** POSTs a generic event body as it is, with a given signature header (or a fresh valid one). */
export async function sendCustomBody(connection: TestConnection, body: string, signature?: string) {
  const { id } = JSON.parse(body) as { id: string };
  return post(connection, `/webhooks/events/${connection.id}`, body, { 'X-Signature': signature ?? (await customSignature(connection.secret, body)) }, id);
}

/** POSTs a generic event, signed now. */
export async function sendCustomEvent(connection: TestConnection, event: { id?: string; type: string; occurredAt?: string; data: unknown }) {
  return sendCustomBody(connection, JSON.stringify({ id: event.id ?? deliveryId(), occurredAt: event.occurredAt ?? new Date().toISOString(), ...event }));
}

function inboundEvent(res: Response) {
  const { connectionId, dedupeKey } = sent.get(res)!;
  return env.DB.prepare('SELECT id, status, deliveries FROM inbound_events WHERE connection_id = ? AND dedupe_key = ?')
    .bind(connectionId, dedupeKey)
    .first<{ id: string; status: string; deliveries: number }>();
}

/** Waits until the events consumer has recorded a webhook with this status (the real queue delivers it). */
export async function waitForStatus(res: Response, status: InboundEventStatus): Promise<string> {
  // A test notification is answered 200 (WooCommerce's ping requires it); everything else 202.
  expect(res.status, await res.clone().text()).toBe(status === 'test' ? 200 : 202);
  await expect.poll(async () => (await inboundEvent(res))?.status, { timeout: 10_000, interval: 50 }).toBe(status);
  return (await inboundEvent(res))!.id;
}

/** Waits until the events consumer has applied a webhook. */
export function waitForProcessed(res: Response): Promise<string> {
  return waitForStatus(res, 'processed');
}

/** Waits until the consumer has seen this webhook `count` times (redeliveries are counted, not applied). */
export async function waitForDeliveries(res: Response, count: number): Promise<void> {
  expect(res.status).toBe(202);
  await expect.poll(async () => (await inboundEvent(res))?.deliveries, { timeout: 10_000, interval: 50 }).toBe(count);
}
