// A contact's customer ids, one per store connection (the same person is customer 7 in a
// WooCommerce store and 6201234567801 in a Shopify store), and consent changes that named a
// customer id before any contact had it: kept until the customer arrives, never dropped.
import { and, eq, sql } from 'drizzle-orm';
import { runBatch } from '../db/client';
import { contactStoreIds, contacts, pendingStoreConsents, type ConsentChannel, type ConsentStatus } from '../db/schema';
import type { Tenant } from '../db/tenant';

/** A customer of one store: the connection and the store's customer id. */
export type StoreCustomer = { connectionId: string; externalId: string };

/** A consent change waiting for its customer. */
export type PendingConsent = { channel: ConsentChannel; status: ConsentStatus; changedAt: number };

/** The email and phone of the contact a store customer is. */
export type StoreCustomerIdentity = { email: string | null; phone: string | null };

function isCustomer(tenant: Tenant, customer: StoreCustomer) {
  return tenant.where(contactStoreIds, eq(contactStoreIds.connectionId, customer.connectionId), eq(contactStoreIds.externalId, customer.externalId));
}

function identityQuery(tenant: Tenant, customer: StoreCustomer) {
  return tenant.db
    .select({ email: contacts.email, phone: contacts.phone })
    .from(contactStoreIds)
    .innerJoin(contacts, and(eq(contacts.id, contactStoreIds.contactId), eq(contacts.workspaceId, contactStoreIds.workspaceId)))
    .where(isCustomer(tenant, customer))
    .limit(1);
}

function pendingFor(tenant: Tenant, customer: StoreCustomer) {
  return tenant.where(pendingStoreConsents, eq(pendingStoreConsents.connectionId, customer.connectionId), eq(pendingStoreConsents.externalId, customer.externalId));
}

/** The contact a store's customer id names, or null when no contact has it yet. */
export async function findStoreCustomer(tenant: Tenant, customer: StoreCustomer): Promise<StoreCustomerIdentity | null> {
  const [found] = await identityQuery(tenant, customer);
  return found ?? null;
}

/**
 * Records that the store's customer is this contact (the latest contact wins, e.g. after the
 * customer changed their email) and returns the consent changes that waited for it.
 */
export async function linkStoreCustomer(tenant: Tenant, customer: StoreCustomer, contactId: string): Promise<PendingConsent[]> {
  const [, pending] = await tenant.db.batch([
    tenant.db
      .insert(contactStoreIds)
      .values(tenant.row({ ...customer, contactId }))
      .onConflictDoUpdate({ target: [contactStoreIds.connectionId, contactStoreIds.externalId], set: { contactId } }),
    tenant.db
      .select({ channel: pendingStoreConsents.channel, status: pendingStoreConsents.status, changedAt: pendingStoreConsents.changedAt })
      .from(pendingStoreConsents)
      .where(pendingFor(tenant, customer)),
  ]);
  return pending;
}

/**
 * Keeps a consent change for a customer id no contact has (the newest change per channel),
 * and returns the customer's contact when one got the id meanwhile (a customer event applied
 * at the same time): then the caller applies the kept change itself.
 */
export async function keepPendingConsent(tenant: Tenant, customer: StoreCustomer, consent: PendingConsent, now: number): Promise<StoreCustomerIdentity | null> {
  const [, [found]] = await tenant.db.batch([
    tenant.db
      .insert(pendingStoreConsents)
      .values(tenant.row({ ...customer, ...consent, receivedAt: now }))
      .onConflictDoUpdate({
        target: [pendingStoreConsents.connectionId, pendingStoreConsents.externalId, pendingStoreConsents.channel],
        set: { status: consent.status, changedAt: consent.changedAt, receivedAt: now },
        setWhere: sql`excluded.changed_at >= ${pendingStoreConsents.changedAt}`,
      }),
    identityQuery(tenant, customer),
  ]);
  return found ?? null;
}

/** Forgets kept consent changes once applied; a newer one kept meanwhile stays. */
export async function clearPendingConsents(tenant: Tenant, customer: StoreCustomer, applied: PendingConsent[]): Promise<void> {
  await runBatch(
    tenant.db,
    applied.map((consent) =>
      tenant.db.delete(pendingStoreConsents).where(and(pendingFor(tenant, customer), eq(pendingStoreConsents.channel, consent.channel), eq(pendingStoreConsents.changedAt, consent.changedAt))),
    ),
  );
}
