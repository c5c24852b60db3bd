import { describe, expect, it } from 'vitest';
import { forEachConcurrently } from '../../src/lib/concurrency';

describe('forEachConcurrently', () => {
  it('runs every item once, never more than the limit at a time', async () => {
    let inFlight = 0;
    let most = 0;
    const done: number[] = [];
    await forEachConcurrently([...Array(25).keys()], 4, async (item) => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((resolve) => setTimeout(resolve, item % 3));
      done.push(item);
      inFlight--;
    });
    expect(most).toBe(4);
    expect(done.sort((a, b) => a - b)).toEqual([...Array(25).keys()]);
  });

  it('does nothing for no items, and treats a limit below one as one', async () => {
    let calls = 0;
    await forEachConcurrently([], 6, async () => {
      calls++;
    });
    expect(calls).toBe(0);
    let inFlight = 0;
    let most = 0;
    await forEachConcurrently([1, 2, 3], 0, async () => {
      most = Math.max(most, ++inFlight);
      await new Promise((resolve) => setTimeout(resolve, 1));
      inFlight--;
    });
    expect(most).toBe(1);
  });
});
