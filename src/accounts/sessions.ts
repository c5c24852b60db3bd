// Server-side dashboard sessions. The browser holds a random token; D1 holds its
// SHA-256, so a leaked database does not leak live sessions.
import { and, eq, lt } from 'drizzle-orm';
import type { Db } from '../db/client';
import { memberships, sessions, users } from '../db/schema';
import type { SessionUser } from '../env';
import { randomToken, sha256Hex } from '../lib/crypto';
import { newId } from '../lib/ids';
import { DAY, HOUR } from '../lib/time';

export const SESSION_TTL = 30 * DAY;
// Sliding expiry is refreshed at most this often, to keep writes off most page views.
const REFRESH_EVERY = HOUR;

/** Starts a session for a user in a workspace; returns the token for the cookie. */
export async function createSession(db: Db, userId: string, workspaceId: string, now = Date.now()): Promise<string> {
  const token = randomToken(32);
  await db.insert(sessions).values({
    id: newId(now),
    tokenHash: await sha256Hex(token),
    userId,
    workspaceId,
    createdAt: now,
    expiresAt: now + SESSION_TTL,
    lastSeenAt: now,
  });
  return token;
}

/** The user behind a session token, or null when it is unknown, expired, or lost its membership. */
export async function resolveSession(db: Db, token: string, now = Date.now()): Promise<SessionUser | null> {
  const [row] = await db
    .select({
      sessionId: sessions.id,
      userId: sessions.userId,
      workspaceId: sessions.workspaceId,
      expiresAt: sessions.expiresAt,
      lastSeenAt: sessions.lastSeenAt,
      email: users.email,
      emailVerifiedAt: users.emailVerifiedAt,
      role: memberships.role,
    })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .innerJoin(memberships, and(eq(memberships.userId, sessions.userId), eq(memberships.workspaceId, sessions.workspaceId)))
    .where(eq(sessions.tokenHash, await sha256Hex(token)))
    .limit(1);
  if (!row || row.expiresAt <= now) return null;
  if (now - row.lastSeenAt > REFRESH_EVERY) {
    await db
      .update(sessions)
      .set({ lastSeenAt: now, expiresAt: now + SESSION_TTL })
      .where(eq(sessions.id, row.sessionId));
  }
  return { sessionId: row.sessionId, userId: row.userId, workspaceId: row.workspaceId, email: row.email, role: row.role, emailVerified: row.emailVerifiedAt !== null };
}

/** Points a session at another workspace (the caller has checked the membership). */
export async function setSessionWorkspace(db: Db, sessionId: string, workspaceId: string): Promise<void> {
  await db.update(sessions).set({ workspaceId }).where(eq(sessions.id, sessionId));
}

/** Ends a session (log out). */
export async function endSession(db: Db, sessionId: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.id, sessionId));
}

/** Deletes expired sessions (run by cron). */
export async function purgeExpiredSessions(db: Db, now: number): Promise<number> {
  const result = await db.delete(sessions).where(lt(sessions.expiresAt, now));
  return result.meta.changes;
}
