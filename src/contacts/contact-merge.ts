// Merging two contacts that turn out to be one person: an SMS subscriber known only
// by phone, and the contact of an email, when a later event carries both. The
// email's contact stays (an email is the identity stores, orders and suppressions
// use); the phone's contact is folded into it and deleted, freeing its phone.
import { and, eq, isNull, sql, type SQL } from 'drizzle-orm';
import { alias, type SQLiteColumn, type SQLiteUpdateSetSource } from 'drizzle-orm/sqlite-core';
import type { Statement } from '../db/client';
import { CONSENT_CHANNELS, carts, consentChanges, contactStoreIds, contactTags, contacts, deliveries, orders, productInterests, triggers } from '../db/schema';
import type { Tenant } from '../db/tenant';

const merged = alias(contacts, 'merged');
const twin = alias(deliveries, 'twin');

// Conservative: an unsubscribe on either side is never lost, and an opt-in beats silence.
const rank = (status: SQLiteColumn) => sql`(CASE ${status} WHEN 'unsubscribed' THEN 2 WHEN 'subscribed' THEN 1 ELSE 0 END)`;
// The earlier and the later of two nullable times.
const earliest = (a: SQLiteColumn, b: SQLiteColumn) => sql`COALESCE(MIN(${a}, ${b}), ${a}, ${b})`;
const latest = (a: SQLiteColumn, b: SQLiteColumn) => sql`COALESCE(MAX(${a}, ${b}), ${a}, ${b})`;

const CONSENT = {
  email: [contacts.emailConsent, contacts.emailConsentAt, contacts.emailConsentSource, merged.emailConsent, merged.emailConsentAt, merged.emailConsentSource],
  sms: [contacts.smsConsent, contacts.smsConsentAt, contacts.smsConsentSource, merged.smsConsent, merged.smsConsentAt, merged.smsConsentSource],
} as const;
const CONSENT_KEYS = { email: ['emailConsent', 'emailConsentAt', 'emailConsentSource'], sms: ['smsConsent', 'smsConsentAt', 'smsConsentSource'] } as const;

/** The survivor's row: each consent takes the stronger side (with its time and source), the profile fills its gaps, the numbers add up. */
function survivorSet(now: number): SQLiteUpdateSetSource<typeof contacts> {
  const set: SQLiteUpdateSetSource<typeof contacts> = {
    firstName: sql`COALESCE(${contacts.firstName}, ${merged.firstName})`,
    lastName: sql`COALESCE(${contacts.lastName}, ${merged.lastName})`,
    externalId: sql`COALESCE(${contacts.externalId}, ${merged.externalId})`,
    registered: sql`(${contacts.registered} OR ${merged.registered})`,
    // The merged contact's orders move over, so its figures add to the survivor's.
    totalSpentCents: sql`${contacts.totalSpentCents} + ${merged.totalSpentCents}`,
    orderCount: sql`${contacts.orderCount} + ${merged.orderCount}`,
    // Imported baselines add up too; with the later of the two times no order counts twice
    // (one placed between the two times may then be left out).
    importedSpentCents: sql`${contacts.importedSpentCents} + ${merged.importedSpentCents}`,
    importedOrderCount: sql`${contacts.importedOrderCount} + ${merged.importedOrderCount}`,
    importedTotalsAt: latest(contacts.importedTotalsAt, merged.importedTotalsAt),
    firstOrderAt: earliest(contacts.firstOrderAt, merged.firstOrderAt),
    lastOrderAt: latest(contacts.lastOrderAt, merged.lastOrderAt),
    lastOpenedAt: latest(contacts.lastOpenedAt, merged.lastOpenedAt),
    lastClickedAt: latest(contacts.lastClickedAt, merged.lastClickedAt),
    // The person has been known since the earlier of the two.
    createdAt: sql`MIN(${contacts.createdAt}, ${merged.createdAt})`,
    updatedAt: now,
  };
  for (const channel of CONSENT_CHANNELS) {
    const [status, at, source, otherStatus, otherAt, otherSource] = CONSENT[channel];
    const [statusKey, atKey, sourceKey] = CONSENT_KEYS[channel];
    const theirs = sql`${rank(otherStatus)} > ${rank(status)}`;
    set[statusKey] = sql`CASE WHEN ${theirs} THEN ${otherStatus} ELSE ${status} END`;
    set[atKey] = sql`CASE WHEN ${theirs} THEN ${otherAt} ELSE ${at} END`;
    set[sourceKey] = sql`CASE WHEN ${theirs} THEN ${otherSource} ELSE ${source} END`;
  }
  return set;
}

/**
 * The statements folding the contact that has only `phone` into the contact of `email`,
 * when both exist: tags, interests, consent history, orders, carts, store customer ids, triggers and deliveries
 * move to the email's contact, its consent and profile combine, and the phone's contact is
 * deleted, so the statements after these can give its phone to the email's contact. Every
 * statement finds both contacts in SQL: when they are not both there, all are no-ops, so
 * they go in every upsert batch carrying both identifiers. A contact_created of the merged
 * contact goes with it (the person already has one), and so does a delivery the survivor
 * also has (same campaign or flow step and occurrence: one is what was meant).
 */
export function mergeByPhoneStatements(tenant: Tenant, email: string, phone: string, now: number): Statement[] {
  const survivorId = sql`(SELECT ${contacts.id} FROM ${contacts} WHERE ${tenant.where(contacts, eq(contacts.email, email))})`;
  const mergedId = sql`(SELECT ${contacts.id} FROM ${contacts} WHERE ${tenant.where(contacts, eq(contacts.phone, phone), isNull(contacts.email))} AND EXISTS ${survivorId})`;
  const ofMerged = (column: SQLiteColumn): SQL => sql`${column} = ${mergedId}`;
  return [
    tenant.db
      .insert(contactTags)
      .select(sql`SELECT ${contactTags.workspaceId}, ${survivorId}, ${contactTags.tag} FROM ${contactTags} WHERE ${tenant.where(contactTags, ofMerged(contactTags.contactId))}`)
      .onConflictDoNothing(),
    tenant.db
      .insert(productInterests)
      .select(
        sql`SELECT ${productInterests.workspaceId}, ${survivorId}, ${productInterests.productId}, ${productInterests.kind}, ${productInterests.firstAt}, ${productInterests.lastAt} FROM ${productInterests} WHERE ${tenant.where(productInterests, ofMerged(productInterests.contactId))}`,
      )
      .onConflictDoUpdate({
        target: [productInterests.workspaceId, productInterests.contactId, productInterests.productId, productInterests.kind],
        set: { firstAt: sql`MIN(${productInterests.firstAt}, excluded.first_at)`, lastAt: sql`MAX(${productInterests.lastAt}, excluded.last_at)` },
      }),
    // Rows that simply belong to a contact move whole.
    ...[consentChanges, orders, carts, contactStoreIds].map((table) =>
      tenant.db
        .update(table)
        .set({ contactId: survivorId })
        .where(tenant.where(table, ofMerged(table.contactId))),
    ),
    tenant.db
      .update(triggers)
      .set({ contactId: survivorId })
      .where(tenant.where(triggers, ofMerged(triggers.contactId), sql`${triggers.kind} <> 'contact_created'`)),
    // A delivery the survivor has too (deliveries_once_idx) stays behind and goes with the merged contact.
    tenant.db
      .update(deliveries)
      .set({ contactId: survivorId })
      .where(
        tenant.where(
          deliveries,
          ofMerged(deliveries.contactId),
          sql`NOT EXISTS (SELECT 1 FROM ${deliveries} ${twin} WHERE ${tenant.where(
            twin,
            sql`${twin.contactId} = ${survivorId}`,
            eq(twin.sourceType, deliveries.sourceType),
            eq(twin.sourceId, deliveries.sourceId),
            eq(twin.stepKey, deliveries.stepKey),
            eq(twin.occurrenceKey, deliveries.occurrenceKey),
          )})`,
        ),
      ),
    tenant.db
      .update(contacts)
      .set(survivorSet(now))
      .from(merged)
      .where(and(tenant.where(contacts, eq(contacts.email, email)), tenant.where(merged, eq(merged.phone, phone), isNull(merged.email)))),
    // Its remaining rows (tags and interests copied above, its contact_created) go with it.
    tenant.db.delete(contacts).where(tenant.where(contacts, eq(contacts.phone, phone), isNull(contacts.email), sql`EXISTS ${survivorId}`)),
  ];
}
