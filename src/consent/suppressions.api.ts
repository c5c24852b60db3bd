// /api/v1/suppressions: the workspace's suppression list.
import { Hono } from 'hono';
import type { AppEnv } from '../env';
import { requirePermission } from '../http/auth';
import { tenantOf } from '../http/tenant';
import { validate } from '../http/validate';
import { addSuppression, listSuppressions, removeSuppression, SuppressionInput, SuppressionListQuery } from './suppressions.service';

export const suppressionApi = new Hono<AppEnv>()
  .get('/', validate('query', SuppressionListQuery), async (c) => c.json(await listSuppressions(tenantOf(c), c.req.valid('query'))))
  .post('/', requirePermission('suppressions:manage'), validate('json', SuppressionInput), async (c) => {
    await addSuppression(tenantOf(c), c.req.valid('json'));
    return c.json({ suppression: c.req.valid('json') }, 201);
  })
  .delete('/:email', requirePermission('suppressions:manage'), async (c) => {
    await removeSuppression(tenantOf(c), c.req.param('email'));
    return c.body(null, 204);
  });
