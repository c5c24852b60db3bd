// Contacts: one per normalized email or E.164 phone in a workspace (at least one),
// with consent per channel, tags, and the order aggregates kept by the stores code. Every write is one D1
// batch (one transaction) whose statements check the stored row in SQL rather
// than trusting an earlier read, so concurrent and redelivered upserts converge
// on the same contact and record each consent change once.
import { and, eq, inArray, isNotNull, isNull, ne, not, or, sql, type SQL } from 'drizzle-orm';
import { alias, type SQLiteUpdateSetSource } from 'drizzle-orm/sqlite-core';
import { runBatch, type Statement } from '../db/client';
import {
  CONSENT_CHANNELS,
  carts,
  workspaceSettings,
  consentChanges,
  contactImportRejections,
  contactTags,
  contactCounts,
  contacts,
  orders,
  productInterests,
  triggers,
  type ConsentChannel,
  type ConsentStatus,
} from '../db/schema';
import type { Tenant } from '../db/tenant';
import { chunk } from '../lib/chunk';
import { normalizeEmail } from '../lib/email-address';
import { AppError, invalidField, notFound } from '../lib/errors';
import { newId } from '../lib/ids';
import { keysetLimit, keysetPage } from '../lib/keyset-page';
import { contactCreatedStatement } from '../triggers/contact-created';
import { normalizePhone, uniqueTags } from './contact-fields';
import { afterCursor, type ContactFilter, contactFilterCondition, contactOrder, readContactCursor, sortKeyColumn, tagIn, writeContactCursor } from './contact-filter';
import { mergeByPhoneStatements } from './contact-merge';
import type { ContactInput, ContactListQuery, ContactPatch } from './contacts.schemas';

/** What a store, the API or an import knows about a contact; see upsertContact. */
export type ContactUpsert = {
  // At least one of the two, already normalized (lib/email-address.ts, normalizePhone).
  email?: string | null;
  phone?: string | null; // E.164
  firstName?: string | null;
  lastName?: string | null;
  externalId?: string | null;
  registered?: boolean; // registered only ever turns false->true
  emailConsent?: ConsentStatus;
  smsConsent?: ConsentStatus; // changes recorded in consent_changes
  consentAt?: number; // when the consent change happened (default now)
  tags?: string[]; // added, never removed, by an upsert
  sourceUpdatedAt?: number | null; // the store's updated_at: an older one never overwrites newer profile fields or consent
  createdAt?: number | null; // when the store first knew the person: the contact's created time becomes the earliest known
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

/** A page of contacts; `nextCursor` is null on the last page; `total` counts every contact the filter keeps. */
export type ContactPage = { contacts: ContactView[]; nextCursor: string | null; total: number };

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
  // A further condition for a profile field to change (an upsert's phone: no other contact has it).
  guards?: Partial<Record<ProfileField, SQL>>;
  // An email the contact takes when it has none (a phone-only contact met with its email).
  gainEmail?: string | null;
  registered?: boolean | undefined;
  consent: Partial<Record<ConsentChannel, ConsentStatus | undefined>>;
  consentAt: number;
  sourceUpdatedAt?: number | null | undefined;
  createdAt?: number | null | undefined;
};

// Contact ids per IN list: D1 allows 100 bound parameters per statement.
const IDS_PER_QUERY = 90;

/** Who a write is about: a normalized email, an E.164 phone, or both. */
type Identity = { email: string | null; phone: string | null };

function identityOf(input: Pick<ContactUpsert, 'email' | 'phone'>): Identity {
  const identity = { email: input.email || null, phone: input.phone || null };
  if (!identity.email && !identity.phone) throw new AppError('invalid_input', 'A contact needs an email or a phone');
  if (identity.email && normalizeEmail(identity.email) !== identity.email) throw new AppError('invalid_input', `Not a normalized email address: ${identity.email}`);
  if (identity.phone && normalizePhone(identity.phone) !== identity.phone) throw new AppError('invalid_input', `Not an E.164 phone number: ${identity.phone}`);
  return identity;
}

/**
 * The contact an identity names once any merge it calls for is done: the email's, else the
 * contact of the phone that has no email. A phone held by another email's contact (a
 * household's landline) stays with it: an email names its own contact.
 */
function namedBy({ email, phone }: Identity): SQL {
  if (email && phone) return or(eq(contacts.email, email), and(isNull(contacts.email), eq(contacts.phone, phone)))!;
  return email ? eq(contacts.email, email) : eq(contacts.phone, phone!);
}

/**
 * The one way a contact is inserted, whatever creates it (store event, API, import, demo):
 * the bare row, and `contact_created` in the same batch, raised only when the insert
 * happened (not when the email or phone was taken). The insert returns the id when it did.
 */
function insertContactStatements(tenant: Tenant, id: string, identity: { email: string | null; phone: string | SQL | null }, source: string, now: number) {
  return [
    tenant.db
      .insert(contacts)
      .values(tenant.row({ id, email: identity.email, phone: identity.phone, createdAt: now, updatedAt: now }))
      .onConflictDoNothing()
      .returning({ id: contacts.id }),
    contactCreatedStatement(tenant, id, source, now),
  ] as const;
}

/** Inserts the contact when nothing has its identity yet, with its `contact_created`. */
function ensureContactStatements(tenant: Tenant, { email, phone }: Identity, source: string, now: number) {
  // A new email's contact leaves a phone that another email's contact holds where it is.
  const phoneIfFree =
    email && phone ? sql`CASE WHEN EXISTS (SELECT 1 FROM ${contacts} WHERE ${tenant.where(contacts, eq(contacts.phone, phone), isNotNull(contacts.email))}) THEN NULL ELSE ${phone} END` : phone;
  return insertContactStatements(tenant, newId(now), { email, phone: phoneIfFree }, source, now);
}

const holder = alias(contacts, 'holder');

/** True in an update of contacts when no other contact of the workspace has `phone`. */
function phoneFree(tenant: Tenant, phone: string): SQL {
  return sql`NOT EXISTS (SELECT 1 FROM ${contacts} ${holder} WHERE ${tenant.where(holder, eq(holder.phone, phone))} AND ${holder.id} <> ${contacts.id})`;
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
    const guard = changes.guards?.[field];
    const applies = guard ? sql`(${fresh} AND ${guard})` : fresh;
    set[field] = sql`CASE WHEN ${applies} THEN ${value} ELSE ${column} END`;
    changed.push(sql`(${applies} AND ${column} IS NOT ${value})`);
  }
  if (changes.gainEmail) {
    // Not subject to `fresh`: an identifier is a fact, and the upsert finds the contact by it next.
    set.email = sql`COALESCE(${contacts.email}, ${changes.gainEmail})`;
    changed.push(isNull(contacts.email));
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
    // Runs before the update below, so it sees the status being replaced. The id is a ULID of
    // `now` whose random part is drawn per row, as `match` may select many contacts (bulk actions).
    statements.push(
      tenant.db
        .insert(consentChanges)
        .select(
          sql`SELECT substr(${newId(now)}, 1, 10) || upper(hex(randomblob(8))), ${contacts.workspaceId}, ${contacts.id}, ${channel}, ${status}, ${source}, ${consentAt} FROM ${contacts} WHERE ${tenant.where(contacts, match, applies)}`,
        ),
    );
  }
  if (changes.createdAt != null) {
    // A store's customer (or first order) older than the contact: the person was a contact since then,
    // so a first sync does not make everyone "created today". Never later than the stored time.
    set.createdAt = sql`MIN(${contacts.createdAt}, ${changes.createdAt})`;
    changed.push(sql`${contacts.createdAt} > ${changes.createdAt}`);
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

const spelled = alias(contactTags, 'spelled');

/**
 * Adds tags to the contact `match` selects; tags it has already (in any case) stay as they
 * are, and a tag the workspace already uses takes the spelling it has there.
 */
export function addTagsStatement(tenant: Tenant, match: SQL, tags: string[]): Statement {
  const spelling = sql`COALESCE((SELECT ${spelled.tag} FROM ${contactTags} ${spelled} WHERE ${tenant.where(spelled, sql`lower(${spelled.tag}) = lower(value)`)} LIMIT 1), value)`;
  return tenant.db
    .insert(contactTags)
    .select(sql`SELECT ${contacts.workspaceId}, ${contacts.id}, ${spelling} FROM ${contacts}, json_each(${JSON.stringify(tags)}) WHERE ${tenant.where(contacts, match)}`)
    .onConflictDoNothing();
}

// Null, undefined and blank text say nothing: they never blank what is stored.
function known(value: string | null | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

function upsertChangeStatements(tenant: Tenant, identity: Identity, input: ContactUpsert, source: string, now: number): Statement[] {
  const match = namedBy(identity);
  const changes: ContactChanges = {
    profile: { phone: identity.phone ?? undefined, firstName: known(input.firstName), lastName: known(input.lastName), externalId: known(input.externalId) },
    guards: identity.phone ? { phone: phoneFree(tenant, identity.phone) } : {},
    gainEmail: identity.email,
    registered: input.registered ? true : undefined,
    consent: { email: input.emailConsent, sms: input.smsConsent },
    consentAt: input.consentAt ?? now,
    sourceUpdatedAt: input.sourceUpdatedAt,
    createdAt: input.createdAt,
  };
  const tags = uniqueTags(input.tags ?? []);
  return [...contactChangeStatements(tenant, match, changes, source, now), ...(tags.length ? [addTagsStatement(tenant, match, tags)] : [])];
}

/**
 * The statements of `upsertContact`, for callers that batch many contacts in one round trip
 * (imports). In order: a merge when the email and the phone name two contacts, the insert
 * of a new contact with its `contact_created` (both or neither), then the changes.
 */
export function upsertContactStatements(tenant: Tenant, input: ContactUpsert, source: string, now = Date.now()): Statement[] {
  return upsertPlan(tenant, input, source, now).statements;
}

function upsertPlan(tenant: Tenant, input: ContactUpsert, source: string, now: number) {
  const identity = identityOf(input);
  const merge = identity.email && identity.phone ? mergeByPhoneStatements(tenant, identity.email, identity.phone, now) : [];
  const statements = [...merge, ...ensureContactStatements(tenant, identity, source, now), ...upsertChangeStatements(tenant, identity, input, source, now)];
  return { identity, statements, insertAt: merge.length };
}

/**
 * The statements setting consent of every contact `match` selects, each change recorded in the
 * consent history with `source` (once per change, only where the status really changes).
 */
export function consentStatements(tenant: Tenant, match: SQL, consent: Partial<Record<ConsentChannel, ConsentStatus>>, source: string, now = Date.now()): Statement[] {
  return contactChangeStatements(tenant, match, { profile: {}, consent, consentAt: now }, source, now);
}

/**
 * The statements setting one channel's consent of the contact that has `phone` (recorded in
 * the consent history with `source`, once per change); nothing when no contact has it. None
 * is created: a keyword texted from an unknown number must not start a welcome flow.
 */
export function consentByPhoneStatements(tenant: Tenant, phone: string, channel: ConsentChannel, status: ConsentStatus, source: string, now = Date.now()): Statement[] {
  return consentStatements(tenant, eq(contacts.phone, phone), { [channel]: status }, source, now);
}

/**
 * Creates or updates the contact an email or phone names in this workspace; when a phone-only
 * contact and the email's contact turn out to be one person, merges them (contact-merge.ts).
 * `source` says where the data came from (e.g. 'shopify', 'woocommerce', 'api', 'import', 'dashboard').
 */
export async function upsertContact(tenant: Tenant, input: ContactUpsert, source: string, now = Date.now()): Promise<{ contactId: string; created: boolean }> {
  const { identity, statements, insertAt } = upsertPlan(tenant, input, source, now);
  // After the changes, the email (if any) is the contact's: it was there, it was gained, or it was inserted.
  const found = tenant.db
    .select({ id: contacts.id })
    .from(contacts)
    .where(tenant.where(contacts, identity.email ? eq(contacts.email, identity.email) : eq(contacts.phone, identity.phone!)))
    .limit(1);
  const [first, ...rest] = statements;
  const results = (await tenant.db.batch([first!, ...rest, found])) as unknown[];
  const [row] = results[results.length - 1] as { id: string }[];
  return { contactId: row!.id, created: (results[insertAt] as unknown[]).length > 0 };
}

/** The 409 naming the email or phone another contact (than `exceptId`) already has, or null when none has. */
async function identityConflict(tenant: Tenant, { email, phone }: Identity, exceptId?: string): Promise<AppError | null> {
  if (!email && !phone) return null;
  const [other] = await tenant.db
    .select({ email: contacts.email })
    .from(contacts)
    .where(tenant.where(contacts, or(email ? eq(contacts.email, email) : undefined, phone ? eq(contacts.phone, phone) : undefined), exceptId ? ne(contacts.id, exceptId) : undefined))
    .limit(1);
  if (!other) return null;
  return new AppError('conflict', email && other.email === email ? `A contact with the email ${email} already exists` : `A contact with the phone ${phone} already exists`);
}

/** The country of numbers written without + (Settings → SMS), or null. */
export async function workspacePhoneCountry(tenant: Tenant): Promise<string | null> {
  const [row] = await tenant.db.select({ country: workspaceSettings.smsDefaultCountry }).from(workspaceSettings).where(tenant.where(workspaceSettings)).limit(1);
  return row?.country ?? null;
}

/** The phone as E.164: as given when it already is, else read in the workspace's default country. */
async function e164PhoneOf<T extends string | null | undefined>(tenant: Tenant, phone: T): Promise<T | string> {
  if (!phone || normalizePhone(phone) === phone) return phone;
  const country = await workspacePhoneCountry(tenant);
  const normalized = normalizePhone(phone, country);
  if (normalized) return normalized;
  throw invalidField(
    'phone',
    country
      ? `Not a valid phone number in ${country}; write it in international format, e.g. +14155550123`
      : 'Write the phone in international format, e.g. +14155550123, or set a default country in Settings → SMS',
  );
}

/**
 * Creates a contact (API, dashboard), with its `contact_created` from `source`; its consent is
 * recorded as given at `consentSource` (a form's "where they agreed"); 409 when its email or phone already has one.
 */
export async function createContact(tenant: Tenant, given: ContactInput, source: string, now = Date.now(), consentSource = source): Promise<ContactView> {
  const input = { ...given, phone: await e164PhoneOf(tenant, given.phone) };
  const id = newId(now);
  const identity = identityOf(input);
  // Matching the new id makes every other statement a no-op when the insert met an existing email or phone.
  const byId = eq(contacts.id, id);
  const changes: ContactChanges = {
    profile: { firstName: input.firstName, lastName: input.lastName, externalId: input.externalId },
    registered: input.registered,
    consent: { email: input.emailConsent, sms: input.smsConsent },
    consentAt: now,
  };
  const tags = uniqueTags(input.tags ?? []);
  const [inserted] = (await tenant.db.batch([
    ...insertContactStatements(tenant, id, identity, source, now),
    ...contactChangeStatements(tenant, byId, changes, consentSource, now),
    ...(tags.length ? [addTagsStatement(tenant, byId, tags)] : []),
  ] as [Statement, ...Statement[]])) as unknown[];
  if (!(inserted as { id: string }[]).length) throw (await identityConflict(tenant, identity))!;
  return getContact(tenant, id);
}

async function findContactRow(tenant: Tenant, id: string) {
  const [row] = await tenant.db
    .select()
    .from(contacts)
    .where(tenant.where(contacts, eq(contacts.id, id)))
    .limit(1);
  if (!row) throw notFound('Contact');
  return row;
}

function isUniqueViolation(err: unknown): boolean {
  return String((err as Error)?.message ?? err).includes('UNIQUE constraint failed');
}

/** Changes the fields sent; consent changes are recorded with `source`; `tags` replaces the tags. */
export async function updateContact(tenant: Tenant, id: string, given: ContactPatch, source: string, now = Date.now()): Promise<ContactView> {
  const patch = { ...given, phone: await e164PhoneOf(tenant, given.phone) };
  const existing = await findContactRow(tenant, id);
  // An email is never cleared (PATCH refuses null); the phone only while an email remains: a contact is found by one of them.
  const email = patch.email ?? existing.email;
  const phone = patch.phone === undefined ? existing.phone : patch.phone;
  if (!email && !phone) throw invalidField('phone', 'A contact without an email keeps its phone');
  const conflict = () => identityConflict(tenant, { email: email !== existing.email ? email : null, phone: phone !== existing.phone ? phone : null }, id);
  const taken = await conflict();
  if (taken) throw taken;
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
  const tags = patch.tags && uniqueTags(patch.tags);
  if (tags) {
    statements.push(tenant.db.delete(contactTags).where(tenant.where(contactTags, eq(contactTags.contactId, id), tags.length ? not(tagIn(contactTags.tag, tags)) : undefined)));
    if (tags.length) statements.push(addTagsStatement(tenant, byId, tags));
  }
  try {
    await runBatch(tenant.db, statements);
  } catch (err) {
    // Another contact took the email or phone between the check and the write.
    if (isUniqueViolation(err)) throw (await conflict()) ?? err;
    throw err;
  }
  return getContact(tenant, id);
}

/**
 * The statements erasing every contact `match` selects (a GDPR erasure): the contacts, their
 * tags, consent history, interests, carts and triggers are deleted, and their orders are kept
 * for the store's numbers without the email or the link to the person. Run as one batch: the
 * contacts row goes last, as every statement before finds the contacts through it, so `match`
 * selects by id, never by the tags or consent history deleted on the way.
 */
export function eraseStatements(tenant: Tenant, match: SQL): Statement[] {
  const erased = tenant.db.select({ id: contacts.id }).from(contacts).where(tenant.where(contacts, match));
  const erasedEmails = tenant.db
    .select({ email: contacts.email })
    .from(contacts)
    .where(tenant.where(contacts, match, isNotNull(contacts.email)));
  return [
    tenant.db.delete(contactTags).where(tenant.where(contactTags, inArray(contactTags.contactId, erased))),
    tenant.db.delete(consentChanges).where(tenant.where(consentChanges, inArray(consentChanges.contactId, erased))),
    tenant.db.delete(productInterests).where(tenant.where(productInterests, inArray(productInterests.contactId, erased))),
    tenant.db.delete(carts).where(tenant.where(carts, inArray(carts.contactId, erased))),
    tenant.db.delete(triggers).where(tenant.where(triggers, inArray(triggers.contactId, erased))),
    tenant.db
      .update(orders)
      .set({ email: null, contactId: null })
      .where(tenant.where(orders, or(inArray(orders.contactId, erased), inArray(orders.email, erasedEmails)))),
    // Rejected import rows keep the raw CSV line, which may hold the address too.
    tenant.db
      .delete(contactImportRejections)
      .where(
        tenant.where(
          contactImportRejections,
          sql`EXISTS (SELECT 1 FROM ${contacts} WHERE ${tenant.where(contacts, match, isNotNull(contacts.email))} AND instr(lower(${contactImportRejections.raw}), ${contacts.email}) > 0)`,
        ),
      ),
    tenant.db.delete(contacts).where(tenant.where(contacts, match)),
  ];
}

/** Erases one contact (see eraseStatements); 404 for an id of another workspace. One batch: all or nothing. */
export async function eraseContact(tenant: Tenant, id: string): Promise<void> {
  await findContactRow(tenant, id);
  await runBatch(tenant.db, eraseStatements(tenant, eq(contacts.id, id)));
}

/** Adds tags to a contact; 404 for an id of another workspace. */
export async function addContactTags(tenant: Tenant, id: string, tags: string[]): Promise<ContactView> {
  await findContactRow(tenant, id);
  const cleaned = uniqueTags(tags);
  if (cleaned.length) await runBatch(tenant.db, [addTagsStatement(tenant, eq(contacts.id, id), cleaned)]);
  return getContact(tenant, id);
}

/** Removes one tag from a contact; removing a tag it does not have changes nothing. */
export async function removeContactTag(tenant: Tenant, id: string, tag: string): Promise<ContactView> {
  await findContactRow(tenant, id);
  await tenant.db.delete(contactTags).where(tenant.where(contactTags, eq(contactTags.contactId, id), tagIn(contactTags.tag, [tag.trim()])));
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

/** A keyset page of contacts matching a filter, in the order asked (newest first by default), with how many match in all. */
export async function listContacts(tenant: Tenant, query: ContactListQuery): Promise<ContactPage> {
  const sort = query.sort ?? 'newest';
  const matching = contactFilterCondition(tenant, query);
  const cursor = query.cursor ? readContactCursor(sort, query.cursor) : null;
  if (query.cursor && !cursor) throw invalidField('cursor', 'Use the nextCursor of the previous page');
  const [rows, total] = await Promise.all([
    tenant.db
      .select({ contact: contacts, sortKey: sortKeyColumn(sort) })
      .from(contacts)
      .where(tenant.where(contacts, matching, afterCursor(sort, cursor)))
      .orderBy(...contactOrder(sort))
      .limit(keysetLimit(query.limit)),
    countContacts(tenant, query),
  ]);
  const page = keysetPage(rows, query.limit, (row) => writeContactCursor(sort, row.sortKey, row.contact.id));
  const tags = await tagsByContact(
    tenant,
    page.rows.map((row) => row.contact.id),
  );
  return { contacts: page.rows.map(({ contact }) => toContactView(contact, tags.get(contact.id) ?? [])), nextCursor: page.nextCursor, total };
}

/** How many contacts of the workspace a filter keeps; without a filter, the count the database keeps (no scan). */
export async function countContacts(tenant: Tenant, filter: ContactFilter): Promise<number> {
  const condition = contactFilterCondition(tenant, filter);
  if (!condition) {
    const [kept] = await tenant.db.select({ n: contactCounts.n }).from(contactCounts).where(tenant.where(contactCounts));
    return kept?.n ?? 0;
  }
  const [row] = await tenant.db.select({ count: sql<number>`count(*)` }).from(contacts).where(tenant.where(contacts, condition));
  return row?.count ?? 0;
}

/**
 * The workspace's tags in alphabetical order (at most `limit`), one per tag as filters
 * match them (case-insensitively), for filters. It seeks from one tag to the next in
 * `contact_tags_tag_idx` rather than reading every tagged contact (a DISTINCT over a
 * million-contact workspace's tags read them all, about 100 ms, on every contacts page).
 */
export async function listWorkspaceTags(tenant: Tenant, limit = 200): Promise<string[]> {
  const rows = await tenant.db.all<{ tag: string }>(sql`
    WITH RECURSIVE tag_keys(k) AS (
      SELECT (SELECT min(lower(tag)) FROM contact_tags WHERE workspace_id = ${tenant.workspaceId})
      UNION ALL
      SELECT (SELECT min(lower(tag)) FROM contact_tags WHERE workspace_id = ${tenant.workspaceId} AND lower(tag) > tag_keys.k) FROM tag_keys WHERE tag_keys.k IS NOT NULL
    )
    SELECT (SELECT tag FROM contact_tags WHERE workspace_id = ${tenant.workspaceId} AND lower(tag) = tag_keys.k LIMIT 1) AS tag
    FROM tag_keys WHERE tag_keys.k IS NOT NULL LIMIT ${limit}`);
  return rows.map((row) => row.tag);
}
