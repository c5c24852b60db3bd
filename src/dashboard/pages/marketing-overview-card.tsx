// The top of Marketing → Campaigns: the last 30 days at a glance (sent, open and click
// rates, attributed revenue) and a weekly activity chart.
import type { ChannelFigures, OverviewFigures, WeekActivity } from '../../reports/marketing-overview';
import { BarChart } from './bar-chart';
import { numbers, percent } from './campaign-parts';
import { TableHead } from '../components';
import { formatRevenue } from './source-report-parts';

const WEEK_LABEL = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', timeZone: 'UTC' });

/** The overview: `figures` over the last 30 days, `weeks` for the chart. */
export function MarketingOverviewCard({ figures, channels, weeks }: { figures: OverviewFigures; channels: ChannelFigures[]; weeks: WeekActivity[] }) {
  const rate = (value: number | null) => (value === null ? '—' : percent.format(value));
  const stats: [string, string, string][] = [
    ['sent', 'Sent', numbers.format(figures.sent)],
    ['open-rate', 'Open rate', rate(figures.openRate)],
    ['click-rate', 'Click rate', rate(figures.clickRate)],
    ['revenue', 'Revenue attributed', formatRevenue(figures.conversions.revenue)],
  ];
  return (
    <section class="card" aria-labelledby="overview-heading" id="overview">
      <h2 id="overview-heading">Last 30 days</h2>
      <dl class="stats">
        {stats.map(([key, label, value]) => (
          <div>
            <dt>{label}</dt>
            <dd data-overview={key}>{value}</dd>
          </div>
        ))}
      </dl>
      <p class="muted small">
        Every campaign's and flow's messages sent in the last 30 days (UTC); open and click rates are the share of those a reader opened or clicked (machine opens and clicks left out). Revenue: orders
        placed in these days credited to a message, net of refunds.
      </p>
      <ChannelTable channels={channels} />
      <WeeklyActivityChart id="weekly-activity-chart" weeks={weeks} />
    </section>
  );
}

const CHANNEL_NAMES: Record<ChannelFigures['channel'], string> = { email: 'Email', sms: 'SMS' };

/** Email and SMS side by side; a text is delivered once Twilio's status callback says so. */
function ChannelTable({ channels }: { channels: ChannelFigures[] }) {
  const columns = ['Sent', 'Delivered', 'Failed', 'Clicks', 'Conversions'] as const;
  return (
    <table class="table stack-tablet channel-figures">
      <caption class="muted small">By channel: messages queued in these days</caption>
      <TableHead columns={['Channel', ...columns.map((label) => ({ label, numeric: true })), { label: 'Revenue', numeric: true }]} />
      <tbody>
        {channels.map((row) => {
          const values = [row.sent, row.delivered, row.failed, row.clicked, row.conversions.conversions];
          return (
            <tr data-channel={row.channel}>
              <td data-label="Channel">{CHANNEL_NAMES[row.channel]}</td>
              {columns.map((label, index) => (
                <td data-label={label} class="num">
                  {numbers.format(values[index] ?? 0)}
                </td>
              ))}
              <td data-label="Revenue" class="num">
                {formatRevenue(row.conversions.revenue)}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/** Messages sent, first opens and first clicks per week: the workspace's, a campaign's or a flow's. */
export function WeeklyActivityChart({ id, weeks }: { id: string; weeks: WeekActivity[] }) {
  return (
    <BarChart
      id={id}
      title="Weekly activity"
      description={`Messages sent, first opens and first clicks per week (weeks from Monday, UTC), over the last ${weeks.length} weeks.`}
      groupName="Week of"
      labels={weeks.map((week) => WEEK_LABEL.format(week.weekStart))}
      series={[
        { name: 'Sent', className: 'series-sent', values: weeks.map((week) => week.sent) },
        { name: 'Opens', className: 'series-opens', values: weeks.map((week) => week.opens) },
        { name: 'Clicks', className: 'series-clicks', values: weeks.map((week) => week.clicks) },
      ]}
    />
  );
}
