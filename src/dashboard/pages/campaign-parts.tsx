// Small pieces the campaign pages share: a campaign's address, its status badge and
// number formats.
import type { CampaignStatus } from '../../db/schema';

const STATUS_LABELS: Record<CampaignStatus, string> = { draft: 'Draft', scheduled: 'Scheduled', sending: 'Sending', paused: 'Paused', sent: 'Sent', cancelled: 'Cancelled' };
const STATUS_TONES: Record<CampaignStatus, string> = { draft: 'badge', scheduled: 'badge info', sending: 'badge warning', paused: 'badge warning', sent: 'badge success', cancelled: 'badge muted' };

export const numbers = new Intl.NumberFormat('en-US');
export const percent = new Intl.NumberFormat('en-US', { style: 'percent', maximumFractionDigits: 1 });

/** The address of a campaign's page, or of an action (`/cancel`) or query (`?step=content`) of it. */
export function campaignPath(id: string, suffix = ''): string {
  return `/app/marketing/campaigns/${id}${suffix}`;
}

/** A campaign's status as a coloured badge. */
export function CampaignStatusBadge({ status }: { status: CampaignStatus }) {
  return <span class={STATUS_TONES[status]}>{STATUS_LABELS[status]}</span>;
}

/** The button that starts a new campaign. */
export function NewCampaignButton() {
  return (
    <a class="button primary" href="/app/marketing/campaigns/new">
      New campaign
    </a>
  );
}
