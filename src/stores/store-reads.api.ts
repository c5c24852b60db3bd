// /api/v1 reads of store data: orders, carts, products and store connections. Lists are
// keyset pages newest first, narrowed by contact and time; ids of another workspace are 404.
// Connections never carry their secret, only whether one is set.
import { Hono } from 'hono';
import type { AppEnv } from '../env';
import { tenantOf } from '../http/tenant';
import { validate } from '../http/validate';
import { publicUrl } from '../lib/public-url';
import { getProduct, listProducts } from './product-reads';
import { getStoreConnection, listStoreConnections, type StoreConnectionView, webhookPath } from './store-connections.service';
import { listConnectionDeliveries } from './store-deliveries';
import { getCart, getOrder, listCarts, listOrders } from './store-reads';
import { StoreListQuery } from './store-reads.schemas';

function withWebhookUrl(env: { PUBLIC_BASE_URL: string }, connection: StoreConnectionView) {
  return { ...connection, webhookUrl: publicUrl(env, webhookPath(connection)) };
}

/** Mounted at /api/v1. */
export const storeReadApi = new Hono<AppEnv>()
  .get('/orders', validate('query', StoreListQuery), async (c) => {
    const page = await listOrders(tenantOf(c), c.req.valid('query'));
    return c.json({ orders: page.rows, nextCursor: page.nextCursor });
  })
  .get('/orders/:id', async (c) => c.json({ order: await getOrder(tenantOf(c), c.req.param('id')) }))
  .get('/carts', validate('query', StoreListQuery), async (c) => {
    const page = await listCarts(tenantOf(c), c.req.valid('query'));
    return c.json({ carts: page.rows, nextCursor: page.nextCursor });
  })
  .get('/carts/:id', async (c) => c.json({ cart: await getCart(tenantOf(c), c.req.param('id')) }))
  .get('/products', validate('query', StoreListQuery), async (c) => {
    const page = await listProducts(tenantOf(c), c.req.valid('query'));
    return c.json({ products: page.rows, nextCursor: page.nextCursor });
  })
  .get('/products/:id', async (c) => c.json({ product: await getProduct(tenantOf(c), c.req.param('id')) }))
  // A workspace has a handful of connections: one answer, no pages.
  .get('/store-connections', async (c) => c.json({ storeConnections: (await listStoreConnections(tenantOf(c))).map((connection) => withWebhookUrl(c.env, connection)) }))
  .get('/store-connections/:id', async (c) => {
    const tenant = tenantOf(c);
    const connection = await getStoreConnection(tenant, c.req.param('id'));
    return c.json({ storeConnection: { ...withWebhookUrl(c.env, connection), deliveries: await listConnectionDeliveries(tenant, connection.id) } });
  });
