// Carts and checkouts: open with their items, value and recovery link until an
// order converts them; an update raises `cart_updated` for abandoned-cart flows.
import { and, eq, lte, or } from 'drizzle-orm';
import { runBatch, type Statement } from '../db/client';
import { carts } from '../db/schema';
import type { Tenant } from '../db/tenant';
import { newId } from '../lib/ids';
import { emitTrigger } from '../triggers/triggers';
import { interestStatement } from './interests.service';
import type { CartEvent } from './store-events';

/**
 * Statements converting the carts an order closes: its own checkout, and the contact's open
 * carts from before it, in the order's store only (buying in one store leaves another store's cart abandoned).
 */
export function convertCartsStatements(tenant: Tenant, order: { connectionId: string; orderId: string; contactId: string; cartExternalId: string | null; placedAt: number; now: number }): Statement[] {
  const sameContactBefore = and(eq(carts.contactId, order.contactId), lte(carts.updatedAt, order.placedAt));
  const matches = order.cartExternalId ? or(eq(carts.externalId, order.cartExternalId), sameContactBefore) : sameContactBefore;
  return [
    tenant.db
      .update(carts)
      .set({ status: 'converted', convertedOrderId: order.orderId, updatedAt: order.now })
      .where(tenant.where(carts, eq(carts.connectionId, order.connectionId), eq(carts.status, 'open'), matches)),
  ];
}

/** Applies a cart event from a store connection for a contact (null for an anonymous cart). */
export async function applyCart(tenant: Tenant, connectionId: string, event: CartEvent, contactId: string | null, productIds: Map<string, string>, now = Date.now()): Promise<void> {
  const [existing] = await tenant.db
    .select({ id: carts.id, status: carts.status, sourceUpdatedAt: carts.sourceUpdatedAt })
    .from(carts)
    .where(tenant.where(carts, eq(carts.connectionId, connectionId), eq(carts.externalId, event.externalId)))
    .limit(1);
  if (existing?.sourceUpdatedAt && event.updatedAt < existing.sourceUpdatedAt) return;
  const cartId = existing?.id ?? newId(now);
  // A converted cart stays converted: a late checkout update must not reopen it.
  const status = existing?.status === 'converted' || event.completed ? 'converted' : 'open';
  const fields = {
    contactId,
    status,
    currency: event.currency,
    valueCents: event.valueCents,
    items: JSON.stringify(event.items),
    recoveryUrl: event.recoveryUrl,
    sourceUpdatedAt: event.updatedAt,
    updatedAt: event.updatedAt,
  } as const;
  const statements: Statement[] = [
    existing
      ? tenant.db
          .update(carts)
          .set(fields)
          .where(tenant.where(carts, eq(carts.id, cartId)))
      : tenant.db.insert(carts).values(tenant.row({ id: cartId, connectionId, externalId: event.externalId, createdAt: now, ...fields })),
  ];
  if (contactId) {
    for (const item of event.items) {
      const productId = item.sku ? productIds.get(item.sku) : undefined;
      if (productId) statements.push(interestStatement(tenant, { contactId, productId, kind: 'carted', at: event.updatedAt }));
    }
    if (status === 'open' && event.items.length) {
      statements.push(
        emitTrigger(tenant, {
          kind: 'cart_updated',
          occurrenceKey: `${cartId}:${event.updatedAt}`,
          contactId,
          subjectId: cartId,
          data: { valueCents: event.valueCents, currency: event.currency, recoveryUrl: event.recoveryUrl, itemCount: event.items.length },
          occurredAt: event.updatedAt,
        }),
      );
    }
  }
  await runBatch(tenant.db, statements);
}
