// Settings → Workspace & API keys, rendered by the workspace routes and the API key routes.
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { apiKeyRolesFor, listApiKeys } from '../api-keys/api-keys.service';
import type { AppEnv } from '../env';
import { tenantOf } from '../http/tenant';
import { getWorkspace } from '../workspaces/workspaces.service';
import { SettingsPage, type SettingsState } from './pages/settings-page';
import { renderAppPage, viewerOf } from './render';

/** Loads the workspace and its keys and renders Settings with what an action wants shown. */
export async function renderSettingsPage(c: Context<AppEnv>, state: SettingsState = {}, status: ContentfulStatusCode = 200) {
  const tenant = tenantOf(c);
  const [workspace, apiKeys] = await Promise.all([getWorkspace(tenant), listApiKeys(tenant)]);
  return renderAppPage(
    c,
    { title: 'Settings', section: 'settings', body: <SettingsPage workspace={workspace} apiKeys={apiKeys} keyRoles={apiKeyRolesFor(c.get('role'))} viewer={viewerOf(c)} state={state} /> },
    status,
  );
}
