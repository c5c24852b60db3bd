// Dashboard actions on API keys (mounted at /app/settings/api-keys; those who may manage keys).
import { Hono } from 'hono';
import { formErrorsOf, readForm } from '../dashboard/forms';
import { renderSettingsPage } from '../dashboard/render-settings';
import type { AppEnv } from '../env';
import { requirePermission } from '../http/auth';
import { tenantOf } from '../http/tenant';
import { parseOrThrow } from '../http/validate';
import { CreateApiKeyInput } from './api-keys.schemas';
import { createApiKey, revokeApiKey } from './api-keys.service';

export const apiKeyRoutes = new Hono<AppEnv>()
  .use(requirePermission('api-keys:manage'))
  .post('/', async (c) => {
    const form = await readForm(c);
    try {
      const { key, apiKey } = await createApiKey(tenantOf(c), parseOrThrow(CreateApiKeyInput, form), { userId: c.get('session').userId, role: c.get('role') });
      // Rendered, not redirected: the key must not travel in a URL or a cookie.
      c.header('Cache-Control', 'no-store');
      return renderSettingsPage(c, { newKey: { name: apiKey.name, key } }, 201);
    } catch (err) {
      return renderSettingsPage(c, { keyErrors: formErrorsOf(err) }, 400);
    }
  })
  .post('/:id/revoke', async (c) => {
    await revokeApiKey(tenantOf(c), c.req.param('id'));
    return c.redirect('/app/settings#api-keys', 303);
  });
