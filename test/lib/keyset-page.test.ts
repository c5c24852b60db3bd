import { describe, expect, it } from 'vitest';
import { keysetLimit, keysetPage } from '../../src/lib/keyset-page';

const rows = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `r${i + 1}` }));

describe('keysetPage', () => {
  it('asks for one row more than a page', () => {
    expect(keysetLimit(50)).toBe(51);
  });

  it('gives no cursor when the page is exactly full, so there is no trailing empty page', () => {
    expect(keysetPage(rows(3), 3, (row) => row.id)).toEqual({ rows: rows(3), nextCursor: null });
  });

  it('gives the last shown row as the cursor when one more row came back, and leaves that row out', () => {
    expect(keysetPage(rows(4), 3, (row) => row.id)).toEqual({ rows: rows(3), nextCursor: 'r3' });
  });

  it('gives no cursor for a short page or an empty one', () => {
    expect(keysetPage(rows(2), 3, (row) => row.id)).toEqual({ rows: rows(2), nextCursor: null });
    expect(keysetPage([], 3, (row: { id: string }) => row.id)).toEqual({ rows: [], nextCursor: null });
  });
});
