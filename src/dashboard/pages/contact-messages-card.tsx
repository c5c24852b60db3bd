// A contact's "Messages received": each message's channel, campaign or flow, status,
// first open and click, and the orders credited to it; newest first, a page at a time.
import type { ContactMessagePage } from '../../reports/contact-messages';
import { formatInZone } from '../../lib/time';
import { EmptyState, TableHead } from '../components';
import { campaignPath } from './campaign-parts';
import { formatMoney } from '../../lib/money';
import { DeliveryStatusBadge } from './source-report-parts';

/** The card; `nextPath` opens the next page of messages (null on the last). */
export function ContactMessagesCard({ page, nextPath, timeZone }: { page: ContactMessagePage; nextPath: string | null; timeZone: string }) {
  const when = (at: number | null) => (at === null ? '—' : formatInZone(at, timeZone));
  return (
    <section class="card" aria-labelledby="messages-heading" id="messages">
      <h2 id="messages-heading">Messages received</h2>
      {page.messages.length ? (
        <table class="table stack-tablet" data-messages>
          <TableHead columns={['Queued', 'Channel', 'From', 'Status', 'Opened', 'Clicked', { label: 'Order attributed', numeric: true }]} />
          <tbody>
            {page.messages.map((message) => (
              <tr>
                <td data-label="Queued">{when(message.queuedAt)}</td>
                <td data-label="Channel">{message.channel === 'sms' ? 'SMS' : 'Email'}</td>
                <td data-label="From" class="break">
                  {message.sourceType === 'campaign' ? message.sourceName ? <a href={campaignPath(message.sourceId)}>{message.sourceName}</a> : 'A deleted campaign' : 'Flow'}
                </td>
                <td data-label="Status">
                  <DeliveryStatusBadge status={message.status} />
                  {message.reason ? <div class="muted small">{message.reason}</div> : null}
                </td>
                <td data-label="Opened">{when(message.openedAt)}</td>
                <td data-label="Clicked">{when(message.clickedAt)}</td>
                <td data-label="Order attributed" class="num">
                  {message.orders ? `${message.orders} · ${formatMoney(message.revenueCents, message.currency)}` : '—'}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <EmptyState title="No messages yet">
          <p>Emails and text messages sent to this contact by campaigns and flows will be listed here, with their opens and clicks.</p>
        </EmptyState>
      )}
      {nextPath ? (
        <p>
          <a class="button secondary" href={nextPath}>
            Older messages
          </a>
        </p>
      ) : null}
    </section>
  );
}
