// /api/v1/segments: saved segments, previews and member pages.
import { Hono } from 'hono';
import type { AppEnv } from '../env';
import { requirePermission } from '../http/auth';
import { tenantOf } from '../http/tenant';
import { validate } from '../http/validate';
import { MembersQuery, PreviewInput, SegmentInput, SegmentPatch } from './segments.schemas';
import { countSegment, createSegment, deleteSegment, getSegment, listSegmentMembers, listSegments, previewSegment, updateSegment } from './segments.service';

export const segmentApi = new Hono<AppEnv>()
  .get('/', async (c) => c.json({ segments: await listSegments(tenantOf(c)) }))
  .post('/', requirePermission('segments:write'), validate('json', SegmentInput), async (c) => c.json({ segment: await createSegment(tenantOf(c), c.req.valid('json')) }, 201))
  .post('/preview', validate('json', PreviewInput), async (c) => c.json(await previewSegment(tenantOf(c), c.req.valid('json').definition)))
  .get('/:id', async (c) => {
    const tenant = tenantOf(c);
    const segment = await getSegment(tenant, c.req.param('id'));
    return c.json({ segment: { ...segment, count: await countSegment(tenant, segment.definition) } });
  })
  .patch('/:id', requirePermission('segments:write'), validate('json', SegmentPatch), async (c) => c.json({ segment: await updateSegment(tenantOf(c), c.req.param('id'), c.req.valid('json')) }))
  .delete('/:id', requirePermission('segments:write'), async (c) => {
    await deleteSegment(tenantOf(c), c.req.param('id'));
    return c.body(null, 204);
  })
  .get('/:id/members', validate('query', MembersQuery), async (c) => {
    const tenant = tenantOf(c);
    const segment = await getSegment(tenant, c.req.param('id'));
    return c.json(await listSegmentMembers(tenant, segment.definition, c.req.valid('query')));
  });
