// /app/segments: the list, the builder, and its JSON preview for live counts.
import { Hono, type Context } from 'hono';
import { findMainCurrency } from '../contacts/contact-activity.service';
import { formErrorsOf, readForm } from '../dashboard/forms';
import { SegmentBuilder, SegmentsList } from '../dashboard/pages/segments-pages';
import { renderAppPage } from '../dashboard/render';
import type { AppEnv } from '../env';
import { requirePermission } from '../http/auth';
import { tenantOf } from '../http/tenant';
import { parseOrThrow, validate } from '../http/validate';
import { invalidField } from '../lib/errors';
import { getWorkspace } from '../workspaces/workspaces.service';
import { MembersQuery, PreviewInput, SegmentInput } from './segments.schemas';
import { countSegment, createSegment, deleteSegment, getSegment, listSegmentMembers, listSegments, previewSegment, updateSegment } from './segments.service';

/** The form's fields as SegmentInput (the definition arrives as JSON text). */
function readSegmentForm(form: Record<string, string>) {
  let definition: unknown;
  try {
    definition = JSON.parse(form.definition ?? '');
  } catch {
    throw invalidField('definition', 'Not valid JSON', 'The rules are not valid JSON');
  }
  return parseOrThrow(SegmentInput, { name: form.name, description: form.description || null, definition });
}

const MEMBERS_PER_PAGE = 50;

function renderBuilder(c: Context<AppEnv>, props: Omit<Parameters<typeof SegmentBuilder>[0], 'csrfToken'>, status: 200 | 400 = 200) {
  const title = props.segment?.name ?? 'New segment';
  return renderAppPage(c, { title, section: 'segments', body: <SegmentBuilder csrfToken={c.get('csrfToken')} {...props} /> }, status);
}

export const segmentRoutes = new Hono<AppEnv>()
  .get('/', async (c) => {
    const tenant = tenantOf(c);
    const [segments, workspace] = await Promise.all([listSegments(tenant), getWorkspace(tenant)]);
    const notice = c.req.query('deleted') ? 'Segment deleted.' : undefined;
    return renderAppPage(c, { title: 'Segments', section: 'segments', body: <SegmentsList segments={segments} timeZone={workspace.timeZone} notice={notice} /> });
  })
  .get('/new', (c) => renderBuilder(c, {}))
  .post('/preview', validate('json', PreviewInput), async (c) => c.json(await previewSegment(tenantOf(c), c.req.valid('json').definition)))
  .post('/', requirePermission('segments:write'), async (c) => {
    const form = await readForm(c);
    try {
      const segment = await createSegment(tenantOf(c), readSegmentForm(form));
      return c.redirect(`/app/segments/${segment.id}`, 303);
    } catch (err) {
      return renderBuilder(c, { values: form, errors: formErrorsOf(err) }, 400);
    }
  })
  .get('/:id', validate('query', MembersQuery.pick({ cursor: true })), async (c) => {
    const tenant = tenantOf(c);
    const segment = await getSegment(tenant, c.req.param('id'));
    const { cursor } = c.req.valid('query');
    const now = Date.now();
    const [page, count, currency] = await Promise.all([
      listSegmentMembers(tenant, segment.definition, { cursor, limit: MEMBERS_PER_PAGE }, now),
      countSegment(tenant, segment.definition, now),
      findMainCurrency(tenant),
    ]);
    return renderBuilder(c, { segment, members: { ...page, count, cursor, currency } });
  })
  .get('/:id/count', async (c) => {
    const tenant = tenantOf(c);
    const segment = await getSegment(tenant, c.req.param('id'));
    return c.json({ count: await countSegment(tenant, segment.definition) });
  })
  .post('/:id', requirePermission('segments:write'), async (c) => {
    const tenant = tenantOf(c);
    const segment = await getSegment(tenant, c.req.param('id'));
    const form = await readForm(c);
    try {
      await updateSegment(tenant, segment.id, readSegmentForm(form));
      return c.redirect(`/app/segments/${segment.id}`, 303);
    } catch (err) {
      return renderBuilder(c, { segment, values: form, errors: formErrorsOf(err) }, 400);
    }
  })
  .post('/:id/delete', requirePermission('segments:write'), async (c) => {
    await deleteSegment(tenantOf(c), c.req.param('id'));
    return c.redirect('/app/segments?deleted=1', 303);
  });
