import { describe, expect, it } from 'vitest';
import { utcToZonedLocal, zonedTimeToUtc } from '../../src/lib/time';

describe('zonedTimeToUtc', () => {
  it('keeps 09:00 local on both sides of a DST change (Paris, last Sunday of March 2026)', () => {
    // Before the change Paris is UTC+1, after it UTC+2.
    expect(new Date(zonedTimeToUtc('2026-03-28T09:00', 'Europe/Paris')).toISOString()).toBe('2026-03-28T08:00:00.000Z');
    expect(new Date(zonedTimeToUtc('2026-03-29T09:00', 'Europe/Paris')).toISOString()).toBe('2026-03-29T07:00:00.000Z');
  });

  it('keeps 09:00 local across the autumn change in New York', () => {
    expect(new Date(zonedTimeToUtc('2026-10-31T09:00', 'America/New_York')).toISOString()).toBe('2026-10-31T13:00:00.000Z');
    expect(new Date(zonedTimeToUtc('2026-11-02T09:00', 'America/New_York')).toISOString()).toBe('2026-11-02T14:00:00.000Z');
  });

  it('moves a time skipped by the spring-forward on by the gap', () => {
    // 02:30 does not exist in Paris on 2026-03-29: it is 03:30 local (01:30 UTC).
    expect(new Date(zonedTimeToUtc('2026-03-29T02:30', 'Europe/Paris')).toISOString()).toBe('2026-03-29T01:30:00.000Z');
  });

  it('takes the first of a time that happens twice at the fall-back', () => {
    // 02:30 happens at 00:30 UTC (summer time) and again at 01:30 UTC in Paris on 2026-10-25.
    expect(new Date(zonedTimeToUtc('2026-10-25T02:30', 'Europe/Paris')).toISOString()).toBe('2026-10-25T00:30:00.000Z');
  });

  it('handles zones east of UTC without DST, and UTC itself', () => {
    expect(new Date(zonedTimeToUtc('2026-12-01T09:00', 'Asia/Kolkata')).toISOString()).toBe('2026-12-01T03:30:00.000Z');
    expect(new Date(zonedTimeToUtc('2026-12-01T09:00', 'UTC')).toISOString()).toBe('2026-12-01T09:00:00.000Z');
  });

  it('reads back the wall time it was given', () => {
    for (const local of ['2026-03-29T09:00', '2026-10-25T09:00', '2026-07-14T23:45']) {
      expect(utcToZonedLocal(zonedTimeToUtc(local, 'Europe/Paris'), 'Europe/Paris')).toBe(local);
    }
  });
});
