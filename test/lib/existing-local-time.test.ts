import { describe, expect, it } from 'vitest';
import { isExistingLocalTime, zonedTimeToUtc } from '../../src/lib/time';

describe('dates that do not exist', () => {
  it('refuses 30 February, 31 April, 29 February of a common year and 25:00, and accepts their real neighbours', () => {
    for (const local of ['2027-02-30T09:00', '2027-04-31T09:00', '2027-02-29T09:00', '2027-03-01T25:00', '2027-03-01T09:60', '2027-13-01T09:00', '2027-00-10T09:00', '0099-01-01T09:00']) {
      expect(isExistingLocalTime(local), local).toBe(false);
      expect(() => zonedTimeToUtc(local, 'Europe/Paris'), local).toThrow(/exists/);
    }
    for (const local of ['2028-02-29T09:00', '2027-04-30T23:59', '2027-02-28T00:00']) expect(isExistingLocalTime(local), local).toBe(true);
    expect(new Date(zonedTimeToUtc('2028-02-29T09:00', 'Europe/Paris')).toISOString()).toBe('2028-02-29T08:00:00.000Z');
  });
});
