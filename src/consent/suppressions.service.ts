// The workspace's suppression list: addresses that never receive marketing email.
import { asc, eq, gt, like } from 'drizzle-orm';
import { z } from 'zod';
import { Email } from '../accounts/accounts.schemas';
import { SUPPRESSION_REASONS, suppressions, type SuppressionReason } from '../db/schema';
import type { Tenant } from '../db/tenant';
import { notFound } from '../lib/errors';
import { keysetLimit, keysetPage } from '../lib/keyset-page';

/** The statement adding an address to the suppression list (kept once, with the first reason), to run in a batch. */
export function suppressEmailStatement(tenant: Tenant, email: string, reason: SuppressionReason, detail: string | null, now = Date.now()) {
  return tenant.db
    .insert(suppressions)
    .values(tenant.row({ email, reason, detail, createdAt: now }))
    .onConflictDoNothing();
}

/** Adds an address to the suppression list (kept once, with the first reason). */
export async function suppressEmail(tenant: Tenant, email: string, reason: SuppressionReason, detail: string | null, now = Date.now()): Promise<void> {
  await suppressEmailStatement(tenant, email, reason, detail, now);
}

/** Takes an address off the suppression list, only if it was put there for `reason`. */
export async function unsuppressEmail(tenant: Tenant, email: string, reason: SuppressionReason): Promise<void> {
  await tenant.db.delete(suppressions).where(tenant.where(suppressions, eq(suppressions.email, email), eq(suppressions.reason, reason)));
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
    .where(
      tenant.where(
        suppressions,
        query.q ? like(suppressions.email, `${query.q.toLowerCase().replace(/[%_\\]/g, '\\$&')}%`) : undefined,
        query.cursor ? gt(suppressions.email, query.cursor) : undefined,
      ),
    )
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
  const [row] = await tenant.db
    .delete(suppressions)
    .where(tenant.where(suppressions, eq(suppressions.email, email.trim().toLowerCase())))
    .returning({ email: suppressions.email });
  if (!row) throw notFound('Suppressed address');
}
