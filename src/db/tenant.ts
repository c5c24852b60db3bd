// Tenant scoping: the one way services reach tenant data. A `Tenant` carries the
// workspace id and builds every WHERE clause and insert row of a tenant table,
// so no query can forget the workspace.
import { and, eq, getTableName, gt, sql, type SQL } from 'drizzle-orm';
import type { SQLiteColumn, SQLiteTable } from 'drizzle-orm/sqlite-core';
import { chunk } from '../lib/chunk';
import type { Db, Statement } from './client';

/** Any table with a `workspace_id` column. */
export type TenantTable = SQLiteTable & { workspaceId: SQLiteColumn };

/**
 * A condition the planner cannot pick an index by (unary plus), with the same truth: for a
 * range that would otherwise choose a busy index, e.g. "sent in the last 16 hours" on
 * deliveries (every message a workspace sent since, walked for each contact asked about),
 * where the contact's own index should.
 */
export function notAnIndex(condition: SQL): SQL {
  return sql`+(${condition})`;
}

// The conditions `keyed` marked.
const keys = new WeakSet<SQL>();

/**
 * Marks a condition that finds rows by a key with an index of its own (a list of ids by
 * the primary key, an order's lines, a connection's SKUs). `tenant.where` then lets only
 * the key choose the index: the workspace and the other conditions are wrapped in
 * `+(...)`, which SQLite's planner cannot use. Without statistics (a new D1 database, or
 * one never ANALYZEd) it guesses ten rows for `workspace_id = ?`, and so walked a
 * workspace's whole range of deliveries or contacts for each list of ids: a campaign's
 * sends, the tracker's flushes and bulk actions grew with everything before them.
 */
export function keyed(condition: SQL): SQL {
  keys.add(condition);
  return condition;
}

/**
 * The rows of a keyset page by id after `afterId` (null: from the first) that match the
 * filters, for a table with an index on (workspace_id, id): the page walks that index in
 * id order and stops after its limit, and the filters only filter. Left to choose, the
 * planner took a filter's index (a segment's `email IS NOT NULL` as a range of the email
 * index) and sorted every matching contact for each page, so a campaign's fan-out grew
 * with the square of its audience.
 */
export function pageAfter(tenant: Tenant, table: TenantTable & { id: SQLiteColumn }, afterId: string | null, ...filters: (SQL | undefined)[]): SQL {
  // Every id sorts after '': the first page is planned like the others.
  return and(eq(table.workspaceId, tenant.workspaceId), gt(table.id, afterId ?? ''), ...filters.map((filter) => filter && notAnIndex(filter))) as SQL;
}

/** A database handle bound to one workspace. */
export type Tenant = {
  readonly db: Db;
  readonly workspaceId: string;
  /** `workspace_id = ?` AND every given condition, for select, update and delete; planned by a `keyed` condition when there is one. */
  where(table: TenantTable, ...conditions: (SQL | undefined)[]): SQL;
  /** An insert row with the workspace id filled in. */
  row<T extends object>(values: T): T & { workspaceId: string };
  /**
   * Inserts of many rows of the workspace, INSERT_MANY_ROWS to a statement, each row an
   * array of values in the order of `columns` (as SQL names them); `tail` ends each
   * statement (ON CONFLICT, RETURNING). No rows, no statements.
   */
  insertMany(table: TenantTable, columns: string[], rows: unknown[][], tail?: SQL): Statement[];
};

/** Rows per statement of Tenant.insertMany: one JSON parameter of a few tens of KB. */
export const INSERT_MANY_ROWS = 200;

// Rows go as one JSON parameter read by json_each: drizzle builds each bound value of a
// multi-row insert one by one (a measurable share of a send's CPU), and D1 binds at most
// 100 values to a statement, so a row of 17 values made an insert of 5 rows.
function insertJsonRows(db: Db, workspaceId: string, table: TenantTable, columns: string[], rows: unknown[][], tail?: SQL): Statement[] {
  for (const column of columns) if (!/^[a-z_]+$/.test(column)) throw new Error(`not a column name: ${column}`);
  const into = sql`INSERT INTO ${sql.identifier(getTableName(table))} (workspace_id, ${sql.raw(columns.join(', '))})`;
  const values = sql.raw(columns.map((_, i) => `json_extract(value, '$[${i}]')`).join(', '));
  // "WHERE true" tells SQLite's parser that an ON CONFLICT in the tail is the insert's, not a join's.
  return chunk(rows, INSERT_MANY_ROWS).map((slice) => db.run(sql`${into} SELECT ${workspaceId}, ${values} FROM json_each(${JSON.stringify(slice)}) WHERE true ${tail ?? sql``}`));
}

/** Binds the database to one workspace. */
export function forWorkspace(db: Db, workspaceId: string): Tenant {
  return {
    db,
    workspaceId,
    where: (table, ...conditions) => {
      const scope = eq(table.workspaceId, workspaceId);
      const key = conditions.find((condition) => condition !== undefined && keys.has(condition));
      if (!key) return and(scope, ...conditions) as SQL;
      return and(key, ...[scope, ...conditions.filter((condition) => condition !== key)].map((condition) => condition && notAnIndex(condition))) as SQL;
    },
    row: (values) => ({ ...values, workspaceId }),
    insertMany: (table, columns, rows, tail) => insertJsonRows(db, workspaceId, table, columns, rows, tail),
  };
}
