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
    const input = c.req.valid('json');
    const target = await addSuppression(tenantOf(c), input);
    return c.json({ suppression: { ...target, reason: input.reason, detail: input.detail } }, 201);
  })
  // An email address, or a phone number in international format.
  .delete('/:address', requirePermission('suppressions:manage'), async (c) => {
    await removeSuppression(tenantOf(c), c.req.param('address'));
    return c.body(null, 204);
  });
