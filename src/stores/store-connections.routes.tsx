// Settings → Store connections (mounted at /app/settings/stores).
import { Hono } from 'hono';
import { formErrorsOf, readForm } from '../dashboard/forms';
import { renderStoreConnectionsPage } from '../dashboard/pages/store-connections-page';
import type { AppEnv } from '../env';
import { requireOwner } from '../http/auth';
import { tenantOf } from '../http/tenant';
import { parseOrThrow } from '../http/validate';
import { CreateStoreConnectionInput } from './store-connections.schemas';
import { createStoreConnection, deleteStoreConnection } from './store-connections.service';

export const storeConnectionRoutes = new Hono<AppEnv>()
  .get('/', (c) => renderStoreConnectionsPage(c, { reveal: c.req.query('reveal'), notice: c.req.query('deleted') ? 'Store disconnected.' : undefined }))
  .post('/', requireOwner(), async (c) => {
    const form = await readForm(c);
    try {
      const connection = await createStoreConnection(tenantOf(c), c.env.ENCRYPTION_KEY, parseOrThrow(CreateStoreConnectionInput, form));
      return c.redirect(`/app/settings/stores?reveal=${connection.id}#connection-${connection.id}`, 303);
    } catch (err) {
      return renderStoreConnectionsPage(c, { errors: formErrorsOf(err), values: { ...form, secret: '' } }, 400);
    }
  })
  .post('/:id/delete', requireOwner(), async (c) => {
    await deleteStoreConnection(tenantOf(c), c.req.param('id'));
    return c.redirect('/app/settings/stores?deleted=1', 303);
  });
