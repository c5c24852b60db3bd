// Open and click counting over a Durable Object's SQLite storage: totals, plus
// one row per (kind, delivery) so unique opens and clicks are deduplicated.
export const ENGAGEMENT_KINDS = ['open', 'click'] as const;
export type EngagementKind = (typeof ENGAGEMENT_KINDS)[number];

/** Opens and clicks counted so far. */
export type EngagementCounts = { opens: number; uniqueOpens: number; clicks: number; uniqueClicks: number };

/** Creates the table on first use. */
export function ensureEngagementSchema(sql: SqlStorage): void {
  sql.exec(`CREATE TABLE IF NOT EXISTS engagement (
    kind TEXT NOT NULL,
    delivery_id TEXT NOT NULL,
    first_at INTEGER NOT NULL,
    last_at INTEGER NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (kind, delivery_id)
  ) WITHOUT ROWID`);
}

/** Counts one open or click; `unique` is true the first time for this delivery. */
export function recordEngagement(sql: SqlStorage, kind: EngagementKind, deliveryId: string, at: number): { unique: boolean } {
  const row = sql
    .exec<{ count: number }>(
      `INSERT INTO engagement (kind, delivery_id, first_at, last_at, count) VALUES (?, ?, ?, ?, 1)
       ON CONFLICT (kind, delivery_id) DO UPDATE SET count = count + 1, last_at = excluded.last_at
       RETURNING count`,
      kind,
      deliveryId,
      at,
      at,
    )
    .one();
  return { unique: row.count === 1 };
}

/** Totals and unique counts for both kinds. */
export function readEngagementCounts(sql: SqlStorage): EngagementCounts {
  const counts: EngagementCounts = { opens: 0, uniqueOpens: 0, clicks: 0, uniqueClicks: 0 };
  const rows = sql.exec<{ kind: EngagementKind; total: number; uniques: number }>('SELECT kind, SUM(count) AS total, COUNT(*) AS uniques FROM engagement GROUP BY kind');
  for (const row of rows) {
    if (row.kind === 'open') Object.assign(counts, { opens: row.total, uniqueOpens: row.uniques });
    else Object.assign(counts, { clicks: row.total, uniqueClicks: row.uniques });
  }
  return counts;
}
