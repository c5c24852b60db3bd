// Settings → Store connections (mounted at /app/settings/stores).
import { type Context, Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { formErrorsOf, readForm } from '../dashboard/forms';
import { StoreConnectionsPage, type StoreConnectionsState } from '../dashboard/pages/store-connections-page';
import { viewerCan } from '../dashboard/components';
import { renderAppPage, viewerOf } from '../dashboard/render';
import type { AppEnv } from '../env';
import { readWorkHealth } from '../health/queue-health';
import { requirePermission } from '../http/auth';
import { tenantOf } from '../http/tenant';
import { parseOrThrow } from '../http/validate';
import { publicUrl } from '../lib/public-url';
import { getWorkspace } from '../workspaces/workspaces.service';
import { CreateStoreConnectionInput, StoreConnectionSecretInput } from './store-connections.schemas';
import { createStoreConnection, deleteStoreConnection, listStoreConnections, revealStoreConnectionSecret, setStoreConnectionSecret, webhookPath } from './store-connections.service';
import { listConnectionDeliveries } from './store-deliveries';

const NOTICES: Record<string, string> = {
  deleted: 'Store disconnected.',
  secret: 'Secret saved: deliveries signed with it are accepted from now on (within a minute everywhere).',
};

/** Loads the connections with their last deliveries (decrypting the secret of `reveal`, for the owner only) and renders the page. */
async function renderStoreConnectionsPage(c: Context<AppEnv>, state: StoreConnectionsState & { reveal?: string | undefined } = {}, status: ContentfulStatusCode = 200) {
  const tenant = tenantOf(c);
  const [workspace, connections, work] = await Promise.all([getWorkspace(tenant), listStoreConnections(tenant), readWorkHealth(tenant.db, Date.now())]);
  const deliveries = await Promise.all(connections.map((connection) => listConnectionDeliveries(tenant, connection.id)));
  const viewer = viewerOf(c);
  const revealed =
    viewerCan(viewer, 'stores:manage') && state.reveal && connections.some((conn) => conn.id === state.reveal) ? await revealStoreConnectionSecret(tenant, c.env.ENCRYPTION_KEY, state.reveal) : null;
  if (revealed) c.header('Cache-Control', 'no-store');
  const shown = connections.map((connection, i) => ({
    connection,
    webhookUrl: publicUrl(c.env, webhookPath(connection)),
    secret: connection.id === state.reveal ? revealed : null,
    deliveries: deliveries[i] ?? [],
  }));
  return renderAppPage(
    c,
    {
      title: 'Store connections',
      section: 'settings',
      body: (
        <StoreConnectionsPage
          workspace={workspace}
          connections={shown}
          viewer={viewer}
          state={state}
          eventsLagMs={work.queues.EVENTS_QUEUE.status === 'behind' ? work.queues.EVENTS_QUEUE.lagMs : null}
        />
      ),
    },
    status,
  );
}

export const storeConnectionRoutes = new Hono<AppEnv>()
  .get('/', (c) => renderStoreConnectionsPage(c, { reveal: c.req.query('reveal'), notice: NOTICES[c.req.query('done') ?? ''] }))
  .post('/', requirePermission('stores:manage'), async (c) => {
    const form = await readForm(c);
    try {
      const connection = await createStoreConnection(tenantOf(c), c.env.ENCRYPTION_KEY, parseOrThrow(CreateStoreConnectionInput, form));
      return c.redirect(`/app/settings/stores?reveal=${connection.id}#connection-${connection.id}`, 303);
    } catch (err) {
      return renderStoreConnectionsPage(c, { errors: formErrorsOf(err), values: { ...form, secret: '' } }, 400);
    }
  })
  .post('/:id/secret', requirePermission('stores:manage'), async (c) => {
    const id = c.req.param('id');
    const form = await readForm(c);
    try {
      await setStoreConnectionSecret(tenantOf(c), c.env.ENCRYPTION_KEY, id, parseOrThrow(StoreConnectionSecretInput, form));
      return c.redirect(`/app/settings/stores?done=secret#connection-${id}`, 303);
    } catch (err) {
      const message = Object.values(formErrorsOf(err))[0] ?? 'Paste the secret again.';
      return renderStoreConnectionsPage(c, { secretError: { connectionId: id, message } }, 400);
    }
  })
  .post('/:id/delete', requirePermission('stores:manage'), async (c) => {
    await deleteStoreConnection(tenantOf(c), c.req.param('id'));
    return c.redirect('/app/settings/stores?done=deleted', 303);
  });
