// Contacts: one per normalized email in a workspace, with consent per channel,
// tags, and the order aggregates kept by the stores code. Every write is one D1
// batch (one transaction) whose statements check the stored row in SQL rather
// than trusting an earlier read, so concurrent and redelivered upserts converge
// on the same contact and record each consent change once.
import { and, desc, eq, inArray, lt, notInArray, or, sql, type SQL } from 'drizzle-orm';
import type { SQLiteColumn, SQLiteUpdateSetSource } from 'drizzle-orm/sqlite-core';
import { runBatch, type Statement } from '../db/client';
import {
  CONSENT_CHANNELS,
  carts,
  consentChanges,
  contactImportRejections,
  contactTags,
  contacts,
  orders,
  productInterests,
  storeTriggers,
  type ConsentChannel,
  type ConsentStatus,
} from '../db/schema';
import type { Tenant } from '../db/tenant';
import { chunk } from '../lib/chunk';
import { AppError, notFound } from '../lib/errors';
import { newId } from '../lib/ids';
import { normalizeEmail, normalizePhone } from './contact-fields';
import type { ContactInput, ContactListQuery, ContactPatch } from './contacts.schemas';

// Store webhooks, the API and imports normalize identities with the same rules.
export { normalizeEmail, normalizePhone };

/** What a store, the API or an import knows about a contact; see upsertContact. */
export type ContactUpsert = {
  email: string; // already normalized
  phone?: string | null;
  firstName?: string | null;
  lastName?: string | null;
  externalId?: string | null;
  registered?: boolean; // registered only ever turns false->true
  emailConsent?: ConsentStatus;
  smsConsent?: ConsentStatus; // changes recorded in consent_changes
  consentAt?: number; // when the consent change happened (default now)
  tags?: string[]; // added, never removed, by an upsert
  sourceUpdatedAt?: number | null; // the store's updated_at: an older one never overwrites newer profile fields or consent
};

/** One channel's consent: its status, and when and where it last changed. */
export type ConsentState = { status: ConsentStatus; changedAt: number | null; source: string | null };

/** A contact as the API and the dashboard show it. */
export type ContactView = {
  id: string;
  email: string | null;
  phone: string | null;
  firstName: string | null;
  lastName: string | null;
  externalId: string | null;
  emailConsent: ConsentState;
  smsConsent: ConsentState;
  registered: boolean;
  totalSpentCents: number;
  orderCount: number;
  firstOrderAt: number | null;
  lastOrderAt: number | null;
  tags: string[];
  createdAt: number;
  updatedAt: number;
};

/** A page of contacts; `nextCursor` is null on the last page. */
export type ContactPage = { contacts: ContactView[]; nextCursor: string | null };

const CONSENT_COLUMNS = {
  email: { status: contacts.emailConsent, at: contacts.emailConsentAt, source: contacts.emailConsentSource, keys: ['emailConsent', 'emailConsentAt', 'emailConsentSource'] },
  sms: { status: contacts.smsConsent, at: contacts.smsConsentAt, source: contacts.smsConsentSource, keys: ['smsConsent', 'smsConsentAt', 'smsConsentSource'] },
} as const;

const PROFILE_COLUMNS = {
  email: contacts.email,
  phone: contacts.phone,
  firstName: contacts.firstName,
  lastName: contacts.lastName,
  externalId: contacts.externalId,
} as const;

type ProfileField = keyof typeof PROFILE_COLUMNS;

/** What one write changes; only the profile keys present are written (null clears). */
type ContactChanges = {
  profile: Partial<Record<ProfileField, string | null>>;
  registered?: boolean | undefined;
  consent: Partial<Record<ConsentChannel, ConsentStatus | undefined>>;
  consentAt: number;
  sourceUpdatedAt?: number | null | undefined;
};

// Ids of ULID layout: a cursor is compared as text.
const SORTED_BY_NEWEST = desc(contacts.id);
// Contact ids per IN list: D1 allows 100 bound parameters per statement.
const IDS_PER_QUERY = 90;

/** Inserts the bare contact when its email is new; returns the id only when it did. */
function ensureContactStatement(tenant: Tenant, email: string, now: number, id = newId(now)) {
  return tenant.db
    .insert(contacts)
    .values(tenant.row({ id, email, createdAt: now, updatedAt: now }))
    .onConflictDoNothing({ target: [contacts.workspaceId, contacts.email] })
    .returning({ id: contacts.id });
}

/**
 * The statements applying `changes` to the contact `match` selects. Each one re-checks the
 * stored row in SQL: a profile field or consent only changes when the change is not older
 * than what is stored, a consent change is recorded only when the status differs, and the
 * row is not written at all when nothing would change. The update binds about 60 parameters
 * at most, inside D1's 100 per statement.
 */
function contactChangeStatements(tenant: Tenant, match: SQL, changes: ContactChanges, source: string, now: number): Statement[] {
  const { sourceUpdatedAt, consentAt } = changes;
  // The store's record is at least as new as the newest one applied (or it carries no time).
  const fresh = sourceUpdatedAt == null ? sql`1` : sql`(${contacts.sourceUpdatedAt} IS NULL OR ${contacts.sourceUpdatedAt} <= ${sourceUpdatedAt})`;
  const set: SQLiteUpdateSetSource<typeof contacts> = {};
  const changed: SQL[] = [];
  const statements: Statement[] = [];

  for (const field of Object.keys(changes.profile) as ProfileField[]) {
    const value = changes.profile[field];
    if (value === undefined) continue;
    const column = PROFILE_COLUMNS[field];
    set[field] = sql`CASE WHEN ${fresh} THEN ${value} ELSE ${column} END`;
    changed.push(sql`(${fresh} AND ${column} IS NOT ${value})`);
  }
  if (changes.registered !== undefined) {
    // Not subject to `fresh`: having an account is a fact no older record undoes.
    set.registered = changes.registered;
    changed.push(sql`${contacts.registered} IS NOT ${changes.registered ? 1 : 0}`);
  }
  for (const channel of CONSENT_CHANNELS) {
    const status = changes.consent[channel];
    if (!status) continue;
    const columns = CONSENT_COLUMNS[channel];
    const applies = sql`(${fresh} AND ${columns.status} <> ${status} AND (${columns.at} IS NULL OR ${columns.at} <= ${consentAt}))`;
    const [statusKey, atKey, sourceKey] = columns.keys;
    set[statusKey] = sql`CASE WHEN ${applies} THEN ${status} ELSE ${columns.status} END`;
    set[atKey] = sql`CASE WHEN ${applies} THEN ${consentAt} ELSE ${columns.at} END`;
    set[sourceKey] = sql`CASE WHEN ${applies} THEN ${source} ELSE ${columns.source} END`;
    changed.push(applies);
    // Runs before the update below, so it sees the status being replaced.
    statements.push(
      tenant.db
        .insert(consentChanges)
        .select(
          sql`SELECT ${newId(now)}, ${contacts.workspaceId}, ${contacts.id}, ${channel}, ${status}, ${source}, ${consentAt} FROM ${contacts} WHERE ${tenant.where(contacts, match, applies)}`,
        ),
    );
  }
  if (sourceUpdatedAt != null) {
    set.sourceUpdatedAt = sql`MAX(COALESCE(${contacts.sourceUpdatedAt}, 0), ${sourceUpdatedAt})`;
    changed.push(sql`(${contacts.sourceUpdatedAt} IS NULL OR ${contacts.sourceUpdatedAt} < ${sourceUpdatedAt})`);
  }
  if (changed.length) {
    statements.push(
      tenant.db
        .update(contacts)
        .set({ ...set, updatedAt: now })
        .where(tenant.where(contacts, match, or(...changed))),
    );
  }
  return statements;
}

/** Adds tags to the contact `match` selects; tags it has already stay as they are. */
function addTagsStatement(tenant: Tenant, match: SQL, tags: string[]): Statement {
  return tenant.db
    .insert(contactTags)
    .select(sql`SELECT ${contacts.workspaceId}, ${contacts.id}, value FROM ${contacts}, json_each(${JSON.stringify(tags)}) WHERE ${tenant.where(contacts, match)}`)
    .onConflictDoNothing();
}

function cleanTags(tags: string[] | undefined): string[] {
  return [...new Set((tags ?? []).map((tag) => tag.trim()).filter(Boolean))];
}

// Null, undefined and blank text say nothing: they never blank what is stored.
function known(value: string | null | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

function upsertChangeStatements(tenant: Tenant, input: ContactUpsert, source: string, now: number): Statement[] {
  const email = normalizeEmail(input.email);
  if (email !== input.email) throw new AppError('invalid_input', `Not a normalized email address: ${input.email}`);
  const byEmail = eq(contacts.email, email);
  const changes: ContactChanges = {
    profile: { phone: known(input.phone), firstName: known(input.firstName), lastName: known(input.lastName), externalId: known(input.externalId) },
    registered: input.registered ? true : undefined,
    consent: { email: input.emailConsent, sms: input.smsConsent },
    consentAt: input.consentAt ?? now,
    sourceUpdatedAt: input.sourceUpdatedAt,
  };
  const tags = cleanTags(input.tags);
  return [...contactChangeStatements(tenant, byEmail, changes, source, now), ...(tags.length ? [addTagsStatement(tenant, byEmail, tags)] : [])];
}

/** The statements of `upsertContact`, for callers that batch many contacts in one round trip (imports). */
export function upsertContactStatements(tenant: Tenant, input: ContactUpsert, source: string, now = Date.now()): Statement[] {
  return [ensureContactStatement(tenant, input.email, now), ...upsertChangeStatements(tenant, input, source, now)];
}

/** Creates or updates the contact keyed by email in this workspace. `source` says where the data came from (e.g. 'shopify', 'woocommerce', 'api', 'import', 'dashboard'). */
export async function upsertContact(tenant: Tenant, input: ContactUpsert, source: string, now = Date.now()): Promise<{ contactId: string; created: boolean }> {
  const changes = upsertChangeStatements(tenant, input, source, now);
  const found = tenant.db.select({ id: contacts.id }).from(contacts).where(tenant.where(contacts, eq(contacts.email, input.email))).limit(1);
  const results = (await tenant.db.batch([ensureContactStatement(tenant, input.email, now), ...changes, found] as [Statement, ...Statement[]])) as unknown[];
  const inserted = results[0] as { id: string }[];
  const [row] = results[results.length - 1] as { id: string }[];
  return { contactId: row!.id, created: inserted.length > 0 };
}

/** Creates a contact from the API; 409 when the email already has one. */
export async function createContact(tenant: Tenant, input: ContactInput, source: string, now = Date.now()): Promise<ContactView> {
  const id = newId(now);
  // Matching the new id makes every other statement a no-op when the insert met an existing email.
  const byId = eq(contacts.id, id);
  const changes: ContactChanges = {
    profile: { phone: input.phone, firstName: input.firstName, lastName: input.lastName, externalId: input.externalId },
    registered: input.registered,
    consent: { email: input.emailConsent, sms: input.smsConsent },
    consentAt: now,
  };
  const tags = cleanTags(input.tags);
  const [inserted] = (await tenant.db.batch([
    ensureContactStatement(tenant, input.email, now, id),
    ...contactChangeStatements(tenant, byId, changes, source, now),
    ...(tags.length ? [addTagsStatement(tenant, byId, tags)] : []),
  ] as [Statement, ...Statement[]])) as unknown[];
  if (!(inserted as { id: string }[]).length) throw new AppError('conflict', `A contact with the email ${input.email} already exists`);
  return getContact(tenant, id);
}

async function findContactRow(tenant: Tenant, id: string) {
  const [row] = await tenant.db.select().from(contacts).where(tenant.where(contacts, eq(contacts.id, id))).limit(1);
  if (!row) throw notFound('Contact');
  return row;
}

function isUniqueViolation(err: unknown): boolean {
  return String((err as Error)?.message ?? err).includes('UNIQUE constraint failed');
}

/** Changes the fields sent; consent changes are recorded with `source`; `tags` replaces the tags. */
export async function updateContact(tenant: Tenant, id: string, patch: ContactPatch, source: string, now = Date.now()): Promise<ContactView> {
  const existing = await findContactRow(tenant, id);
  const conflict = () => new AppError('conflict', `A contact with the email ${patch.email} already exists`);
  if (patch.email && patch.email !== existing.email) {
    const [other] = await tenant.db.select({ id: contacts.id }).from(contacts).where(tenant.where(contacts, eq(contacts.email, patch.email))).limit(1);
    if (other) throw conflict();
  }
  const byId = eq(contacts.id, id);
  const statements = contactChangeStatements(
    tenant,
    byId,
    {
      profile: { email: patch.email, phone: patch.phone, firstName: patch.firstName, lastName: patch.lastName, externalId: patch.externalId },
      registered: patch.registered,
      consent: { email: patch.emailConsent, sms: patch.smsConsent },
      consentAt: now,
    },
    source,
    now,
  );
  const tags = patch.tags && cleanTags(patch.tags);
  if (tags) {
    statements.push(tenant.db.delete(contactTags).where(tenant.where(contactTags, eq(contactTags.contactId, id), tags.length ? notInArray(contactTags.tag, tags) : undefined)));
    if (tags.length) statements.push(addTagsStatement(tenant, byId, tags));
  }
  try {
    await runBatch(tenant.db, statements);
  } catch (err) {
    // Another contact took the email between the check and the write.
    if (isUniqueViolation(err)) throw conflict();
    throw err;
  }
  return getContact(tenant, id);
}

/**
 * Erases a contact (a GDPR erasure request): the contact, its tags, consent history,
 * interests, carts and triggers are deleted, and its orders are kept for the store's
 * numbers without the email or the link to the person. One batch: all or nothing.
 */
export async function eraseContact(tenant: Tenant, id: string): Promise<void> {
  const existing = await findContactRow(tenant, id);
  const email = existing.email;
  await runBatch(tenant.db, [
    tenant.db.delete(contactTags).where(tenant.where(contactTags, eq(contactTags.contactId, id))),
    tenant.db.delete(consentChanges).where(tenant.where(consentChanges, eq(consentChanges.contactId, id))),
    tenant.db.delete(productInterests).where(tenant.where(productInterests, eq(productInterests.contactId, id))),
    tenant.db.delete(carts).where(tenant.where(carts, eq(carts.contactId, id))),
    tenant.db.delete(storeTriggers).where(tenant.where(storeTriggers, eq(storeTriggers.contactId, id))),
    tenant.db
      .update(orders)
      .set({ email: null, contactId: null })
      .where(tenant.where(orders, or(eq(orders.contactId, id), email ? eq(orders.email, email) : undefined))),
    // Rejected import rows keep the raw CSV line, which may hold the address too.
    ...(email ? [tenant.db.delete(contactImportRejections).where(tenant.where(contactImportRejections, sql`instr(lower(${contactImportRejections.raw}), ${email}) > 0`))] : []),
    tenant.db.delete(contacts).where(tenant.where(contacts, eq(contacts.id, id))),
  ]);
}

/** Adds tags to a contact; 404 for an id of another workspace. */
export async function addContactTags(tenant: Tenant, id: string, tags: string[]): Promise<ContactView> {
  await findContactRow(tenant, id);
  const cleaned = cleanTags(tags);
  if (cleaned.length) await runBatch(tenant.db, [addTagsStatement(tenant, eq(contacts.id, id), cleaned)]);
  return getContact(tenant, id);
}

/** Removes one tag from a contact; removing a tag it does not have changes nothing. */
export async function removeContactTag(tenant: Tenant, id: string, tag: string): Promise<ContactView> {
  await findContactRow(tenant, id);
  await tenant.db.delete(contactTags).where(tenant.where(contactTags, eq(contactTags.contactId, id), eq(contactTags.tag, tag.trim())));
  return getContact(tenant, id);
}

type ContactRow = typeof contacts.$inferSelect;

function toContactView(row: ContactRow, tags: string[]): ContactView {
  return {
    id: row.id,
    email: row.email,
    phone: row.phone,
    firstName: row.firstName,
    lastName: row.lastName,
    externalId: row.externalId,
    emailConsent: { status: row.emailConsent, changedAt: row.emailConsentAt, source: row.emailConsentSource },
    smsConsent: { status: row.smsConsent, changedAt: row.smsConsentAt, source: row.smsConsentSource },
    registered: row.registered,
    totalSpentCents: row.totalSpentCents,
    orderCount: row.orderCount,
    firstOrderAt: row.firstOrderAt,
    lastOrderAt: row.lastOrderAt,
    tags,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

async function tagsByContact(tenant: Tenant, ids: string[]): Promise<Map<string, string[]>> {
  const tags = new Map<string, string[]>(ids.map((id) => [id, []]));
  for (const slice of chunk(ids, IDS_PER_QUERY)) {
    const rows = await tenant.db
      .select({ contactId: contactTags.contactId, tag: contactTags.tag })
      .from(contactTags)
      .where(tenant.where(contactTags, inArray(contactTags.contactId, slice)))
      .orderBy(contactTags.tag);
    for (const row of rows) tags.get(row.contactId)?.push(row.tag);
  }
  return tags;
}

/** One contact with its tags; 404 for an id of another workspace. */
export async function getContact(tenant: Tenant, id: string): Promise<ContactView> {
  const row = await findContactRow(tenant, id);
  return toContactView(row, (await tagsByContact(tenant, [id])).get(id) ?? []);
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

/** A keyset page of contacts, newest first, filtered by a search text and a tag. */
export async function listContacts(tenant: Tenant, query: ContactListQuery): Promise<ContactPage> {
  const tagged = query.tag
    ? inArray(contacts.id, tenant.db.select({ id: contactTags.contactId }).from(contactTags).where(tenant.where(contactTags, eq(contactTags.tag, query.tag))))
    : undefined;
  const rows = await tenant.db
    .select()
    .from(contacts)
    .where(tenant.where(contacts, query.cursor ? lt(contacts.id, query.cursor) : undefined, query.q ? searchCondition(query.q) : undefined, tagged))
    .orderBy(SORTED_BY_NEWEST)
    .limit(query.limit + 1);
  const page = rows.slice(0, query.limit);
  const tags = await tagsByContact(
    tenant,
    page.map((row) => row.id),
  );
  return {
    contacts: page.map((row) => toContactView(row, tags.get(row.id) ?? [])),
    nextCursor: rows.length > query.limit ? page[page.length - 1]!.id : null,
  };
}

/** The workspace's tags in alphabetical order (at most `limit`), for filters. */
export async function listWorkspaceTags(tenant: Tenant, limit = 200): Promise<string[]> {
  const rows = await tenant.db.selectDistinct({ tag: contactTags.tag }).from(contactTags).where(tenant.where(contactTags)).orderBy(contactTags.tag).limit(limit);
  return rows.map((row) => row.tag);
}
