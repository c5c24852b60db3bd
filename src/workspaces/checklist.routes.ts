// Marketing's first-run checklist: hiding it, and showing it again (mounted at /app/marketing/checklist).
import { Hono } from 'hono';
import { z } from 'zod';
import { readForm } from '../dashboard/forms';
import type { AppEnv } from '../env';
import { requirePermission } from '../http/auth';
import { tenantOf } from '../http/tenant';
import { parseOrThrow } from '../http/validate';
import { setFirstRunChecklistHidden } from './first-run-checklist';

const ChecklistVisibilityInput = z.object({ hidden: z.enum(['true', 'false'], { message: 'Say whether to hide the checklist' }) });

export const checklistRoutes = new Hono<AppEnv>().post('/', requirePermission('settings:workspace'), async (c) => {
  const { hidden } = parseOrThrow(ChecklistVisibilityInput, await readForm(c));
  await setFirstRunChecklistHidden(tenantOf(c), hidden === 'true');
  return c.redirect('/app/marketing', 303);
});
