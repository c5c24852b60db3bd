// Settings → Suppressions (mounted at /app/settings/suppressions).
import { Hono } from 'hono';
import { z } from 'zod';
import { formErrorsOf, readForm } from '../dashboard/forms';
import { renderSuppressionsPage } from '../dashboard/pages/suppressions-page';
import type { AppEnv } from '../env';
import { requireOwner } from '../http/auth';
import { tenantOf } from '../http/tenant';
import { parseOrThrow } from '../http/validate';
import { addSuppression, removeSuppression, SuppressionInput } from './suppressions.service';

export const suppressionRoutes = new Hono<AppEnv>()
  .get('/', (c) => renderSuppressionsPage(c, { notice: c.req.query('added') ? 'Address suppressed.' : c.req.query('removed') ? 'Address removed from the list.' : undefined }))
  .use('/*', requireOwner())
  .post('/', async (c) => {
    try {
      await addSuppression(tenantOf(c), parseOrThrow(SuppressionInput, await readForm(c)));
      return c.redirect('/app/settings/suppressions?added=1', 303);
    } catch (err) {
      return renderSuppressionsPage(c, { errors: formErrorsOf(err) }, 400);
    }
  })
  .post('/remove', async (c) => {
    const { email } = parseOrThrow(z.object({ email: z.string().min(1) }), await readForm(c));
    await removeSuppression(tenantOf(c), email);
    return c.redirect('/app/settings/suppressions?removed=1', 303);
  });
