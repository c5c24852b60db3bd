// Accounts: signing up (a user with a first workspace) and signing in.
import { eq } from 'drizzle-orm';
import type { Db } from '../db/client';
import { users } from '../db/schema';
import { hashPassword, verifyPassword } from '../lib/crypto';
import { AppError } from '../lib/errors';
import { newId } from '../lib/ids';
import { createWorkspaceStatements, listUserWorkspaces } from '../workspaces/workspaces.service';
import type { LogInInput, SignUpInput } from './accounts.schemas';
import { claimLoginAttempt, clearLoginFailures, throttleKeys } from './login-throttle';

/** Who signed in or up, and the workspace to open. */
export type SignedIn = { userId: string; workspaceId: string };

// Checked when the email is unknown, so a miss costs as much time as a wrong password.
const DECOY_HASH = 'pbkdf2-sha256$100000$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

/** Creates a user, their first workspace (they own it) and its settings, atomically. */
export async function signUp(db: Db, input: SignUpInput, now = Date.now()): Promise<SignedIn> {
  const [existing] = await db.select({ id: users.id }).from(users).where(eq(users.email, input.email)).limit(1);
  if (existing) throw new AppError('conflict', 'An account with this email already exists. Log in instead.');
  const userId = newId(now);
  const passwordHash = await hashPassword(input.password);
  const { workspaceId, statements } = createWorkspaceStatements(db, userId, { name: input.workspaceName, timeZone: input.timeZone }, now);
  try {
    await db.batch([db.insert(users).values({ id: userId, email: input.email, passwordHash, createdAt: now }), ...statements]);
  } catch (err) {
    // Two sign-ups for one email at once: the unique index lets only one through.
    if (String(err).includes('UNIQUE')) throw new AppError('conflict', 'An account with this email already exists. Log in instead.');
    throw err;
  }
  return { userId, workspaceId };
}

/** Checks credentials, with throttling per email and per client IP. */
export async function logIn(db: Db, input: LogInInput, clientIp: string | undefined, now = Date.now()): Promise<SignedIn> {
  const keys = throttleKeys(input.email, clientIp);
  await claimLoginAttempt(db, keys, now);
  const [user] = await db.select().from(users).where(eq(users.email, input.email)).limit(1);
  const valid = await verifyPassword(input.password, user?.passwordHash ?? DECOY_HASH);
  // The attempt was counted as a failure when it was claimed.
  if (!user || !valid) throw new AppError('unauthorized', 'Email or password is incorrect.');
  await clearLoginFailures(db, keys);
  const [first] = await listUserWorkspaces(db, user.id);
  if (!first) throw new AppError('forbidden', 'This account no longer belongs to any workspace.');
  return { userId: user.id, workspaceId: first.id };
}
