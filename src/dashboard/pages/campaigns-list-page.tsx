// Marketing → Campaigns tab: every campaign with its status, send time (in the
// workspace's zone) and results.
import type { Child } from 'hono/jsx';
import type { CampaignView } from '../../campaigns/campaigns.service';
import { formatInZone } from '../../lib/time';
import { EmptyState, TableHead } from '../components';
import { campaignPath, CampaignStatusBadge, NewCampaignButton, numbers, percent } from './campaign-parts';
import { MarketingHeader } from './section-pages';

// Once it started (sending, paused, sent, or cancelled part-way) it has deliveries to count.
function hasDeliveries(campaign: CampaignView): boolean {
  return campaign.startedAt !== null;
}

/** When it goes (or went) out, in the workspace's zone. */
function sendTime(campaign: CampaignView, timeZone: string): string {
  if (campaign.status === 'scheduled' && campaign.scheduledAt) return formatInZone(campaign.scheduledAt, timeZone);
  if (campaign.startedAt) return formatInZone(campaign.startedAt, timeZone);
  return campaign.status === 'draft' ? 'Not scheduled' : '—';
}

function CampaignRow({ campaign, timeZone }: { campaign: CampaignView; timeZone: string }) {
  const { recipients, sent, failed, skipped } = campaign.progress;
  // Drafts and scheduled campaigns have no deliveries yet: a 0 would read as a result.
  const count = (n: number) => (hasDeliveries(campaign) ? numbers.format(n) : '—');
  return (
    <tr>
      <td data-label="Name" class="break">
        <a href={campaignPath(campaign.id)}>{campaign.name}</a>
        {campaign.channel === 'sms' ? <span class="badge muted">SMS</span> : null}
      </td>
      <td data-label="Status">
        <CampaignStatusBadge status={campaign.status} />
      </td>
      <td data-label="Send time">{sendTime(campaign, timeZone)}</td>
      <td data-label="Recipients" class="num">
        {count(recipients)}
      </td>
      <td data-label="Sent" class="num">
        {count(sent)}
        {hasDeliveries(campaign) && recipients > 0 ? <span class="muted small">{` (${percent.format(sent / recipients)})`}</span> : null}
      </td>
      <td data-label="Failed / skipped" class="num">
        {hasDeliveries(campaign) ? `${numbers.format(failed)} / ${numbers.format(skipped)}` : '—'}
      </td>
      {/* Opens and clicks are not tracked yet. */}
      <td data-label="Opens" class="num">
        —
      </td>
      <td data-label="Clicks" class="num">
        —
      </td>
    </tr>
  );
}

/** Marketing → Campaigns tab: the overview, then every campaign with its status, send time and results. */
export function CampaignsTab({ campaigns, timeZone, overview }: { campaigns: CampaignView[]; timeZone: string; overview: Child }) {
  return (
    <>
      <MarketingHeader current="campaigns" />
      {overview}
      {campaigns.length ? (
        <>
          <div class="tab-actions">
            <NewCampaignButton />
          </div>
          <table class="table stack-tablet campaigns-table">
            <caption>{`Times are in ${timeZone}, the workspace time zone.`}</caption>
            <TableHead
              columns={[
                'Name',
                'Status',
                'Send time',
                { label: 'Recipients', numeric: true },
                { label: 'Sent', numeric: true },
                { label: 'Failed / skipped', numeric: true },
                { label: 'Opens', numeric: true },
                { label: 'Clicks', numeric: true },
              ]}
            />
            <tbody>
              {campaigns.map((campaign) => (
                <CampaignRow campaign={campaign} timeZone={timeZone} />
              ))}
            </tbody>
          </table>
        </>
      ) : (
        <EmptyState title="No campaigns yet" action={<NewCampaignButton />}>
          <p>
            Campaigns are one-off emails to everyone, a segment or contacts matching rules, sent now or at a date and hour you choose. Each one will be listed here with its status, schedule,
            recipients and results.
          </p>
        </EmptyState>
      )}
    </>
  );
}
