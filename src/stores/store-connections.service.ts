// Store connections: a store's webhook endpoint in a workspace. The connection id
// is in the URL and names the workspace; its secret (encrypted at rest) verifies
// every delivery.
import { desc, eq } from 'drizzle-orm';
import type { Db } from '../db/client';
import { storeConnections, type StorePlatform } from '../db/schema';
import type { Tenant } from '../db/tenant';
import { decryptSecret, encryptSecret, randomToken } from '../lib/crypto';
import { notFound } from '../lib/errors';
import { newId } from '../lib/ids';
import { MINUTE } from '../lib/time';
import type { CreateStoreConnectionInput } from './store-connections.schemas';
import { importWebhookKey } from './webhook-signatures';

/** A connection as the dashboard lists it (the secret only when asked for). */
export type StoreConnectionView = {
  id: string;
  platform: StorePlatform;
  name: string;
  currency: string;
  createdAt: number;
  lastEventAt: number | null;
  // The last test notification received: proof the store reaches us and signs with the right secret.
  lastTestAt: number | null;
};

const viewColumns = {
  id: storeConnections.id,
  platform: storeConnections.platform,
  name: storeConnections.name,
  currency: storeConnections.currency,
  createdAt: storeConnections.createdAt,
  lastEventAt: storeConnections.lastEventAt,
  lastTestAt: storeConnections.lastTestAt,
};

/** Creates a connection. Shopify signs with the app's secret, so the merchant supplies it; otherwise we generate one. */
export async function createStoreConnection(tenant: Tenant, encryptionKey: string, input: CreateStoreConnectionInput, now = Date.now()): Promise<StoreConnectionView> {
  const secret = input.secret ?? `whsec_${randomToken(24)}`;
  const connection: StoreConnectionView = { id: newId(now), platform: input.platform, name: input.name, currency: input.currency, createdAt: now, lastEventAt: null, lastTestAt: null };
  await tenant.db.insert(storeConnections).values(tenant.row({ ...connection, secretCiphertext: await encryptSecret(encryptionKey, secret) }));
  return connection;
}

/** The workspace's connections, newest first. */
export async function listStoreConnections(tenant: Tenant): Promise<StoreConnectionView[]> {
  return tenant.db.select(viewColumns).from(storeConnections).where(tenant.where(storeConnections)).orderBy(desc(storeConnections.createdAt));
}

/** The signing secret of one connection, for the owner to paste into their store. */
export async function revealStoreConnectionSecret(tenant: Tenant, encryptionKey: string, id: string): Promise<string> {
  const [row] = await tenant.db
    .select({ secretCiphertext: storeConnections.secretCiphertext })
    .from(storeConnections)
    .where(tenant.where(storeConnections, eq(storeConnections.id, id)))
    .limit(1);
  if (!row) throw notFound('Store connection');
  return decryptSecret(encryptionKey, row.secretCiphertext);
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

/** What the webhook edge needs to verify and route a delivery. */
export type WebhookConnection = { id: string; workspaceId: string; platform: StorePlatform; currency: string; key: CryptoKey };

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
    ? { id: row.id, workspaceId: row.workspaceId, platform: row.platform, currency: row.currency, key: await importWebhookKey(await decryptSecret(encryptionKey, row.secretCiphertext)) }
    : null;
  if (webhookConnectionCache.size >= CACHE_MAX_ENTRIES) webhookConnectionCache.clear();
  webhookConnectionCache.set(id, { connection, expiresAt: now + CACHE_TTL });
  return connection;
}
