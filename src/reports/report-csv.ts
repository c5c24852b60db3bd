// The CSV exports of a report: recipients and log rows as spreadsheet columns, times in
// ISO 8601 UTC, money in major units with its currency. Streamed page by page.
import { csvStream } from '../lib/csv-write';
import type { LogRow } from './source-logs';
import type { RecipientRow } from './source-recipients';

type Cells = (string | number | null)[];

function isoOrEmpty(at: number | null): string | null {
  return at === null ? null : new Date(at).toISOString();
}

function money(cents: number | null): string | null {
  return cents === null ? null : (cents / 100).toFixed(2);
}

async function* mapPages<T>(pages: AsyncIterable<T[]>, toCells: (row: T) => Cells): AsyncGenerator<Cells[]> {
  for await (const page of pages) yield page.map(toCells);
}

const RECIPIENT_HEADER = ['delivery_id', 'contact_id', 'channel', 'address', 'status', 'reason', 'sent_at', 'opened_at', 'clicked_at', 'unsubscribed_at', 'orders', 'revenue', 'currency'];

/** The recipients CSV. */
export function recipientsCsv(pages: AsyncIterable<RecipientRow[]>): ReadableStream<Uint8Array> {
  return csvStream(
    RECIPIENT_HEADER,
    mapPages(pages, (row) => [
      row.deliveryId,
      row.contactId,
      row.channel,
      row.address,
      row.status,
      row.reason,
      isoOrEmpty(row.sentAt),
      isoOrEmpty(row.openedAt),
      isoOrEmpty(row.clickedAt),
      isoOrEmpty(row.unsubscribedAt),
      row.orders,
      row.orders ? money(row.revenueCents) : null,
      row.currency,
    ]),
  );
}

const LOG_HEADER = ['at', 'event', 'delivery_id', 'contact_id', 'address', 'detail', 'order', 'revenue', 'currency'];

/** The log CSV. */
export function logsCsv(pages: AsyncIterable<LogRow[]>): ReadableStream<Uint8Array> {
  return csvStream(
    LOG_HEADER,
    mapPages(pages, (row) => [isoOrEmpty(row.at), row.event, row.deliveryId, row.contactId, row.address, row.detail, row.orderNumber, money(row.revenueCents), row.currency]),
  );
}

/** A CSV download named after its campaign or flow (letters and digits only, so the header stays plain). */
export function csvResponse(body: ReadableStream<Uint8Array>, name: string, what: string): Response {
  const file = `${
    name
      .replace(/[^A-Za-z0-9]+/g, '-')
      .replace(/^-|-$/g, '')
      .slice(0, 60) || 'campaign'
  }-${what}.csv`;
  return new Response(body, { headers: { 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': `attachment; filename="${file}"` } });
}
