// Writing SQLite values as text, for the benchmarks' SQL files run with `wrangler d1 execute --file`.
// Values are inlined as literals (a file has no bound parameters), so quoting lives here only.

/** A JS value as a SQLite literal: NULL, an integer/real, 1/0 for booleans, or a quoted string. */
export function sqlLiteral(value) {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'boolean') return value ? '1' : '0';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`cannot write ${value} as SQL`);
    return String(value);
  }
  if (typeof value === 'string') {
    // SQLite strings end at a NUL in some APIs; refuse rather than silently truncate.
    if (value.includes('\0')) throw new Error('cannot write a NUL character as SQL');
    // The only escape SQL string literals have: a quote is written twice.
    return `'${value.replace(/'/g, "''")}'`;
  }
  throw new Error(`cannot write a ${typeof value} as SQL`);
}
