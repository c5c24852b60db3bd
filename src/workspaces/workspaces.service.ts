// Workspaces: creating them, listing a user's, reading and changing their settings.
import { and, asc, eq } from 'drizzle-orm';
import type { Db } from '../db/client';
import { memberships, workspaceSettings, workspaces, type MembershipRole } from '../db/schema';
import type { Tenant } from '../db/tenant';
import { notFound } from '../lib/errors';
import { newId } from '../lib/ids';
import type { CreateWorkspaceInput, WorkspaceSettingsPatch } from './workspaces.schemas';

/** A workspace with its settings, as the API and Settings page show it. */
export type WorkspaceView = {
  id: string;
  name: string;
  timeZone: string;
  senderName: string | null;
  senderEmail: string | null;
  replyToEmail: string | null;
  postalAddress: string | null;
  // The store's public address, the `{{ shop.url }}` of designs. Only the setting today:
  // no store connection records its shop's domain, so there is nothing to fall back to.
  storeUrl: string | null;
  // Attribution windows (src/tracking/attribution.ts), stored in ms, set in whole hours.
  clickWindowHours: number;
  openWindowHours: number;
  // Flows skip a contact messaged within these hours (src/flows/flow-advance.ts); 0: off.
  smartSendingHours: number;
  createdAt: number;
};

const HOUR_MS = 3_600_000;

/** Statements creating a workspace, its settings row and its owner, for one batch. */
export function createWorkspaceStatements(db: Db, ownerId: string, input: CreateWorkspaceInput, now: number) {
  const workspaceId = newId(now);
  return {
    workspaceId,
    statements: [
      db.insert(workspaces).values({ id: workspaceId, name: input.name, timeZone: input.timeZone, createdAt: now, updatedAt: now }),
      db.insert(workspaceSettings).values({ workspaceId, updatedAt: now }),
      db.insert(memberships).values({ workspaceId, userId: ownerId, role: 'owner', createdAt: now }),
    ] as const,
  };
}

/** Creates another workspace owned by `userId`; returns its id. */
export async function createWorkspace(db: Db, userId: string, input: CreateWorkspaceInput, now = Date.now()): Promise<string> {
  const { workspaceId, statements } = createWorkspaceStatements(db, userId, input, now);
  await db.batch(statements);
  return workspaceId;
}

/** The workspaces a user belongs to, oldest first, with the user's role in each. */
export async function listUserWorkspaces(db: Db, userId: string): Promise<{ id: string; name: string; role: MembershipRole }[]> {
  return db
    .select({ id: workspaces.id, name: workspaces.name, role: memberships.role })
    .from(memberships)
    .innerJoin(workspaces, eq(workspaces.id, memberships.workspaceId))
    .where(eq(memberships.userId, userId))
    .orderBy(asc(memberships.createdAt), asc(workspaces.id));
}

/** The user's role in a workspace; 404 when the user is not a member (never 403: it must not reveal existence). */
export async function getMembershipRole(db: Db, userId: string, workspaceId: string): Promise<MembershipRole> {
  const [row] = await db
    .select({ role: memberships.role })
    .from(memberships)
    .where(and(eq(memberships.userId, userId), eq(memberships.workspaceId, workspaceId)))
    .limit(1);
  if (!row) throw notFound('Workspace');
  return row.role;
}

/** The tenant's workspace with its settings. */
export async function getWorkspace(tenant: Tenant): Promise<WorkspaceView> {
  const [row] = await tenant.db
    .select({
      id: workspaces.id,
      name: workspaces.name,
      timeZone: workspaces.timeZone,
      senderName: workspaces.senderName,
      senderEmail: workspaces.senderEmail,
      replyToEmail: workspaceSettings.replyToEmail,
      postalAddress: workspaceSettings.postalAddress,
      storeUrl: workspaceSettings.storeUrl,
      clickWindowMs: workspaceSettings.clickWindowMs,
      openWindowMs: workspaceSettings.openWindowMs,
      smartSendingHours: workspaceSettings.smartSendingHours,
      createdAt: workspaces.createdAt,
    })
    .from(workspaces)
    .innerJoin(workspaceSettings, eq(workspaceSettings.workspaceId, workspaces.id))
    .where(eq(workspaces.id, tenant.workspaceId))
    .limit(1);
  if (!row) throw notFound('Workspace');
  const { clickWindowMs, openWindowMs, ...view } = row;
  return { ...view, clickWindowHours: clickWindowMs / HOUR_MS, openWindowHours: openWindowMs / HOUR_MS };
}

/** Changes the fields given, in one batch, and returns the result. */
export async function updateWorkspace(tenant: Tenant, patch: WorkspaceSettingsPatch, now = Date.now()): Promise<WorkspaceView> {
  const { name, timeZone, senderName, senderEmail, replyToEmail, postalAddress, storeUrl, clickWindowHours, openWindowHours, smartSendingHours } = patch;
  const identity = { name, timeZone, senderName, senderEmail };
  const inMs = (hours: number | undefined) => (hours === undefined ? undefined : hours * HOUR_MS);
  const settings = { replyToEmail, postalAddress, storeUrl, clickWindowMs: inMs(clickWindowHours), openWindowMs: inMs(openWindowHours), smartSendingHours };
  await tenant.db.batch([
    tenant.db
      .update(workspaces)
      .set({ ...defined(identity), updatedAt: now })
      .where(eq(workspaces.id, tenant.workspaceId)),
    tenant.db
      .update(workspaceSettings)
      .set({ ...defined(settings), updatedAt: now })
      .where(tenant.where(workspaceSettings)),
  ]);
  return getWorkspace(tenant);
}

function defined<T extends Record<string, unknown>>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as Partial<T>;
}
