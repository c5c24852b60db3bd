// Money: minor units shown in their currency (pages, emails' merge data), and the
// currency facts store payloads and CSV imports share.

/**
 * Minor units as money: "$1,234.50" with a known currency (its own number of decimals,
 * e.g. none for JPY), or a plain "1,234.50" when the currency is unknown.
 */
export function formatMoney(minorUnits: number, currency: string | null): string {
  if (currency) {
    try {
      const format = new Intl.NumberFormat('en-US', { style: 'currency', currency });
      return format.format(minorUnits / 10 ** (format.resolvedOptions().maximumFractionDigits ?? 2));
    } catch {
      // Not an ISO 4217 code: fall through to a plain number rather than fail the page.
    }
  }
  return new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(minorUnits / 100);
}

/** Digits after the decimal point of a currency's minor unit (JPY 0, KWD 3, most 2). */
export function minorUnitDigits(currency: string): number {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}
