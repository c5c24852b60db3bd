// Slows down password guessing: after a few failures per email or per client IP,
// each further failure doubles the wait before the next attempt is even checked.
//
// An attempt is counted before its password is checked, in one statement that also
// decides whether it may go ahead, so parallel guesses cannot all read the same count:
// the Nth guess of a burst waits exactly like the Nth guess in a row. A successful
// sign-in then gives its attempt back.
import { eq, inArray, lt, type SQL, sql } from 'drizzle-orm';
import { runBatch, type Db } from '../db/client';
import { loginThrottles } from '../db/schema';
import { AppError } from '../lib/errors';
import { MINUTE, SECOND } from '../lib/time';

/** Failures allowed in a window before waits start, by kind of key. */
const FREE_FAILURES = { email: 5, ip: 20 } as const;
const WINDOW = 15 * MINUTE;
const MAX_WAIT = 15 * MINUTE;
// 2^10 s is past MAX_WAIT, so larger shifts are never needed (and never overflow).
const MAX_DOUBLINGS = 10;

/** The throttle keys of one sign-in attempt. */
export function throttleKeys(email: string, ip: string | undefined): string[] {
  return ip ? [`email:${email}`, `ip:${ip}`] : [`email:${email}`];
}

// The free failures of the key in `column`, by its kind (the prefix before ':').
const freeFailuresOf = (column: SQL) => sql`(CASE WHEN substr(${column}, 1, 3) = 'ip:' THEN ${FREE_FAILURES.ip} ELSE ${FREE_FAILURES.email} END)`;

/**
 * Counts an attempt against every key and lets it through, or throws `rate_limited`
 * with Retry-After when any key is still waiting (then nothing is counted).
 *
 * The wait after the n-th failure in a window is none up to the key's free failures,
 * then 2 s, 4 s, 8 s, ... up to 15 minutes. One INSERT ... SELECT: SQLite evaluates the
 * SELECT (and its check of every key's wait) before writing, so the keys are counted
 * together or not at all, and D1 runs it alone.
 */
export async function claimLoginAttempt(db: Db, keys: string[], now: number): Promise<void> {
  const keyList = sql.join(
    keys.map((key) => sql`(${key})`),
    sql`, `,
  );
  const fresh = sql`${now} - login_throttles.first_failure_at > ${WINDOW}`;
  // The failures after this attempt: a window that is over starts again at 1.
  const failures = sql`(CASE WHEN ${fresh} THEN 1 ELSE login_throttles.failures + 1 END)`;
  const free = freeFailuresOf(sql`login_throttles.key`);
  const counted = await db.all<{ key: string }>(sql`
    INSERT INTO login_throttles (key, failures, first_failure_at, blocked_until)
    SELECT column1, 1, ${now}, ${now} FROM (VALUES ${keyList})
    WHERE (SELECT coalesce(max(blocked_until), 0) FROM login_throttles WHERE key IN (SELECT column1 FROM (VALUES ${keyList}))) <= ${now}
    ON CONFLICT (key) DO UPDATE SET
      failures = ${failures},
      first_failure_at = CASE WHEN ${fresh} THEN ${now} ELSE login_throttles.first_failure_at END,
      blocked_until = ${now} + (CASE WHEN ${failures} > ${free} THEN min(${MAX_WAIT}, ${SECOND} << min(${failures} - ${free}, ${MAX_DOUBLINGS})) ELSE 0 END)
    RETURNING key`);
  if (counted.length > 0) return;
  const [row] = await db
    .select({ blockedUntil: sql<number>`max(${loginThrottles.blockedUntil})` })
    .from(loginThrottles)
    .where(inArray(loginThrottles.key, keys));
  const seconds = Math.max(1, Math.ceil(((row?.blockedUntil ?? now) - now) / SECOND));
  throw new AppError('rate_limited', `Too many failed sign-ins. Try again in ${seconds} seconds.`, { retryAfterSeconds: seconds });
}

/** After a successful sign-in: forgets the email's failures and gives the attempt back to the IP. */
export async function clearLoginFailures(db: Db, keys: string[]): Promise<void> {
  await runBatch(
    db,
    keys.map((key) =>
      key.startsWith('email:')
        ? db.delete(loginThrottles).where(eq(loginThrottles.key, key))
        : db
            .update(loginThrottles)
            .set({ failures: sql`max(0, ${loginThrottles.failures} - 1)` })
            .where(eq(loginThrottles.key, key)),
    ),
  );
}

/** Removes throttles whose window and wait are both over (run by cron). */
export async function purgeLoginThrottles(db: Db, now: number): Promise<number> {
  const result = await db.delete(loginThrottles).where(lt(loginThrottles.blockedUntil, now - WINDOW));
  return result.meta.changes;
}
