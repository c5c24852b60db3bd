// Writing SQLite statements as text, for SQL files run with `wrangler d1 execute --file`.
// Values are inlined as literals (a file has no bound parameters), so quoting lives here only.

// D1 refuses statements over 100 KB; stay well under it.
const MAX_STATEMENT_CHARS = 50_000;
const MAX_ROWS_PER_STATEMENT = 100;

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

/** A double-quoted identifier (table or column name). */
export function sqlIdentifier(name) {
  return `"${String(name).replace(/"/g, '""')}"`;
}

/**
 * Multi-row INSERT statements for `rows` (objects keyed by column name), grouped so that
 * no statement is too long for D1. Every row must have the same keys as `columns`.
 */
export function insertStatements(table, columns, rows) {
  const head = `INSERT INTO ${sqlIdentifier(table)} (${columns.map(sqlIdentifier).join(', ')}) VALUES\n`;
  const statements = [];
  let values = [];
  let length = head.length;
  const flush = () => {
    if (values.length) statements.push(`${head}${values.join(',\n')};`);
    values = [];
    length = head.length;
  };
  for (const row of rows) {
    const tuple = `(${columns.map((column) => sqlLiteral(row[column])).join(', ')})`;
    if (values.length && (values.length >= MAX_ROWS_PER_STATEMENT || length + tuple.length > MAX_STATEMENT_CHARS)) flush();
    values.push(tuple);
    length += tuple.length + 2;
  }
  flush();
  return statements;
}
