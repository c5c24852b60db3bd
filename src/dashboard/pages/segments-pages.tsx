// Segments: the list (live counts filled in by /app.js) and the rule builder.
import { formatMoney } from '../../lib/money';
import { formatInZone } from '../../lib/time';
import type { SegmentMember, SegmentView } from '../../segments/segments.service';
import { CsrfField, EmptyState, Field, type FormErrors, Notice, TableHead } from '../components';
import { Script } from '../script';
import { ConsentBadge, contactName } from './contacts-parts';

/** A saved segment's members as its page lists them: one page, the count of all, and the cursor of the next page. */
export type SegmentMembersPage = { members: SegmentMember[]; count: number; nextCursor: string | null; cursor?: string | undefined; currency: string | null };

const numbers = new Intl.NumberFormat('en-US');

/** Who matches now: how to reach each member, their consent on each channel, and what they spent. */
function SegmentMembers({ segmentId, page }: { segmentId: string; page: SegmentMembersPage }) {
  return (
    <section class="card stack" aria-labelledby="segment-members-title">
      <div>
        <h2 id="segment-members-title">Members</h2>
        <p class="muted" id="segment-members-count">
          {`${numbers.format(page.count)} ${page.count === 1 ? 'contact matches' : 'contacts match'} the saved rules now.`}
        </p>
      </div>
      {page.members.length ? (
        <table class="table stack-tablet segment-members">
          <TableHead columns={['Contact', 'Phone', 'Consent', { label: 'Orders', numeric: true }, { label: 'Total spent', numeric: true }]} />
          <tbody>
            {page.members.map((member) => (
              <tr>
                <td data-label="Contact">
                  <span class="contact-cell">
                    <a href={`/app/contacts/${member.id}`}>{contactName(member) ?? member.email ?? member.phone ?? 'Unnamed contact'}</a>
                    {contactName(member) && member.email ? <span class="muted small">{member.email}</span> : null}
                  </span>
                </td>
                <td data-label="Phone">{member.phone ?? '—'}</td>
                <td data-label="Consent">
                  <span class="consent-badges">
                    <ConsentBadge channel="Email" consent={{ status: member.emailConsent }} />
                    <ConsentBadge channel="SMS" consent={{ status: member.smsConsent }} />
                  </span>
                </td>
                <td data-label="Orders" class="num">
                  {member.orderCount}
                </td>
                <td data-label="Total spent" class="num">
                  {formatMoney(member.totalSpentCents, page.currency)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p>No contact matches these rules now.</p>
      )}
      {page.cursor || page.nextCursor ? (
        <nav class="form-actions" aria-label="Member pages">
          {page.cursor ? (
            <a class="button secondary" href={`/app/segments/${segmentId}#segment-members-title`}>
              First page
            </a>
          ) : null}
          {page.nextCursor ? (
            <a class="button secondary" href={`/app/segments/${segmentId}?cursor=${encodeURIComponent(page.nextCursor)}#segment-members-title`}>
              Next page
            </a>
          ) : null}
        </nav>
      ) : null}
    </section>
  );
}

/** The Segments section: saved segments with their live size. */
export function SegmentsList({ segments, timeZone, notice }: { segments: SegmentView[]; timeZone: string; notice?: string | undefined }) {
  return (
    <>
      <div class="page-header page-header-actions">
        <div>
          <h1>Segments</h1>
          <p class="muted">Groups of contacts defined by rules, evaluated when each message goes out.</p>
        </div>
        <a class="button primary" href="/app/segments/new">
          New segment
        </a>
      </div>
      {notice ? <Notice tone="success">{notice}</Notice> : null}
      {segments.length ? (
        <table class="table">
          <TableHead columns={['Name', 'Contacts now', 'Updated']} />
          <tbody>
            {segments.map((segment) => (
              <tr>
                <td data-label="Name">
                  <a href={`/app/segments/${segment.id}`}>{segment.name}</a>
                  {segment.description ? <div class="muted small">{segment.description}</div> : null}
                </td>
                <td data-label="Contacts now">
                  <span data-count-url={`/app/segments/${segment.id}/count`}>…</span>
                </td>
                <td data-label="Updated">{formatInZone(segment.updatedAt, timeZone)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <EmptyState
          title="No segments yet"
          action={
            <a class="button primary" href="/app/segments/new">
              Build a segment
            </a>
          }
        >
          <p>Segments select contacts by total spend, order count, purchase recency, products bought, tags, consent and engagement. Saved segments will be listed here with their live size.</p>
        </EmptyState>
      )}
    </>
  );
}

/** The builder: name, description, rules (JSON in a textarea that /segment-builder.js turns into a form) and the live preview. */
export function SegmentBuilder(props: {
  csrfToken: string;
  segment?: SegmentView | undefined;
  members?: SegmentMembersPage | undefined;
  values?: { name?: string; description?: string; definition?: string };
  errors?: FormErrors;
}) {
  const { segment, errors = {} } = props;
  const values = props.values ?? {
    name: segment?.name ?? '',
    description: segment?.description ?? '',
    definition: JSON.stringify(segment?.definition ?? { match: 'all', children: [{ field: 'emailConsent', op: 'is', value: 'subscribed' }] }),
  };
  const action = segment ? `/app/segments/${segment.id}` : '/app/segments';
  const definitionError = Object.entries(errors).find(([path]) => path.startsWith('definition'));
  return (
    <>
      <div class="page-header">
        <h1>{segment ? segment.name : 'New segment'}</h1>
        <p class="muted">Contacts are matched when each message goes out, so the size changes as your store does.</p>
      </div>
      <div class="builder-layout">
        <form method="post" action={action} class="card stack" id="segment-form">
          <CsrfField token={props.csrfToken} />
          <Field name="name" label="Name" value={values.name} error={errors.name} required />
          <Field name="description" label="Description" value={values.description} error={errors.description} />
          <div class={definitionError ? 'field has-error' : 'field'}>
            <label for="field-definition">Rules (JSON)</label>
            <textarea id="field-definition" name="definition">
              {values.definition}
            </textarea>
            {definitionError ? <p class="field-error">{`${definitionError[0]}: ${definitionError[1]}`}</p> : null}
          </div>
          <div id="segment-builder" hidden />
          <div class="form-actions">
            <button type="submit" class="button primary">
              Save segment
            </button>
            <a class="button secondary" href="/app/segments">
              Cancel
            </a>
          </div>
        </form>
        <aside class="card" aria-live="polite">
          <h2>Matching now</h2>
          <p class="live-count" id="segment-count">
            …
          </p>
          <p class="field-error" id="segment-preview-error" />
          <ul class="sample" id="segment-sample" />
          {segment ? (
            <form method="post" action={`/app/segments/${segment.id}/delete`} data-confirm={`Delete "${segment.name}"? Campaigns and flows using it stop matching anyone.`}>
              <CsrfField token={props.csrfToken} />
              <button type="submit" class="button small danger">
                Delete segment
              </button>
            </form>
          ) : null}
        </aside>
      </div>
      {segment && props.members ? <SegmentMembers segmentId={segment.id} page={props.members} /> : null}
      <Script src="/segment-builder.js" />
    </>
  );
}
