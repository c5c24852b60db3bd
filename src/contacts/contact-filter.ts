// Which contacts a list, a count, an export or a bulk action is about (search text, tag,
// consent per channel), and the orders a list can be sorted in with their keyset cursors.
// Conditions here never name the workspace: callers put them inside `tenant.where`.
import { and, asc, desc, eq, gt, inArray, lt, or, sql, type SQL } from 'drizzle-orm';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';
import { type ConsentStatus, contactTags, contacts } from '../db/schema';
import type { Tenant } from '../db/tenant';
import { normalizePhone, tagKey } from './contact-fields';

/** The contacts a filter keeps; every field left out keeps everyone. */
export type ContactFilter = { q?: string | undefined; tag?: string | undefined; emailConsent?: ConsentStatus | undefined; smsConsent?: ConsentStatus | undefined };

/** A tag column equal to one of `tags`, case ignored. */
export function tagIn(column: SQLiteColumn, tags: string[]): SQL {
  return inArray(sql`lower(${column})`, tags.map(tagKey));
}

function likePrefix(text: string): string {
  return `${text.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
}

function startsWith(column: SQLiteColumn, text: string): SQL {
  return sql`${column} LIKE ${likePrefix(text)} ESCAPE '\\'`;
}

/** Email prefix, first or last name prefix ("ann" or "ann smi"), or the exact phone. */
function searchCondition(q: string): SQL | undefined {
  const text = q.trim().toLowerCase();
  if (!text) return undefined;
  const conditions: (SQL | undefined)[] = [startsWith(contacts.email, text), startsWith(contacts.firstName, text), startsWith(contacts.lastName, text)];
  const [first, ...rest] = text.split(/\s+/);
  if (first && rest.length) conditions.push(and(startsWith(contacts.firstName, first), startsWith(contacts.lastName, rest.join(' '))));
  const phone = normalizePhone(q);
  if (phone) conditions.push(eq(contacts.phone, phone));
  return or(...conditions);
}

/** The filter as a condition on `contacts` (the tag looked up in this workspace's tags only). */
export function contactFilterCondition(tenant: Tenant, filter: ContactFilter): SQL | undefined {
  const tagged = filter.tag
    ? inArray(
        contacts.id,
        tenant.db
          .select({ id: contactTags.contactId })
          .from(contactTags)
          .where(tenant.where(contactTags, tagIn(contactTags.tag, [filter.tag]))),
      )
    : undefined;
  return and(
    filter.q ? searchCondition(filter.q) : undefined,
    tagged,
    filter.emailConsent ? eq(contacts.emailConsent, filter.emailConsent) : undefined,
    filter.smsConsent ? eq(contacts.smsConsent, filter.smsConsent) : undefined,
  );
}

/** The orders a contact list can be sorted in. */
export const CONTACT_SORTS = ['newest', 'oldest', 'email', 'spend', 'last_order'] as const;
export type ContactSort = (typeof CONTACT_SORTS)[number];

// Above every text SQLite compares (U+10FFFF), so contacts without an email come last by email.
const AFTER_ALL_TEXT = '\u{10FFFF}';

// Each sort key is never null (a keyset over NULLs needs a second comparison), and ties are
// broken by id, which is unique, so a cursor names one place in the order.
const SORT_KEYS: Record<ContactSort, { key: SQL | null; kind: 'text' | 'number'; direction: 'asc' | 'desc' }> = {
  newest: { key: null, kind: 'text', direction: 'desc' },
  oldest: { key: null, kind: 'text', direction: 'asc' },
  email: { key: sql`coalesce(${contacts.email}, ${AFTER_ALL_TEXT})`, kind: 'text', direction: 'asc' },
  spend: { key: sql`${contacts.totalSpentCents}`, kind: 'number', direction: 'desc' },
  // Contacts who never ordered come last.
  last_order: { key: sql`coalesce(${contacts.lastOrderAt}, 0)`, kind: 'number', direction: 'desc' },
};

/** Where a page starts: after the contact `id`, whose sort key was `value`. */
export type ContactCursor = { value: string | number | null; id: string };

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

/** The columns a page query selects beside the contact, to make the next cursor from. */
export function sortKeyColumn(sort: ContactSort): SQL<string | number> {
  return (SORT_KEYS[sort].key ?? sql`${contacts.id}`) as SQL<string | number>;
}

/**
 * The cursor after a row: the id alone when sorting by id (as before sorts existed), else
 * the sort key and the id, `<key>.<id>` (an id has no dot, so the key may).
 */
export function writeContactCursor(sort: ContactSort, value: string | number, id: string): string {
  return SORT_KEYS[sort].key ? `${value}.${id}` : id;
}

/** A cursor of `sort` read back, or null when it was not made for that sort. */
export function readContactCursor(sort: ContactSort, cursor: string): ContactCursor | null {
  const { key, kind } = SORT_KEYS[sort];
  if (!key) return ULID.test(cursor) ? { value: null, id: cursor } : null;
  const dot = cursor.lastIndexOf('.');
  const id = cursor.slice(dot + 1);
  const raw = cursor.slice(0, Math.max(dot, 0));
  if (dot < 0 || !ULID.test(id)) return null;
  if (kind === 'text') return { value: raw, id };
  return /^-?\d{1,16}$/.test(raw) ? { value: Number(raw), id } : null;
}

/** The keyset condition: rows after the cursor in the sort's order. */
export function afterCursor(sort: ContactSort, cursor: ContactCursor | null): SQL | undefined {
  if (!cursor) return undefined;
  const { key, direction } = SORT_KEYS[sort];
  const beyond = direction === 'asc' ? gt : lt;
  if (!key) return beyond(contacts.id, cursor.id);
  const past = direction === 'asc' ? sql`${key} > ${cursor.value}` : sql`${key} < ${cursor.value}`;
  return or(past, and(sql`${key} = ${cursor.value}`, beyond(contacts.id, cursor.id)));
}

/** ORDER BY of a sort, the id breaking ties the same way. */
export function contactOrder(sort: ContactSort): SQL[] {
  const { key, direction } = SORT_KEYS[sort];
  const by = direction === 'asc' ? asc : desc;
  return key ? [by(key), by(contacts.id)] : [by(contacts.id)];
}
