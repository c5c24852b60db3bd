// Work that many tasks running side by side each need done before they go on (a text's
// short links stored before it leaves), gathered into few calls: items that arrive while
// a call is in flight wait for it and then go together in the next one.

/** Hands the items to the next call (with whatever else is waiting); resolves once that call is done. */
export type Coalesced<T> = (items: T[]) => Promise<void>;

export function coalesce<T>(write: (items: T[]) => Promise<unknown>): Coalesced<T> {
  let next: { items: T[]; done: Promise<unknown> } | null = null;
  let previous: Promise<unknown> = Promise.resolve();
  return (items) => {
    if (!items.length) return Promise.resolve();
    if (!next) {
      const call: { items: T[]; done: Promise<unknown> } = { items: [], done: Promise.resolve() };
      // One call's failure is its own callers' (each learns it); the next call still goes.
      call.done = previous
        .catch(() => undefined)
        .then(() => {
          next = null;
          return write(call.items);
        });
      next = call;
      previous = call.done;
    }
    next.items.push(...items);
    return next.done.then(() => undefined);
  };
}
