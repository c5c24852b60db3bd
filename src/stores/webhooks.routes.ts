// Store webhooks: verify the signature on the raw bytes, read the payload, enqueue it,
// answer 202 (200 for a store's test notification). Deduplication happens in the events consumer; this path writes no D1.
import { Hono, type Context } from 'hono';
import { openDb } from '../db/client';
import type { StorePlatform } from '../db/schema';
import type { AppEnv } from '../env';
import { sha256Hex } from '../lib/crypto';
import { AppError, invalidField, type FieldIssue } from '../lib/errors';
import { enqueue } from '../queues/enqueue';
import { storeEventMessage } from '../queues/messages';
import type { AdapterResult, WebhookContext } from './adapters/adapter';
import { mapCustomEvent, readCustomEnvelope } from './adapters/custom';
import { fitStoreEvents } from './adapters/event-limits';
import { mapShopifyWebhook } from './adapters/shopify';
import { mapWooCommerceWebhook } from './adapters/woocommerce';
import { forWorkspace } from '../db/tenant';
import { storeInboundEvent } from './inbound-events';
import { EDGE_REJECTION_REASONS, type EdgeRejection, recordEdgeRejection } from './store-deliveries';
import { parseJsonKeepingBigIds } from './payload-values';
import { loadWebhookConnection, type WebhookConnection } from './store-connections.service';
import { verifyBase64BodySignature, verifyTimestampedSignature } from './webhook-signatures';

async function connectionFor(c: Context<AppEnv>, platform: StorePlatform): Promise<WebhookConnection & { key: CryptoKey }> {
  const connection = await loadWebhookConnection(openDb(c.env.DB), c.env.ENCRYPTION_KEY, c.req.param('connectionId') ?? '');
  // The same answer for an unknown id and another platform's id: ids reveal nothing.
  if (!connection || connection.platform !== platform) throw new AppError('not_found', 'No store connection at this address.');
  // Shopify sends before the merchant has pasted the secret it shows: nothing can be verified yet.
  if (!connection.key) return refuseDelivery(c, connection, 'no_secret');
  return { ...connection, key: connection.key };
}

// Where a platform names the topic outside the body (the generic format names it inside, signed).
const TOPIC_HEADERS: Record<StorePlatform, string | null> = { shopify: 'X-Shopify-Topic', woocommerce: 'X-WC-Webhook-Topic', custom: null };

/** Answers 401 with the reason, after recording it in the connection's deliveries log for the merchant. */
async function refuseDelivery(c: Context<AppEnv>, connection: WebhookConnection, rejection: EdgeRejection): Promise<never> {
  const header = TOPIC_HEADERS[connection.platform];
  const topic = (header ? c.req.header(header) : undefined)?.slice(0, MAX_TOPIC_LENGTH) ?? '';
  try {
    await recordEdgeRejection(forWorkspace(openDb(c.env.DB), connection.workspaceId), connection.id, rejection, topic);
  } catch (err) {
    // The store is answered all the same; it will retry, and the next refusal may be recorded.
    console.error(JSON.stringify({ level: 'error', requestId: c.get('requestId'), path: c.req.path, error: `recording a refused delivery failed: ${String(err)}` }));
  }
  throw new AppError('unauthorized', EDGE_REJECTION_REASONS[rejection]);
}

/** The body as signed (bytes) and as text, decoded once. */
async function readBody(c: Context<AppEnv>): Promise<{ bytes: ArrayBuffer; text: string }> {
  const bytes = await c.req.arrayBuffer();
  return { bytes, text: new TextDecoder().decode(bytes) };
}

function parseBody(text: string): unknown {
  try {
    return parseJsonKeepingBigIds(text);
  } catch {
    throw new AppError('invalid_input', 'The body is not valid JSON.');
  }
}

// Queue messages are limited to 128 KB; larger event lists are stored in D1 instead.
const MAX_INLINE_MESSAGE_BYTES = 100_000;

/** What a verified webhook means: events (null for a topic we do not use), or a store's test notification. */
type Received = { test: false; mapped: AdapterResult } | { test: true };

/**
 * Enqueues the verified webhook and answers 202 (any 2xx stops a store's retries); a test
 * notification is answered 200, which WooCommerce's ping requires. The hot path writes
 * nothing to D1: the consumer dedupes. Only when the events are too large for a message,
 * or the send fails, are they stored here first.
 */
async function accept(c: Context<AppEnv>, connection: WebhookConnection, topic: string, dedupeKey: string, received: Received) {
  const mapped = received.test ? null : received.mapped;
  const { events, adjusted } = mapped === null ? { events: null, adjusted: [] } : fitStoreEvents(mapped);
  // Text cut to the limits is kept (refusing would lose the order) and said: in the log, and to the sender.
  if (adjusted.length) logAdjusted(c, connection, dedupeKey, adjusted);
  const webhook = { workspaceId: connection.workspaceId, connectionId: connection.id, topic, dedupeKey, receivedAt: Date.now(), events, ...(received.test ? { test: true } : {}) };
  const status = received.test ? 'test' : events === null ? 'ignored' : 'queued';
  const answer = adjusted.length ? { status, adjusted } : { status };
  const httpStatus = received.test ? 200 : 202;
  const message = storeEventMessage(webhook);
  if (new TextEncoder().encode(JSON.stringify(message)).byteLength <= MAX_INLINE_MESSAGE_BYTES) {
    try {
      await enqueue(c.env, [message]);
      return c.json(answer, httpStatus);
    } catch (err) {
      logEnqueueFailure(c, err);
    }
  }
  const storedEventId = await storeInboundEvent(openDb(c.env.DB), webhook);
  if (storedEventId && events !== null) {
    try {
      await enqueue(c.env, [storeEventMessage({ ...webhook, events: null, storedEventId })]);
    } catch (err) {
      // Stored as queued: the cron sweep enqueues it again, so it is not lost.
      logEnqueueFailure(c, err);
    }
  }
  return c.json(answer, httpStatus);
}

function logEnqueueFailure(c: Context<AppEnv>, err: unknown) {
  console.error(JSON.stringify({ level: 'error', requestId: c.get('requestId'), path: c.req.path, error: `events queue send failed: ${String(err)}` }));
}

function logAdjusted(c: Context<AppEnv>, connection: WebhookConnection, dedupeKey: string, adjusted: FieldIssue[]) {
  console.warn(JSON.stringify({ level: 'warn', requestId: c.get('requestId'), path: c.req.path, workspaceId: connection.workspaceId, dedupeKey, adjusted }));
}

// Headers that name the topic and the delivery; both are stored, so both are bounded.
const MAX_TOPIC_LENGTH = 100;
const MAX_DEDUPE_KEY_LENGTH = 200;

/** A required header of at most `max` characters; 400 naming it otherwise. */
function boundedHeader(c: Context<AppEnv>, name: string, max: number): string {
  const value = c.req.header(name);
  if (!value) throw invalidField(name, 'Required', `Missing the ${name} header.`);
  if (value.length > max) throw invalidField(name, `Use at most ${max} characters`, `The ${name} header is longer than ${max} characters.`);
  return value;
}

/** The delivery id header when the platform sent one (bounded), else a hash of the body. */
async function dedupeKeyOf(c: Context<AppEnv>, names: string[], text: string): Promise<string> {
  const name = names.find((header) => c.req.header(header));
  return name ? boundedHeader(c, name, MAX_DEDUPE_KEY_LENGTH) : `sha256:${await sha256Hex(text)}`;
}

function contextOf(connection: WebhookConnection, topic: string, shopDomain: string | null): WebhookContext {
  return { topic, currency: connection.currency, shopDomain, receivedAt: Date.now() };
}

/** Shopify's test notifications ("Send test notification", test orders) carry `"test": true`. */
function isShopifyTest(body: unknown): boolean {
  return typeof body === 'object' && body !== null && (body as { test?: unknown }).test === true;
}

// WooCommerce pings a new webhook with an unsigned form body `webhook_id=<its id>` and no
// topic header, and keeps the webhook only when the answer is exactly 200.
const WOOCOMMERCE_PING = /^webhook_id=(\d{1,20})$/;

export const webhookRoutes = new Hono<AppEnv>()
  .post('/shopify/:connectionId', async (c) => {
    const connection = await connectionFor(c, 'shopify');
    const body = await readBody(c);
    if (!(await verifyBase64BodySignature(connection.key, body.bytes, c.req.header('x-shopify-hmac-sha256')))) await refuseDelivery(c, connection, 'bad_signature');
    const topic = boundedHeader(c, 'X-Shopify-Topic', MAX_TOPIC_LENGTH);
    const dedupeKey = await dedupeKeyOf(c, ['X-Shopify-Webhook-Id', 'X-Shopify-Event-Id'], body.text);
    const payload = parseBody(body.text);
    // Read before the payload is: a sample payload need not match what we map.
    if (isShopifyTest(payload)) return accept(c, connection, topic, dedupeKey, { test: true });
    const mapped = mapShopifyWebhook(contextOf(connection, topic, c.req.header('x-shopify-shop-domain') ?? null), payload);
    return accept(c, connection, topic, dedupeKey, { test: false, mapped });
  })

  .post('/woocommerce/:connectionId', async (c) => {
    const connection = await connectionFor(c, 'woocommerce');
    const body = await readBody(c);
    // WooCommerce pings a new webhook with an unsigned `webhook_id=N` form body and expects 200.
    // Unsigned, so it proves only that the URL reaches this connection; it applies nothing.
    const ping = c.req.header('x-wc-webhook-topic') ? null : WOOCOMMERCE_PING.exec(body.text.trim());
    if (ping) return accept(c, connection, 'ping', `woocommerce-ping:${ping[1]}`, { test: true });
    if (!(await verifyBase64BodySignature(connection.key, body.bytes, c.req.header('x-wc-webhook-signature')))) await refuseDelivery(c, connection, 'bad_signature');
    const topic = boundedHeader(c, 'X-WC-Webhook-Topic', MAX_TOPIC_LENGTH);
    const dedupeKey = await dedupeKeyOf(c, ['X-WC-Webhook-Delivery-Id'], body.text);
    const mapped = mapWooCommerceWebhook(contextOf(connection, topic, null), parseBody(body.text));
    return accept(c, connection, topic, dedupeKey, { test: false, mapped });
  })

  .post('/events/:connectionId', async (c) => {
    const connection = await connectionFor(c, 'custom');
    const body = await readBody(c);
    const verdict = await verifyTimestampedSignature(connection.key, body.bytes, c.req.header('x-signature'), Date.now());
    if (verdict !== 'valid') await refuseDelivery(c, connection, verdict === 'stale' ? 'stale_signature' : 'bad_signature');
    const envelope = readCustomEnvelope(parseBody(body.text));
    return accept(c, connection, envelope.type, envelope.id, { test: false, mapped: mapCustomEvent(envelope) });
  });
