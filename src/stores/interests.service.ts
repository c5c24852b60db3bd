// Product interests: a contact viewed, carted or asked to be told about a product.
import { sql } from 'drizzle-orm';
import { productInterests, type InterestKind } from '../db/schema';
import type { Tenant } from '../db/tenant';

/** The upsert of one interest: first time kept, last time moved forward. */
export function interestStatement(tenant: Tenant, interest: { contactId: string; productId: string; kind: InterestKind; at: number }) {
  return tenant.db
    .insert(productInterests)
    .values(tenant.row({ contactId: interest.contactId, productId: interest.productId, kind: interest.kind, firstAt: interest.at, lastAt: interest.at }))
    .onConflictDoUpdate({
      target: [productInterests.workspaceId, productInterests.contactId, productInterests.productId, productInterests.kind],
      set: { lastAt: sql`MAX(${productInterests.lastAt}, excluded.last_at)` },
    });
}
