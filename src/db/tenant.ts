// Tenant scoping: the one way services reach tenant data. A `Tenant` carries the
// workspace id and builds every WHERE clause and insert row of a tenant table,
// so no query can forget the workspace.
import { and, eq, sql, type SQL } from 'drizzle-orm';
import type { SQLiteColumn, SQLiteTable } from 'drizzle-orm/sqlite-core';
import type { Db } from './client';

/** Any table with a `workspace_id` column. */
export type TenantTable = SQLiteTable & { workspaceId: SQLiteColumn };

/** A condition the planner cannot pick an index by (unary plus), with the same truth. */
function notAnIndex(condition: SQL): SQL {
  return sql`+(${condition})`;
}

/** A database handle bound to one workspace. */
export type Tenant = {
  readonly db: Db;
  readonly workspaceId: string;
  /** `workspace_id = ?` AND every given condition, for select, update and delete. */
  where(table: TenantTable, ...conditions: (SQL | undefined)[]): SQL;
  /**
   * Rows found by `key` (a list of ids, an order's lines, SKUs) within the workspace and
   * every filter. Only the key can choose the index: the workspace and the filters are
   * wrapped in `+(...)`, which SQLite's planner cannot use. Without statistics (a new
   * D1 database, or one never ANALYZEd) it guesses ten rows for `workspace_id = ?`, and
   * so walked a workspace's whole range of deliveries or contacts for each list of ids:
   * a campaign's sends and the tracker's flushes grew with everything sent before them.
   */
  byKey(table: TenantTable, key: SQL, ...filters: (SQL | undefined)[]): SQL;
  /** An insert row with the workspace id filled in. */
  row<T extends object>(values: T): T & { workspaceId: string };
};

/** Binds the database to one workspace. */
export function forWorkspace(db: Db, workspaceId: string): Tenant {
  return {
    db,
    workspaceId,
    where: (table, ...conditions) => and(eq(table.workspaceId, workspaceId), ...conditions) as SQL,
    byKey: (table, key, ...filters) => and(key, ...[eq(table.workspaceId, workspaceId), ...filters].map((filter) => filter && notAnIndex(filter))) as SQL,
    row: (values) => ({ ...values, workspaceId }),
  };
}
