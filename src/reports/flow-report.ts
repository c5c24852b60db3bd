// A flow's report and log: the source queries of this folder for one flow of the
// workspace (404 for another workspace's id). Figures are all-time: they are read from
// the flow's deliveries, which outlive edits of its steps and rules.
import type { Tenant } from '../db/tenant';
import { getFlow } from '../flows/flows.service';
import { recentWeeks, readWeeklyActivity, type WeekActivity } from './marketing-overview';
import type { DayRange, LogsQuery } from './reports.schemas';
import { listSourceLogs, type LogPage, walkSourceLogs } from './source-logs';
import { readSourceReport, type SourceReport } from './source-report';

// Weeks the flow page's chart shows.
export const FLOW_CHART_WEEKS = 12;

/** A flow's report (see source-report.ts for what each figure counts) and its weekly activity. */
export async function getFlowReport(tenant: Tenant, id: string, now = Date.now()): Promise<{ report: SourceReport; weeks: WeekActivity[] }> {
  await getFlow(tenant, id);
  const [report, weeks] = await Promise.all([readSourceReport(tenant, 'flow', id, null), readWeeklyActivity(tenant, recentWeeks(now, FLOW_CHART_WEEKS), { type: 'flow', id })]);
  return { report, weeks };
}

/** A page of the flow's log for the days of `range`. */
export async function listFlowLogs(tenant: Tenant, id: string, range: DayRange, page: Pick<LogsQuery, 'cursor' | 'limit'>): Promise<LogPage> {
  await getFlow(tenant, id);
  return listSourceLogs(tenant, 'flow', id, range, page);
}

/** The flow's log for a CSV export, checked before the first byte goes out. */
export async function exportFlowLogs(tenant: Tenant, id: string, range: DayRange) {
  const flow = await getFlow(tenant, id);
  return { flow, pages: walkSourceLogs(tenant, 'flow', id, range) };
}
