// Slows down password guessing: after a few failures per email or per client IP,
// each further failure doubles the wait before the next attempt is even checked.
import { eq, inArray, lt } from 'drizzle-orm';
import { runBatch, type Db } from '../db/client';
import { loginThrottles } from '../db/schema';
import { AppError } from '../lib/errors';
import { MINUTE, SECOND } from '../lib/time';

/** Failures allowed in a window before waits start, by kind of key. */
const FREE_FAILURES = { email: 5, ip: 20 } as const;
const WINDOW = 15 * MINUTE;
const MAX_WAIT = 15 * MINUTE;

type ThrottleKind = keyof typeof FREE_FAILURES;

/** The throttle keys of one sign-in attempt. */
export function throttleKeys(email: string, ip: string | undefined): string[] {
  return ip ? [`email:${email}`, `ip:${ip}`] : [`email:${email}`];
}

function kindOf(key: string): ThrottleKind {
  return key.startsWith('ip:') ? 'ip' : 'email';
}

/** Throws `rate_limited` with Retry-After when any key is still waiting. */
export async function assertNotThrottled(db: Db, keys: string[], now: number): Promise<void> {
  const rows = await db.select().from(loginThrottles).where(inArray(loginThrottles.key, keys));
  const blockedUntil = Math.max(0, ...rows.map((row) => row.blockedUntil));
  if (blockedUntil > now) {
    const seconds = Math.ceil((blockedUntil - now) / SECOND);
    throw new AppError('rate_limited', `Too many failed sign-ins. Try again in ${seconds} seconds.`, {
      retryAfterSeconds: seconds,
    });
  }
}

/** The wait after the `failures`-th failure in a window: none, then 2 s, 4 s, 8 s, ... up to 15 minutes. */
export function waitAfterFailure(kind: ThrottleKind, failures: number): number {
  const over = failures - FREE_FAILURES[kind];
  if (over <= 0) return 0;
  return Math.min(MAX_WAIT, 2 ** over * SECOND);
}

/** Counts a failed attempt against every key. */
export async function recordLoginFailure(db: Db, keys: string[], now: number): Promise<void> {
  const rows = await db.select().from(loginThrottles).where(inArray(loginThrottles.key, keys));
  const byKey = new Map(rows.map((row) => [row.key, row]));
  await runBatch(
    db,
    keys.map((key) => {
      const previous = byKey.get(key);
      const fresh = !previous || now - previous.firstFailureAt > WINDOW;
      const failures = fresh ? 1 : previous.failures + 1;
      const firstFailureAt = fresh ? now : previous.firstFailureAt;
      const blockedUntil = now + waitAfterFailure(kindOf(key), failures);
      return db.insert(loginThrottles).values({ key, failures, firstFailureAt, blockedUntil }).onConflictDoUpdate({ target: loginThrottles.key, set: { failures, firstFailureAt, blockedUntil } });
    }),
  );
}

/** Forgets the failures of an email after it signs in successfully. */
export async function clearLoginFailures(db: Db, email: string): Promise<void> {
  await db.delete(loginThrottles).where(eq(loginThrottles.key, `email:${email}`));
}

/** Removes throttles whose window and wait are both over (run by cron). */
export async function purgeLoginThrottles(db: Db, now: number): Promise<number> {
  const result = await db.delete(loginThrottles).where(lt(loginThrottles.blockedUntil, now - WINDOW));
  return result.meta.changes;
}
