// Settings → Suppressions: addresses that never receive marketing on their channel, and why.
import { SUPPRESSION_REASONS, type ConsentChannel, type SuppressionReason } from '../../db/schema';
import { formatInZone } from '../../lib/time';
import type { SuppressionPage } from '../../consent/suppressions.service';
import type { WorkspaceView } from '../../workspaces/workspaces.service';
import { CsrfField, EmptyState, Field, type FormErrors, Notice, PostButton, TableHead, type Viewer, viewerCan } from '../components';
import { SettingsHeader } from './settings-page';

// What each channel's list holds, in the page's words.
const CHANNEL_WORDS: Record<ConsentChannel, { tab: string; field: 'email' | 'phone'; label: string; column: string; what: string }> = {
  email: { tab: 'Email', field: 'email', label: 'Email', column: 'Email', what: 'marketing email' },
  sms: { tab: 'SMS', field: 'phone', label: 'Phone (international format, e.g. +447911123456)', column: 'Phone', what: 'marketing texts' },
};

const REASON_LABELS: Record<SuppressionReason, string> = { unsubscribed: 'Unsubscribed', hard_bounce: 'Hard bounce', complaint: 'Spam complaint', manual: 'Added by hand' };

/** What an action on this page wants shown. */
export type SuppressionsState = { errors?: FormErrors; notice?: string | undefined };

/** The list (one page of it, found by `q`) with its add form. */
export function SuppressionsPage({
  workspace,
  page,
  channel,
  q,
  viewer,
  state = {},
}: {
  workspace: WorkspaceView;
  page: SuppressionPage;
  channel: ConsentChannel;
  q: string | undefined;
  viewer: Viewer;
  state?: SuppressionsState;
}) {
  const words = CHANNEL_WORDS[channel];
  const { csrfToken } = viewer;
  const canEdit = viewerCan(viewer, 'suppressions:manage');
  const errors = state.errors ?? {};
  return (
    <>
      <SettingsHeader workspaceName={workspace.name} current="suppressions" />
      {state.notice ? <Notice tone="success">{state.notice}</Notice> : null}
      <section class="card">
        <h2>Suppression list</h2>
        <nav class="tabs" aria-label="Channel">
          {(Object.keys(CHANNEL_WORDS) as ConsentChannel[]).map((each) => (
            <a href={`/app/settings/suppressions?channel=${each}`} aria-current={each === channel ? 'page' : undefined}>
              {CHANNEL_WORDS[each].tab}
            </a>
          ))}
        </nav>
        <p class="muted">Addresses here never receive {words.what}, whatever a campaign or flow targets. Unsubscribes and hard bounces are added automatically.</p>
        {canEdit ? (
          <form method="post" action="/app/settings/suppressions" class="inline-form">
            <CsrfField token={csrfToken} />
            <Field name={words.field} id={`field-suppress-${words.field}`} label={words.label} type={channel === 'email' ? 'email' : 'tel'} error={errors[words.field]} required />
            <div class="field">
              <label for="field-suppress-reason">Reason</label>
              <select id="field-suppress-reason" name="reason">
                {SUPPRESSION_REASONS.map((reason) => (
                  <option value={reason} selected={reason === 'manual'}>
                    {REASON_LABELS[reason]}
                  </option>
                ))}
              </select>
            </div>
            <Field name="detail" id="field-suppress-detail" label="Note" error={errors.detail} />
            <button type="submit" class="button primary">
              Suppress
            </button>
          </form>
        ) : null}
        <form method="get" class="inline-form">
          <input type="hidden" name="channel" value={channel} />
          <Field name="q" id="field-suppress-q" label="Find an address" value={q} />
          <button type="submit" class="button secondary">
            Search
          </button>
        </form>
        {page.suppressions.length ? (
          <table class="table">
            <TableHead columns={[words.column, 'Reason', 'Note', 'Since', { label: 'Actions', hidden: true }]} />
            <tbody>
              {page.suppressions.map((row) => (
                <tr>
                  <td data-label={words.column}>{row.address}</td>
                  <td data-label="Reason">
                    <span class="badge">{REASON_LABELS[row.reason]}</span>
                  </td>
                  <td data-label="Note">{row.detail ?? ''}</td>
                  <td data-label="Since">{formatInZone(row.createdAt, workspace.timeZone)}</td>
                  <td class="row-actions">
                    {canEdit ? (
                      <PostButton
                        action="/app/settings/suppressions/remove"
                        csrfToken={csrfToken}
                        label="Remove"
                        confirm={`Allow ${words.what} to ${row.address} again?`}
                        fields={{ address: row.address }}
                      />
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <EmptyState title="No suppressed addresses">
            <p>Unsubscribed, bounced and hand-added addresses will be listed here with the reason and the date.</p>
          </EmptyState>
        )}
        {page.nextCursor ? (
          <p>
            <a class="button secondary" href={`/app/settings/suppressions?channel=${channel}&cursor=${encodeURIComponent(page.nextCursor)}${q ? `&q=${encodeURIComponent(q)}` : ''}`}>
              Next page
            </a>
          </p>
        ) : null}
      </section>
    </>
  );
}
