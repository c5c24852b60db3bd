// What the jobs of one queue batch share, and what each reports back: the types batch
// jobs (sends, imports) are written against, and the scope the consumer opens for them.

/**
 * Resources shared by the jobs of one batch (e.g. one SMTP connection per sender),
 * opened on first use and closed when the batch is done.
 */
export type BatchScope = {
  use<T>(key: string, open: () => Promise<T>, close: (value: T) => Promise<unknown>): Promise<T>;
  /** Forgets a resource without closing it (the job ended it), so the next job opens a fresh one. */
  forget(key: string): void;
};

/** A scope for one batch; the consumer closes what it holds when the batch is done. */
export function createBatchScope(): BatchScope & { closeAll(): Promise<void> } {
  // The opening promise is kept, so jobs asking at once share one resource.
  const open = new Map<string, { value: Promise<unknown>; close: (value: unknown) => Promise<unknown> }>();
  const drop = async (key: string) => {
    const entry = open.get(key);
    open.delete(key);
    if (entry) await entry.value.then(entry.close).catch(() => undefined);
  };
  return {
    use<T>(key: string, create: () => Promise<T>, close: (value: T) => Promise<unknown>): Promise<T> {
      const existing = open.get(key);
      if (existing) return existing.value as Promise<T>;
      const value = create();
      open.set(key, { value, close: close as (value: unknown) => Promise<unknown> });
      // A resource that failed to open is not kept: the next job tries again.
      value.catch(() => {
        if (open.get(key)?.value === value) open.delete(key);
      });
      return value;
    },
    forget: (key) => {
      open.delete(key);
    },
    async closeAll() {
      await Promise.all([...open.keys()].map(drop));
    },
  };
}

/** What became of one message of a batch job. */
export type BatchJobResult = { ok: true } | { ok: false; error: string };
