// Creating another workspace (one per store or brand).
import { CsrfField, Field, type FormErrors, TimeZoneOptions } from '../components';

/** The new-workspace form. */
export function NewWorkspacePage({ csrfToken, values = {}, errors = {} }: { csrfToken: string; values?: Record<string, string>; errors?: FormErrors }) {
  return (
    <>
      <div class="page-header">
        <h1>New workspace</h1>
        <p class="muted">A workspace holds one store's contacts, campaigns, flows and senders. You will own it.</p>
      </div>
      <section class="card narrow">
        <form method="post" action="/app/workspaces" class="stack">
          <CsrfField token={csrfToken} />
          <Field name="name" label="Store or brand name" value={values.name} error={errors.name} required />
          <Field name="timeZone" label="Time zone" value={values.timeZone ?? 'UTC'} error={errors.timeZone} list="time-zones" required />
          <TimeZoneOptions id="time-zones" />
          <div class="form-actions">
            <button type="submit" class="button primary">
              Create workspace
            </button>
            <a href="/app" class="button secondary">
              Cancel
            </a>
          </div>
        </form>
      </section>
    </>
  );
}
