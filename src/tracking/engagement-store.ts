// Opens and clicks in a CampaignTracker's SQLite storage. Each hit is appended to
// `events` at once; a flush later turns a settled range of events into the figures D1
// keeps (see flush-engagement.ts), deciding uniqueness against `firsts`, the reader's
// first open and click of each delivery (and of each link) already flushed. The range in
// flight is written down before D1 is asked, so a retry sends exactly the same figures.
import { SCANNER_BURST_MS } from './machine-engagement';

export const ENGAGEMENT_KINDS = ['open', 'click'] as const;
export type EngagementKind = (typeof ENGAGEMENT_KINDS)[number];

/** One open or click of a delivery (a click names its link). */
export type EngagementHit = { kind: EngagementKind; deliveryId: string; link?: string; at: number; machine: boolean };

/** Opens and clicks counted so far: readers' totals and uniques, machines' apart, and hits not yet flushed. */
export type EngagementCounts = { opens: number; uniqueOpens: number; machineOpens: number; clicks: number; uniqueClicks: number; machineClicks: number; pending: number };

/** A delivery's firsts and lasts in one flush, for D1. Times in ms; null when the flush has none. */
export type DeliveryEngagement = { d: string; o: number | null; c: number | null; m: number | null; lo: number | null; lc: number | null };
/** One day's figures of the campaign or flow (day = UTC midnight, ms). */
export type DailyEngagement = { day: number; opens: number; uniqueOpens: number; machineOpens: number; clicks: number; uniqueClicks: number; machineClicks: number };
/** One day's clicks on one link. */
export type LinkEngagement = { day: number; url: string; clicks: number; uniqueClicks: number; machineClicks: number };

/** What one flush writes to D1: the events with id <= `seq`. */
export type EngagementFlush = {
  seq: number;
  deliveries: DeliveryEngagement[];
  daily: DailyEngagement[];
  links: LinkEngagement[];
  firsts: { kind: string; deliveryId: string; link: string; at: number }[];
};

const DAY_MS = 86_400_000;

/** Creates the tables on first use. */
export function ensureEngagementSchema(sql: SqlStorage): void {
  sql.exec(`CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    delivery_id TEXT NOT NULL,
    link TEXT NOT NULL,
    at INTEGER NOT NULL,
    machine INTEGER NOT NULL
  )`);
  sql.exec('CREATE INDEX IF NOT EXISTS events_delivery_idx ON events (delivery_id, at)');
  // A burst reclassifies only the hits still counted as a reader's, so a delivery hammered
  // with clicks costs each click its new rows, not every row of the window again.
  sql.exec('CREATE INDEX IF NOT EXISTS events_reader_idx ON events (delivery_id, at) WHERE machine = 0');
  // kind: 'open' / 'click' (link '') for a delivery, 'link' for a delivery's link, 'machine_open'.
  sql.exec('CREATE TABLE IF NOT EXISTS firsts (kind TEXT NOT NULL, delivery_id TEXT NOT NULL, link TEXT NOT NULL, at INTEGER NOT NULL, PRIMARY KEY (kind, delivery_id, link)) WITHOUT ROWID');
  sql.exec('CREATE TABLE IF NOT EXISTS tallies (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID');
  sql.exec('CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID');
}

/** A value the tracker keeps about itself (its identity, the flush in flight). */
export function readTrackerMeta(sql: SqlStorage, key: string): string | null {
  return sql.exec<{ value: string }>('SELECT value FROM meta WHERE key = ?', key).toArray()[0]?.value ?? null;
}

/** Sets or (null) clears a value of readTrackerMeta. */
export function writeTrackerMeta(sql: SqlStorage, key: string, value: string | null): void {
  if (value === null) sql.exec('DELETE FROM meta WHERE key = ?', key);
  else sql.exec('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value', key, value);
}

function inFlight(sql: SqlStorage): number {
  return Number(readTrackerMeta(sql, 'in_flight') ?? 0);
}

// How many of a delivery's latest clicks a new click is compared with. A click that
// follows a burst is itself a machine click, so the latest few show any burst still
// going, and a token clicked without pause never makes each click read the whole window.
const BURST_LOOKBACK = 20;

/**
 * Appends one hit. A click is also an open. A click within SCANNER_BURST_MS of a click of
 * the same delivery on another link, or of a machine click, is a scanner's: it and the
 * burst's earlier hits not yet in a flush become machine hits.
 */
export function recordEngagement(sql: SqlStorage, hit: EngagementHit): void {
  let machine = hit.machine;
  const link = hit.link ?? '';
  if (hit.kind === 'click') {
    const since = hit.at - SCANNER_BURST_MS;
    const burst =
      sql
        .exec(
          "SELECT 1 FROM (SELECT link, machine FROM events WHERE delivery_id = ? AND kind = 'click' AND at >= ? ORDER BY at DESC LIMIT ?) WHERE link <> ? OR machine = 1 LIMIT 1",
          hit.deliveryId,
          since,
          BURST_LOOKBACK,
          link,
        )
        .toArray().length > 0;
    if (burst) {
      machine = true;
      sql.exec('UPDATE events SET machine = 1 WHERE delivery_id = ? AND at >= ? AND machine = 0 AND id > ?', hit.deliveryId, since, inFlight(sql));
    }
    // The click and the open it makes, in one statement (each exec is a call into SQLite).
    sql.exec("INSERT INTO events (kind, delivery_id, link, at, machine) VALUES ('click', ?1, ?2, ?3, ?4), ('open', ?1, '', ?3, ?4)", hit.deliveryId, link, hit.at, machine ? 1 : 0);
    return;
  }
  sql.exec("INSERT INTO events (kind, delivery_id, link, at, machine) VALUES ('open', ?, '', ?, ?)", hit.deliveryId, hit.at, machine ? 1 : 0);
}

function addTally(sql: SqlStorage, name: string, value: number): void {
  if (value) sql.exec('INSERT INTO tallies (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = value + excluded.value', name, value);
}

/** Flushed totals plus the hits still waiting for a flush. */
export function readEngagementCounts(sql: SqlStorage): EngagementCounts {
  const tally = Object.fromEntries(
    sql
      .exec<{ name: string; value: number }>('SELECT name, value FROM tallies')
      .toArray()
      .map((row) => [row.name, row.value]),
  );
  const pending = sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM events WHERE kind = 'open'").one().n;
  return {
    opens: tally.opens ?? 0,
    uniqueOpens: tally.uniqueOpens ?? 0,
    machineOpens: tally.machineOpens ?? 0,
    clicks: tally.clicks ?? 0,
    uniqueClicks: tally.uniqueClicks ?? 0,
    machineClicks: tally.machineClicks ?? 0,
    pending,
  };
}

type EventRow = { id: number; kind: EngagementKind; delivery_id: string; link: string; at: number; machine: number };

/**
 * The next flush: the range already in flight (a retry), or else up to `limit` events
 * at least `settleMs` old, fixed as in flight. Null when there is nothing to flush.
 */
export function planEngagementFlush(sql: SqlStorage, now: number, settleMs: number, limit: number): EngagementFlush | null {
  let seq = inFlight(sql);
  if (!seq) {
    const last = sql.exec<{ id: number | null }>('SELECT MAX(id) AS id FROM (SELECT id FROM events WHERE at <= ? ORDER BY id LIMIT ?)', now - settleMs, limit).one().id;
    if (!last) return null;
    seq = last;
    writeTrackerMeta(sql, 'in_flight', String(seq));
  }
  const events = sql.exec<EventRow>('SELECT id, kind, delivery_id, link, at, machine FROM events WHERE id <= ? ORDER BY id', seq).toArray();
  const known = (kind: string, deliveryId: string, link: string) => sql.exec('SELECT 1 FROM firsts WHERE kind = ? AND delivery_id = ? AND link = ?', kind, deliveryId, link).toArray().length > 0;
  const firsts = new Map<string, { kind: string; deliveryId: string; link: string; at: number }>();
  const deliveries = new Map<string, DeliveryEngagement>();
  const daily = new Map<number, DailyEngagement>();
  const links = new Map<string, LinkEngagement>();
  // True the first time a (kind, delivery, link) is seen, in D1 or earlier in this flush.
  const isFirst = (kind: string, deliveryId: string, link: string, at: number) => {
    const key = `${kind}\u001f${deliveryId}\u001f${link}`;
    if (firsts.has(key) || known(kind, deliveryId, link)) return false;
    firsts.set(key, { kind, deliveryId, link, at });
    return true;
  };
  for (const event of events) {
    const day = event.at - (event.at % DAY_MS);
    const figures = daily.get(day) ?? { day, opens: 0, uniqueOpens: 0, machineOpens: 0, clicks: 0, uniqueClicks: 0, machineClicks: 0 };
    daily.set(day, figures);
    const delivery = deliveries.get(event.delivery_id) ?? { d: event.delivery_id, o: null, c: null, m: null, lo: null, lc: null };
    if (event.kind === 'open') {
      if (event.machine) {
        figures.machineOpens++;
        if (isFirst('machine_open', event.delivery_id, '', event.at)) delivery.m = event.at;
      } else {
        figures.opens++;
        delivery.lo = event.at;
        if (isFirst('open', event.delivery_id, '', event.at)) {
          figures.uniqueOpens++;
          delivery.o = event.at;
        }
      }
    } else {
      const linkKey = `${day}\u001f${event.link}`;
      const linkFigures = links.get(linkKey) ?? { day, url: event.link, clicks: 0, uniqueClicks: 0, machineClicks: 0 };
      links.set(linkKey, linkFigures);
      if (event.machine) {
        figures.machineClicks++;
        linkFigures.machineClicks++;
      } else {
        figures.clicks++;
        linkFigures.clicks++;
        delivery.lc = event.at;
        if (isFirst('click', event.delivery_id, '', event.at)) {
          figures.uniqueClicks++;
          delivery.c = event.at;
        }
        if (isFirst('link', event.delivery_id, event.link, event.at)) linkFigures.uniqueClicks++;
      }
    }
    if (delivery.m !== null || delivery.lo !== null || delivery.lc !== null) deliveries.set(event.delivery_id, delivery);
  }
  return { seq, deliveries: [...deliveries.values()], daily: [...daily.values()], links: [...links.values()], firsts: [...firsts.values()] };
}

/** Records in the object that a flush reached D1: its firsts and totals kept, its events dropped. */
export function commitEngagementFlush(sql: SqlStorage, flush: EngagementFlush): void {
  for (const first of flush.firsts) sql.exec('INSERT OR IGNORE INTO firsts (kind, delivery_id, link, at) VALUES (?, ?, ?, ?)', first.kind, first.deliveryId, first.link, first.at);
  const sum = (pick: (day: DailyEngagement) => number) => flush.daily.reduce((total, day) => total + pick(day), 0);
  addTally(
    sql,
    'opens',
    sum((d) => d.opens),
  );
  addTally(
    sql,
    'uniqueOpens',
    sum((d) => d.uniqueOpens),
  );
  addTally(
    sql,
    'machineOpens',
    sum((d) => d.machineOpens),
  );
  addTally(
    sql,
    'clicks',
    sum((d) => d.clicks),
  );
  addTally(
    sql,
    'uniqueClicks',
    sum((d) => d.uniqueClicks),
  );
  addTally(
    sql,
    'machineClicks',
    sum((d) => d.machineClicks),
  );
  sql.exec('DELETE FROM events WHERE id <= ?', flush.seq);
  writeTrackerMeta(sql, 'in_flight', null);
}

/** The time of the oldest event waiting for a flush, or null. */
export function oldestPendingAt(sql: SqlStorage): number | null {
  return sql.exec<{ at: number | null }>('SELECT MIN(at) AS at FROM events').one().at;
}
