// Authentication middleware: API keys for /api/v1, sessions for the dashboard.
import type { MiddlewareHandler } from 'hono';
import { resolveSession } from '../accounts/sessions';
import { authenticateApiKey } from '../api-keys/api-keys.service';
import { openDb } from '../db/client';
import type { AppEnv } from '../env';
import { AppError } from '../lib/errors';
import { PERMISSION_LABELS, type Permission, roleAllows } from '../workspaces/roles';
import { getSessionToken } from './cookies';

/** Requires `Authorization: Bearer <api key>` and sets the key's workspace and role. */
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
    c.set('role', auth.role);
    await next();
  };
}

/** Requires a dashboard session; sets the session, its current workspace and the user's role there. */
export function requireSession(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const token = getSessionToken(c);
    const session = token ? await resolveSession(openDb(c.env.DB), token) : null;
    if (!session) throw new AppError('unauthorized', 'Log in to continue.');
    c.set('session', session);
    c.set('workspaceId', session.workspaceId);
    c.set('role', session.role);
    await next();
  };
}

/**
 * The one role check of the API and the dashboard, applied per route after authentication:
 * 403 unless the caller's role (the member's, or the API key's) has `permission`.
 */
export function requirePermission(permission: Permission): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    assertPermission(c.get('role'), permission);
    await next();
  };
}

/** Throws 403 unless `role` has `permission`; for a route where the permission depends on the input (a bulk erase). */
export function assertPermission(role: Parameters<typeof roleAllows>[0], permission: Permission): void {
  if (!roleAllows(role, permission)) throw new AppError('forbidden', `Your role (${role}) cannot ${PERMISSION_LABELS[permission]}. Ask an owner or admin of this workspace.`);
}
