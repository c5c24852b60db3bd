// Dashboard pages of products (mounted at /app/products).
import { Hono } from 'hono';
import { ProductPage, ProductsPage } from '../dashboard/pages/products-page';
import { renderAppPage } from '../dashboard/render';
import type { AppEnv } from '../env';
import { tenantOf } from '../http/tenant';
import { parseOrThrow } from '../http/validate';
import { TimeCursor } from '../reports/reports.schemas';
import { getWorkspace } from '../workspaces/workspaces.service';
import { getProduct, listInterestedContacts, listProducts } from './product-reads';
import { StoreListQuery } from './store-reads.schemas';
import { z } from 'zod';

// The product page pages through its interested contacts only.
const InterestedQuery = z.object({ cursor: TimeCursor.optional() }).strict();

const PAGE_SIZE = 50;

/** Mounted at /app/products. */
export const productRoutes = new Hono<AppEnv>()
  .get('/', async (c) => {
    const query = parseOrThrow(StoreListQuery, { ...c.req.query(), limit: String(PAGE_SIZE) });
    const page = await listProducts(tenantOf(c), query);
    return renderAppPage(c, { title: 'Products', section: 'products', body: <ProductsPage page={page} paged={Boolean(query.cursor)} /> });
  })
  .get('/:id', async (c) => {
    const tenant = tenantOf(c);
    const { cursor } = parseOrThrow(InterestedQuery, c.req.query());
    const product = await getProduct(tenant, c.req.param('id'));
    const [workspace, interested] = await Promise.all([getWorkspace(tenant), listInterestedContacts(tenant, product.id, { cursor, limit: PAGE_SIZE })]);
    return renderAppPage(c, {
      title: product.title,
      section: 'products',
      body: <ProductPage product={product} interested={interested} paged={Boolean(cursor)} timeZone={workspace.timeZone} />,
    });
  });
