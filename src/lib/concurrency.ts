// Bounded concurrency for work that mostly waits on I/O (D1 round trips): a few items in
// flight at once instead of one, never an unbounded fan-out.

/** Runs `work` on every item, at most `limit` at a time; `work` handles its own errors. */
export async function forEachConcurrently<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}
