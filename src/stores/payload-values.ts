// Reading values as stores send them: ids as strings (Shopify ids can exceed 2^53),
// money as decimal strings or numbers, times as ISO strings with offsets.
import { z } from 'zod';

/** JSON.parse that keeps integers beyond 2^53 exactly, as strings (they are ids). */
export function parseJsonKeepingBigIds(text: string): unknown {
  return JSON.parse(text, ((_key: string, value: unknown, context?: { source?: string }) => {
    if (typeof value === 'number' && !Number.isSafeInteger(value) && context?.source && /^-?\d+$/.test(context.source)) {
      return context.source;
    }
    return value;
  }) as never);
}

/** An id sent as a number or a string, read as a string. */
export const ExternalId = z.union([z.string().min(1), z.number().int()]).transform(String);

/** Digits after the decimal point of a currency's minor unit (JPY 0, KWD 3, most 2). */
export function minorUnitDigits(currency: string): number {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

/** A decimal amount ("19.99", 19.99, "-5.00") in minor units, without floating-point rounding. */
export function toMinorUnits(amount: string | number, currency: string): number {
  const text = typeof amount === 'number' ? String(amount) : amount.trim();
  const match = /^(-)?(\d*)(?:\.(\d*))?$/.exec(text);
  if (!match || (match[2] === '' && !match[3])) throw new Error(`not an amount: ${text}`);
  const digits = minorUnitDigits(currency);
  const fraction = (match[3] ?? '').padEnd(digits + 1, '0');
  // Half-up on the first dropped digit.
  const units = Number(match[2] || '0') * 10 ** digits + Number(fraction.slice(0, digits) || '0') + (Number(fraction[digits]) >= 5 ? 1 : 0);
  return match[1] ? -units : units;
}

/** A money field: a decimal string or a number. */
export const Amount = z.union([z.string().regex(/^-?\d*(\.\d*)?$/, { message: 'Expected a decimal amount' }), z.number()]);

/** An ISO 8601 time with offset, or epoch milliseconds, as epoch milliseconds. */
export const Timestamp = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const ms = typeof value === 'number' ? value : Date.parse(value);
  if (!Number.isFinite(ms)) {
    ctx.addIssue({ code: 'custom', message: 'Expected an ISO 8601 time' });
    return z.NEVER;
  }
  return ms;
});

/** A string that may be null, empty or missing; empty becomes null. */
export const OptionalText = z
  .string()
  .nullish()
  .transform((value) => (value && value.trim() !== '' ? value.trim() : null));
