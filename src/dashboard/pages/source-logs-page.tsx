// The log of a campaign (or flow): its messages' events and the orders credited to it
// between two dates (UTC days), a page at a time, with the same range as a CSV.
import type { LogEvent, LogPage } from '../../reports/source-logs';
import { formatInZone } from '../../lib/time';
import { Notice, TableHead } from '../components';
import { formatMoney } from '../../lib/money';

const EVENT_LABELS: Record<LogEvent, string> = {
  pending: 'Pending',
  sent: 'Sent',
  failed: 'Failed',
  skipped: 'Skipped',
  unknown: 'Outcome unknown',
  cancelled: 'Cancelled',
  conversion: 'Conversion',
};
const EVENT_TONES: Record<LogEvent, string> = {
  pending: 'badge muted',
  sent: 'badge success',
  failed: 'badge danger',
  skipped: 'badge warning',
  unknown: 'badge warning',
  cancelled: 'badge muted',
  conversion: 'badge info',
};

/** The campaign or flow a log is of, and its pages' addresses. */
export type LogSource = { name: string; reportPath: string; logsPath: string };

/** /app/marketing/campaigns/:id/logs. `error`: why the dates asked for were not used. */
export function SourceLogsPage({
  source,
  range,
  page,
  cursor,
  error,
  timeZone,
}: {
  source: LogSource;
  range: { from: string; to: string };
  page: LogPage;
  cursor: string | undefined;
  error: string | undefined;
  timeZone: string;
}) {
  const withRange = (path: string, extra: Record<string, string> = {}) => `${path}?${new URLSearchParams({ ...range, ...extra })}`;
  return (
    <>
      <p class="back-link">
        <a href={source.reportPath}>{`← ${source.name}`}</a>
      </p>
      <div class="page-header">
        <h1>{`Logs: ${source.name}`}</h1>
        <p class="muted">Each message's latest event (pending, sent, failed, skipped) and each order credited to it, oldest first. Dates are UTC days, both included.</p>
      </div>
      {error ? <Notice tone="error">{`${error}. Showing the last 30 days instead.`}</Notice> : null}
      <section class="card">
        <form method="get" action={source.logsPath} class="inline-form log-range">
          <div class="field">
            <label for="log-from">From</label>
            <input id="log-from" name="from" type="date" value={range.from} required />
          </div>
          <div class="field">
            <label for="log-to">To</label>
            <input id="log-to" name="to" type="date" value={range.to} required />
          </div>
          <button type="submit" class="button secondary">
            Show
          </button>
          <a class="button secondary" href={withRange(`${source.logsPath}.csv`)} download>
            Download CSV
          </a>
        </form>
        {page.events.length ? (
          <table class="table stack-tablet" data-log>
            <TableHead columns={['When', 'Event', 'Recipient', 'Detail']} />
            <tbody>
              {page.events.map((row) => (
                <tr>
                  <td data-label="When" class="nowrap">
                    {formatInZone(row.at, timeZone)}
                  </td>
                  <td data-label="Event">
                    <span class={EVENT_TONES[row.event]}>{EVENT_LABELS[row.event]}</span>
                  </td>
                  <td data-label="Recipient" class="break">
                    {row.address ?? '(contact erased)'}
                  </td>
                  <td data-label="Detail" class="break">
                    {row.event === 'conversion' ? `Order ${row.orderNumber ?? ''}, ${formatMoney(row.revenueCents ?? 0, row.currency)} · ${row.detail ?? ''}` : (row.detail ?? '')}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p class="muted">Nothing happened in these days.</p>
        )}
        <p class="pager">
          {cursor ? (
            <a class="button secondary" href={withRange(source.logsPath)}>
              First page
            </a>
          ) : null}
          {page.nextCursor ? (
            <a class="button secondary" href={withRange(source.logsPath, { cursor: page.nextCursor })}>
              Next page
            </a>
          ) : null}
        </p>
      </section>
    </>
  );
}
