// Invitations by email: an owner or admin invites an address with a role; the link holds
// a random token (D1 keeps only its SHA-256), expires after INVITATION_TTL and works once.
// Accepting joins the workspace as the user whose address was invited (signing up first
// when the address has no account: following the link proves the address).
import { and, desc, eq, gt, isNull, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { invitations, memberships, users, workspaces } from '../db/schema';
import type { Tenant } from '../db/tenant';
import { randomToken, sha256Hex, hashPassword } from '../lib/crypto';
import { AppError, invalidField, notFound } from '../lib/errors';
import { newId } from '../lib/ids';
import { DAY } from '../lib/time';
import { grantableRoles, type Role } from './roles';

export const INVITATION_TTL = 7 * DAY;

/** A pending invitation as the Members page lists it: never the token. */
export type InvitationView = { id: string; email: string; role: Role; createdAt: number; expiresAt: number };

/** What the invitation link shows before it is accepted. */
export type InvitationOffer = { email: string; role: Role; workspaceId: string; workspaceName: string; hasAccount: boolean };

const pending = (now: number) => and(isNull(invitations.acceptedAt), isNull(invitations.revokedAt), gt(invitations.expiresAt, now));

/**
 * Invites `email` with `role` (at most what `actor.role` may grant); a pending invitation of
 * the same address is replaced. Returns the token for the link, the only time it exists in clear.
 */
export async function createInvitation(
  tenant: Tenant,
  actor: { userId: string; role: Role },
  input: { email: string; role: Role },
  now = Date.now(),
): Promise<{ token: string; invitation: InvitationView }> {
  if (!grantableRoles(actor.role).includes(input.role)) throw invalidField('role', `You can invite as ${grantableRoles(actor.role).join(', ')}`);
  const [member] = await tenant.db
    .select({ userId: memberships.userId })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(tenant.where(memberships, eq(users.email, input.email)))
    .limit(1);
  if (member) throw invalidField('email', 'This address already belongs to a member');
  const token = randomToken(32);
  const invitation: InvitationView = { id: newId(now), email: input.email, role: input.role, createdAt: now, expiresAt: now + INVITATION_TTL };
  await tenant.db.batch([
    tenant.db
      .update(invitations)
      .set({ revokedAt: now })
      .where(tenant.where(invitations, eq(invitations.email, input.email), pending(now))),
    tenant.db.insert(invitations).values(tenant.row({ ...invitation, tokenHash: await sha256Hex(token), invitedByUserId: actor.userId })),
  ]);
  return { token, invitation };
}

/** The workspace's invitations still waiting for an answer, newest first. */
export async function listPendingInvitations(tenant: Tenant, now = Date.now()): Promise<InvitationView[]> {
  return tenant.db
    .select({ id: invitations.id, email: invitations.email, role: invitations.role, createdAt: invitations.createdAt, expiresAt: invitations.expiresAt })
    .from(invitations)
    .where(tenant.where(invitations, pending(now)))
    .orderBy(desc(invitations.createdAt));
}

/** Revokes an invitation of this workspace (its link stops working); 404 for any other id. */
export async function revokeInvitation(tenant: Tenant, id: string, now = Date.now()): Promise<void> {
  const [row] = await tenant.db
    .update(invitations)
    .set({ revokedAt: now })
    .where(tenant.where(invitations, eq(invitations.id, id), isNull(invitations.acceptedAt)))
    .returning({ id: invitations.id });
  if (!row) throw notFound('Invitation');
}

/** What a live invitation link offers; 404 alike for unknown, used, revoked and expired links. */
export async function findInvitation(db: Db, token: string, now = Date.now()): Promise<InvitationOffer> {
  const [row] = await db
    .select({ email: invitations.email, role: invitations.role, workspaceId: invitations.workspaceId, workspaceName: workspaces.name, userId: users.id })
    .from(invitations)
    .innerJoin(workspaces, eq(workspaces.id, invitations.workspaceId))
    .leftJoin(users, eq(users.email, invitations.email))
    .where(and(eq(invitations.tokenHash, await sha256Hex(token)), pending(now)))
    .limit(1);
  if (!row) throw new AppError('not_found', 'This invitation link is not valid: it may have expired, been used or been revoked. Ask for a new one.');
  return { email: row.email, role: row.role, workspaceId: row.workspaceId, workspaceName: row.workspaceName, hasAccount: row.userId !== null };
}

// Uses the link (once), creates the user when asked and adds the membership, in one batch;
// every write after the first is conditional on the link having just been spent here.
async function spendInvitation(db: Db, token: string, user: { userId: string; newPasswordHash?: string }, now: number): Promise<string> {
  const tokenHash = await sha256Hex(token);
  const spentHere = and(eq(invitations.tokenHash, tokenHash), eq(invitations.acceptedAt, now));
  const createUser = user.newPasswordHash
    ? [
        db.insert(users).select(
          db
            .select({
              id: sql<string>`${user.userId}`.as('id'),
              email: invitations.email,
              name: sql<null>`NULL`.as('name'),
              passwordHash: sql<string>`${user.newPasswordHash}`.as('password_hash'),
              emailVerifiedAt: sql<number>`${now}`.as('email_verified_at'),
              createdAt: sql<number>`${now}`.as('created_at'),
            })
            .from(invitations)
            .where(spentHere),
        ),
      ]
    : [];
  const [spent] = await db.batch([
    db
      .update(invitations)
      .set({ acceptedAt: now })
      .where(and(eq(invitations.tokenHash, tokenHash), pending(now)))
      .returning({ workspaceId: invitations.workspaceId }),
    ...createUser,
    // A user who joined meanwhile keeps the role they have.
    db
      .insert(memberships)
      .select(
        db
          .select({ workspaceId: invitations.workspaceId, userId: sql<string>`${user.userId}`.as('user_id'), role: invitations.role, createdAt: sql<number>`${now}`.as('created_at') })
          .from(invitations)
          .where(spentHere),
      )
      .onConflictDoNothing(),
  ]);
  const workspaceId = spent[0]?.workspaceId;
  if (!workspaceId) throw new AppError('not_found', 'This invitation link is not valid: it may have expired, been used or been revoked. Ask for a new one.');
  return workspaceId;
}

/** Joins the invitation's workspace as the signed-in user, who must hold the invited address; returns the workspace. */
export async function acceptInvitation(db: Db, token: string, user: { userId: string; email: string }, now = Date.now()): Promise<string> {
  const offer = await findInvitation(db, token, now);
  if (offer.email !== user.email) throw new AppError('forbidden', `This invitation is for ${offer.email}. Log out and accept it as that address.`);
  return spendInvitation(db, token, { userId: user.userId }, now);
}

/** Creates the invited address's account (verified: the link reached it) and joins; returns the user and workspace. */
export async function signUpByInvitation(db: Db, token: string, password: string, now = Date.now()): Promise<{ userId: string; workspaceId: string }> {
  const offer = await findInvitation(db, token, now);
  if (offer.hasAccount) throw new AppError('conflict', 'This address already has an account: log in to accept the invitation.');
  const userId = newId(now);
  const workspaceId = await spendInvitation(db, token, { userId, newPasswordHash: await hashPassword(password) }, now);
  return { userId, workspaceId };
}
