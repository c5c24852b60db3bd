// Authentication middleware: API keys for /api/v1, sessions for the dashboard.
import type { MiddlewareHandler } from 'hono';
import { resolveSession } from '../accounts/sessions';
import { authenticateApiKey } from '../api-keys/api-keys.service';
import { openDb } from '../db/client';
import type { AppEnv } from '../env';
import { AppError } from '../lib/errors';
import { getSessionToken } from './cookies';

/** Requires `Authorization: Bearer <api key>` and sets the key's workspace. */
export function requireApiKey(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match?.[1]) {
      throw new AppError('unauthorized', 'Send an API key as "Authorization: Bearer <key>". Create one in Settings → API keys.');
    }
    const auth = await authenticateApiKey(openDb(c.env.DB), match[1]);
    if (!auth) throw new AppError('unauthorized', 'This API key is not valid or has been revoked.');
    if (auth.touch) c.executionCtx.waitUntil(auth.touch());
    c.set('workspaceId', auth.workspaceId);
    await next();
  };
}

/** Requires a dashboard session; sets the session and its current workspace. */
export function requireSession(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const token = getSessionToken(c);
    const session = token ? await resolveSession(openDb(c.env.DB), token) : null;
    if (!session) throw new AppError('unauthorized', 'Log in to continue.');
    c.set('session', session);
    c.set('workspaceId', session.workspaceId);
    await next();
  };
}

/** Requires the signed-in user to own the current workspace. */
export function requireOwner(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (c.get('session').role !== 'owner') throw new AppError('forbidden', 'Only the workspace owner can do this.');
    await next();
  };
}
