// The tenant of the current request, from the workspace that authentication set.
import type { Context } from 'hono';
import { openDb } from '../db/client';
import { forWorkspace, type Tenant } from '../db/tenant';
import type { AppEnv } from '../env';

/** Database access bound to the request's workspace. */
export function tenantOf(c: Context<AppEnv>): Tenant {
  return forWorkspace(openDb(c.env.DB), c.get('workspaceId'));
}
