// A campaign's report, recipients and log: the source queries of this folder for one
// campaign of the workspace (404 for another workspace's id).
import { getCampaign } from '../campaigns/campaigns.service';
import type { Tenant } from '../db/tenant';
import type { DayRange, LogsQuery, RecipientFilter, RecipientsQuery } from './reports.schemas';
import { listSourceLogs, type LogPage, walkSourceLogs } from './source-logs';
import { listSourceRecipients, type RecipientPage, walkSourceRecipients } from './source-recipients';
import { readSourceReport, type SourceReport } from './source-report';

/** The campaign as its report names it. */
export type ReportedCampaign = { id: string; name: string; status: string; startedAt: number | null; finishedAt: number | null };

/** A campaign's report (see source-report.ts for what each figure counts). */
export async function getCampaignReport(tenant: Tenant, id: string): Promise<{ campaign: ReportedCampaign; report: SourceReport }> {
  const { name, status, startedAt, finishedAt } = await getCampaign(tenant, id);
  return { campaign: { id, name, status, startedAt, finishedAt }, report: await readSourceReport(tenant, 'campaign', id, startedAt) };
}

/** A page of the campaign's recipients. */
export async function listCampaignRecipients(tenant: Tenant, id: string, query: RecipientsQuery): Promise<RecipientPage> {
  await getCampaign(tenant, id);
  return listSourceRecipients(tenant, 'campaign', id, query);
}

/** The campaign's recipients for a CSV export, checked before the first byte goes out. */
export async function exportCampaignRecipients(tenant: Tenant, id: string, filter: RecipientFilter | undefined) {
  const campaign = await getCampaign(tenant, id);
  return { campaign, pages: walkSourceRecipients(tenant, 'campaign', id, filter) };
}

/** A page of the campaign's log for the days of `range`. */
export async function listCampaignLogs(tenant: Tenant, id: string, range: DayRange, page: Pick<LogsQuery, 'cursor' | 'limit'>): Promise<LogPage> {
  await getCampaign(tenant, id);
  return listSourceLogs(tenant, 'campaign', id, range, page);
}

/** The campaign's log for a CSV export, checked before the first byte goes out. */
export async function exportCampaignLogs(tenant: Tenant, id: string, range: DayRange) {
  const campaign = await getCampaign(tenant, id);
  return { campaign, pages: walkSourceLogs(tenant, 'campaign', id, range) };
}
