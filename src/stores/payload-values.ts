// Reading values as stores send them: ids as strings (Shopify ids can exceed 2^53),
// money as decimal strings or numbers, times as ISO strings with offsets, and text
// within the limits the contacts API sets, so a webhook cannot store what the API refuses.
import { z } from 'zod';
import { isIsoCurrency } from '../lib/currencies';
import { invalidField } from '../lib/errors';
import { minorUnitDigits } from '../lib/money';

/** JSON.parse that keeps integers beyond 2^53 exactly, as strings (they are ids). */
export function parseJsonKeepingBigIds(text: string): unknown {
  return JSON.parse(text, ((_key: string, value: unknown, context?: { source?: string }) => {
    if (typeof value === 'number' && !Number.isSafeInteger(value) && context?.source && /^-?\d+$/.test(context.source)) {
      return context.source;
    }
    return value;
  }) as never);
}

// Ids, SKUs and other keys longer than this are refused: no platform issues them, and
// cutting one would merge two records. The contacts API holds external ids to 100.
export const MAX_EXTERNAL_ID_LENGTH = 100;

/** An id sent as a number or a string, read as a string. */
export const ExternalId = z
  .union([
    z
      .string()
      .min(1)
      .max(MAX_EXTERNAL_ID_LENGTH, { message: `Use at most ${MAX_EXTERNAL_ID_LENGTH} characters` }),
    z.number().int(),
  ])
  .transform(String);

/** An ISO 4217 code, upper-cased: it decides how amounts are read, so a wrong one is refused. */
export const CurrencyCode = z
  .string()
  .trim()
  .transform((code) => code.toUpperCase())
  .refine(isIsoCurrency, { message: 'Expected an ISO 4217 currency code such as "USD"' });

// At least one digit, an optional sign and point: "19.99", "-5.00", ".5", "12."; not "", ".", "-", "1,99", "1e21", "NaN".
const DECIMAL = /^(-)?(?=\.?\d)(\d*)(?:\.(\d*))?$/;

/** The largest amount held, in minor units: past 2^53 a number no longer counts every cent. */
export const MAX_MINOR_UNITS = Number.MAX_SAFE_INTEGER;

/** A decimal amount as plain decimal text, or null when it is not one (NaN, infinities, exponents, commas). */
function decimalText(amount: string | number): string | null {
  if (typeof amount === 'string') return DECIMAL.test(amount.trim()) ? amount.trim() : null;
  if (!Number.isFinite(amount)) return null;
  const text = String(amount);
  if (!text.includes('e')) return text;
  // JavaScript writes below 1e-6 and from 1e21 with an exponent: the first is less than any
  // minor unit, the second more than MAX_MINOR_UNITS of any currency.
  return Math.abs(amount) < 1 ? '0' : null;
}

/**
 * A decimal amount ("19.99", 19.99, "-5.00") in minor units, exactly (half-up on the
 * first dropped digit); null when it is not an amount or exceeds MAX_MINOR_UNITS.
 * Negative zero comes back as 0: "-0.00" is an amount of nothing.
 */
export function toMinorUnits(amount: string | number, currency: string): number | null {
  const text = decimalText(amount);
  const match = text === null ? null : DECIMAL.exec(text);
  if (!match) return null;
  const [, sign, whole = '', fraction = ''] = match;
  const significant = whole.replace(/^0+/, '');
  // Checked before BigInt so that a megabyte of digits costs nothing.
  if (significant.length > String(MAX_MINOR_UNITS).length) return null;
  const digits = minorUnitDigits(currency);
  const kept = fraction.slice(0, digits).padEnd(digits, '0');
  const units = BigInt(significant || '0') * 10n ** BigInt(digits) + BigInt(kept || '0') + ((fraction[digits] ?? '0') >= '5' ? 1n : 0n);
  if (units > BigInt(MAX_MINOR_UNITS)) return null;
  return sign && units > 0n ? -Number(units) : Number(units);
}

/** toMinorUnits for the field at `path` of a payload: throws `invalid_input` naming it. */
export function minorUnitsOf(amount: string | number, currency: string, path: string): number {
  const units = toMinorUnits(amount, currency);
  if (units === null) throw invalidField(path, `Expected an amount of at most ${MAX_MINOR_UNITS} minor units of ${currency}`);
  return units;
}

/** A sum of amounts of the field at `path`, refused when it exceeds MAX_MINOR_UNITS. */
export function sumMinorUnits(amounts: number[], path: string): number {
  const sum = amounts.reduce((total, units) => total + units, 0);
  if (!Number.isSafeInteger(sum) || Math.abs(sum) > MAX_MINOR_UNITS) throw invalidField(path, `Expected a total of at most ${MAX_MINOR_UNITS} minor units`);
  return sum;
}

/** A money field: a decimal string or a finite number, kept as sent until its currency is known. */
export const Amount = z.union([z.string(), z.number()]).refine((value) => decimalText(value) !== null, { message: 'Expected a decimal amount such as "19.99"' });

/** An ISO 8601 time with offset, or epoch milliseconds, as epoch milliseconds. */
export const Timestamp = z.union([z.string().max(100), z.number()]).transform((value, ctx) => {
  const ms = typeof value === 'number' ? value : Date.parse(value);
  if (!Number.isSafeInteger(ms) || ms < 0) {
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

// Addresses longer than RFC 5321 allows, and phones longer than any numbering plan's,
// cannot be anyone's: they are refused rather than cut into someone else's.
const MAX_EMAIL_LENGTH = 254;
const MAX_PHONE_LENGTH = 64;
/** The longest SKU: Shopify's own limit. */
export const MAX_SKU_LENGTH = 255;

/** OptionalText that identifies something (an email, a phone, a SKU): refused beyond `max` characters. */
export const OptionalKey = (max: number) =>
  z
    .string()
    .max(max, { message: `Use at most ${max} characters` })
    .nullish()
    .pipe(OptionalText);

/** An email as sent (normalized later); refused beyond 254 characters. */
export const OptionalEmail = OptionalKey(MAX_EMAIL_LENGTH);
/** A phone as sent (normalized to E.164 later); refused beyond 64 characters. */
export const OptionalPhone = OptionalKey(MAX_PHONE_LENGTH);
/** A SKU; refused beyond 255 characters. */
export const OptionalSku = OptionalKey(MAX_SKU_LENGTH);
