// Settings → Suppressions: addresses that never receive marketing email, and why.
import { SUPPRESSION_REASONS, type SuppressionReason } from '../../db/schema';
import { formatInZone } from '../../lib/time';
import type { SuppressionPage } from '../../consent/suppressions.service';
import type { WorkspaceView } from '../../workspaces/workspaces.service';
import { CsrfField, EmptyState, Field, type FormErrors, Notice, TableHead, type Viewer } from '../components';
import { SettingsHeader } from './settings-page';

const REASON_LABELS: Record<SuppressionReason, string> = { unsubscribed: 'Unsubscribed', hard_bounce: 'Hard bounce', complaint: 'Spam complaint', manual: 'Added by hand' };

/** What an action on this page wants shown. */
export type SuppressionsState = { errors?: FormErrors; notice?: string | undefined };

/** The list (one page of it, found by `q`) with its add form. */
export function SuppressionsPage({ workspace, page, q, viewer, state = {} }: { workspace: WorkspaceView; page: SuppressionPage; q: string | undefined; viewer: Viewer; state?: SuppressionsState }) {
  const { canEdit, csrfToken } = viewer;
  const errors = state.errors ?? {};
  return (
    <>
      <SettingsHeader workspaceName={workspace.name} current="suppressions" />
      {state.notice ? <Notice tone="success">{state.notice}</Notice> : null}
      <section class="card">
        <h2>Suppression list</h2>
        <p class="muted">Addresses here never receive marketing email, whatever a campaign or flow targets. Unsubscribes and hard bounces are added automatically.</p>
        {canEdit ? (
          <form method="post" action="/app/settings/suppressions" class="inline-form">
            <CsrfField token={csrfToken} />
            <Field name="email" id="field-suppress-email" label="Email" type="email" error={errors.email} required />
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
          <Field name="q" id="field-suppress-q" label="Find an address" value={q} />
          <button type="submit" class="button secondary">
            Search
          </button>
        </form>
        {page.suppressions.length ? (
          <table class="table">
            <TableHead columns={['Email', 'Reason', 'Note', 'Since', { label: 'Actions', hidden: true }]} />
            <tbody>
              {page.suppressions.map((row) => (
                <tr>
                  <td data-label="Email">{row.email}</td>
                  <td data-label="Reason">
                    <span class="badge">{REASON_LABELS[row.reason]}</span>
                  </td>
                  <td data-label="Note">{row.detail ?? ''}</td>
                  <td data-label="Since">{formatInZone(row.createdAt, workspace.timeZone)}</td>
                  <td class="row-actions">
                    {canEdit ? (
                      <form method="post" action="/app/settings/suppressions/remove" data-confirm={`Allow marketing email to ${row.email} again?`}>
                        <CsrfField token={csrfToken} />
                        <input type="hidden" name="email" value={row.email} />
                        <button type="submit" class="button small secondary">
                          Remove
                        </button>
                      </form>
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
            <a class="button secondary" href={`/app/settings/suppressions?cursor=${encodeURIComponent(page.nextCursor)}${q ? `&q=${encodeURIComponent(q)}` : ''}`}>
              Next page
            </a>
          </p>
        ) : null}
      </section>
    </>
  );
}
