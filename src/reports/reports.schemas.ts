// Queries of the reports (pages and /api/v1): recipient filters, date ranges (UTC days)
// and keyset cursors, each refused with a 400 naming the field.
import { z } from 'zod';
import { DAY } from '../lib/time';

/** What a report's recipient list can be narrowed to; `failed` covers bounces and other failures. */
export const RECIPIENT_FILTERS = ['opened', 'clicked', 'failed', 'skipped', 'unsubscribed', 'converted'] as const;
export type RecipientFilter = (typeof RECIPIENT_FILTERS)[number];

/** The longest range of days a log or an overview reads at once. */
export const MAX_RANGE_DAYS = 366;
/** The days a log shows when none are asked for: the last 30, today included. */
export const LOG_DEFAULT_DAYS = 30;
/** The days the overview's figures cover when none are asked for. */
export const OVERVIEW_DEFAULT_DAYS = 30;

const PageLimit = z.coerce.number().int().min(1).max(100).default(50);

/** A UTC day as YYYY-MM-DD, read as its midnight in epoch ms. */
export const UtcDay = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, { message: 'Use a date as YYYY-MM-DD' })
  .transform((day, ctx) => {
    const at = Date.parse(`${day}T00:00:00Z`);
    if (Number.isNaN(at) || new Date(at).toISOString().slice(0, 10) !== day) {
      ctx.addIssue({ code: 'custom', message: 'Not a date in the calendar' });
      return z.NEVER;
    }
    return at;
  });

/** A cursor of a list ordered by time: `<epoch ms>_<id>` as the previous page handed out. */
export const TimeCursor = z
  .string()
  .regex(/^\d{1,15}_[0-9A-Za-z-]{1,64}$/, { message: 'Use the nextCursor of the previous page' })
  .transform((cursor) => {
    const at = cursor.slice(0, cursor.indexOf('_'));
    return { at: Number(at), id: cursor.slice(at.length + 1) };
  });
export type TimeCursor = z.output<typeof TimeCursor>;

/** The cursor handed out for a row of a list ordered by time. */
export function timeCursorOf(row: { at: number; id: string }): string {
  return `${row.at}_${row.id}`;
}

export const RecipientsQuery = z
  .object({
    filter: z.enum(RECIPIENT_FILTERS, { message: `Choose one of ${RECIPIENT_FILTERS.join(', ')}` }).optional(),
    // The `nextCursor` of the previous page (a delivery id).
    cursor: z
      .string()
      .regex(/^[0-9A-Za-z-]{1,64}$/, { message: 'Use the nextCursor of the previous page' })
      .optional(),
    limit: PageLimit,
  })
  .strict();
export type RecipientsQuery = z.infer<typeof RecipientsQuery>;

/** Days from `from` to `to`, both included, as [from, to) in epoch ms. */
export type DayRange = { from: number; to: number };

// Both days or neither: one alone is ambiguous; `to` not before `from`, and not too long a range.
const DayRangeFields = z.object({ from: UtcDay.optional(), to: UtcDay.optional() });
function checkRange(value: { from?: number | undefined; to?: number | undefined }, ctx: z.RefinementCtx) {
  if ((value.from === undefined) !== (value.to === undefined)) {
    ctx.addIssue({ code: 'custom', path: [value.from === undefined ? 'from' : 'to'], message: 'Give both from and to, or neither' });
  } else if (value.from !== undefined && value.to !== undefined) {
    if (value.to < value.from) ctx.addIssue({ code: 'custom', path: ['to'], message: 'The end date is before the start date' });
    else if ((value.to - value.from) / DAY + 1 > MAX_RANGE_DAYS) ctx.addIssue({ code: 'custom', path: ['to'], message: `A range is at most ${MAX_RANGE_DAYS} days` });
  }
}

export const LogsQuery = DayRangeFields.extend({ cursor: TimeCursor.optional(), limit: PageLimit }).strict().superRefine(checkRange);
export type LogsQuery = z.infer<typeof LogsQuery>;

/** Only a range of days: the overview, and a log's CSV export (the whole range). */
export const DayRangeQuery = DayRangeFields.strict().superRefine(checkRange);
export type DayRangeQuery = z.infer<typeof DayRangeQuery>;

export const ContactMessagesQuery = z.object({ cursor: TimeCursor.optional(), limit: PageLimit }).strict();
export type ContactMessagesQuery = z.infer<typeof ContactMessagesQuery>;

/**
 * The days a query asked for as [from, to), or the `defaultDays` ending today (UTC) when it
 * named none.
 */
export function dayRangeOf(query: { from?: number | undefined; to?: number | undefined }, now: number, defaultDays: number): DayRange {
  if (query.from !== undefined && query.to !== undefined) return { from: query.from, to: query.to + DAY };
  const tomorrow = now - (now % DAY) + DAY;
  return { from: tomorrow - defaultDays * DAY, to: tomorrow };
}

/** A range's first and last day as YYYY-MM-DD (what date inputs and the API show). */
export function dayRangeLabels(range: DayRange): { from: string; to: string } {
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  return { from: day(range.from), to: day(range.to - DAY) };
}
