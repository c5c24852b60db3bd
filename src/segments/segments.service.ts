// Saved segments and segment evaluation: counts, previews and keyset pages of
// members, always compiled at the moment they are asked for.
import { asc, count, desc, eq } from 'drizzle-orm';
import { deleteUnlessReferenced } from '../db/client';
import { type ConsentStatus, contacts, segments } from '../db/schema';
import { pageAfter, type Tenant } from '../db/tenant';
import { notFound } from '../lib/errors';
import { newId } from '../lib/ids';
import { keysetLimit, keysetPage } from '../lib/keyset-page';
import { compileSegment } from './compile-segment';
import { SegmentDefinition } from './segment-definition';
import type { SegmentInput, SegmentPatch } from './segments.schemas';

/** A saved segment as the API returns it. */
export type SegmentView = { id: string; name: string; description: string | null; definition: SegmentDefinition; createdAt: number; updatedAt: number };

/** A member as previews, member lists and fan-out pages list it: how to reach them, whether they may be, and what they spent. */
export type SegmentMember = {
  id: string;
  email: string | null;
  phone: string | null;
  firstName: string | null;
  lastName: string | null;
  emailConsent: ConsentStatus;
  smsConsent: ConsentStatus;
  totalSpentCents: number;
  orderCount: number;
};

const memberColumns = {
  id: contacts.id,
  email: contacts.email,
  phone: contacts.phone,
  firstName: contacts.firstName,
  lastName: contacts.lastName,
  emailConsent: contacts.emailConsent,
  smsConsent: contacts.smsConsent,
  totalSpentCents: contacts.totalSpentCents,
  orderCount: contacts.orderCount,
};

function toView(row: typeof segments.$inferSelect): SegmentView {
  // Validated on read too: a definition written by an older version must still be one we can compile.
  const definition = SegmentDefinition.parse(JSON.parse(row.definition));
  return { id: row.id, name: row.name, description: row.description, definition, createdAt: row.createdAt, updatedAt: row.updatedAt };
}

/** How many contacts match now. */
export async function countSegment(tenant: Tenant, definition: SegmentDefinition, now = Date.now()): Promise<number> {
  const [row] = await tenant.db
    .select({ n: count() })
    .from(contacts)
    .where(compileSegment(definition, { workspaceId: tenant.workspaceId, now }));
  return row?.n ?? 0;
}

/** The next keyset page of members after `afterId` (by id, so it is stable while contacts are added). */
export async function pageSegment(tenant: Tenant, definition: SegmentDefinition, page: { afterId?: string | null; limit: number }, now = Date.now()): Promise<SegmentMember[]> {
  const where = compileSegment(definition, { workspaceId: tenant.workspaceId, now });
  return tenant.db
    .select(memberColumns)
    .from(contacts)
    .where(pageAfter(tenant, contacts, page.afterId ?? null, where))
    .orderBy(asc(contacts.id))
    .limit(page.limit);
}

/** One page of members for a list (the API's, the segment page's): the rows and the cursor of the next page, if any. */
export async function listSegmentMembers(
  tenant: Tenant,
  definition: SegmentDefinition,
  page: { cursor?: string | undefined; limit: number },
  now = Date.now(),
): Promise<{ members: SegmentMember[]; nextCursor: string | null }> {
  const rows = await pageSegment(tenant, definition, { afterId: page.cursor ?? null, limit: keysetLimit(page.limit) }, now);
  const { rows: members, nextCursor } = keysetPage(rows, page.limit, (member) => member.id);
  return { members, nextCursor };
}

/** The builder's live preview: the count and the first contacts. */
export async function previewSegment(tenant: Tenant, definition: SegmentDefinition, now = Date.now()): Promise<{ count: number; sample: SegmentMember[] }> {
  const [total, sample] = await Promise.all([countSegment(tenant, definition, now), pageSegment(tenant, definition, { limit: 10 }, now)]);
  return { count: total, sample };
}

/** Saves a new segment. */
export async function createSegment(tenant: Tenant, input: SegmentInput, now = Date.now()): Promise<SegmentView> {
  const row = { id: newId(now), name: input.name, description: input.description ?? null, definition: JSON.stringify(input.definition), createdAt: now, updatedAt: now };
  await tenant.db.insert(segments).values(tenant.row(row));
  return toView({ ...row, workspaceId: tenant.workspaceId });
}

/** The workspace's segments, newest first. */
export async function listSegments(tenant: Tenant): Promise<SegmentView[]> {
  const rows = await tenant.db.select().from(segments).where(tenant.where(segments)).orderBy(desc(segments.createdAt));
  return rows.map(toView);
}

/** One segment; 404 for another workspace's. */
export async function getSegment(tenant: Tenant, id: string): Promise<SegmentView> {
  const [row] = await tenant.db
    .select()
    .from(segments)
    .where(tenant.where(segments, eq(segments.id, id)))
    .limit(1);
  if (!row) throw notFound('Segment');
  return toView(row);
}

/** Changes the fields given. */
export async function updateSegment(tenant: Tenant, id: string, patch: SegmentPatch, now = Date.now()): Promise<SegmentView> {
  const set = {
    ...(patch.name !== undefined ? { name: patch.name } : {}),
    ...(patch.description !== undefined ? { description: patch.description ?? null } : {}),
    ...(patch.definition !== undefined ? { definition: JSON.stringify(patch.definition) } : {}),
    updatedAt: now,
  };
  const [row] = await tenant.db
    .update(segments)
    .set(set)
    .where(tenant.where(segments, eq(segments.id, id)))
    .returning();
  if (!row) throw notFound('Segment');
  return toView(row);
}

/** Deletes a segment. */
export async function deleteSegment(tenant: Tenant, id: string): Promise<void> {
  const [row] = await deleteUnlessReferenced(
    tenant.db
      .delete(segments)
      .where(tenant.where(segments, eq(segments.id, id)))
      .returning({ id: segments.id }),
    'A campaign uses this segment as its audience; choose another audience for it first.',
  );
  if (!row) throw notFound('Segment');
}
