// Store connections: a store's webhook endpoint in a workspace. The connection id
// is in the URL and names the workspace; its secret (encrypted at rest) verifies
// every delivery. A Shopify connection is created before its secret exists (Shopify
// shows it only once a webhook points at the URL) and refuses deliveries until it is set.
import { desc, eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { storeConnections, type StorePlatform } from '../db/schema';
import type { Tenant } from '../db/tenant';
import { decryptSecret, encryptSecret, randomToken } from '../lib/crypto';
import { notFound } from '../lib/errors';
import { newId } from '../lib/ids';
import { MINUTE } from '../lib/time';
import type { CreateStoreConnectionInput, StoreConnectionSecretInput } from './store-connections.schemas';
import { importWebhookKey } from './webhook-signatures';

const WEBHOOK_PATHS: Record<StorePlatform, string> = { shopify: 'shopify', woocommerce: 'woocommerce', custom: 'events' };

/** The path (under the public URL) a store posts a connection's webhooks to. */
export function webhookPath(connection: { id: string; platform: StorePlatform }): `/${string}` {
  return `/webhooks/${WEBHOOK_PATHS[connection.platform]}/${connection.id}`;
}

/** A connection as the dashboard lists it (the secret only when asked for). */
export type StoreConnectionView = {
  id: string;
  platform: StorePlatform;
  name: string;
  currency: string;
  createdAt: number;
  lastEventAt: number | null;
  // True until the merchant pastes the secret Shopify shows; deliveries are refused until then.
  awaitingSecret: boolean;
  // The last test notification received: proof the store reaches us (and, but for WooCommerce's unsigned ping, signs with the right secret).
  lastTestAt: number | null;
};

// A connection waiting for its secret keeps '' as ciphertext (the column predates the wait).
const NO_SECRET = '';

const viewColumns = {
  id: storeConnections.id,
  platform: storeConnections.platform,
  name: storeConnections.name,
  currency: storeConnections.currency,
  createdAt: storeConnections.createdAt,
  lastEventAt: storeConnections.lastEventAt,
  awaitingSecret: sql<boolean>`${storeConnections.secretCiphertext} = ${NO_SECRET}`.mapWith(Boolean),
  lastTestAt: storeConnections.lastTestAt,
};

/**
 * Creates a connection. Shopify signs with a secret only it shows (after the first webhook
 * exists), so without one given the connection waits for it; for the others we generate one.
 */
export async function createStoreConnection(tenant: Tenant, encryptionKey: string, input: CreateStoreConnectionInput, now = Date.now()): Promise<StoreConnectionView> {
  const secret = input.secret ?? (input.platform === 'shopify' ? null : `whsec_${randomToken(24)}`);
  const connection: StoreConnectionView = {
    id: newId(now),
    platform: input.platform,
    name: input.name,
    currency: input.currency,
    createdAt: now,
    lastEventAt: null,
    lastTestAt: null,
    awaitingSecret: secret === null,
  };
  const { awaitingSecret: _, ...row } = connection;
  await tenant.db.insert(storeConnections).values(tenant.row({ ...row, secretCiphertext: secret === null ? NO_SECRET : await encryptSecret(encryptionKey, secret) }));
  return connection;
}

/** The workspace's connections, newest first. */
export async function listStoreConnections(tenant: Tenant): Promise<StoreConnectionView[]> {
  return tenant.db.select(viewColumns).from(storeConnections).where(tenant.where(storeConnections)).orderBy(desc(storeConnections.createdAt));
}

/** One connection of the workspace (404 for another workspace's id). */
export async function getStoreConnection(tenant: Tenant, id: string): Promise<StoreConnectionView> {
  const [row] = await tenant.db
    .select(viewColumns)
    .from(storeConnections)
    .where(tenant.where(storeConnections, eq(storeConnections.id, id)))
    .limit(1);
  if (!row) throw notFound('Store connection');
  return row;
}

/** The signing secret of one connection, for the owner to paste into their store (null while it waits for Shopify's). */
export async function revealStoreConnectionSecret(tenant: Tenant, encryptionKey: string, id: string): Promise<string | null> {
  const [row] = await tenant.db
    .select({ secretCiphertext: storeConnections.secretCiphertext })
    .from(storeConnections)
    .where(tenant.where(storeConnections, eq(storeConnections.id, id)))
    .limit(1);
  if (!row) throw notFound('Store connection');
  return row.secretCiphertext === NO_SECRET ? null : decryptSecret(encryptionKey, row.secretCiphertext);
}

/** Sets (or replaces) the secret the store signs with; deliveries verify against it at once in this isolate, within a minute in others. */
export async function setStoreConnectionSecret(tenant: Tenant, encryptionKey: string, id: string, input: StoreConnectionSecretInput): Promise<void> {
  const [row] = await tenant.db
    .update(storeConnections)
    .set({ secretCiphertext: await encryptSecret(encryptionKey, input.secret) })
    .where(tenant.where(storeConnections, eq(storeConnections.id, id)))
    .returning({ id: storeConnections.id });
  if (!row) throw notFound('Store connection');
  webhookConnectionCache.delete(id);
}

/** Deletes a connection; its webhooks stop being accepted at once. */
export async function deleteStoreConnection(tenant: Tenant, id: string): Promise<void> {
  const [row] = await tenant.db
    .delete(storeConnections)
    .where(tenant.where(storeConnections, eq(storeConnections.id, id)))
    .returning({ id: storeConnections.id });
  if (!row) throw notFound('Store connection');
  webhookConnectionCache.delete(id);
}

/** What the webhook edge needs to verify and route a delivery (`key` null: no secret yet). */
export type WebhookConnection = { id: string; workspaceId: string; platform: StorePlatform; currency: string; key: CryptoKey | null };

// Per-isolate cache: a webhook burst costs one D1 read and one key import per
// connection per minute, not per request. A deleted connection is refused at once
// in this isolate and within CACHE_TTL in others.
const CACHE_TTL = MINUTE;
// Unknown ids are cached too (a burst of bad URLs stays off D1), so the cache is bounded.
const CACHE_MAX_ENTRIES = 5000;
const webhookConnectionCache = new Map<string, { connection: WebhookConnection | null; expiresAt: number }>();

/** Loads a connection for the webhook edge (no tenant yet: the connection names it). */
export async function loadWebhookConnection(db: Db, encryptionKey: string, id: string, now = Date.now()): Promise<WebhookConnection | null> {
  const cached = webhookConnectionCache.get(id);
  if (cached && cached.expiresAt > now) return cached.connection;
  const [row] = await db
    .select({
      id: storeConnections.id,
      workspaceId: storeConnections.workspaceId,
      platform: storeConnections.platform,
      currency: storeConnections.currency,
      secretCiphertext: storeConnections.secretCiphertext,
    })
    .from(storeConnections)
    .where(eq(storeConnections.id, id))
    .limit(1);
  const connection = row
    ? {
        id: row.id,
        workspaceId: row.workspaceId,
        platform: row.platform,
        currency: row.currency,
        key: row.secretCiphertext === NO_SECRET ? null : await importWebhookKey(await decryptSecret(encryptionKey, row.secretCiphertext)),
      }
    : null;
  if (webhookConnectionCache.size >= CACHE_MAX_ENTRIES) webhookConnectionCache.clear();
  webhookConnectionCache.set(id, { connection, expiresAt: now + CACHE_TTL });
  return connection;
}
