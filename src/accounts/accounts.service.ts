// Accounts: signing up (a user with a first workspace), signing in, resetting a
// forgotten password and verifying the address. None of the answers says whether an
// address has an account: its owner is told by email instead.
import { and, eq, isNull } from 'drizzle-orm';
import type { Db } from '../db/client';
import { loginThrottles, sessions, users } from '../db/schema';
import { hashPassword, verifyPassword } from '../lib/crypto';
import { AppError } from '../lib/errors';
import { newId } from '../lib/ids';
import { createWorkspaceStatements, listUserWorkspaces } from '../workspaces/workspaces.service';
import { type AccountMail, type AccountMailEnv, alreadyRegisteredEmail, passwordResetEmail, verificationEmail } from './account-emails';
import { accountTokenUserId, checkAccountToken } from './account-tokens';
import type { LogInInput, SignUpInput } from './accounts.schemas';
import { claimLoginAttempt, clearLoginFailures, throttleKeys } from './login-throttle';

/** Who signed in, and the workspace to open. */
export type SignedIn = { userId: string; workspaceId: string };

// Checked when the email is unknown, so a miss costs as much time as a wrong password.
const DECOY_HASH = 'pbkdf2-sha256$100000$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

async function findUserByEmail(db: Db, email: string) {
  const [user] = await db.select().from(users).where(eq(users.email, email)).limit(1);
  return user ?? null;
}

/** Creates a user, their first workspace (they own it) and its settings, atomically. */
export async function signUp(db: Db, input: SignUpInput, now = Date.now()): Promise<SignedIn> {
  if (await findUserByEmail(db, input.email)) throw new AppError('conflict', 'An account with this email already exists.');
  const userId = newId(now);
  const passwordHash = await hashPassword(input.password);
  const { workspaceId, statements } = createWorkspaceStatements(db, userId, { name: input.workspaceName, timeZone: input.timeZone }, now);
  try {
    await db.batch([db.insert(users).values({ id: userId, email: input.email, passwordHash, createdAt: now }), ...statements]);
  } catch (err) {
    // Two sign-ups for one email at once: the unique index lets only one through.
    if (String(err).includes('UNIQUE')) throw new AppError('conflict', 'An account with this email already exists.');
    throw err;
  }
  return { userId, workspaceId };
}

/**
 * The sign-up form: creates the account and composes its verification mail or, for an
 * address that has an account, a mail to its owner instead. Both cost one password
 * hash and get the same answer, so the form does not reveal who has an account.
 */
export async function requestSignUp(db: Db, env: AccountMailEnv, input: SignUpInput, now = Date.now()): Promise<{ mail: AccountMail | null }> {
  try {
    const { userId } = await signUp(db, input, now);
    return { mail: await verificationEmail(env, { id: userId, email: input.email }, now) };
  } catch (err) {
    if (!(err instanceof AppError && err.code === 'conflict')) throw err;
    const [owner] = await Promise.all([findUserByEmail(db, input.email), hashPassword(input.password)]);
    return { mail: owner ? await alreadyRegisteredEmail(env, owner, now) : null };
  }
}

/** Checks credentials, with throttling per email and per client IP. */
export async function logIn(db: Db, input: LogInInput, clientIp: string | undefined, now = Date.now()): Promise<SignedIn> {
  const keys = throttleKeys(input.email, clientIp);
  await claimLoginAttempt(db, keys, now);
  const user = await findUserByEmail(db, input.email);
  const valid = await verifyPassword(input.password, user?.passwordHash ?? DECOY_HASH);
  // The attempt was counted as a failure when it was claimed.
  if (!user || !valid) throw new AppError('unauthorized', 'Email or password is incorrect.');
  await clearLoginFailures(db, keys);
  const [first] = await listUserWorkspaces(db, user.id);
  if (!first) throw new AppError('forbidden', 'This account no longer belongs to any workspace.');
  return { userId: user.id, workspaceId: first.id };
}

/** "Forgot password": mails a reset link when the address has an account; says nothing either way. */
export async function requestPasswordReset(db: Db, env: AccountMailEnv, email: string, now = Date.now()): Promise<{ mail: AccountMail | null }> {
  const user = await findUserByEmail(db, email);
  return { mail: user ? await passwordResetEmail(env, user, now) : null };
}

/** The user a reset link is for while it is valid (unexpired, and the password unchanged since), else null. */
export async function userOfResetToken(db: Db, secret: string, token: string, now = Date.now()) {
  const userId = accountTokenUserId(token);
  if (!userId) return null;
  const [user] = await db.select().from(users).where(eq(users.id, userId)).limit(1);
  return user && (await checkAccountToken(secret, 'password-reset', token, user.passwordHash, now)) ? user : null;
}

const DEAD_RESET_LINK = 'This link has expired or has already been used. Ask for a new one.';

/**
 * Sets a new password through a reset link, once: the update only applies while the
 * hash the link was signed over is still there. Ends every session of the user, lifts
 * the email's sign-in throttle, and counts the address as verified (the link reached it).
 */
export async function resetPassword(db: Db, secret: string, token: string, password: string, now = Date.now()): Promise<void> {
  const user = await userOfResetToken(db, secret, token, now);
  if (!user) throw new AppError('invalid_input', DEAD_RESET_LINK);
  const passwordHash = await hashPassword(password);
  const [updated] = await db.batch([
    db
      .update(users)
      .set({ passwordHash, emailVerifiedAt: user.emailVerifiedAt ?? now })
      .where(and(eq(users.id, user.id), eq(users.passwordHash, user.passwordHash)))
      .returning({ id: users.id }),
    db.delete(sessions).where(eq(sessions.userId, user.id)),
    db.delete(loginThrottles).where(eq(loginThrottles.key, throttleKeys(user.email, undefined)[0]!)),
  ]);
  // Another request used the link first (and already ended the sessions).
  if (updated.length === 0) throw new AppError('invalid_input', DEAD_RESET_LINK);
}

/** Marks the address a verification link was sent to as verified; false when the link is not valid. */
export async function verifyEmail(db: Db, secret: string, token: string, now = Date.now()): Promise<boolean> {
  const userId = accountTokenUserId(token);
  if (!userId) return false;
  const [user] = await db.select({ id: users.id, email: users.email }).from(users).where(eq(users.id, userId)).limit(1);
  if (!user || !(await checkAccountToken(secret, 'verify-email', token, user.email, now))) return false;
  await db
    .update(users)
    .set({ emailVerifiedAt: now })
    .where(and(eq(users.id, user.id), isNull(users.emailVerifiedAt)));
  return true;
}

/** A new verification mail for a signed-in user whose address is not verified yet; null once it is. */
export async function newVerificationEmail(db: Db, env: AccountMailEnv, userId: string, now = Date.now()): Promise<AccountMail | null> {
  const [user] = await db.select({ id: users.id, email: users.email, verifiedAt: users.emailVerifiedAt }).from(users).where(eq(users.id, userId)).limit(1);
  if (!user || user.verifiedAt !== null) return null;
  return verificationEmail(env, user, now);
}
