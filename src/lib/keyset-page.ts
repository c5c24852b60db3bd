// Keyset pagination: a list query asks for one row more than a page, so it knows
// whether another page follows and never hands out a cursor to an empty page.

/** The row count a page query asks for: the page plus one row that only says "there is more". */
export function keysetLimit(limit: number): number {
  return limit + 1;
}

/**
 * The first `limit` of `rows` (fetched with `keysetLimit(limit)`), and the cursor of the
 * next page (the key of the page's last row), or null when this page is the last.
 */
export function keysetPage<T, K>(rows: readonly T[], limit: number, keyOf: (row: T) => K): { rows: T[]; nextCursor: K | null } {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return { rows: page, nextCursor: rows.length > limit && last !== undefined ? keyOf(last) : null };
}
