// CSRF protection for browser form posts: a signed double-submit token bound to the session
// and to the workspace the page was rendered for.
// The `csrf` cookie holds a random seed; forms carry `<workspace id>.HMAC(APP_SECRET, seed,
// session token, workspace id)` (no workspace part on signed-out pages). An attacker can
// neither read the cookies nor forge the HMAC; a cookie-and-token pair taken from another
// browser fails because the session differs; and a cross-site Origin is refused outright.
import type { MiddlewareHandler } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { openDb } from '../db/client';
import type { AppEnv } from '../env';
import { hmacSha256, randomToken, timingSafeEqual } from '../lib/crypto';
import { AppError } from '../lib/errors';
import { DAY } from '../lib/time';
import { listUserWorkspaces } from '../workspaces/workspaces.service';
import { CSRF_COOKIE, cookieOptions, getSessionToken } from './cookies';
import { readFormBody } from './form-body';

export const CSRF_FIELD = '_csrf';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

async function tokenFor(secret: string, seed: string, sessionToken: string, workspaceId: string): Promise<string> {
  const mac = await hmacSha256(secret, `csrf:${seed}:${sessionToken}:${workspaceId}`);
  return workspaceId ? `${workspaceId}.${mac}` : mac;
}

/** The workspace a submitted token was issued for ('' when none), or null when the token is not ours. */
async function verifiedWorkspace(secret: string, seed: string, sessionToken: string, submitted: string): Promise<string | null> {
  const dot = submitted.lastIndexOf('.');
  const workspaceId = dot === -1 ? '' : submitted.slice(0, dot);
  const expected = await tokenFor(secret, seed, sessionToken, workspaceId);
  return timingSafeEqual(submitted, expected) ? workspaceId : null;
}

/**
 * Issues the token (as `csrfToken`) and checks it on every unsafe request. Where a session
 * middleware ran first, the token names the session's current workspace, and the workspace a
 * checked token names is kept as `formWorkspaceId` for requireFormWorkspace.
 */
export function csrfProtection(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    let seed = getCookie(c, CSRF_COOKIE);
    const sessionToken = getSessionToken(c) ?? '';
    if (!SAFE_METHODS.has(c.req.method)) {
      const origin = c.req.header('origin');
      // "null" (privacy modes, sandboxed frames) says nothing either way: the token decides.
      if (origin && origin !== 'null' && origin !== new URL(c.req.url).origin) {
        throw new AppError('forbidden', 'This form was submitted from another site.');
      }
      const contentType = c.req.header('content-type') ?? '';
      const isForm = contentType.startsWith('application/x-www-form-urlencoded') || contentType.startsWith('multipart/form-data');
      const submitted = c.req.header('x-csrf-token') ?? (isForm ? (await readFormBody(() => c.req.formData())).get(CSRF_FIELD) : null);
      const formWorkspaceId = seed && typeof submitted === 'string' ? await verifiedWorkspace(c.env.APP_SECRET, seed, sessionToken, submitted) : null;
      if (formWorkspaceId === null) throw new AppError('forbidden', 'This form has expired. Reload the page and try again.');
      c.set('formWorkspaceId', formWorkspaceId);
    }
    if (!seed) {
      seed = randomToken(18);
      setCookie(c, CSRF_COOKIE, seed, cookieOptions(c, 365 * DAY));
    }
    const session = c.var.session as AppEnv['Variables']['session'] | undefined;
    c.set('csrfToken', await tokenFor(c.env.APP_SECRET, seed, sessionToken, session?.workspaceId ?? ''));
    await next();
  };
}

/**
 * Refuses (409) a dashboard form or fetch rendered for another workspace than the session's
 * current one: another tab switched workspaces since, and acting would write into the wrong one.
 * Runs after csrfProtection and the session middleware.
 */
export function requireFormWorkspace(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const formWorkspaceId = c.var.formWorkspaceId as string | undefined;
    const session = c.get('session');
    // A signed-out page's token never acts in a workspace.
    if (formWorkspaceId === '') throw new AppError('forbidden', 'This form has expired. Reload the page and try again.');
    if (formWorkspaceId !== undefined && formWorkspaceId !== session.workspaceId) {
      const workspaces = await listUserWorkspaces(openDb(c.env.DB), session.userId);
      const nameOf = (id: string) => workspaces.find((workspace) => workspace.id === id)?.name;
      const was = nameOf(formWorkspaceId);
      throw new AppError(
        'conflict',
        `This page was for ${was ? `workspace “${was}”` : 'a workspace you no longer belong to'}; you have since switched to “${nameOf(session.workspaceId)}”. Reload to continue.`,
      );
    }
    await next();
  };
}
