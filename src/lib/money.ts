// Money for people: minor units shown in their currency, in pages and in emails' merge data.

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
