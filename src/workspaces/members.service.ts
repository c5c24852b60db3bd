// Members of a workspace: listing them, changing their roles and removing them. A
// workspace always keeps an owner: the guard is part of each write, so two admins acting
// at once cannot both remove "the other" owner.
import { and, asc, eq, sql } from 'drizzle-orm';
import { memberships, users } from '../db/schema';
import type { Tenant } from '../db/tenant';
import { AppError, invalidField, notFound } from '../lib/errors';
import { grantableRoles, type Role, roleAllows } from './roles';

/** A member as the Members page lists them. */
export type MemberView = { userId: string; email: string; role: Role; joinedAt: number };

/** The workspace's members, oldest first. */
export async function listMembers(tenant: Tenant): Promise<MemberView[]> {
  return tenant.db
    .select({ userId: memberships.userId, email: users.email, role: memberships.role, joinedAt: memberships.createdAt })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(tenant.where(memberships))
    .orderBy(asc(memberships.createdAt), asc(users.email));
}

// True for a row that may change: not an owner, or an owner the actor may manage who is not the last one.
function ownerGuard(tenant: Tenant, actorRole: Role) {
  const mayTouchOwners = roleAllows(actorRole, 'owners:manage') ? 1 : 0;
  return sql`(${memberships.role} != 'owner' OR (${mayTouchOwners} = 1 AND (SELECT count(*) FROM ${memberships} AS others WHERE others.workspace_id = ${tenant.workspaceId} AND others.role = 'owner') > 1))`;
}

async function explainRefusal(tenant: Tenant, userId: string, actorRole: Role): Promise<never> {
  const [row] = await tenant.db
    .select({ role: memberships.role })
    .from(memberships)
    .where(tenant.where(memberships, eq(memberships.userId, userId)))
    .limit(1);
  if (!row) throw notFound('Member');
  if (!roleAllows(actorRole, 'owners:manage')) throw new AppError('forbidden', 'Only an owner can change or remove an owner.');
  throw new AppError('conflict', 'A workspace needs an owner: make someone else owner first.');
}

/** Gives a member another role, within what `actorRole` may grant; never leaves the workspace without an owner. */
export async function changeMemberRole(tenant: Tenant, actorRole: Role, userId: string, role: Role): Promise<void> {
  if (!grantableRoles(actorRole).includes(role)) throw invalidField('role', `You can give the roles ${grantableRoles(actorRole).join(', ')}`);
  // Promoting to owner never removes one, so only demotions need the last-owner guard.
  const guard = role === 'owner' ? sql`1 = 1` : ownerGuard(tenant, actorRole);
  const changed = await tenant.db
    .update(memberships)
    .set({ role })
    .where(tenant.where(memberships, eq(memberships.userId, userId), guard))
    .returning({ userId: memberships.userId });
  if (!changed.length) await explainRefusal(tenant, userId, actorRole);
}

/** Removes a member (their sessions in this workspace end with it); never the last owner. */
export async function removeMember(tenant: Tenant, actorRole: Role, userId: string): Promise<void> {
  const removed = await tenant.db
    .delete(memberships)
    .where(and(tenant.where(memberships, eq(memberships.userId, userId)), ownerGuard(tenant, actorRole)))
    .returning({ userId: memberships.userId });
  if (!removed.length) await explainRefusal(tenant, userId, actorRole);
}
