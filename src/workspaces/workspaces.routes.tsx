// Dashboard actions on workspaces: settings, creating one, switching between them.
import { Hono } from 'hono';
import { z } from 'zod';
import { setSessionWorkspace } from '../accounts/sessions';
import { formErrorsOf, readForm } from '../dashboard/forms';
import { NewWorkspacePage } from '../dashboard/pages/new-workspace-page';
import { renderSettingsPage } from '../dashboard/render-settings';
import { renderAppPage } from '../dashboard/render';
import { openDb } from '../db/client';
import type { AppEnv } from '../env';
import { requirePermission } from '../http/auth';
import { tenantOf } from '../http/tenant';
import { parseOrThrow } from '../http/validate';
import { CreateWorkspaceInput, WorkspaceSettingsInput } from './workspaces.schemas';
import { createWorkspace, getMembershipRole, updateWorkspace } from './workspaces.service';

const SwitchInput = z.object({ workspaceId: z.string().min(1) });

/** Mounted at /app/settings. */
export const settingsRoutes = new Hono<AppEnv>()
  .get('/', (c) => renderSettingsPage(c, { notice: c.req.query('saved') ? 'Workspace settings saved.' : undefined }))
  .post('/', requirePermission('settings:workspace'), async (c) => {
    const form = await readForm(c);
    try {
      await updateWorkspace(tenantOf(c), parseOrThrow(WorkspaceSettingsInput, form));
      return c.redirect('/app/settings?saved=1', 303);
    } catch (err) {
      return renderSettingsPage(c, { errors: formErrorsOf(err), values: form }, 400);
    }
  });

/** Mounted at /app/workspaces. */
export const workspaceRoutes = new Hono<AppEnv>()
  .get('/new', (c) => renderAppPage(c, { title: 'New workspace', section: 'settings', body: <NewWorkspacePage csrfToken={c.get('csrfToken')} /> }))
  .post('/', async (c) => {
    const form = await readForm(c);
    const session = c.get('session');
    try {
      const db = openDb(c.env.DB);
      const workspaceId = await createWorkspace(db, session.userId, parseOrThrow(CreateWorkspaceInput, form));
      await setSessionWorkspace(db, session.sessionId, workspaceId);
      return c.redirect('/app/marketing', 303);
    } catch (err) {
      const body = <NewWorkspacePage csrfToken={c.get('csrfToken')} values={form} errors={formErrorsOf(err)} />;
      return renderAppPage(c, { title: 'New workspace', section: 'settings', body }, 400);
    }
  })
  .post('/switch', async (c) => {
    const { workspaceId } = parseOrThrow(SwitchInput, await readForm(c));
    const session = c.get('session');
    const db = openDb(c.env.DB);
    // 404 unless the user belongs to it: another tenant's id must reveal nothing.
    await getMembershipRole(db, session.userId, workspaceId);
    await setSessionWorkspace(db, session.sessionId, workspaceId);
    return c.redirect('/app/marketing', 303);
  });
