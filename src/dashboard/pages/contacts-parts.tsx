// Pieces shared by the contacts pages: consent and import badges, money, names.
import type { Child } from 'hono/jsx';
import type { BulkJobView } from '../../contacts/contact-bulk.service';
import type { ConsentState, ContactView } from '../../contacts/contacts.service';
import type { BulkAction, BulkJobStatus, ConsentStatus, ImportStatus, OrderStatus } from '../../db/schema';
import { formatInZone } from '../../lib/time';

const CONSENT_LABELS: Record<ConsentStatus, string> = { subscribed: 'Subscribed', unsubscribed: 'Unsubscribed', not_subscribed: 'Not subscribed' };
const CONSENT_TONES: Record<ConsentStatus, string> = { subscribed: 'badge success', unsubscribed: 'badge danger', not_subscribed: 'badge muted' };

/** The words for a consent status. */
export function consentLabel(status: ConsentStatus): string {
  return CONSENT_LABELS[status];
}

/** "Email: Subscribed" as a coloured badge. */
export function ConsentBadge({ channel, consent }: { channel: 'Email' | 'SMS'; consent: Pick<ConsentState, 'status'> }) {
  return <span class={CONSENT_TONES[consent.status]}>{`${channel}: ${CONSENT_LABELS[consent.status]}`}</span>;
}

const IMPORT_LABELS: Record<ImportStatus, string> = { queued: 'Queued', processing: 'Importing', done: 'Done', failed: 'Failed' };
const IMPORT_TONES: Record<ImportStatus, string> = { queued: 'badge muted', processing: 'badge', done: 'badge success', failed: 'badge danger' };

/** An import's status as a badge. */
export function ImportStatusBadge({ status }: { status: ImportStatus }) {
  return <span class={IMPORT_TONES[status]}>{IMPORT_LABELS[status]}</span>;
}

/** "First Last", or null when the contact has no name. */
export function contactName(contact: Pick<ContactView, 'firstName' | 'lastName'>): string | null {
  return [contact.firstName, contact.lastName].filter(Boolean).join(' ') || null;
}

const ORDER_LABELS: Record<OrderStatus, string> = {
  placed: 'Placed',
  paid: 'Paid',
  completed: 'Completed',
  shipped: 'Shipped',
  refunded: 'Refunded',
  cancelled: 'Cancelled',
  failed: 'Payment failed',
};

/** The words for an order status. */
export function orderStatusLabel(status: OrderStatus): string {
  return ORDER_LABELS[status];
}

/** A contacts page heading, with an optional action beside it. */
export function ContactsHeader({ title = 'Contacts', description, action }: { title?: string; description: string; action?: Child }) {
  return (
    <div class="page-header page-header-actions">
      <div>
        <h1>{title}</h1>
        <p class="muted">{description}</p>
      </div>
      {action ?? null}
    </div>
  );
}

const BULK_STATUS_LABELS: Record<BulkJobStatus, string> = { running: 'Running', done: 'Done', failed: 'Failed' };
const BULK_STATUS_TONES: Record<BulkJobStatus, string> = { running: 'badge', done: 'badge success', failed: 'badge danger' };

/** What a bulk job does, in words: "Add tags: vip, winter". */
export function bulkJobSummary(job: Pick<BulkJobView, 'action' | 'tags' | 'channels'>): string {
  const what: Record<BulkAction, string> = {
    tag: `Add tags: ${job.tags.join(', ')}`,
    untag: `Remove tags: ${job.tags.join(', ')}`,
    unsubscribe: `Unsubscribe from ${job.channels.map((channel) => (channel === 'sms' ? 'SMS' : 'email')).join(' and ')}`,
    erase: 'Erase',
  };
  return what[job.action];
}

/** One bulk job with its progress; a running one names the address the page's script polls. */
export function BulkJobRow({ job, timeZone }: { job: BulkJobView; timeZone: string }) {
  return (
    <li class="bulk-job" data-bulk-job-url={job.status === 'running' ? `/app/contacts/bulk/${job.id}` : undefined}>
      <div class="bulk-job-head">
        <strong>{bulkJobSummary(job)}</strong>
        <span class={BULK_STATUS_TONES[job.status]} data-bulk-status>
          {BULK_STATUS_LABELS[job.status]}
        </span>
      </div>
      <progress max={Math.max(job.total, 1)} value={job.total ? job.done : 1} aria-label={`${bulkJobSummary(job)}: progress`} />
      <p class="muted small">
        <span data-bulk-done>{job.done}</span> of <span>{job.total}</span> contacts · started {formatInZone(job.createdAt, timeZone)}
      </p>
    </li>
  );
}
