// `contact_created`, the Welcome flow's trigger. It is written by the same D1 batch
// (one transaction) as the contact's insert and only when that insert happened, so
// the contact and its trigger both exist or neither does: a step dying in between
// cannot leave a contact whose retry finds it and never raises the trigger.
import { eq, sql } from 'drizzle-orm';
import { contacts, triggers } from '../db/schema';
import type { Tenant } from '../db/tenant';
import { newId } from '../lib/ids';

/**
 * The statement raising `contact_created` for the contact inserted with `contactId` in the
 * same batch; it inserts nothing when that insert met an existing contact (the new id is then
 * in no row). `source` says where the contact came from ('shopify', 'api', 'import', …).
 */
export function contactCreatedStatement(tenant: Tenant, contactId: string, source: string, now: number) {
  const data = JSON.stringify({ source });
  return tenant.db
    .insert(triggers)
    .select(
      sql`SELECT ${newId(now)}, ${contacts.workspaceId}, 'contact_created', ${contacts.id}, ${contacts.id}, ${contacts.id}, ${data}, ${now} FROM ${contacts} WHERE ${tenant.where(contacts, eq(contacts.id, contactId))}`,
    )
    .onConflictDoNothing();
}
