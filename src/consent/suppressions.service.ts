// The workspace's suppression list: addresses that never receive marketing on their
// channel, whatever a campaign or flow targets. An email address on email, an E.164
// phone number on SMS.
import { and, asc, eq, gt, like } from 'drizzle-orm';
import { z } from 'zod';
import { Email } from '../accounts/accounts.schemas';
import { normalizePhone } from '../contacts/contact-fields';
import { ContactPhone } from '../contacts/contacts.schemas';
import { CONSENT_CHANNELS, SUPPRESSION_REASONS, suppressions, type ConsentChannel, type SuppressionReason } from '../db/schema';
import type { Tenant } from '../db/tenant';
import { normalizeEmail } from '../lib/email-address';
import { notFound } from '../lib/errors';
import { keysetLimit, keysetPage } from '../lib/keyset-page';

/** Where a message goes on a channel: an email address, or an E.164 phone number for SMS. */
export type ChannelAddress = { channel: ConsentChannel; address: string };

/** The statement adding an address to its channel's list (kept once, with the first reason), to run in a batch. */
export function suppressStatement(tenant: Tenant, { channel, address }: ChannelAddress, reason: SuppressionReason, detail: string | null, now = Date.now()) {
  return tenant.db
    .insert(suppressions)
    .values(tenant.row({ channel, address, reason, detail, createdAt: now }))
    .onConflictDoNothing();
}

/** The statement suppressing an email address, to run in a batch. */
export function suppressEmailStatement(tenant: Tenant, email: string, reason: SuppressionReason, detail: string | null, now = Date.now()) {
  return suppressStatement(tenant, { channel: 'email', address: email }, reason, detail, now);
}

/** Adds an email address to the suppression list (kept once, with the first reason). */
export async function suppressEmail(tenant: Tenant, email: string, reason: SuppressionReason, detail: string | null, now = Date.now()): Promise<void> {
  await suppressEmailStatement(tenant, email, reason, detail, now);
}

/** The statement taking an address off its channel's list, only if it was put there for `reason`, to run in a batch. */
export function unsuppressStatement(tenant: Tenant, { channel, address }: ChannelAddress, reason: SuppressionReason) {
  return tenant.db.delete(suppressions).where(tenant.where(suppressions, eq(suppressions.channel, channel), eq(suppressions.address, address), eq(suppressions.reason, reason)));
}

/** Takes an email address off the suppression list, only if it was put there for `reason`. */
export async function unsuppressEmail(tenant: Tenant, email: string, reason: SuppressionReason): Promise<void> {
  await unsuppressStatement(tenant, { channel: 'email', address: email }, reason);
}

const optionalText = (max: number) => z.preprocess((value) => (typeof value === 'string' && value.trim() === '' ? undefined : value), z.string().trim().max(max).optional());

/** An address to suppress: an `email`, or a `phone` for SMS. */
export const SuppressionInput = z
  .object({
    email: z.preprocess((value) => (value === '' ? undefined : value), Email.optional()),
    phone: z.preprocess((value) => (value === '' ? undefined : value), ContactPhone.optional()),
    reason: z.enum(SUPPRESSION_REASONS).default('manual'),
    detail: optionalText(300).transform((value) => value ?? null),
  })
  .superRefine((input, ctx) => {
    if (!input.email === !input.phone) ctx.addIssue({ code: 'custom', path: [input.phone ? 'phone' : 'email'], message: 'Give an email address or a phone number (one of them)' });
  });
export type SuppressionInput = z.infer<typeof SuppressionInput>;

/** The channel and address an input names. */
function addressOf(input: SuppressionInput): ChannelAddress {
  return input.phone ? { channel: 'sms', address: input.phone } : { channel: 'email', address: input.email! };
}

export const SuppressionListQuery = z.object({
  channel: z.enum(CONSENT_CHANNELS).default('email'),
  q: z.string().trim().max(254).optional(),
  cursor: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type SuppressionListQuery = z.infer<typeof SuppressionListQuery>;

/** A page of one channel's suppressed addresses in address order; `q` matches an address prefix. */
export async function listSuppressions(tenant: Tenant, query: SuppressionListQuery) {
  const rows = await tenant.db
    .select({ channel: suppressions.channel, address: suppressions.address, reason: suppressions.reason, detail: suppressions.detail, createdAt: suppressions.createdAt })
    .from(suppressions)
    .where(
      tenant.where(
        suppressions,
        eq(suppressions.channel, query.channel),
        query.q ? like(suppressions.address, `${query.q.toLowerCase().replace(/[%_\\]/g, '\\$&')}%`) : undefined,
        query.cursor ? gt(suppressions.address, query.cursor) : undefined,
      ),
    )
    .orderBy(asc(suppressions.address))
    .limit(keysetLimit(query.limit));
  const page = keysetPage(rows, query.limit, (row) => row.address);
  return { suppressions: page.rows, nextCursor: page.nextCursor };
}

/** A page of suppressed addresses; `nextCursor` (an address) is null on the last page. */
export type SuppressionPage = Awaited<ReturnType<typeof listSuppressions>>;

/** Adds an address (kept once, with its first reason); answers what was suppressed. */
export async function addSuppression(tenant: Tenant, input: SuppressionInput): Promise<ChannelAddress> {
  const target = addressOf(input);
  await suppressStatement(tenant, target, input.reason, input.detail);
  return target;
}

/** The channel and address an address in a URL or form names: an email has an @, anything else is a phone. */
export function parseSuppressedAddress(raw: string): ChannelAddress | null {
  if (raw.includes('@')) {
    const email = normalizeEmail(raw);
    return email ? { channel: 'email', address: email } : null;
  }
  const phone = normalizePhone(raw);
  return phone ? { channel: 'sms', address: phone } : null;
}

/** Removes an address, whatever put it there; 404 when it is not on the list. */
export async function removeSuppression(tenant: Tenant, raw: string): Promise<void> {
  const target = parseSuppressedAddress(raw);
  const [row] = target
    ? await tenant.db
        .delete(suppressions)
        .where(tenant.where(suppressions, and(eq(suppressions.channel, target.channel), eq(suppressions.address, target.address))))
        .returning({ address: suppressions.address })
    : [];
  if (!row) throw notFound('Suppressed address');
}
