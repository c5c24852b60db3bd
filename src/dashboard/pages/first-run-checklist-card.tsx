// The first-run checklist at the top of Marketing: five steps, each linking to the page
// that does it and ticked from the workspace's data (src/workspaces/first-run-checklist.ts).
import { CHECKLIST_ITEMS, type ChecklistItem, type FirstRunChecklist } from '../../workspaces/first-run-checklist';
import { CsrfField } from '../components';

const ITEMS: Record<ChecklistItem, { label: string; hint: string; href: string }> = {
  store: { label: 'Connect your store', hint: 'Orders, carts and customers flow in by webhook.', href: '/app/settings/stores' },
  sender: { label: 'Send from your own domain', hint: 'Your SMTP server, so mail comes from your address, not ours.', href: '/app/settings/email' },
  contacts: { label: 'Bring in your contacts', hint: 'Import a CSV, or let the store send its customers.', href: '/app/contacts#import' },
  welcome: { label: 'Switch on the Welcome flow', hint: 'Greets every new subscriber by itself.', href: '/app/marketing/flows' },
  campaign: { label: 'Send your first campaign', hint: 'A one-off email or text to everyone or a segment.', href: '/app/marketing/campaigns/new' },
};

const HIDE_PATH = '/app/marketing/checklist';

/** The checklist card; once hidden, only a small way to bring it back while steps remain. */
export function FirstRunChecklistCard({ checklist, csrfToken, canHide }: { checklist: FirstRunChecklist; csrfToken: string; canHide: boolean }) {
  const { done, doneCount, total, complete, hidden } = checklist;
  if (hidden) {
    if (complete || !canHide) return null;
    return (
      <form method="post" action={HIDE_PATH} class="checklist-restore">
        <CsrfField token={csrfToken} />
        <input type="hidden" name="hidden" value="false" />
        <button type="submit" class="link-button small">{`Show the getting-started checklist (${doneCount} of ${total} done)`}</button>
      </form>
    );
  }
  return (
    <section class="card checklist" aria-labelledby="checklist-heading" id="first-run-checklist">
      <div class="card-title-row">
        <h2 id="checklist-heading">{complete ? 'You are all set' : 'Get started'}</h2>
        <span class="muted" data-checklist-progress>{`${doneCount} of ${total} done`}</span>
      </div>
      <progress class="checklist-progress" max={total} value={doneCount} aria-label={`${doneCount} of ${total} steps done`} />
      <ol class="checklist-items">
        {CHECKLIST_ITEMS.map((item) => {
          const { label, hint, href } = ITEMS[item];
          return (
            <li class={done[item] ? 'checklist-item done' : 'checklist-item'} data-checklist-item={item} data-done={String(done[item])}>
              <span class="checklist-mark" aria-hidden="true">
                {done[item] ? '✓' : ''}
              </span>
              <span class="checklist-text">
                <a href={href}>{label}</a>
                <span class="visually-hidden">{done[item] ? ' (done)' : ' (to do)'}</span>
                <span class="muted small">{hint}</span>
              </span>
            </li>
          );
        })}
      </ol>
      {canHide ? (
        <form method="post" action={HIDE_PATH} class="form-actions">
          <CsrfField token={csrfToken} />
          <input type="hidden" name="hidden" value="true" />
          <button type="submit" class={complete ? 'button primary' : 'button small secondary'}>
            {complete ? 'Dismiss the checklist' : 'Hide for now'}
          </button>
        </form>
      ) : null}
    </section>
  );
}
