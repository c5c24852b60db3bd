// The workspace's suppression list: addresses that never receive marketing email.
import { asc, eq, gt, like, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { Email } from '../accounts/accounts.schemas';
import { SUPPRESSION_REASONS, suppressions } from '../db/schema';
import type { Tenant } from '../db/tenant';
import { notFound } from '../lib/errors';
import { keysetLimit, keysetPage } from '../lib/keyset-page';
import { suppressEmail } from './deliveries.service';

/**
 * SQL true when the contact row being read has a suppressed address in the workspace.
 * The outer column is written qualified: drizzle leaves a single-table query's columns
 * bare, and a bare "email" inside this subquery would mean the suppression's own.
 */
export function contactEmailSuppressed(workspaceId: string): SQL<number> {
  return sql<number>`EXISTS (SELECT 1 FROM ${suppressions} WHERE ${suppressions.workspaceId} = ${workspaceId} AND ${suppressions.email} = "contacts"."email")`;
}

export const SuppressionInput = z.object({
  email: Email,
  reason: z.enum(SUPPRESSION_REASONS).default('manual'),
  detail: z.preprocess((value) => (typeof value === 'string' && value.trim() === '' ? null : value), z.string().trim().max(300).nullable().default(null)),
});
export type SuppressionInput = z.infer<typeof SuppressionInput>;

export const SuppressionListQuery = z.object({ q: z.string().trim().max(254).optional(), cursor: z.string().optional(), limit: z.coerce.number().int().min(1).max(200).default(50) });
export type SuppressionListQuery = z.infer<typeof SuppressionListQuery>;

/** A page of suppressed addresses in email order; `q` matches an email prefix. */
export async function listSuppressions(tenant: Tenant, query: SuppressionListQuery) {
  const rows = await tenant.db
    .select({ email: suppressions.email, reason: suppressions.reason, detail: suppressions.detail, createdAt: suppressions.createdAt })
    .from(suppressions)
    .where(tenant.where(suppressions, query.q ? like(suppressions.email, `${query.q.toLowerCase().replace(/[%_\\]/g, '\\$&')}%`) : undefined, query.cursor ? gt(suppressions.email, query.cursor) : undefined))
    .orderBy(asc(suppressions.email))
    .limit(keysetLimit(query.limit));
  const page = keysetPage(rows, query.limit, (row) => row.email);
  return { suppressions: page.rows, nextCursor: page.nextCursor };
}

/** A page of suppressed addresses; `nextCursor` (an email) is null on the last page. */
export type SuppressionPage = Awaited<ReturnType<typeof listSuppressions>>;

/** Adds an address (kept once, with its first reason). */
export async function addSuppression(tenant: Tenant, input: SuppressionInput): Promise<void> {
  await suppressEmail(tenant, input.email, input.reason, input.detail);
}

/** Removes an address, whatever put it there; 404 when it is not on the list. */
export async function removeSuppression(tenant: Tenant, email: string): Promise<void> {
  const [row] = await tenant.db.delete(suppressions).where(tenant.where(suppressions, eq(suppressions.email, email.trim().toLowerCase()))).returning({ email: suppressions.email });
  if (!row) throw notFound('Suppressed address');
}

