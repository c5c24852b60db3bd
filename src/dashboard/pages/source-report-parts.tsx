// The report of a campaign (and, once flows land, of a flow): headline figures with
// their definitions, the first 48 hours as a chart, clicks per link, and the recipients
// one by one with filters, pages, a CSV export and the way to the log.
import type { ReasonCode } from '../../deliveries/delivery-channel';
import type { DeliveryStatus } from '../../db/schema';
import { formatInZone } from '../../lib/time';
import { RECIPIENT_FILTERS, type RecipientFilter } from '../../reports/reports.schemas';
import type { RecipientPage } from '../../reports/source-recipients';
import type { ReasonCount, SourceReport } from '../../reports/source-report';
import type { RevenueByCurrency } from '../../tracking/conversion-figures';
import { TableHead } from '../components';
import { BarChart } from './bar-chart';
import { numbers, percent } from './campaign-parts';
import { formatMoney } from '../../lib/money';

const REASON_LABELS: Record<ReasonCode, string> = {
  no_address: 'No address',
  unsubscribed: 'Unsubscribed',
  not_opted_in: 'Never opted in',
  suppressed: 'Suppressed (bounce, complaint or by hand)',
  platform_sender_untrusted: 'Platform sender not available yet',
  no_channel: 'Channel not set up',
  content_missing: 'No design',
  render_failed: 'Design failed to render',
  provider_rejected: 'Refused by the server (bounce)',
  provider_unavailable: 'Server unavailable',
  unknown_outcome: 'Server never confirmed',
  gave_up: 'Gave up after retries',
  undelivered: 'Not delivered by the carrier',
  cancelled: 'Cancelled',
  sender_capped: 'Waiting for the sender’s limit',
  quiet_hours: 'Waiting for the recipient’s quiet hours to end',
  smart_sending: 'Smart sending (messaged recently)',
  not_in_audience: 'No longer in the flow’s audience',
};

/** The words for a recorded reason code (a code unknown to this page as it is). */
export function reasonLabel(code: string | null): string {
  return code ? (REASON_LABELS[code as ReasonCode] ?? code) : 'No reason recorded';
}

const STATUS_LABELS: Record<DeliveryStatus, string> = {
  queued: 'Pending',
  sending: 'Sending',
  sent: 'Delivered',
  failed: 'Failed',
  skipped: 'Skipped',
  unknown: 'Outcome unknown',
  cancelled: 'Cancelled',
};
const STATUS_TONES: Record<DeliveryStatus, string> = {
  queued: 'badge muted',
  sending: 'badge muted',
  sent: 'badge success',
  failed: 'badge danger',
  skipped: 'badge warning',
  unknown: 'badge warning',
  cancelled: 'badge muted',
};

/** A delivery's status as a badge. */
export function DeliveryStatusBadge({ status }: { status: DeliveryStatus }) {
  return <span class={STATUS_TONES[status]}>{STATUS_LABELS[status]}</span>;
}

/** Revenue in each currency it came in ("£120.00 + $30.00"), or "—". */
export function formatRevenue(revenue: RevenueByCurrency): string {
  return revenue.length ? revenue.map(({ currency, cents }) => formatMoney(cents, currency)).join(' + ') : '—';
}

function rateText(rate: number | null): string {
  return rate === null ? '—' : percent.format(rate);
}

function ReasonList({ title, reasons }: { title: string; reasons: ReasonCount[] }) {
  if (!reasons.length) return null;
  return (
    <div class="reason-list">
      <h3>{title}</h3>
      <ul>
        {reasons.map((reason) => (
          <li>
            {reasonLabel(reason.reasonCode)}: <strong>{numbers.format(reason.count)}</strong>
          </li>
        ))}
      </ul>
    </div>
  );
}

/** The headline figures, with what each counts. */
export function ReportFiguresCard({ report }: { report: SourceReport }) {
  const { deliveries, engagement, conversions } = report;
  const figures: [string, string, string, string?][] = [
    ['recipients', 'Recipients', numbers.format(deliveries.recipients)],
    ['delivered', 'Delivered', numbers.format(deliveries.delivered)],
    ['opens', 'Unique opens', numbers.format(engagement.uniqueOpens), `${rateText(engagement.openRate)} open rate`],
    ['clicks', 'Unique clicks', numbers.format(engagement.uniqueClicks), `${rateText(engagement.clickRate)} click rate`],
    ['unsubscribes', 'Unsubscribes', numbers.format(engagement.unsubscribes), `${rateText(engagement.unsubscribeRate)} of delivered`],
    ['conversions', 'Conversions', numbers.format(conversions.conversions)],
    ['revenue', 'Revenue', formatRevenue(conversions.revenue)],
  ];
  return (
    <section class="card" aria-labelledby="report-heading" id="report">
      <h2 id="report-heading">Results</h2>
      <dl class="stats">
        {figures.map(([key, label, value, note]) => (
          <div>
            <dt>{label}</dt>
            <dd data-engagement={key}>{value}</dd>
            {note ? (
              <dd class="muted small" data-rate={key}>
                {note}
              </dd>
            ) : null}
          </div>
        ))}
      </dl>
      <p class="muted small">
        Rates are out of the <strong>delivered</strong> messages (accepted by the receiving server), not all recipients. Unique opens and clicks count each recipient once; opens by mail privacy
        proxies and clicks by link scanners are left out and shown apart below. Unsubscribes are those made through this message's link. Conversions are orders credited to this message (its last
        click, or else open, within your attribution windows), revenue net of refunds. Opens and clicks arrive a few seconds behind.
      </p>
      <dl class="facts report-apart">
        <dt>All readers' opens and clicks</dt>
        <dd>{`${numbers.format(engagement.opens)} opens, ${numbers.format(engagement.clicks)} clicks`}</dd>
        <dt>Machine opens and clicks (not counted above)</dt>
        <dd data-engagement="machine">{`${numbers.format(engagement.machineOpens)} opens, ${numbers.format(engagement.machineClicks)} clicks`}</dd>
        <dt>Failed / skipped / pending</dt>
        <dd>{`${numbers.format(deliveries.failed + deliveries.unknown)} / ${numbers.format(deliveries.skipped)} / ${numbers.format(deliveries.pending)}`}</dd>
      </dl>
      <div class="reason-lists">
        <ReasonList title="Failed, by reason" reasons={deliveries.failedByReason} />
        <ReasonList title="Skipped, by reason" reasons={deliveries.skippedByReason} />
      </div>
    </section>
  );
}

/** Opens and clicks hour by hour over the first 48 hours after the send started. */
export function FirstHoursCard({ report, timeZone }: { report: SourceReport; timeZone: string }) {
  const { hourly } = report;
  if (!hourly) return null;
  const labels = hourly.opens.map((_, hour) => `${hour}h`);
  return (
    <section class="card" aria-labelledby="first-hours-heading">
      <h2 id="first-hours-heading">The first 48 hours</h2>
      <p class="muted small">{`Recipients' first opens and first clicks in each hour after sending started (${formatInZone(hourly.start, timeZone)}).`}</p>
      <BarChart
        id="first-hours-chart"
        title="Opens and clicks in the first 48 hours"
        description={`Hourly first opens (${numbers.format(hourly.opens.reduce((a, b) => a + b, 0))} in all) and first clicks (${numbers.format(hourly.clicks.reduce((a, b) => a + b, 0))} in all) after sending started.`}
        groupName="Hour after start"
        labels={labels}
        labelEvery={6}
        series={[
          { name: 'Opens', className: 'series-opens', values: hourly.opens },
          { name: 'Clicks', className: 'series-clicks', values: hourly.clicks },
        ]}
      />
    </section>
  );
}

/** Clicks per link, most clicked first. */
export function LinksCard({ report }: { report: SourceReport }) {
  return (
    <section class="card" aria-labelledby="links-heading">
      <h2 id="links-heading">Clicks per link</h2>
      {report.links.length ? (
        <table class="table stack-tablet">
          <TableHead columns={['Link', { label: 'Unique clicks', numeric: true }, { label: 'Clicks', numeric: true }, { label: 'Machine clicks', numeric: true }]} />
          <tbody>
            {report.links.map((link) => (
              <tr>
                <td data-label="Link" class="break">
                  {link.url}
                </td>
                <td data-label="Unique clicks" class="num">
                  {numbers.format(link.uniqueClicks)}
                </td>
                <td data-label="Clicks" class="num">
                  {numbers.format(link.clicks)}
                </td>
                <td data-label="Machine clicks" class="num">
                  {numbers.format(link.machineClicks)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p class="muted">No clicks yet.</p>
      )}
    </section>
  );
}

const FILTER_LABELS: Record<RecipientFilter, string> = {
  opened: 'Opened',
  clicked: 'Clicked',
  failed: 'Bounced or failed',
  skipped: 'Skipped',
  unsubscribed: 'Unsubscribed',
  converted: 'Ordered',
};

/** Where the recipients card links: the page (with the filter and cursor), its CSV and the log. */
export type RecipientLinks = { page: (query: { filter?: RecipientFilter | undefined; cursor?: string | undefined }) => string; csv: (filter: RecipientFilter | undefined) => string; logs: string };

/** The recipients one by one, filterable, a page at a time. */
export function RecipientsCard({ page, filter, links, timeZone }: { page: RecipientPage; filter: RecipientFilter | undefined; links: RecipientLinks; timeZone: string }) {
  const when = (at: number | null) => (at === null ? '—' : formatInZone(at, timeZone));
  const tabs: { id: RecipientFilter | undefined; label: string }[] = [{ id: undefined, label: 'All' }, ...RECIPIENT_FILTERS.map((id) => ({ id, label: FILTER_LABELS[id] }))];
  return (
    <section class="card" aria-labelledby="recipients-heading" id="recipients">
      <div class="card-header">
        <h2 id="recipients-heading">Recipients</h2>
        <div class="card-actions">
          <a class="button secondary small" href={links.csv(filter)} download>
            Download CSV
          </a>
          <a class="button secondary small" href={links.logs}>
            Logs
          </a>
        </div>
      </div>
      <nav class="tabs" aria-label="Recipient filters">
        {tabs.map((tab) => (
          <a href={links.page({ filter: tab.id })} class={tab.id === filter ? 'tab active' : 'tab'} aria-current={tab.id === filter ? 'page' : undefined}>
            {tab.label}
          </a>
        ))}
      </nav>
      {page.recipients.length ? (
        <table class="table stack-tablet" data-recipients>
          <TableHead columns={['Recipient', 'Status', 'Sent', 'Opened', 'Clicked', 'Unsubscribed', { label: 'Orders', numeric: true }]} />
          <tbody>
            {page.recipients.map((row) => (
              <tr>
                <td data-label="Recipient" class="break">
                  {row.address ?? '(contact erased)'}
                </td>
                <td data-label="Status">
                  <DeliveryStatusBadge status={row.status} />
                  {row.reason ? <div class="muted small">{row.reason}</div> : null}
                </td>
                <td data-label="Sent">{when(row.sentAt)}</td>
                <td data-label="Opened">{when(row.openedAt)}</td>
                <td data-label="Clicked">{when(row.clickedAt)}</td>
                <td data-label="Unsubscribed">{when(row.unsubscribedAt)}</td>
                <td data-label="Orders" class="num">
                  {row.orders ? `${numbers.format(row.orders)} · ${formatMoney(row.revenueCents, row.currency)}` : '—'}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p class="muted">{filter ? `No recipient is "${FILTER_LABELS[filter]}" yet.` : 'No recipients yet.'}</p>
      )}
      {page.nextCursor ? (
        <p>
          <a class="button secondary" href={links.page({ filter, cursor: page.nextCursor })}>
            Next page
          </a>
        </p>
      ) : null}
    </section>
  );
}
