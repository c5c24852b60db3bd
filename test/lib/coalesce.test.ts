import { describe, expect, it } from 'vitest';
import { coalesce } from '../../src/lib/coalesce';

describe('coalesce', () => {
  it('makes one call of the items asked for at once, and one of those arriving while it runs', async () => {
    const calls: number[][] = [];
    let release = () => {};
    const write = coalesce<number>(async (items) => {
      calls.push(items);
      if (calls.length === 1) await new Promise<void>((resolve) => (release = resolve));
    });
    const first = [write([1]), write([2, 3])];
    while (!calls.length) await Promise.resolve();
    const meanwhile = [write([4]), write([]), write([5])];
    release();
    await Promise.all([...first, ...meanwhile]);
    expect(calls).toEqual([
      [1, 2, 3],
      [4, 5],
    ]);
  });

  it("fails only that call's callers, and the next call still goes", async () => {
    const written: number[] = [];
    const write = coalesce<number>(async (items) => {
      if (items.includes(0)) throw new Error('refused');
      written.push(...items);
    });
    const refused = [write([1]), write([0])];
    const later = refused[1]!.catch(() => undefined).then(() => write([2]));
    await expect(Promise.all(refused)).rejects.toThrow('refused');
    await later;
    expect(written).toEqual([2]);
  });
});
