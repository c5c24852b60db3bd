// Recipients' first names as a real list has them, so a design that greets each by name
// costs what it costs in production: four in five share one of 200 names (the commonest
// most often), one in five has a name of their own. One rule, for SQL seeds and CSV imports.

/** The first name of recipient `n` (1-based). */
export function benchFirstName(n) {
  const h = (n * 2654435761) % 1000;
  return n % 5 === 0 ? `Rare${n}` : `Name${Math.floor((h * h) / 5000)}`;
}

/** The same rule as SQL over a column `n`. */
export const BENCH_FIRST_NAME_SQL = `CASE WHEN n % 5 = 0 THEN 'Rare' || n ELSE 'Name' || ((n * 2654435761 % 1000) * (n * 2654435761 % 1000) / 5000) END`;
