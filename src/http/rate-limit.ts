// Rate limits on sign-up, log-in, account emails and the API: a fixed-window counter
// per key in D1, counted and read in one statement, so parallel requests cannot
// slip past it. Over the limit the request gets `rate_limited` (429) with
// Retry-After: a JSON error on the API, a page on the dashboard forms.
//
// Why not Workers' rate-limiting binding: it works here (miniflare counts in memory),
// but its limits live in wrangler.toml rather than vars, its periods are 10 or 60
// seconds (no hourly sign-up limit), it counts per Cloudflare location, and it does
// not say when the window ends, so Retry-After would be a guess.
import type { MiddlewareHandler } from 'hono';
import { sql } from 'drizzle-orm';
import { openDb, type Db } from '../db/client';
import { rateLimitCounters } from '../db/schema';
import type { AppEnv, Env } from '../env';
import { sha256Hex } from '../lib/crypto';
import { AppError } from '../lib/errors';
import { DAY, HOUR, MINUTE, SECOND } from '../lib/time';

type LimitVar = Extract<keyof Env, `RATE_LIMIT_${string}`>;

/** One limit: its name in the counter keys, the var that sets it, its default and its window. */
export type RateLimit = { name: string; variable: LimitVar; fallback: number; window: number };

/** Every limit of the platform; the README's "Rate limits" lists them. */
export const RATE_LIMITS = {
  apiKey: { name: 'api-key', variable: 'RATE_LIMIT_API_KEY_PER_MINUTE', fallback: 600, window: MINUTE },
  apiIp: { name: 'api-ip', variable: 'RATE_LIMIT_API_IP_PER_MINUTE', fallback: 1200, window: MINUTE },
  signUpIp: { name: 'signup-ip', variable: 'RATE_LIMIT_SIGNUP_IP_PER_HOUR', fallback: 10, window: HOUR },
  logInIp: { name: 'login-ip', variable: 'RATE_LIMIT_LOGIN_IP_PER_MINUTE', fallback: 60, window: MINUTE },
  // Password reset and verification mails, per address typed (known or not, so it reveals nothing).
  accountEmails: { name: 'account-emails', variable: 'RATE_LIMIT_ACCOUNT_EMAILS_PER_HOUR', fallback: 5, window: HOUR },
  accountEmailsIp: { name: 'account-emails-ip', variable: 'RATE_LIMIT_ACCOUNT_EMAILS_IP_PER_HOUR', fallback: 20, window: HOUR },
  // Test emails and texts, per workspace: each goes to an address typed in a form and may
  // cost the merchant (a Twilio text) or the platform's sending reputation.
  testSends: { name: 'test-sends', variable: 'RATE_LIMIT_TEST_SENDS_PER_HOUR', fallback: 30, window: HOUR },
} as const satisfies Record<string, RateLimit>;

function limitOf(env: Env, limit: RateLimit): number {
  const configured = Number(env[limit.variable]);
  return Number.isInteger(configured) && configured > 0 ? configured : limit.fallback;
}

/** One hit to count: a limit and who it counts against (an IP, an address, a key's hash). */
export type RateLimitHit = { limit: RateLimit; subject: string };

/**
 * Counts one request against each hit's key and throws `rate_limited` when any of them
 * is over its limit in its current window. All keys in one INSERT ... ON CONFLICT ...
 * RETURNING: D1 runs it alone, so each request reads the count it wrote.
 */
export async function enforceRateLimits(db: Db, env: Env, hits: RateLimitHit[], now = Date.now()): Promise<void> {
  if (hits.length === 0) return;
  const rows = hits.map(({ limit, subject }) => ({ key: `${limit.name}:${subject}`, windowStart: now - (now % limit.window), hits: 1 }));
  const counted = await db
    .insert(rateLimitCounters)
    .values(rows)
    .onConflictDoUpdate({
      target: rateLimitCounters.key,
      set: {
        hits: sql`CASE WHEN ${rateLimitCounters.windowStart} = excluded.window_start THEN ${rateLimitCounters.hits} + 1 ELSE 1 END`,
        windowStart: sql`excluded.window_start`,
      },
    })
    .returning({ key: rateLimitCounters.key, hits: rateLimitCounters.hits, windowStart: rateLimitCounters.windowStart });
  const waits = hits.flatMap(({ limit, subject }) => {
    const row = counted.find((r) => r.key === `${limit.name}:${subject}`);
    return row && row.hits > limitOf(env, limit) ? [row.windowStart + limit.window - now] : [];
  });
  if (waits.length === 0) return;
  const seconds = Math.max(1, Math.ceil(Math.max(...waits) / SECOND));
  throw new AppError('rate_limited', `Too many requests. Try again in ${seconds} seconds.`, { retryAfterSeconds: seconds });
}

/** The client's IP as Cloudflare saw it; absent only off Cloudflare (tests, local tools), where IP limits do not apply. */
export function clientIp(c: { req: { header(name: string): string | undefined } }): string | undefined {
  return c.req.header('cf-connecting-ip') || undefined;
}

/** Per-IP hits for a limit: none when the IP is unknown. */
export function ipHits(limit: RateLimit, ip: string | undefined): RateLimitHit[] {
  return ip ? [{ limit, subject: ip }] : [];
}

/**
 * The API's limits, before the key is checked (so a flood of made-up keys is limited
 * too): per API key (its SHA-256, never the key itself) and per client IP.
 */
export function apiRateLimit(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const bearer = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '')?.[1];
    const hits = [...(bearer ? [{ limit: RATE_LIMITS.apiKey, subject: await sha256Hex(bearer) }] : []), ...ipHits(RATE_LIMITS.apiIp, clientIp(c))];
    await enforceRateLimits(openDb(c.env.DB), c.env, hits);
    await next();
  };
}

/** Counts a test send (email or SMS, from a page or the API) against the request's workspace. */
export function testSendRateLimit(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await enforceRateLimits(openDb(c.env.DB), c.env, [{ limit: RATE_LIMITS.testSends, subject: c.get('workspaceId') }]);
    await next();
  };
}

/** Forgets windows over by a day, longer than any limit's (run by cron). */
export async function purgeRateLimitCounters(db: Db, now: number): Promise<number> {
  const result = await db.delete(rateLimitCounters).where(sql`${rateLimitCounters.windowStart} < ${now - DAY}`);
  return result.meta.changes;
}
