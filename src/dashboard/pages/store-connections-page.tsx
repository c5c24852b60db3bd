// Settings → Store connections: each store's webhook URL and secret, how to set them up,
// and the last deliveries each store sent with what became of them.
import { type InboundEventStatus, STORE_PLATFORMS, type StorePlatform } from '../../db/schema';
import { formatInZone } from '../../lib/time';
import type { StoreConnectionView } from '../../stores/store-connections.service';
import { DELIVERIES_SHOWN, type StoreDeliveryView } from '../../stores/store-deliveries';
import type { WorkspaceView } from '../../workspaces/workspaces.service';
import { CsrfField, EmptyState, Field, type FormErrors, Notice, PostButton, TableHead, type Viewer, viewerCan } from '../components';
import { SettingsHeader } from './settings-page';

const PLATFORM_LABELS: Record<StorePlatform, string> = { shopify: 'Shopify', woocommerce: 'WooCommerce', custom: 'Custom (generic events)' };

const SHOPIFY_TOPICS = [
  'Customer creation',
  'Customer update',
  'Customer email marketing consent update',
  'Customer marketing consent update (SMS)',
  'Order creation',
  'Order update',
  'Order payment',
  'Order fulfillment',
  'Order cancellation',
  'Refund create',
  'Checkout creation',
  'Checkout update',
  'Product creation',
  'Product update',
  'Inventory level update',
];

const WOO_TOPICS = ['Customer created', 'Customer updated', 'Order created', 'Order updated', 'Product created', 'Product updated'];

/** A connection as the page shows it: its webhook URL, its secret when just revealed to the owner, its last deliveries. */
export type ConnectionShown = { connection: StoreConnectionView; webhookUrl: string; secret: string | null; deliveries: StoreDeliveryView[] };

/** What an action on this page wants shown: a notice, the connect form's errors, or one connection's secret form error. */
export type StoreConnectionsState = {
  notice?: string | undefined;
  errors?: FormErrors;
  values?: Record<string, string>;
  secretError?: { connectionId: string; message: string } | undefined;
};

const STATUS_LABELS: Record<InboundEventStatus, { label: string; tone: string }> = {
  queued: { label: 'Received, not applied yet', tone: 'muted' },
  processed: { label: 'Applied', tone: 'success' },
  ignored: { label: 'Ignored: topic not used', tone: 'muted' },
  test: { label: 'Test received', tone: 'info' },
  rejected: { label: 'Rejected', tone: 'danger' },
};

function DeliveriesLog({ deliveries, timeZone }: { deliveries: StoreDeliveryView[]; timeZone: string }) {
  if (!deliveries.length) return <p class="muted small">No deliveries yet. Send a test notification from your store: it appears here within seconds.</p>;
  return (
    <table class="table stack-tablet deliveries-log">
      <TableHead columns={['Received', 'Topic', 'Status', 'Times sent']} />
      <tbody>
        {deliveries.map((delivery) => {
          const status = STATUS_LABELS[delivery.status];
          return (
            <tr>
              <td data-label="Received">{formatInZone(delivery.receivedAt, timeZone)}</td>
              <td data-label="Topic" class="break">
                {delivery.topic || '—'}
              </td>
              <td data-label="Status">
                <span class={`badge ${status.tone}`}>{status.label}</span>
                {delivery.reason ? <span class="muted small delivery-reason">{delivery.reason}</span> : null}
              </td>
              <td data-label="Times sent">
                {delivery.deliveries > 1 ? (
                  <>
                    {delivery.deliveries} times
                    {delivery.redeliveredAt ? <span class="muted small"> · last {formatInZone(delivery.redeliveredAt, timeZone)}</span> : null}
                  </>
                ) : (
                  'once'
                )}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function SecretForm({ connection, csrfToken, error }: { connection: StoreConnectionView; csrfToken: string; error?: string | undefined }) {
  return (
    <form method="post" action={`/app/settings/stores/${connection.id}/secret`} class="inline-form">
      <CsrfField token={csrfToken} />
      <Field
        name="secret"
        id={`secret-input-${connection.id}`}
        label={connection.awaitingSecret ? 'Signing secret' : 'Replace the signing secret'}
        type="password"
        error={error}
        hint="Shown at the bottom of Shopify's Settings → Notifications → Webhooks, once a webhook exists."
        autocomplete="off"
      />
      <button type="submit" class="button primary">
        Save secret
      </button>
    </form>
  );
}

function CopyField({ id, label, value }: { id: string; label: string; value: string }) {
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <div class="copy-row">
        <input id={id} type="text" readonly value={value} />
        <button type="button" class="button small secondary" data-copy={`#${id}`}>
          Copy
        </button>
      </div>
    </div>
  );
}

function SetupSteps({ platform, url, secretShown }: { platform: StorePlatform; url: string; secretShown: boolean }) {
  if (platform === 'shopify') {
    return (
      <ol class="steps">
        <li>
          In Shopify admin, open <strong>Settings → Notifications → Webhooks</strong>.
        </li>
        <li>
          For each topic below, choose <strong>Create webhook</strong>, format <strong>JSON</strong>, the URL above, and the newest API version.
        </li>
        <li>Topics: {SHOPIFY_TOPICS.join(', ')}.</li>
        <li>
          Once the first webhook exists, the bottom of that page says “Your webhooks will be signed with …”: paste that secret here. Until then deliveries are refused and listed below as rejected.
        </li>
        <li>
          Use <strong>Send test notification</strong>: “Test received” appears here within seconds, under “Last deliveries” too, and nothing else changes.
        </li>
      </ol>
    );
  }
  if (platform === 'woocommerce') {
    return (
      <ol class="steps">
        <li>
          In WordPress, open <strong>WooCommerce → Settings → Advanced → Webhooks → Add webhook</strong>.
        </li>
        <li>
          Status <strong>Active</strong>, the delivery URL above, API version <strong>WP REST API Integration v3</strong>, and as secret the one{' '}
          {secretShown ? 'shown above' : 'revealed with “Show secret”'}.
        </li>
        <li>Create one webhook per topic: {WOO_TOPICS.join(', ')}.</li>
        <li>WooCommerce pings the URL when you save; it answers at once, and “Test received” appears here.</li>
      </ol>
    );
  }
  return (
    <ol class="steps">
      <li>POST JSON events to the URL above, as described in the README under “Generic store events”.</li>
      <li>
        Sign each request: <code>X-Signature: t=&lt;unix seconds&gt;,v1=&lt;hex HMAC-SHA256(secret, t + "." + body)&gt;</code>. Requests more than 5 minutes old are refused.
      </li>
      <li>
        Example: <code>{`curl -X POST ${url} -H "X-Signature: t=$T,v1=$SIG" -d @event.json`}</code>
      </li>
    </ol>
  );
}

function ConnectionCard({ shown, timeZone, csrfToken, canEdit, secretError }: { shown: ConnectionShown; timeZone: string; csrfToken: string; canEdit: boolean; secretError?: string | undefined }) {
  const { connection, webhookUrl: url, secret } = shown;
  return (
    <section class="card connection" id={`connection-${connection.id}`}>
      <div class="card-title-row">
        <h2>{connection.name}</h2>
        <span class="badge">{PLATFORM_LABELS[connection.platform]}</span>
      </div>
      <p class="muted small">
        Currency {connection.currency} · Last event: {connection.lastEventAt ? formatInZone(connection.lastEventAt, timeZone) : 'none yet'}
        {connection.lastTestAt ? ` · Test received ${formatInZone(connection.lastTestAt, timeZone)}` : ''}
      </p>
      <CopyField id={`url-${connection.id}`} label="Webhook URL" value={url} />
      {connection.awaitingSecret ? (
        <>
          <Notice tone="warning">Waiting for the signing secret: create the webhooks below with this URL, then paste the secret Shopify shows.</Notice>
          <SetupSteps platform={connection.platform} url={url} secretShown={false} />
          {canEdit ? <SecretForm connection={connection} csrfToken={csrfToken} error={secretError} /> : null}
        </>
      ) : secret ? (
        <CopyField id={`secret-${connection.id}`} label="Signing secret" value={secret} />
      ) : canEdit && connection.platform !== 'shopify' ? (
        <p>
          <a class="button small secondary" href={`/app/settings/stores?reveal=${connection.id}#connection-${connection.id}`}>
            Show secret
          </a>
        </p>
      ) : null}
      {connection.awaitingSecret ? null : (
        <details class="setup" open={secretError ? true : undefined}>
          <summary>Set up {PLATFORM_LABELS[connection.platform]}</summary>
          <SetupSteps platform={connection.platform} url={url} secretShown={Boolean(secret)} />
          {canEdit && connection.platform === 'shopify' ? <SecretForm connection={connection} csrfToken={csrfToken} error={secretError} /> : null}
        </details>
      )}
      <h3>Last deliveries</h3>
      <p class="muted small">
        The latest {DELIVERIES_SHOWN} webhooks this store sent and what became of each; a duplicate is counted on the delivery it repeats, and refusals of unverified requests on one row per reason.
      </p>
      <DeliveriesLog deliveries={shown.deliveries} timeZone={timeZone} />
      {canEdit ? (
        <PostButton
          action={`/app/settings/stores/${connection.id}/delete`}
          csrfToken={csrfToken}
          label="Disconnect"
          tone="danger"
          confirm={`Disconnect "${connection.name}"? Its webhooks will be refused; its orders, carts and products stay as history.`}
        />
      ) : null}
    </section>
  );
}

function ConnectForm({ csrfToken, errors = {}, values = {} }: { csrfToken: string; errors?: FormErrors; values?: Record<string, string> }) {
  return (
    <section class="card" aria-labelledby="connect-heading">
      <h2 id="connect-heading">Connect a store</h2>
      <p class="muted">
        Customers, orders, carts and products flow in from your store's webhooks. Connect first to get the webhook URL: WooCommerce and custom connections get a secret generated for them; for Shopify
        you paste the secret it shows once the first webhook exists.
      </p>
      <form method="post" action="/app/settings/stores" class="grid-form">
        <CsrfField token={csrfToken} />
        <fieldset>
          <div class={errors.platform ? 'field has-error' : 'field'}>
            <label for="field-platform">Platform</label>
            <select id="field-platform" name="platform">
              {STORE_PLATFORMS.map((platform) => (
                <option value={platform} selected={values.platform === platform}>
                  {PLATFORM_LABELS[platform]}
                </option>
              ))}
            </select>
            {errors.platform ? <p class="field-error">{errors.platform}</p> : null}
          </div>
          <Field name="name" label="Store name" value={values.name} error={errors.name} placeholder="e.g. Main shop" required />
          <Field name="currency" label="Store currency" value={values.currency ?? 'USD'} error={errors.currency} hint="Product webhooks carry prices without a currency." required />
          <div class="form-actions">
            <button type="submit" class="button primary">
              Connect store
            </button>
          </div>
        </fieldset>
      </form>
    </section>
  );
}

/** Settings → Store connections: each connection's card, and the form to connect another. */
export function StoreConnectionsPage({
  workspace,
  connections,
  viewer,
  state = {},
  eventsLagMs = null,
}: {
  workspace: WorkspaceView;
  connections: ConnectionShown[];
  viewer: Viewer;
  state?: StoreConnectionsState;
  // Set when the platform's store-events queue is behind (see /healthz): webhooks are accepted but applied late.
  eventsLagMs?: number | null;
}) {
  const { csrfToken } = viewer;
  const canEdit = viewerCan(viewer, 'stores:manage');
  return (
    <>
      <SettingsHeader workspaceName={workspace.name} current="stores" />
      {state.notice ? <Notice tone="success">{state.notice}</Notice> : null}
      {eventsLagMs === null ? null : (
        <Notice tone="warning">
          Store events are being applied late: the platform is about {Math.round(eventsLagMs / 60_000)} minutes behind. Webhooks are still accepted and nothing is lost; new orders and customers will
          appear once it catches up.
        </Notice>
      )}
      {connections.length ? (
        connections.map((shown) => (
          <ConnectionCard
            shown={shown}
            timeZone={workspace.timeZone}
            csrfToken={csrfToken}
            canEdit={canEdit}
            secretError={state.secretError?.connectionId === shown.connection.id ? state.secretError.message : undefined}
          />
        ))
      ) : (
        <EmptyState title="No stores connected">
          <p>Connect Shopify, WooCommerce or any cart that can send signed webhooks. Each connection will be listed here with its webhook URL, secret and last event.</p>
        </EmptyState>
      )}
      {canEdit ? <ConnectForm csrfToken={csrfToken} errors={state.errors} values={state.values} /> : null}
    </>
  );
}
