// One CSV import: its progress, its counts, and every rejected row with its line and reason.
import type { ContactImportView, ImportRejectionPage } from '../../contacts/contact-imports.service';
import { formatInZone } from '../../lib/time';
import { TableHead } from '../components';
import { ContactsHeader, ImportStatusBadge } from './contacts-parts';

/** The page's title: the file's name. */
export function contactImportTitle(contactImport: ContactImportView): string {
  return `Import of ${contactImport.fileName}`;
}

/** /app/contacts/imports/:id: the import's progress and one page of its rejected rows. */
export function ContactImportPage({ contactImport, page, timeZone }: { contactImport: ContactImportView; page: ImportRejectionPage; timeZone: string }) {
  const finished = contactImport.status === 'done' || contactImport.status === 'failed';
  return (
    <>
      <p class="back-link">
        <a href="/app/contacts#import">← Contacts</a>
      </p>
      <ContactsHeader title={contactImportTitle(contactImport)} description={`Uploaded ${formatInZone(contactImport.createdAt, timeZone)}`} />
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
            <dt>Parts processed</dt>
            <dd>
              {contactImport.doneChunks} of {contactImport.totalChunks}
            </dd>
          </div>
        </dl>
        {contactImport.status === 'failed' ? (
          <p class="field-error">{contactImport.failureReason ?? 'The import stopped. Upload the file again.'}</p>
        ) : finished ? (
          <p class="muted">Finished {contactImport.finishedAt ? formatInZone(contactImport.finishedAt, timeZone) : ''}. Imported rows created new contacts or updated existing ones.</p>
        ) : (
          <p class="muted">The file is being imported in the background. Reload this page to see its progress.</p>
        )}
      </section>
      <section class="card" aria-labelledby="rejections-heading">
        <h2 id="rejections-heading">Rejected rows</h2>
        {page.rejections.length ? (
          <table class="table stack-tablet">
            <TableHead columns={[{ label: 'Line', numeric: true }, 'Reason', 'Row']} />
            <tbody>
              {page.rejections.map((rejection) => (
                <tr>
                  <td data-label="Line" class="num">
                    {rejection.line}
                  </td>
                  <td data-label="Reason">{rejection.reason}</td>
                  <td data-label="Row" class="break">
                    <code>{rejection.raw}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p class="muted">{finished ? 'No rows were rejected.' : 'None so far.'}</p>
        )}
        {page.nextAfterLine ? (
          <div class="pager">
            <a class="button secondary" href={`/app/contacts/imports/${contactImport.id}?afterLine=${page.nextAfterLine}`}>
              Next rejected rows
            </a>
          </div>
        ) : null}
      </section>
    </>
  );
}
