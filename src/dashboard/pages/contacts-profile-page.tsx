// A contact: profile, tags, consent history, orders, carts and messages received.
import type { ConsentChangeView, ContactCartView, ContactOrderView } from '../../contacts/contact-activity.service';
import type { ContactView } from '../../contacts/contacts.service';
import { formatMoney } from '../../lib/money';
import { formatInZone } from '../../lib/time';
import type { Child } from 'hono/jsx';
import { CsrfField, Notice, TableHead } from '../components';
import { ConsentBadge, consentLabel, ContactsHeader, contactName, orderStatusLabel } from './contacts-parts';

/** What an action wants the contact page to show. */
export type ContactPageState = { notice?: string | undefined; tagError?: string | undefined; tagValue?: string | undefined };

const SOURCE_LABELS: Record<string, string> = {
  shopify: 'Shopify',
  woocommerce: 'WooCommerce',
  custom: 'Store events',
  api: 'API',
  import: 'CSV import',
  dashboard: 'Dashboard',
};

function sourceLabel(source: string | null): string {
  return source ? (SOURCE_LABELS[source] ?? source) : '—';
}

function Profile({ contact, when }: { contact: ContactView; when: (ms: number | null) => string }) {
  return (
    <section class="card" aria-labelledby="profile-heading">
      <h2 id="profile-heading">Profile</h2>
      <dl class="facts">
        <dt>Email</dt>
        <dd>{contact.email ?? '—'}</dd>
        <dt>Phone</dt>
        <dd>{contact.phone ?? '—'}</dd>
        <dt>Name</dt>
        <dd>{contactName(contact) ?? '—'}</dd>
        <dt>Store account</dt>
        <dd>{contact.registered ? 'Registered customer' : 'Guest'}</dd>
        {contact.externalId ? (
          <>
            <dt>Store customer id</dt>
            <dd>{contact.externalId}</dd>
          </>
        ) : null}
        <dt>Email consent</dt>
        <dd>
          <ConsentBadge channel="Email" consent={contact.emailConsent} />
          {contact.emailConsent.changedAt ? <span class="muted small"> since {when(contact.emailConsent.changedAt)}</span> : null}
        </dd>
        <dt>SMS consent</dt>
        <dd>
          <ConsentBadge channel="SMS" consent={contact.smsConsent} />
          {contact.smsConsent.changedAt ? <span class="muted small"> since {when(contact.smsConsent.changedAt)}</span> : null}
        </dd>
        <dt>Added</dt>
        <dd>{when(contact.createdAt)}</dd>
      </dl>
    </section>
  );
}

function Spend({ contact, currency, when }: { contact: ContactView; currency: string | null; when: (ms: number | null) => string }) {
  return (
    <section class="card" aria-labelledby="spend-heading">
      <h2 id="spend-heading">Purchases</h2>
      <dl class="facts">
        <dt>Total spent</dt>
        <dd>{formatMoney(contact.totalSpentCents, currency)}</dd>
        <dt>Orders</dt>
        <dd>{contact.orderCount}</dd>
        <dt>First order</dt>
        <dd>{when(contact.firstOrderAt)}</dd>
        <dt>Last order</dt>
        <dd>{when(contact.lastOrderAt)}</dd>
      </dl>
    </section>
  );
}

function Tags({ contact, csrfToken, error, value }: { contact: ContactView; csrfToken: string; error?: string | undefined; value?: string | undefined }) {
  return (
    <section class="card" id="tags" aria-labelledby="tags-heading">
      <h2 id="tags-heading">Tags</h2>
      {contact.tags.length ? (
        <ul class="tag-list">
          {contact.tags.map((tag) => (
            <li class="tag-chip">
              <span>{tag}</span>
              <form method="post" action={`/app/contacts/${contact.id}/tags/remove`}>
                <CsrfField token={csrfToken} />
                <input type="hidden" name="tag" value={tag} />
                <button type="submit" class="tag-remove" aria-label={`Remove tag ${tag}`} title="Remove">
                  ×
                </button>
              </form>
            </li>
          ))}
        </ul>
      ) : (
        <p class="muted">No tags yet. Tags group contacts for segments and filters.</p>
      )}
      <form method="post" action={`/app/contacts/${contact.id}/tags`} class="inline-form">
        <CsrfField token={csrfToken} />
        <div class={error ? 'field has-error' : 'field'}>
          <label for="field-tag">Add tags</label>
          <input id="field-tag" name="tag" type="text" value={value ?? ''} placeholder="e.g. vip; wholesale" aria-invalid={error ? 'true' : undefined} />
          {error ? <p class="field-error">{error}</p> : <p class="field-hint">Separate several with ; or |.</p>}
        </div>
        <button type="submit" class="button secondary">
          Add
        </button>
      </form>
    </section>
  );
}

function ConsentHistory({ changes, when }: { changes: ConsentChangeView[]; when: (ms: number | null) => string }) {
  return (
    <section class="card" aria-labelledby="consent-heading">
      <h2 id="consent-heading">Consent history</h2>
      {changes.length ? (
        <table class="table stack-tablet">
          <TableHead columns={['When', 'Channel', 'Status', 'Source']} />
          <tbody>
            {changes.map((change) => (
              <tr>
                <td data-label="When">{when(change.changedAt)}</td>
                <td data-label="Channel">{change.channel === 'email' ? 'Email' : 'SMS'}</td>
                <td data-label="Status">{consentLabel(change.status)}</td>
                <td data-label="Source">{sourceLabel(change.source)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p class="muted">No consent changes recorded yet: this contact has never subscribed or unsubscribed.</p>
      )}
    </section>
  );
}

function Orders({ orders, when }: { orders: ContactOrderView[]; when: (ms: number | null) => string }) {
  return (
    <section class="card" aria-labelledby="orders-heading">
      <h2 id="orders-heading">Orders</h2>
      {orders.length ? (
        <table class="table stack-tablet">
          <TableHead columns={['Order', 'Placed', 'Status', 'Items', { label: 'Total', numeric: true }]} />
          <tbody>
            {orders.map((order) => (
              <tr>
                <td data-label="Order" class="nowrap">
                  {order.label}
                </td>
                <td data-label="Placed">{when(order.placedAt)}</td>
                <td data-label="Status">
                  <span class="badge">{orderStatusLabel(order.status)}</span>
                </td>
                <td data-label="Items">
                  <ul class="order-items">
                    {order.items.map((item) => (
                      <li>
                        {item.quantity} × {item.title}
                        {item.sku ? <span class="muted"> ({item.sku})</span> : null} · {formatMoney(item.unitPriceCents, order.currency)}
                      </li>
                    ))}
                  </ul>
                </td>
                <td data-label="Total" class="num">
                  {formatMoney(order.totalCents, order.currency)}
                  {order.refundedCents ? <div class="muted small">−{formatMoney(order.refundedCents, order.currency)} refunded</div> : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p class="muted">No orders yet. Orders arrive from your store's webhooks.</p>
      )}
    </section>
  );
}

// Recovery links come from webhooks: only http(s) ones become links (never javascript: and the like).
function isWebLink(url: string): boolean {
  return /^https?:\/\//i.test(url);
}

function Carts({ carts, when }: { carts: ContactCartView[]; when: (ms: number | null) => string }) {
  return (
    <section class="card" aria-labelledby="carts-heading">
      <h2 id="carts-heading">Carts</h2>
      {carts.length ? (
        <table class="table stack-tablet">
          <TableHead columns={['Updated', 'Status', { label: 'Items', numeric: true }, { label: 'Value', numeric: true }, 'Recovery link']} />
          <tbody>
            {carts.map((cart) => (
              <tr>
                <td data-label="Updated">{when(cart.updatedAt)}</td>
                <td data-label="Status">
                  <span class={cart.status === 'open' ? 'badge warning' : 'badge success'}>{cart.status === 'open' ? 'Open' : 'Converted'}</span>
                </td>
                <td data-label="Items" class="num">
                  {cart.itemCount}
                </td>
                <td data-label="Value" class="num">
                  {formatMoney(cart.valueCents, cart.currency)}
                </td>
                <td data-label="Recovery link" class="break">
                  {cart.recoveryUrl && isWebLink(cart.recoveryUrl) ? (
                    <a href={cart.recoveryUrl} rel="noopener noreferrer" target="_blank">
                      Open cart
                    </a>
                  ) : (
                    '—'
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p class="muted">No carts. Carts and checkouts started in your store appear here until an order converts them.</p>
      )}
    </section>
  );
}

function Erase({ contact, csrfToken }: { contact: ContactView; csrfToken: string }) {
  return (
    <section class="card" aria-labelledby="erase-heading">
      <h2 id="erase-heading">Erase this contact</h2>
      <p class="muted">
        For a data erasure request (GDPR): deletes the contact, its tags, consent history, carts and interests, and removes the email from its orders. Order totals stay in your numbers. This cannot be
        undone.
      </p>
      <form method="post" action={`/app/contacts/${contact.id}/erase`} data-confirm={`Erase ${contact.email ?? 'this contact'} and their personal data? This cannot be undone.`}>
        <CsrfField token={csrfToken} />
        <button type="submit" class="button danger">
          Erase contact
        </button>
      </form>
    </section>
  );
}

/** The page's title: the contact's name, else their email. */
export function contactPageTitle(contact: ContactView): string {
  return contactName(contact) ?? contact.email ?? 'Contact';
}

/** Everything the contact page shows, loaded by the route. */
export type ContactActivity = { changes: ConsentChangeView[]; orders: ContactOrderView[]; carts: ContactCartView[]; currency: string | null };

/** /app/contacts/:id: the profile, tags, consent history, orders and carts. */
export function ContactProfilePage({
  contact,
  activity,
  timeZone,
  csrfToken,
  canErase,
  messages,
  state = {},
}: {
  contact: ContactView;
  activity: ContactActivity;
  timeZone: string;
  csrfToken: string;
  // Whether the viewer's role may erase contacts (contacts:erase).
  canErase: boolean;
  // The messages received (contact-messages-card.tsx), loaded and paged by the route.
  messages: Child;
  state?: ContactPageState;
}) {
  const { changes, orders, carts, currency } = activity;
  const when = (ms: number | null) => (ms === null ? '—' : formatInZone(ms, timeZone));
  const title = contactPageTitle(contact);
  return (
    <>
      <p class="back-link">
        <a href="/app/contacts">← Contacts</a>
      </p>
      <ContactsHeader title={title} description={contact.email && title !== contact.email ? contact.email : 'Contact'} />
      {state.notice ? <Notice tone="success">{state.notice}</Notice> : null}
      <div class="profile-grid">
        <Profile contact={contact} when={when} />
        <Spend contact={contact} currency={currency} when={when} />
      </div>
      <Tags contact={contact} csrfToken={csrfToken} error={state.tagError} value={state.tagValue} />
      <ConsentHistory changes={changes} when={when} />
      <Orders orders={orders} when={when} />
      <Carts carts={carts} when={when} />
      {messages}
      {canErase ? <Erase contact={contact} csrfToken={csrfToken} /> : null}
    </>
  );
}
