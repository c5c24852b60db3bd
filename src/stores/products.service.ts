// Products (one row per SKU of each store connection): price changes keep the previous price, stock going
// from 0 to more is a restock, and both raise triggers.
import { and, eq, inArray } from 'drizzle-orm';
import { runBatch, type Statement } from '../db/client';
import { chunk } from '../lib/chunk';
import { products } from '../db/schema';
import { keyed, type Tenant } from '../db/tenant';
import { newId } from '../lib/ids';
import { emitTrigger } from '../triggers/triggers';
import type { ProductVariant } from './store-events';

type ProductRow = typeof products.$inferSelect;

// D1 binds at most 100 parameters; two go to the workspace and connection ids.
const MAX_IN_LIST = 90;

/** What changed when a variant's new state was applied. */
export type ProductChange = { priceDropped: boolean; restocked: boolean };

/** A variant's incoming price and stock; `regularPriceCents` is its price before a sale, when known. */
type NextState = { priceCents: number; inventory: number | null; regularPriceCents?: number | null };

/**
 * Compares stored and incoming state (pure, so the rules have their own tests). A product
 * first seen on sale (below its regular or compare-at price) is a price drop too.
 */
export function compareProduct(current: Pick<ProductRow, 'priceCents' | 'inventory'> | null, next: NextState): ProductChange {
  if (!current) return { priceDropped: onSale(next), restocked: false };
  return {
    priceDropped: next.priceCents < current.priceCents,
    restocked: current.inventory !== null && current.inventory <= 0 && next.inventory !== null && next.inventory > 0,
  };
}

function onSale(next: NextState): boolean {
  return next.regularPriceCents != null && next.priceCents < next.regularPriceCents;
}

function isStale(row: ProductRow, updatedAt: number | null): boolean {
  return updatedAt !== null && row.sourceUpdatedAt !== null && updatedAt < row.sourceUpdatedAt;
}

/** The `price_dropped` of a product going from `oldPriceCents` to its new price. */
function priceDropStatement(tenant: Tenant, product: Pick<ProductRow, 'id' | 'sku' | 'currency'>, oldPriceCents: number, newPriceCents: number, updatedAt: number | null, now: number) {
  return emitTrigger(tenant, {
    kind: 'price_dropped',
    occurrenceKey: `${product.id}:${oldPriceCents}->${newPriceCents}:${updatedAt ?? now}`,
    contactId: null,
    subjectId: product.id,
    data: { sku: product.sku, oldPriceCents, newPriceCents, currency: product.currency },
    occurredAt: now,
  });
}

/** Statements updating an existing product to a new price and stock, with the triggers that raises. */
function changeStatements(tenant: Tenant, row: ProductRow, next: NextState & { fields?: Partial<ProductRow> }, updatedAt: number | null, now: number) {
  const change = compareProduct(row, next);
  const priceChanged = next.priceCents !== row.priceCents;
  // When the store says when it changed, that is when (not when we heard of it).
  const changedAt = updatedAt ?? now;
  const statements: Statement[] = [
    tenant.db
      .update(products)
      .set({
        ...next.fields,
        priceCents: next.priceCents,
        inventory: next.inventory,
        ...(priceChanged ? { previousPriceCents: row.priceCents, priceChangedAt: changedAt } : {}),
        ...(change.restocked ? { restockedAt: changedAt } : {}),
        sourceUpdatedAt: updatedAt ?? row.sourceUpdatedAt,
        updatedAt: now,
      })
      .where(tenant.where(products, eq(products.id, row.id))),
  ];
  if (change.priceDropped) statements.push(priceDropStatement(tenant, row, row.priceCents, next.priceCents, updatedAt, now));
  if (change.restocked) {
    statements.push(
      emitTrigger(tenant, {
        kind: 'back_in_stock',
        occurrenceKey: `${row.id}:restock:${updatedAt ?? now}`,
        contactId: null,
        subjectId: row.id,
        data: { sku: row.sku, inventory: next.inventory },
        occurredAt: now,
      }),
    );
  }
  return statements;
}

/** Creates or updates each variant of a store connection's product; older updates than the stored one are skipped. */
export async function applyProductVariants(
  tenant: Tenant,
  connectionId: string,
  variants: ProductVariant[],
  parentExternalId: string,
  updatedAt: number | null,
  defaultCurrency: string,
  now = Date.now(),
): Promise<void> {
  if (!variants.length) return;
  const bySku = await findProductsBySku(
    tenant,
    connectionId,
    variants.map((variant) => variant.sku),
  );
  const statements: Statement[] = [];
  for (const variant of variants) {
    const fields = { externalId: variant.externalId, parentExternalId, title: variant.title, url: variant.url, imageUrl: variant.imageUrl, inventoryItemId: variant.inventoryItemId };
    const row = bySku.get(variant.sku);
    if (!row) {
      const id = newId(now);
      const currency = variant.currency ?? defaultCurrency;
      const regularPriceCents = variant.regularPriceCents ?? null;
      // First seen on sale: the regular price is the price it dropped from.
      const onSaleNow = regularPriceCents !== null && compareProduct(null, variant).priceDropped;
      const sale = onSaleNow ? { previousPriceCents: regularPriceCents, priceChangedAt: updatedAt ?? now } : {};
      statements.push(
        tenant.db
          .insert(products)
          .values(
            tenant.row({
              id,
              connectionId,
              sku: variant.sku,
              currency,
              priceCents: variant.priceCents,
              inventory: variant.inventory,
              sourceUpdatedAt: updatedAt,
              createdAt: now,
              updatedAt: now,
              ...sale,
              ...fields,
            }),
          )
          .onConflictDoNothing(),
      );
      if (onSaleNow) statements.push(priceDropStatement(tenant, { id, sku: variant.sku, currency }, regularPriceCents, variant.priceCents, updatedAt, now));
    } else if (!isStale(row, updatedAt)) {
      statements.push(...changeStatements(tenant, row, { priceCents: variant.priceCents, inventory: variant.inventory ?? row.inventory, fields }, updatedAt, now));
    }
  }
  await runBatch(tenant.db, statements);
}

/** Applies a stock level reported for a store connection's inventory item (Shopify's inventory_levels/update). */
export async function applyInventoryLevel(tenant: Tenant, connectionId: string, inventoryItemId: string, available: number, updatedAt: number | null, now = Date.now()): Promise<void> {
  const rows = await tenant.db
    .select()
    .from(products)
    .where(tenant.where(products, eq(products.connectionId, connectionId), eq(products.inventoryItemId, inventoryItemId)));
  // The level can arrive before the product itself: then there is nothing to update yet.
  await runBatch(
    tenant.db,
    rows.filter((row) => !isStale(row, updatedAt)).flatMap((row) => changeStatements(tenant, row, { priceCents: row.priceCents, inventory: available }, updatedAt, now)),
  );
}

/** A store connection's products with these SKUs, by SKU (another store's same SKU is another product). */
export async function findProductsBySku(tenant: Tenant, connectionId: string, skus: string[]): Promise<Map<string, ProductRow>> {
  const found = new Map<string, ProductRow>();
  for (const part of chunk([...new Set(skus)], MAX_IN_LIST)) {
    const rows = await tenant.db
      .select()
      .from(products)
      .where(tenant.where(products, keyed(and(eq(products.connectionId, connectionId), inArray(products.sku, part))!)));
    for (const row of rows) found.set(row.sku, row);
  }
  return found;
}
