// /api/v1/workspace: the API key's own workspace and its settings.
import { Hono } from 'hono';
import type { AppEnv } from '../env';
import { requirePermission } from '../http/auth';
import { tenantOf } from '../http/tenant';
import { validate } from '../http/validate';
import { WorkspaceSettingsPatch } from './workspaces.schemas';
import { getWorkspace, updateWorkspace } from './workspaces.service';

export const workspaceApi = new Hono<AppEnv>()
  .get('/', async (c) => c.json({ workspace: await getWorkspace(tenantOf(c)) }))
  .patch('/', requirePermission('settings:workspace'), validate('json', WorkspaceSettingsPatch), async (c) => c.json({ workspace: await updateWorkspace(tenantOf(c), c.req.valid('json')) }));
