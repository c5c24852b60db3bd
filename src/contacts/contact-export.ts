// The CSV export of the contacts a filter keeps: read one keyset page (by contact id) at a
// time, each page one query with its tags, and streamed, so memory stays bounded whatever
// the workspace's size. Cells are written by lib/csv-write.ts (formula-looking text escaped).
import { sql } from 'drizzle-orm';
import { contactTags, contacts } from '../db/schema';
import { pageAfter, type Tenant } from '../db/tenant';
import { csvStream } from '../lib/csv-write';
import { minorUnitDigits } from '../lib/money';
import { findMainCurrency } from './contact-activity.service';
import { type ContactFilter, contactFilterCondition } from './contact-filter';

// Contacts per query: 100,000 contacts take 100 queries, inside a Worker's 1,000 per invocation.
const EXPORT_PAGE_SIZE = 1000;

const HEADER = ['id', 'email', 'phone', 'first_name', 'last_name', 'email_consent', 'sms_consent', 'tags', 'total_spent', 'currency', 'order_count', 'last_order_at', 'created_at'] as const;

function isoOrEmpty(at: number | null): string | null {
  return at === null ? null : new Date(at).toISOString();
}

/** The rows of every page, oldest contact first; the column order is HEADER's. */
async function* exportPages(tenant: Tenant, filter: ContactFilter): AsyncGenerator<(string | number | null)[][]> {
  const currency = await findMainCurrency(tenant);
  const digits = minorUnitDigits(currency ?? 'USD');
  const matching = contactFilterCondition(tenant, filter);
  // Tags as one cell in alphabetical order, separated as an import reads them back.
  const tags = sql<
    string | null
  >`(SELECT group_concat(tag, '; ') FROM (SELECT ${contactTags.tag} AS tag FROM ${contactTags} WHERE ${contactTags.workspaceId} = ${contacts.workspaceId} AND ${contactTags.contactId} = ${contacts.id} ORDER BY ${contactTags.tag}))`;
  let after: string | null = null;
  for (;;) {
    const rows = await tenant.db
      .select({ contact: contacts, tags })
      .from(contacts)
      .where(pageAfter(tenant, contacts, after, matching))
      .orderBy(contacts.id)
      .limit(EXPORT_PAGE_SIZE);
    if (!rows.length) return;
    yield rows.map(({ contact, tags }) => [
      contact.id,
      contact.email,
      contact.phone,
      contact.firstName,
      contact.lastName,
      contact.emailConsent,
      contact.smsConsent,
      tags,
      (contact.totalSpentCents / 10 ** digits).toFixed(digits),
      currency,
      contact.orderCount,
      isoOrEmpty(contact.lastOrderAt),
      isoOrEmpty(contact.createdAt),
    ]);
    if (rows.length < EXPORT_PAGE_SIZE) return;
    after = rows.at(-1)!.contact.id;
  }
}

/** The CSV of every contact the filter keeps, with the columns an import reads back. */
export function exportContactsCsv(tenant: Tenant, filter: ContactFilter): ReadableStream<Uint8Array> {
  return csvStream(HEADER, exportPages(tenant, filter));
}
