// Settings → Suppressions (mounted at /app/settings/suppressions).
import { type Context, Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { z } from 'zod';
import { formErrorsOf, readForm } from '../dashboard/forms';
import { SuppressionsPage, type SuppressionsState } from '../dashboard/pages/suppressions-page';
import { renderAppPage, viewerOf } from '../dashboard/render';
import type { AppEnv } from '../env';
import { requirePermission } from '../http/auth';
import { tenantOf } from '../http/tenant';
import { parseOrThrow } from '../http/validate';
import { getWorkspace } from '../workspaces/workspaces.service';
import { addSuppression, listSuppressions, removeSuppression, SuppressionInput } from './suppressions.service';

/** Loads the page of the list that the query asks for and renders it with what an action wants shown. */
async function renderSuppressionsPage(c: Context<AppEnv>, state: SuppressionsState = {}, status: ContentfulStatusCode = 200) {
  const tenant = tenantOf(c);
  const q = c.req.query('q');
  const channel = c.req.query('channel') === 'sms' ? 'sms' : 'email';
  const [workspace, page] = await Promise.all([getWorkspace(tenant), listSuppressions(tenant, { channel, q, cursor: c.req.query('cursor'), limit: 50 })]);
  return renderAppPage(
    c,
    { title: 'Suppressions', section: 'settings', body: <SuppressionsPage workspace={workspace} page={page} channel={channel} q={q} viewer={viewerOf(c)} state={state} /> },
    status,
  );
}

export const suppressionRoutes = new Hono<AppEnv>()
  .get('/', (c) => renderSuppressionsPage(c, { notice: c.req.query('added') ? 'Address suppressed.' : c.req.query('removed') ? 'Address removed from the list.' : undefined }))
  .use('/*', requirePermission('suppressions:manage'))
  .post('/', async (c) => {
    try {
      await addSuppression(tenantOf(c), parseOrThrow(SuppressionInput, await readForm(c)));
      return c.redirect('/app/settings/suppressions?added=1', 303);
    } catch (err) {
      return renderSuppressionsPage(c, { errors: formErrorsOf(err) }, 400);
    }
  })
  .post('/remove', async (c) => {
    const { address } = parseOrThrow(z.object({ address: z.string().min(1) }), await readForm(c));
    await removeSuppression(tenantOf(c), address);
    return c.redirect('/app/settings/suppressions?removed=1', 303);
  });
