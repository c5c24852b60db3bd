import { describe, expect, it } from 'vitest';
import { waitAfterFailure } from '../../src/accounts/login-throttle';

describe('waitAfterFailure', () => {
  it('lets the first five failures of an email through, then doubles the wait up to 15 minutes', () => {
    expect([1, 2, 3, 4, 5].map((n) => waitAfterFailure('email', n))).toEqual([0, 0, 0, 0, 0]);
    expect([6, 7, 8].map((n) => waitAfterFailure('email', n))).toEqual([2000, 4000, 8000]);
    expect(waitAfterFailure('email', 40)).toBe(15 * 60 * 1000);
  });

  it('allows more failures per IP, where many people may share an address', () => {
    expect(waitAfterFailure('ip', 20)).toBe(0);
    expect(waitAfterFailure('ip', 21)).toBe(2000);
  });
});
