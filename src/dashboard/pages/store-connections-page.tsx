// Settings → Store connections: each store's webhook URL and secret, and how to set them up.
import { STORE_PLATFORMS, type StorePlatform } from '../../db/schema';
import { formatInZone } from '../../lib/time';
import type { StoreConnectionView } from '../../stores/store-connections.service';
import type { WorkspaceView } from '../../workspaces/workspaces.service';
import { CsrfField, EmptyState, Field, type FormErrors, Notice, PostButton, type Viewer, viewerCan } from '../components';
import { SettingsHeader } from './settings-page';

const PLATFORM_LABELS: Record<StorePlatform, string> = { shopify: 'Shopify', woocommerce: 'WooCommerce', custom: 'Custom (generic events)' };
const WEBHOOK_PATHS: Record<StorePlatform, string> = { shopify: 'shopify', woocommerce: 'woocommerce', custom: 'events' };

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

/** The path (under the public URL) a store posts a connection's webhooks to. */
export function webhookPath(connection: Pick<StoreConnectionView, 'id' | 'platform'>): `/${string}` {
  return `/webhooks/${WEBHOOK_PATHS[connection.platform]}/${connection.id}`;
}

/** A connection as the page shows it: its webhook URL, and its secret when just revealed to the owner. */
export type ConnectionShown = { connection: StoreConnectionView; webhookUrl: string; secret: string | null };

/** What an action on this page wants shown. */
export type StoreConnectionsState = { notice?: string | undefined; errors?: FormErrors; values?: Record<string, string> };

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
        <li>The bottom of that page says “Your webhooks will be signed with …”: that is the secret you pasted when connecting. If it changes, connect again.</li>
        <li>
          Use <strong>Send test notification</strong>: “Test received” appears here within seconds, and nothing else changes.
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

function ConnectionCard({ shown, timeZone, csrfToken, canEdit }: { shown: ConnectionShown; timeZone: string; csrfToken: string; canEdit: boolean }) {
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
      {secret ? (
        <CopyField id={`secret-${connection.id}`} label="Signing secret" value={secret} />
      ) : canEdit ? (
        <p>
          <a class="button small secondary" href={`/app/settings/stores?reveal=${connection.id}#connection-${connection.id}`}>
            Show secret
          </a>
        </p>
      ) : null}
      <details class="setup">
        <summary>Set up {PLATFORM_LABELS[connection.platform]}</summary>
        <SetupSteps platform={connection.platform} url={url} secretShown={Boolean(secret)} />
      </details>
      {canEdit ? (
        <PostButton
          action={`/app/settings/stores/${connection.id}/delete`}
          csrfToken={csrfToken}
          label="Disconnect"
          tone="danger"
          confirm={`Disconnect "${connection.name}"? Its webhooks will be refused.`}
        />
      ) : null}
    </section>
  );
}

function ConnectForm({ csrfToken, errors = {}, values = {} }: { csrfToken: string; errors?: FormErrors; values?: Record<string, string> }) {
  return (
    <section class="card" aria-labelledby="connect-heading">
      <h2 id="connect-heading">Connect a store</h2>
      <p class="muted">Customers, orders, carts and products flow in from your store's webhooks. WooCommerce and custom connections get a secret generated for them.</p>
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
          <Field
            name="secret"
            label="Shopify signing secret"
            type="password"
            value={values.secret}
            error={errors.secret}
            hint="Shopify only: shown under Settings → Notifications → Webhooks. Leave empty for the others."
            autocomplete="off"
          />
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
export function StoreConnectionsPage({ workspace, connections, viewer, state = {} }: { workspace: WorkspaceView; connections: ConnectionShown[]; viewer: Viewer; state?: StoreConnectionsState }) {
  const { csrfToken } = viewer;
  const canEdit = viewerCan(viewer, 'stores:manage');
  return (
    <>
      <SettingsHeader workspaceName={workspace.name} current="stores" />
      {state.notice ? <Notice tone="success">{state.notice}</Notice> : null}
      {connections.length ? (
        connections.map((shown) => <ConnectionCard shown={shown} timeZone={workspace.timeZone} csrfToken={csrfToken} canEdit={canEdit} />)
      ) : (
        <EmptyState title="No stores connected">
          <p>Connect Shopify, WooCommerce or any cart that can send signed webhooks. Each connection will be listed here with its webhook URL, secret and last event.</p>
        </EmptyState>
      )}
      {canEdit ? <ConnectForm csrfToken={csrfToken} errors={state.errors} values={state.values} /> : null}
    </>
  );
}
