// Tenant scoping: the one way services reach tenant data. A `Tenant` carries the
// workspace id and builds every WHERE clause and insert row of a tenant table,
// so no query can forget the workspace.
import { and, eq, type SQL } from 'drizzle-orm';
import type { SQLiteColumn, SQLiteTable } from 'drizzle-orm/sqlite-core';
import type { Db } from './client';

/** Any table with a `workspace_id` column. */
export type TenantTable = SQLiteTable & { workspaceId: SQLiteColumn };

/** A database handle bound to one workspace. */
export type Tenant = {
  readonly db: Db;
  readonly workspaceId: string;
  /** `workspace_id = ?` AND every given condition, for select, update and delete. */
  where(table: TenantTable, ...conditions: (SQL | undefined)[]): SQL;
  /** An insert row with the workspace id filled in. */
  row<T extends object>(values: T): T & { workspaceId: string };
};

/** Binds the database to one workspace. */
export function forWorkspace(db: Db, workspaceId: string): Tenant {
  return {
    db,
    workspaceId,
    where: (table, ...conditions) => and(eq(table.workspaceId, workspaceId), ...conditions) as SQL,
    row: (values) => ({ ...values, workspaceId }),
  };
}
