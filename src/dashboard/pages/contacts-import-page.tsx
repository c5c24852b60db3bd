// One CSV import: what went wrong first (rows not imported, rows imported without a
// bad value), then its progress and counts. The reported rows come right under the
// title: a merchant who uploaded 3,000 rows must not scroll past them to learn why.
import type { ContactImportView, ImportIssuePage } from '../../contacts/contact-imports.service';
import type { ImportIssue } from '../../contacts/contact-import-rows';
import { formatInZone } from '../../lib/time';
import { Notice, TableHead } from '../components';
import { ContactsHeader, ImportStatusBadge } from './contacts-parts';

/** The page's title: the file's name. */
export function contactImportTitle(contactImport: ContactImportView): string {
  return `Import of ${contactImport.fileName}`;
}

const plural = (count: number, one: string, many: string) => `${count} ${count === 1 ? one : many}`;

/** The counts of errors and warnings in one sentence, or null when nothing went wrong. */
function issueSummary({ rejectedRows, warnedRows }: ContactImportView): string | null {
  const parts = [
    rejectedRows ? `${plural(rejectedRows, 'row was', 'rows were')} not imported (errors)` : null,
    warnedRows ? `${plural(warnedRows, 'row was', 'rows were')} imported without a value that could not be read (warnings)` : null,
  ].filter(Boolean);
  return parts.length ? `${parts.join(' and ')}. Each is listed below with its line in the file.` : null;
}

function IssueBadge({ issue }: { issue: ImportIssue }) {
  return issue.severity === 'error' ? <span class="badge danger">Error</span> : <span class="badge warning">Warning</span>;
}

function IssuesCard({ contactImport, page, finished }: { contactImport: ContactImportView; page: ImportIssuePage; finished: boolean }) {
  return (
    <section class="card" id="issues" aria-labelledby="issues-heading">
      <h2 id="issues-heading">Errors and warnings</h2>
      {page.issues.length ? (
        <table class="table stack-tablet">
          <TableHead columns={[{ label: 'Line', numeric: true }, 'Kind', 'Reason', 'Row']} />
          <tbody>
            {page.issues.map((issue) => (
              <tr>
                <td data-label="Line" class="num">
                  {issue.line}
                </td>
                <td data-label="Kind">
                  <IssueBadge issue={issue} />
                </td>
                <td data-label="Reason">{issue.reason}</td>
                <td data-label="Row" class="break">
                  <code>{issue.raw}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p class="muted">{finished ? 'Every row was imported as it was.' : 'None so far.'}</p>
      )}
      {page.nextAfterLine ? (
        <div class="pager">
          <a class="button secondary" href={`/app/contacts/imports/${contactImport.id}?afterLine=${page.nextAfterLine}#issues`}>
            Next errors and warnings
          </a>
        </div>
      ) : null}
    </section>
  );
}

/** /app/contacts/imports/:id: the import's errors and warnings (one page of them), then its progress. */
export function ContactImportPage({ contactImport, page, timeZone }: { contactImport: ContactImportView; page: ImportIssuePage; timeZone: string }) {
  const finished = contactImport.status === 'done' || contactImport.status === 'failed';
  const summary = issueSummary(contactImport);
  const issues = <IssuesCard contactImport={contactImport} page={page} finished={finished} />;
  return (
    <>
      <p class="back-link">
        <a href="/app/contacts#import">← Contacts</a>
      </p>
      <ContactsHeader title={contactImportTitle(contactImport)} description={`Uploaded ${formatInZone(contactImport.createdAt, timeZone)}`} />
      {contactImport.status === 'failed' ? <Notice tone="error">{contactImport.failureReason ?? 'The import stopped. Upload the file again.'}</Notice> : null}
      {summary ? <Notice tone={contactImport.rejectedRows ? 'error' : 'warning'}>{summary}</Notice> : null}
      {page.issues.length ? issues : null}
      <section class="card" aria-label="Progress">
        <dl class="stats">
          <div>
            <dt>Status</dt>
            <dd>
              <ImportStatusBadge status={contactImport.status} />
            </dd>
          </div>
          <div>
            <dt>Rows</dt>
            <dd>{contactImport.totalRows}</dd>
          </div>
          <div>
            <dt>Imported</dt>
            <dd>{contactImport.importedRows}</dd>
          </div>
          <div>
            <dt>Rejected</dt>
            <dd>{contactImport.rejectedRows}</dd>
          </div>
          <div>
            <dt>Imported with warnings</dt>
            <dd>{contactImport.warnedRows}</dd>
          </div>
          <div>
            <dt>Parts processed</dt>
            <dd>
              {contactImport.doneChunks} of {contactImport.totalChunks}
            </dd>
          </div>
        </dl>
        {contactImport.status === 'failed' ? null : finished ? (
          <p class="muted">Finished {contactImport.finishedAt ? formatInZone(contactImport.finishedAt, timeZone) : ''}. Imported rows created new contacts or updated existing ones.</p>
        ) : (
          <p class="muted">
            The file is being imported in the background. Reload this page to see its progress.
            {contactImport.progressAt
              ? ` Last part processed ${formatInZone(contactImport.progressAt, timeZone)}; if nothing moves for 10 minutes, the remaining parts are restarted by themselves.`
              : ''}
          </p>
        )}
      </section>
      {page.issues.length ? null : issues}
    </>
  );
}
