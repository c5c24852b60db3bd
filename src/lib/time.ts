// Time units in milliseconds: every stored time is UTC epoch milliseconds.
export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** True when `timeZone` is an IANA zone the runtime knows (e.g. "Europe/Paris"). */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/** Formats an instant for people, in a workspace's time zone. */
export function formatInZone(epochMs: number, timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', {
    timeZone,
    dateStyle: 'medium',
    timeStyle: 'short',
  }).format(new Date(epochMs));
}

/** How far `timeZone` is ahead of UTC at an instant, in milliseconds. */
function zoneOffsetAt(epochMs: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }).formatToParts(new Date(epochMs));
  const part = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value);
  const asUtc = Date.UTC(part('year'), part('month') - 1, part('day'), part('hour'), part('minute'), part('second'));
  return asUtc - Math.floor(epochMs / SECOND) * SECOND;
}

/**
 * A wall-clock "YYYY-MM-DDTHH:mm" read as if it were UTC, or null when it is not one or
 * names a date or hour that does not exist (30 February, 29 February of a common year,
 * 31 April, 25:00): Date.UTC would silently roll those over into the next month or day.
 */
function wallClockAsUtc(local: string): number | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(local);
  if (!match) return null;
  const [, y, mo, d, h, mi] = match.map(Number) as [number, number, number, number, number, number];
  const wall = new Date(Date.UTC(y, mo - 1, d, h, mi));
  // Date.UTC maps years 0-99 to 1900-1999; the year check refuses those too.
  const exists = wall.getUTCFullYear() === y && wall.getUTCMonth() === mo - 1 && wall.getUTCDate() === d && wall.getUTCHours() === h && wall.getUTCMinutes() === mi;
  return exists ? wall.getTime() : null;
}

/** True when "YYYY-MM-DDTHH:mm" is a date and time that exists on the calendar and the clock. */
export function isExistingLocalTime(local: string): boolean {
  return wallClockAsUtc(local) !== null;
}

/**
 * The instant a wall-clock time ("2026-03-29T09:00") happens in `timeZone`, with the
 * offset in force on that date, so 09:00 stays 09:00 across a DST change. A time
 * skipped by a spring-forward is moved on by the gap (02:30 → 03:30); a time that
 * happens twice at a fall-back is taken the first time.
 */
export function zonedTimeToUtc(local: string, timeZone: string): number {
  const wall = wallClockAsUtc(local);
  if (wall === null) throw new Error(`not a local date and time that exists: ${local}`);
  // The offsets a few hours either side cover both readings around a change.
  const candidates = [zoneOffsetAt(wall - 12 * HOUR, timeZone), zoneOffsetAt(wall + 12 * HOUR, timeZone)].map((offset) => wall - offset);
  const exact = candidates.filter((instant) => instant + zoneOffsetAt(instant, timeZone) === wall);
  if (exact.length) return Math.min(...exact);
  // In a gap: the wall time plus the offset before the change.
  return wall - zoneOffsetAt(wall - 12 * HOUR, timeZone);
}

/** An instant as the wall-clock "YYYY-MM-DDTHH:mm" of `timeZone` (what a datetime-local field shows). */
export function utcToZonedLocal(epochMs: number, timeZone: string): string {
  const shifted = new Date(epochMs + zoneOffsetAt(epochMs, timeZone));
  return shifted.toISOString().slice(0, 16);
}
