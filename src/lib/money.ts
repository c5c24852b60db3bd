// Money facts shared by store payloads and CSV imports.

/** Digits after the decimal point of a currency's minor unit (JPY 0, KWD 3, most 2). */
export function minorUnitDigits(currency: string): number {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}
