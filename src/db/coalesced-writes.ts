// Writes that many tasks running side by side each need committed before they go on (a
// text's short links before it leaves), gathered into few D1 round trips: statements that
// arrive while a batch is in flight wait for it and then go together in the next one.
import { type Db, runBatch, type Statement } from './client';

/** Commits the statements (with whatever else is waiting) and resolves once they are in D1. */
export type CoalescedWriter = (statements: Statement[]) => Promise<void>;

export function coalesceWrites(db: Db): CoalescedWriter {
  let next: { statements: Statement[]; written: Promise<void> } | null = null;
  let previous: Promise<unknown> = Promise.resolve();
  return (statements) => {
    if (!statements.length) return Promise.resolve();
    if (!next) {
      const batch: { statements: Statement[]; written: Promise<void> } = { statements: [], written: Promise.resolve() };
      // One batch's failure is its own callers' (each learns it); the next batch still goes.
      batch.written = previous
        .catch(() => undefined)
        .then(() => {
          next = null;
          return runBatch(db, batch.statements);
        });
      next = batch;
      previous = batch.written;
    }
    next.statements.push(...statements);
    return next.written;
  };
}
