// Settings: the workspace (name, time zone, sender, footer address, store address, attribution windows) and its API keys.
import type { ApiKeyView } from '../../api-keys/api-keys.service';
import { formatInZone } from '../../lib/time';
import type { WorkspaceView } from '../../workspaces/workspaces.service';
import type { Role } from '../../workspaces/roles';
import { CsrfField, EmptyState, Field, type FormErrors, Notice, PostButton, OwnerSubmit, TableHead, Tabs, TimeZoneOptions, type Viewer, viewerCan } from '../components';

const SETTINGS_TABS = [
  { id: 'general', href: '/app/settings', label: 'Workspace & API keys' },
  { id: 'email', href: '/app/settings/email', label: 'Email sender' },
  { id: 'sms', href: '/app/settings/sms', label: 'SMS' },
  { id: 'suppressions', href: '/app/settings/suppressions', label: 'Suppressions' },
  { id: 'stores', href: '/app/settings/stores', label: 'Store connections' },
  { id: 'members', href: '/app/settings/members', label: 'Members' },
];

/** The Settings heading with its tabs, shared by every settings page. */
export function SettingsHeader({ workspaceName, current }: { workspaceName: string; current: string }) {
  return (
    <>
      <div class="page-header">
        <h1>Settings</h1>
        <p class="muted">{workspaceName}</p>
      </div>
      <Tabs tabs={SETTINGS_TABS} current={current} />
    </>
  );
}

/** What a settings action wants shown after it ran. */
export type SettingsState = {
  notice?: string;
  errors?: FormErrors;
  values?: Record<string, string>;
  keyErrors?: FormErrors;
  newKey?: { name: string; key: string };
};

function WorkspaceForm({
  workspace,
  csrfToken,
  canEdit,
  errors = {},
  values,
}: {
  workspace: WorkspaceView;
  csrfToken: string;
  canEdit: boolean;
  errors?: FormErrors;
  values?: Record<string, string> | undefined;
}) {
  const value = (name: keyof WorkspaceView) => (values ? values[name] : workspace[name]?.toString()) ?? '';
  return (
    <section class="card" aria-labelledby="general-heading">
      <h2 id="general-heading">Workspace</h2>
      <p class="muted">Times in the dashboard and schedules use this time zone. The sender is what recipients see in their inbox.</p>
      <form method="post" action="/app/settings" class="grid-form">
        <CsrfField token={csrfToken} />
        <fieldset disabled={!canEdit}>
          <Field name="name" label="Workspace name" value={value('name')} error={errors.name} required />
          <Field name="timeZone" label="Time zone" value={value('timeZone')} error={errors.timeZone} list="time-zones" required />
          <TimeZoneOptions id="time-zones" />
          <Field name="senderName" label="Sender name" value={value('senderName')} error={errors.senderName} placeholder="Your store" />
          <Field name="senderEmail" label="Sender email" type="email" value={value('senderEmail')} error={errors.senderEmail} placeholder="hello@yourstore.com" />
          <Field name="replyToEmail" label="Reply-to email" type="email" value={value('replyToEmail')} error={errors.replyToEmail} />
          <Field
            name="postalAddress"
            label="Postal address"
            value={value('postalAddress')}
            error={errors.postalAddress}
            hint="Shown in the footer of marketing email, as anti-spam laws require. Lines are joined with commas."
          />
          <Field
            name="storeUrl"
            label="Store address"
            type="url"
            value={value('storeUrl')}
            error={errors.storeUrl}
            placeholder="https://yourstore.com"
            hint="Where the buttons of the starter designs lead ({{ shop.url }} in a design). Leave empty and those buttons are left out."
          />
          <Field
            name="clickWindowHours"
            label="Click attribution window (hours)"
            type="number"
            value={value('clickWindowHours')}
            error={errors.clickWindowHours}
            required
            hint="An order is credited to the last message the customer clicked within this many hours before buying. 120 hours is 5 days; 1 to 720 (30 days)."
          />
          <Field
            name="openWindowHours"
            label="Open attribution window (hours)"
            type="number"
            value={value('openWindowHours')}
            error={errors.openWindowHours}
            required
            hint="Without such a click, to the last message they opened within this many hours. Opens by mail privacy proxies never count."
          />
          <Field
            name="smartSendingHours"
            label="Smart sending (hours)"
            type="number"
            value={value('smartSendingHours')}
            error={errors.smartSendingHours}
            required
            hint="A flow with smart sending on skips a contact who received any message within this many hours, and records the skip. 0 to 168; 0 turns it off."
          />
          <OwnerSubmit canEdit={canEdit} label="Save workspace" what="these settings" />
        </fieldset>
      </form>
    </section>
  );
}

function ApiKeyRow({ apiKey, timeZone, csrfToken, canEdit }: { apiKey: ApiKeyView; timeZone: string; csrfToken: string; canEdit: boolean }) {
  return (
    <tr class={apiKey.revokedAt ? 'revoked' : undefined}>
      <td data-label="Name">{apiKey.name}</td>
      <td data-label="Key">
        <code>{apiKey.prefix}…</code>
      </td>
      <td data-label="Role">{apiKey.role}</td>
      <td data-label="Created">{formatInZone(apiKey.createdAt, timeZone)}</td>
      <td data-label="Last used">{apiKey.lastUsedAt ? formatInZone(apiKey.lastUsedAt, timeZone) : 'Never'}</td>
      <td data-label="Status">{apiKey.revokedAt ? <span class="badge muted">Revoked</span> : <span class="badge success">Active</span>}</td>
      <td class="row-actions">
        {canEdit && !apiKey.revokedAt ? (
          <PostButton
            action={`/app/settings/api-keys/${apiKey.id}/revoke`}
            csrfToken={csrfToken}
            label="Revoke"
            tone="danger"
            confirm={`Revoke "${apiKey.name}"? Anything using it will stop working.`}
          />
        ) : null}
      </td>
    </tr>
  );
}

function ApiKeysSection({
  apiKeys,
  timeZone,
  csrfToken,
  canEdit,
  keyRoles,
  errors = {},
  newKey,
}: {
  apiKeys: ApiKeyView[];
  timeZone: string;
  csrfToken: string;
  canEdit: boolean;
  keyRoles: Role[];
  errors?: FormErrors;
  newKey?: { name: string; key: string } | undefined;
}) {
  return (
    <section class="card" aria-labelledby="api-keys-heading" id="api-keys">
      <h2 id="api-keys-heading">API keys</h2>
      <p class="muted">
        Scripts and integrations call <code>/api/v1</code> with <code>Authorization: Bearer &lt;key&gt;</code>. A key acts on this workspace only, with the role chosen when it was made (at most admin,
        and never more than yours).
      </p>
      {newKey ? (
        <div class="new-key" role="status">
          <p>
            <strong>Copy your new key “{newKey.name}” now.</strong> It is shown only once; we keep only a hash of it.
          </p>
          <div class="copy-row">
            <input type="text" readonly value={newKey.key} id="new-api-key" aria-label="New API key" />
            <button type="button" class="button small secondary" data-copy="#new-api-key">
              Copy
            </button>
          </div>
        </div>
      ) : null}
      {canEdit ? (
        <form method="post" action="/app/settings/api-keys" class="inline-form">
          <CsrfField token={csrfToken} />
          <Field name="name" id="field-key-name" label="New key name" error={errors.name} placeholder="e.g. Zapier, nightly sync" required />
          <div class={errors.role ? 'field has-error' : 'field'}>
            <label for="field-key-role">Role</label>
            <select id="field-key-role" name="role">
              {keyRoles.map((role) => (
                <option value={role}>{role}</option>
              ))}
            </select>
            {errors.role ? <p class="field-error">{errors.role}</p> : null}
          </div>
          <button type="submit" class="button primary">
            Create key
          </button>
        </form>
      ) : (
        <p class="muted small">Only owners and admins can create or revoke keys.</p>
      )}
      {apiKeys.length ? (
        <table class="table">
          <TableHead columns={['Name', 'Key', 'Role', 'Created', 'Last used', 'Status', { label: 'Actions', hidden: true }]} />
          <tbody>
            {apiKeys.map((apiKey) => (
              <ApiKeyRow apiKey={apiKey} timeZone={timeZone} csrfToken={csrfToken} canEdit={canEdit} />
            ))}
          </tbody>
        </table>
      ) : (
        <EmptyState title="No API keys">
          <p>Keys you create will be listed here by name and prefix, with when each was last used.</p>
        </EmptyState>
      )}
    </section>
  );
}

/** Settings: the workspace form and the API keys. */
export function SettingsPage({
  workspace,
  apiKeys,
  keyRoles,
  viewer,
  state = {},
}: {
  workspace: WorkspaceView;
  apiKeys: ApiKeyView[];
  // The roles the viewer may give a new key.
  keyRoles: Role[];
  viewer: Viewer;
  state?: SettingsState;
}) {
  const { csrfToken } = viewer;
  return (
    <>
      <SettingsHeader workspaceName={workspace.name} current="general" />
      {state.notice ? <Notice tone="success">{state.notice}</Notice> : null}
      <WorkspaceForm workspace={workspace} csrfToken={csrfToken} canEdit={viewerCan(viewer, 'settings:workspace')} errors={state.errors} values={state.values} />
      <ApiKeysSection
        apiKeys={apiKeys}
        timeZone={workspace.timeZone}
        csrfToken={csrfToken}
        canEdit={viewerCan(viewer, 'api-keys:manage')}
        keyRoles={keyRoles}
        errors={state.keyErrors}
        newKey={state.newKey}
      />
    </>
  );
}
