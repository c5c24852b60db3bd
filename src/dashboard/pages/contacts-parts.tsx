// Pieces shared by the contacts pages: consent and import badges, money, names.
import type { Child } from 'hono/jsx';
import type { ConsentState, ContactView } from '../../contacts/contacts.service';
import type { ConsentStatus, ImportStatus, OrderStatus } from '../../db/schema';

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
