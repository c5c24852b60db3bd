// Values as store exports and spreadsheets write them: amounts with currency signs and
// thousands separators ("$1,234.50", "1.234,50 €"), counts, and free text that may hold
// line breaks. Pure functions for the CSV import.

// Whole digits of an amount: 12 keep any total in minor units below 2^53.
const MAX_WHOLE_DIGITS = 12;

/** Which of "." and "," separates the decimals in `digits` (digits and separators only), or null when neither does. */
function decimalSeparator(text: string): '.' | ',' | null {
  const lastDot = text.lastIndexOf('.');
  const lastComma = text.lastIndexOf(',');
  if (lastDot !== -1 && lastComma !== -1) return lastDot > lastComma ? '.' : ',';
  const separator = lastDot !== -1 ? '.' : lastComma !== -1 ? ',' : null;
  if (!separator || text.indexOf(separator) !== text.lastIndexOf(separator)) return null;
  // "1,234" is a thousand; "12,5" and "12,50" (European decimals) and "1.234" are decimals.
  return separator === ',' && /,\d{3}$/.test(text) ? null : separator;
}

/**
 * An amount of an export ("1,234.50", "$12.00", "1.234,50 €", "12,5") in minor units with
 * `digits` decimals (half up); null when it is not a non-negative amount.
 */
export function readExportAmount(raw: string, digits: number): number | null {
  const text = raw.replace(/[\s\u00a0'’]/g, '').replace(/^[^\d.,-]+|[^\d.,]+$/g, '');
  if (!/^\d[\d.,]*$|^[.,]\d+$/.test(text)) return null;
  const separator = decimalSeparator(text);
  const at = separator ? text.lastIndexOf(separator) : text.length;
  const grouped = text.slice(0, at);
  // Thousands come in groups of three, with the other separator than the decimals'.
  const thousands = /^\d{1,3}([.,])\d{3}(?:\1\d{3})*$/.exec(grouped);
  if (/[.,]/.test(grouped) && (!thousands || thousands[1] === separator)) return null;
  const whole = grouped.replace(/[.,]/g, '').replace(/^0+(?=\d)/, '');
  const fraction = text.slice(at + 1);
  if (whole.length > MAX_WHOLE_DIGITS || /[.,]/.test(fraction)) return null;
  const kept = fraction.slice(0, digits).padEnd(digits, '0');
  const roundUp = (fraction[digits] ?? '0') >= '5' ? 1 : 0;
  return Number(`${whole || '0'}${kept}`) + roundUp;
}

/** A count of an export ("12", "1,204", "3.0"); null when it is not a whole non-negative number. */
export function readExportCount(raw: string): number | null {
  const text = raw.trim().replace(/(?<=\d)[,\s\u00a0](?=\d{3}\b)/g, '');
  const match = /^(\d{1,9})(?:\.0*)?$/.exec(text);
  return match ? Number(match[1]) : null;
}

/** One line of text: line breaks, tabs and other control characters become single spaces (a name is never two lines). */
export function oneLine(raw: string): string {
  return raw
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ')
    .replace(/\s{2,}/g, ' ')
    .trim();
}

/**
 * A phone as exports write it: Shopify prefixes phones and ids with an apostrophe so that
 * spreadsheets keep them as text ('+16135550135); the apostrophe is not part of the number.
 */
export function exportPhone(raw: string): string {
  return raw.trim().replace(/^'/, '');
}
