// Queries of the store reads (/api/v1 orders, carts, products; the products page): a keyset
// page, a contact, and a time range, each refused with a 400 naming the field.
import { z } from 'zod';
import { TimeCursor } from '../reports/reports.schemas';

// Epoch ms, at most 15 digits (year 33658): what D1 stores and JavaScript dates hold.
const EPOCH_MS = /^\d{1,15}$/;
// An ISO 8601 date, or date and time with a zone (a time without a zone would depend on the server's).
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/;

// Date.parse rolls 2026-02-30 over into March; a day that is not in the calendar is refused instead.
function isCalendarDay(value: string): boolean {
  const [year, month, day] = value.slice(0, 10).split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** An instant as epoch milliseconds or an ISO 8601 date (UTC midnight) or date-time with a zone. */
export const Instant = z.string().transform((value, ctx) => {
  const at = EPOCH_MS.test(value) ? Number(value) : ISO_INSTANT.test(value) && isCalendarDay(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(at)) {
    ctx.addIssue({ code: 'custom', message: 'Use epoch milliseconds or an ISO 8601 date-time such as 2026-03-01T00:00:00Z' });
    return z.NEVER;
  }
  return at;
});

/** A row id as this platform hands them out (ULIDs), checked before it reaches a query. */
export const RowId = z.string().regex(/^[0-9A-Za-z]{1,64}$/, { message: 'Use an id as the API returned it' });

/** A page of a store list: newest first, optionally one contact's, within [from, to). */
export const StoreListQuery = z
  .object({
    contactId: RowId.optional(),
    from: Instant.optional(),
    to: Instant.optional(),
    // The `nextCursor` of the previous page.
    cursor: TimeCursor.optional(),
    limit: z.coerce.number({ message: 'Use 1 to 100' }).int({ message: 'Use 1 to 100' }).min(1, { message: 'Use 1 to 100' }).max(100, { message: 'Use 1 to 100' }).default(50),
  })
  .strict()
  .refine((query) => query.from === undefined || query.to === undefined || query.from < query.to, { path: ['to'], message: 'The end is not after the start' });
export type StoreListQuery = z.infer<typeof StoreListQuery>;
