// Reading products with how many contacts are interested in each (viewed, carted, or asked
// to hear when back in stock), and who they are: for the products page and /api/v1/products.
import { and, countDistinct, desc, eq, inArray, lt, max, or, sql } from 'drizzle-orm';
import { contacts, INTEREST_KINDS, type InterestKind, productInterests, products } from '../db/schema';
import type { Tenant } from '../db/tenant';
import { chunk } from '../lib/chunk';
import { notFound } from '../lib/errors';
import { keysetLimit } from '../lib/keyset-page';
import type { TimeCursor } from '../reports/reports.schemas';
import { pageConditions, requireQueriedContact, type StorePage, storePage } from './store-reads';
import type { StoreListQuery } from './store-reads.schemas';

/** A product as the page and the API show it. */
export type ProductView = {
  id: string;
  externalId: string | null;
  sku: string;
  title: string;
  url: string | null;
  imageUrl: string | null;
  currency: string;
  priceCents: number;
  previousPriceCents: number | null;
  priceChangedAt: number | null;
  inventory: number | null;
  restockedAt: number | null;
  createdAt: number;
  updatedAt: number;
  // Distinct contacts with any interest in it.
  interestedContacts: number;
};

const productColumns = {
  id: products.id,
  externalId: products.externalId,
  sku: products.sku,
  title: products.title,
  url: products.url,
  imageUrl: products.imageUrl,
  currency: products.currency,
  priceCents: products.priceCents,
  previousPriceCents: products.previousPriceCents,
  priceChangedAt: products.priceChangedAt,
  inventory: products.inventory,
  restockedAt: products.restockedAt,
  createdAt: products.createdAt,
  updatedAt: products.updatedAt,
};

// Product ids per IN list: D1 binds at most 100 parameters, the workspace id among them.
const IDS_PER_QUERY = 90;

async function withInterestCounts(tenant: Tenant, rows: Omit<ProductView, 'interestedContacts'>[]): Promise<ProductView[]> {
  const counts = new Map<string, number>();
  for (const slice of chunk(
    rows.map((row) => row.id),
    IDS_PER_QUERY,
  )) {
    const found = await tenant.db
      .select({ productId: productInterests.productId, contacts: countDistinct(productInterests.contactId) })
      .from(productInterests)
      .where(tenant.where(productInterests, inArray(productInterests.productId, slice)))
      .groupBy(productInterests.productId);
    for (const row of found) counts.set(row.productId, row.contacts);
  }
  return rows.map((row) => ({ ...row, interestedContacts: counts.get(row.id) ?? 0 }));
}

/** A page of products, newest first; with `contactId`, only those that contact is interested in. */
export async function listProducts(tenant: Tenant, query: StoreListQuery): Promise<StorePage<ProductView>> {
  await requireQueriedContact(tenant, query);
  const ofContact = query.contactId
    ? inArray(
        products.id,
        tenant.db
          .select({ id: productInterests.productId })
          .from(productInterests)
          .where(tenant.where(productInterests, eq(productInterests.contactId, query.contactId))),
      )
    : undefined;
  const rows = await tenant.db
    .select(productColumns)
    .from(products)
    .where(tenant.where(products, ofContact, ...pageConditions(products.createdAt, products.id, query)))
    .orderBy(desc(products.createdAt), desc(products.id))
    .limit(keysetLimit(query.limit));
  const page = storePage(rows, query.limit, (row) => row.createdAt);
  return { rows: await withInterestCounts(tenant, page.rows), nextCursor: page.nextCursor };
}

/** One product with its interest count (404 for another workspace's id). */
export async function getProduct(tenant: Tenant, id: string): Promise<ProductView> {
  const [row] = await tenant.db
    .select(productColumns)
    .from(products)
    .where(tenant.where(products, eq(products.id, id)))
    .limit(1);
  if (!row) throw notFound('Product');
  const [product] = await withInterestCounts(tenant, [row]);
  return product!;
}

/** A contact interested in a product: which kinds of interest, and the latest. */
export type InterestedContactView = {
  id: string;
  email: string | null;
  phone: string | null;
  firstName: string | null;
  lastName: string | null;
  kinds: InterestKind[];
  lastAt: number;
};

/** A page of a product's interested contacts, most recently interested first. */
export async function listInterestedContacts(tenant: Tenant, productId: string, page: { cursor?: TimeCursor | undefined; limit: number }): Promise<StorePage<InterestedContactView>> {
  const lastAt = max(productInterests.lastAt);
  const { cursor } = page;
  const rows = await tenant.db
    .select({
      id: contacts.id,
      email: contacts.email,
      phone: contacts.phone,
      firstName: contacts.firstName,
      lastName: contacts.lastName,
      kinds: sql<string>`group_concat(${productInterests.kind})`,
      lastAt: sql<number>`${lastAt}`.mapWith(Number),
    })
    .from(productInterests)
    .innerJoin(contacts, and(eq(contacts.id, productInterests.contactId), eq(contacts.workspaceId, productInterests.workspaceId)))
    .where(tenant.where(productInterests, eq(productInterests.productId, productId)))
    .groupBy(contacts.id)
    .having(cursor ? or(lt(lastAt, cursor.at), and(eq(lastAt, cursor.at), lt(contacts.id, cursor.id))) : undefined)
    .orderBy(desc(lastAt), desc(contacts.id))
    .limit(keysetLimit(page.limit));
  const result = storePage(rows, page.limit, (row) => row.lastAt);
  // group_concat keeps no order: the kinds are listed in their one order.
  const kindsOf = (list: string) => INTEREST_KINDS.filter((kind) => list.split(',').includes(kind));
  return { rows: result.rows.map((row) => ({ ...row, kinds: kindsOf(row.kinds) })), nextCursor: result.nextCursor };
}
