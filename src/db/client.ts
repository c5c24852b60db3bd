// The drizzle client over D1: a thin wrapper, not a pool, kept per binding.
import { type SQL, sql } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import { drizzle } from 'drizzle-orm/d1';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';
import { AppError } from '../lib/errors';
import * as schema from './schema';

function createDb(d1: D1Database) {
  return drizzle(d1, { schema, casing: 'snake_case' });
}

/** The drizzle database type every service takes. */
export type Db = ReturnType<typeof createDb>;

// Building drizzle's relational config walks the whole schema (a measurable share of a
// request's CPU); the binding is the same object for the isolate's life, so it is built once.
const opened = new WeakMap<D1Database, Db>();

/** Drizzle over a D1 binding with snake_case columns. */
export function openDb(d1: D1Database): Db {
  let db = opened.get(d1);
  if (!db) {
    db = createDb(d1);
    opened.set(d1, db);
  }
  return db;
}

/** Any statement that can go in a D1 batch. */
export type Statement = BatchItem<'sqlite'>;

/** What drizzle builds every statement into (its batch reads the same, internal, method). */
type BuildsQuery = { _prepare(): { getQuery(): { sql: string; params: unknown[] } } };

/**
 * Runs statements in one D1 round trip, as one transaction, and returns D1's result of
 * each (rows as D1 names the columns, unmapped); an empty list is a no-op. Bound here
 * rather than by drizzle's batch, which cannot bind the parameters of raw SQL
 * (db.run(sql`...`), e.g. attribution's window query).
 */
export async function runBatch(db: Db, statements: Statement[]): Promise<D1Result[]> {
  if (!statements.length) return [];
  return db.$client.batch(
    statements.map((statement) => {
      const { sql: text, params } = (statement as unknown as BuildsQuery)._prepare().getQuery();
      return db.$client.prepare(text).bind(...params);
    }),
  );
}

/**
 * Runs queries that each return rows (one per slice of a long list of ids) in one round
 * trip, and returns all their rows in order; no queries, no rows.
 */
export async function batchRows<Row>(db: Db, queries: (Statement & PromiseLike<Row[]>)[]): Promise<Row[]> {
  const [first, ...rest] = queries;
  if (!first) return [];
  return ((await db.batch([first, ...rest])) as unknown[]).flat() as Row[];
}

/** `column IN (values)` with one bound parameter however many values (D1 binds at most 100 per statement). */
export function inJsonList(column: SQLiteColumn, values: string[]): SQL {
  return sql`${column} IN (SELECT value FROM json_each(${JSON.stringify(values)}))`;
}

function isForeignKeyViolation(err: unknown): boolean {
  const messages = [err, (err as { cause?: unknown })?.cause].map((e) => (e instanceof Error ? e.message : String(e)));
  return messages.some((message) => message.includes('FOREIGN KEY constraint failed'));
}

/** Runs a delete; when D1 refuses it because a row still refers to the one deleted (a foreign key), throws 409 with `whyKept`. */
export async function deleteUnlessReferenced<T>(remove: Promise<T>, whyKept: string): Promise<T> {
  try {
    return await remove;
  } catch (err) {
    if (isForeignKeyViolation(err)) throw new AppError('conflict', whyKept);
    throw err;
  }
}
