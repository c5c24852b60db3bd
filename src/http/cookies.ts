// Cookie settings shared by the session and CSRF cookies.
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { CookieOptions } from 'hono/utils/cookie';
import { SESSION_TTL } from '../accounts/sessions';
import { SECOND } from '../lib/time';

export const SESSION_COOKIE = 'sid';
export const CSRF_COOKIE = 'csrf';

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** HttpOnly, SameSite=Lax, and Secure everywhere except plain-http localhost development. */
export function cookieOptions(c: Context, maxAgeMs: number): CookieOptions {
  const { hostname } = new URL(c.req.url);
  return {
    path: '/',
    httpOnly: true,
    sameSite: 'Lax',
    secure: !LOCAL_HOSTS.has(hostname),
    maxAge: Math.floor(maxAgeMs / SECOND),
  };
}

/** Sets the session cookie. */
export function setSessionCookie(c: Context, token: string): void {
  setCookie(c, SESSION_COOKIE, token, cookieOptions(c, SESSION_TTL));
}

/** Reads the session token, if any. */
export function getSessionToken(c: Context): string | undefined {
  return getCookie(c, SESSION_COOKIE);
}

/** Removes the session cookie. */
export function clearSessionCookie(c: Context): void {
  deleteCookie(c, SESSION_COOKIE, cookieOptions(c, 0));
}
