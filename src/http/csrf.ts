// CSRF protection for browser form posts: a signed double-submit token.
// The `csrf` cookie holds a random seed; forms carry HMAC(APP_SECRET, seed). An
// attacker can neither read the cookie nor forge the HMAC, and a cross-site
// Origin is refused outright.
import type { MiddlewareHandler } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import type { AppEnv } from '../env';
import { hmacSha256, randomToken, timingSafeEqual } from '../lib/crypto';
import { AppError } from '../lib/errors';
import { DAY } from '../lib/time';
import { CSRF_COOKIE, cookieOptions } from './cookies';

export const CSRF_FIELD = '_csrf';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function tokenFor(secret: string, seed: string): Promise<string> {
  return hmacSha256(secret, `csrf:${seed}`);
}

/** Issues the token (as `csrfToken`) and checks it on every unsafe request. */
export function csrfProtection(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    let seed = getCookie(c, CSRF_COOKIE);
    if (!SAFE_METHODS.has(c.req.method)) {
      const origin = c.req.header('origin');
      // "null" (privacy modes, sandboxed frames) says nothing either way: the token decides.
      if (origin && origin !== 'null' && origin !== new URL(c.req.url).origin) {
        throw new AppError('forbidden', 'This form was submitted from another site.');
      }
      const contentType = c.req.header('content-type') ?? '';
      const isForm = contentType.startsWith('application/x-www-form-urlencoded') || contentType.startsWith('multipart/form-data');
      const submitted = c.req.header('x-csrf-token') ?? (isForm ? (await c.req.formData()).get(CSRF_FIELD) : null);
      const expected = seed ? await tokenFor(c.env.APP_SECRET, seed) : null;
      if (!expected || typeof submitted !== 'string' || !timingSafeEqual(submitted, expected)) {
        throw new AppError('forbidden', 'This form has expired. Reload the page and try again.');
      }
    }
    if (!seed) {
      seed = randomToken(18);
      setCookie(c, CSRF_COOKIE, seed, cookieOptions(c, 365 * DAY));
    }
    c.set('csrfToken', await tokenFor(c.env.APP_SECRET, seed));
    await next();
  };
}
