// API keys of a workspace. The full key is shown once at creation; D1 keeps its
// SHA-256 (for lookup) and a short prefix (so people can tell keys apart).
import { and, desc, eq, isNull } from 'drizzle-orm';
import type { Db } from '../db/client';
import { apiKeys, type MembershipRole } from '../db/schema';
import type { Tenant } from '../db/tenant';
import { randomToken, sha256Hex } from '../lib/crypto';
import { invalidField, notFound } from '../lib/errors';
import { newId } from '../lib/ids';
import { MINUTE } from '../lib/time';
import { API_KEY_MAX_ROLE, grantableRoles, roleIsAtMost } from '../workspaces/roles';
import type { CreateApiKeyInput } from './api-keys.schemas';

const KEY_PREFIX = 'mk_';
const DISPLAY_PREFIX_LENGTH = KEY_PREFIX.length + 8;
// Last-used times are only this precise, so a busy key does not write D1 on every call.
const LAST_USED_PRECISION = MINUTE;

/** An API key as listed: never the key itself. */
export type ApiKeyView = {
  id: string;
  name: string;
  prefix: string;
  role: MembershipRole;
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
};

const viewColumns = {
  id: apiKeys.id,
  name: apiKeys.name,
  prefix: apiKeys.prefix,
  role: apiKeys.role,
  createdAt: apiKeys.createdAt,
  lastUsedAt: apiKeys.lastUsedAt,
  revokedAt: apiKeys.revokedAt,
};

/** The roles a member of `creatorRole` may give a key: never above their own, never above admin. */
export function apiKeyRolesFor(creatorRole: MembershipRole): MembershipRole[] {
  return grantableRoles(creatorRole).filter((role) => roleIsAtMost(role, API_KEY_MAX_ROLE));
}

/** Creates a key; the returned `key` is the only time it exists in clear. */
export async function createApiKey(tenant: Tenant, input: CreateApiKeyInput, creator: { userId: string; role: MembershipRole }, now = Date.now()): Promise<{ key: string; apiKey: ApiKeyView }> {
  if (!apiKeyRolesFor(creator.role).includes(input.role)) throw invalidField('role', `A key can be ${apiKeyRolesFor(creator.role).join(', ')}`);
  const key = KEY_PREFIX + randomToken(32);
  const apiKey: ApiKeyView = {
    id: newId(now),
    name: input.name,
    prefix: key.slice(0, DISPLAY_PREFIX_LENGTH),
    role: input.role,
    createdAt: now,
    lastUsedAt: null,
    revokedAt: null,
  };
  await tenant.db.insert(apiKeys).values(tenant.row({ ...apiKey, keyHash: await sha256Hex(key), createdByUserId: creator.userId }));
  return { key, apiKey };
}

/** The workspace's keys, newest first, revoked ones included (they show when). */
export async function listApiKeys(tenant: Tenant): Promise<ApiKeyView[]> {
  return tenant.db.select(viewColumns).from(apiKeys).where(tenant.where(apiKeys)).orderBy(desc(apiKeys.createdAt));
}

/** Revokes a key of this workspace; 404 for any other id. Revoking twice is harmless. */
export async function revokeApiKey(tenant: Tenant, id: string, now = Date.now()): Promise<void> {
  const [row] = await tenant.db
    .update(apiKeys)
    .set({ revokedAt: now })
    .where(tenant.where(apiKeys, eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
    .returning({ id: apiKeys.id });
  if (row) return;
  const [existing] = await tenant.db
    .select({ id: apiKeys.id })
    .from(apiKeys)
    .where(tenant.where(apiKeys, eq(apiKeys.id, id)))
    .limit(1);
  if (!existing) throw notFound('API key');
}

/** The workspace and role of a live key, or null. `touch` is the deferred last-used write, if one is due. */
export async function authenticateApiKey(db: Db, key: string, now = Date.now()): Promise<{ workspaceId: string; role: MembershipRole; touch: (() => Promise<unknown>) | null } | null> {
  if (!key.startsWith(KEY_PREFIX)) return null;
  const [row] = await db
    .select({ id: apiKeys.id, workspaceId: apiKeys.workspaceId, role: apiKeys.role, lastUsedAt: apiKeys.lastUsedAt })
    .from(apiKeys)
    .where(and(eq(apiKeys.keyHash, await sha256Hex(key)), isNull(apiKeys.revokedAt)))
    .limit(1);
  if (!row) return null;
  const due = row.lastUsedAt === null || now - row.lastUsedAt >= LAST_USED_PRECISION;
  const touch = due ? () => db.update(apiKeys).set({ lastUsedAt: now }).where(eq(apiKeys.id, row.id)) : null;
  return { workspaceId: row.workspaceId, role: row.role, touch };
}
