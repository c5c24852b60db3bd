// Quiet hours: the hours of the recipient's night when no marketing text goes out.
// Minutes after local midnight, in the contact's time zone when known, else the
// workspace's; a window may cross midnight (21:00–08:00). A text due inside waits
// until the window ends, on that day's wall clock (so DST changes keep 08:00 at 08:00).
import { DAY, isValidTimeZone, utcToZonedLocal, zonedTimeToUtc } from '../lib/time';

/** A daily window, in minutes after local midnight (0–1439); start === end is none. */
export type QuietHours = { start: number; end: number };

/** The window of a workspace's settings, or null when off (either end missing, or both the same). */
export function quietHoursOf(start: number | null, end: number | null): QuietHours | null {
  return start === null || end === null || start === end ? null : { start, end };
}

/** The zone to read the clock in: the contact's when it is a real zone, else the workspace's. */
export function recipientTimeZone(contactZone: string | null, workspaceZone: string): string {
  return contactZone && isValidTimeZone(contactZone) ? contactZone : workspaceZone;
}

/** "HH:MM" of minutes after midnight. */
export function formatMinutes(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

/** The calendar day after "YYYY-MM-DD". */
function nextDay(date: string): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + DAY).toISOString().slice(0, 10);
}

/**
 * When the quiet hours around `now` end in `timeZone` (epoch ms), or null when `now` is
 * outside them. An end that does not exist on the day (skipped by a spring-forward)
 * is moved on by the gap, as zonedTimeToUtc does.
 */
export function quietHoursEndAt(now: number, timeZone: string, quiet: QuietHours): number | null {
  const local = utcToZonedLocal(now, timeZone);
  const date = local.slice(0, 10);
  const minute = Number(local.slice(11, 13)) * 60 + Number(local.slice(14, 16));
  const crossesMidnight = quiet.start > quiet.end;
  const inside = crossesMidnight ? minute >= quiet.start || minute < quiet.end : minute >= quiet.start && minute < quiet.end;
  if (!inside) return null;
  // Past the start of a window that crosses midnight: it ends tomorrow morning.
  const endDate = crossesMidnight && minute >= quiet.start ? nextDay(date) : date;
  const end = zonedTimeToUtc(`${endDate}T${formatMinutes(quiet.end)}`, timeZone);
  return end > now ? end : null;
}
