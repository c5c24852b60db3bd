import { describe, expect, it } from 'vitest';
import { quietHoursEndAt, quietHoursOf, recipientTimeZone } from '../../src/sms/quiet-hours';

const NIGHT = { start: 21 * 60, end: 8 * 60 };

describe('quiet hours', () => {
  it('hold a text until the window ends, across midnight, within a day, and not outside it', () => {
    // 22:00 UTC: inside 21:00–08:00, which ends tomorrow morning.
    expect(quietHoursEndAt(Date.UTC(2026, 0, 15, 22, 0), 'UTC', NIGHT)).toBe(Date.UTC(2026, 0, 16, 8, 0));
    // 07:00: the same morning.
    expect(quietHoursEndAt(Date.UTC(2026, 0, 16, 7, 0), 'UTC', NIGHT)).toBe(Date.UTC(2026, 0, 16, 8, 0));
    expect(quietHoursEndAt(Date.UTC(2026, 0, 16, 8, 0), 'UTC', NIGHT)).toBeNull();
    expect(quietHoursEndAt(Date.UTC(2026, 0, 16, 12, 0), 'UTC', NIGHT)).toBeNull();
    // A window within one day (01:00–03:00).
    expect(quietHoursEndAt(Date.UTC(2026, 0, 16, 2, 0), 'UTC', { start: 60, end: 180 })).toBe(Date.UTC(2026, 0, 16, 3, 0));
    // 22:00 in Paris is 21:00 UTC: the contact's zone decides.
    expect(quietHoursEndAt(Date.UTC(2026, 0, 15, 21, 0), 'Europe/Paris', NIGHT)).toBe(Date.UTC(2026, 0, 16, 7, 0));
    expect(quietHoursEndAt(Date.UTC(2026, 0, 15, 21, 0), 'America/New_York', NIGHT)).toBeNull();
    // Off when either end is missing or both are the same.
    expect(quietHoursOf(null, 480)).toBeNull();
    expect(quietHoursOf(600, 600)).toBeNull();
    expect(quietHoursOf(1260, 480)).toEqual(NIGHT);
  });

  it('end at 08:00 on the wall clock across DST changes, and fall back to the workspace zone for an unknown one', () => {
    // New York springs forward on 8 March 2026: 23:00 EST on the 7th, the night ends at 08:00 EDT (12:00 UTC, not 13:00).
    expect(quietHoursEndAt(Date.UTC(2026, 2, 8, 4, 0), 'America/New_York', NIGHT)).toBe(Date.UTC(2026, 2, 8, 12, 0));
    // It falls back on 1 November 2026: 22:00 EDT on 31 October, the night ends at 08:00 EST (13:00 UTC).
    expect(quietHoursEndAt(Date.UTC(2026, 10, 1, 2, 0), 'America/New_York', NIGHT)).toBe(Date.UTC(2026, 10, 1, 13, 0));
    expect(recipientTimeZone('Not/A_Zone', 'Europe/Paris')).toBe('Europe/Paris');
    expect(recipientTimeZone(null, 'Europe/Paris')).toBe('Europe/Paris');
    expect(recipientTimeZone('Asia/Tokyo', 'Europe/Paris')).toBe('Asia/Tokyo');
  });
});
