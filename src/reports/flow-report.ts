// A flow's report and log: the source queries of this folder for one flow of the
// workspace (404 for another workspace's id). Figures are all-time: they are read from
// the flow's deliveries, which outlive edits of its steps and rules.
import { and, count, desc, eq, gt, sql } from 'drizzle-orm';
import { deliveries, deliveryEngagements, flowVersions, orderAttributions } from '../db/schema';
import type { Tenant } from '../db/tenant';
import { RULE_KEY, readDefinition } from '../flows/flow-definition';
import { type FlowView, getFlow } from '../flows/flows.service';
import type { ConversionFigures } from '../tracking/conversion-figures';
import { recentWeeks, readWeeklyActivity, type WeekActivity } from './marketing-overview';
import type { DayRange, LogsQuery } from './reports.schemas';
import { listSourceLogs, type LogPage, walkSourceLogs } from './source-logs';
import { readSourceReport, type SourceReport } from './source-report';

// Weeks the flow page's chart shows.
export const FLOW_CHART_WEEKS = 12;

/** A flow's report (see source-report.ts for what each figure counts), its weekly activity, and a retention flow's figures per rule. */
export async function getFlowReport(tenant: Tenant, id: string, now = Date.now()): Promise<{ report: SourceReport; weeks: WeekActivity[]; rules: RuleFigures[] }> {
  const flow = await getFlow(tenant, id);
  const [report, weeks, rules] = await Promise.all([
    readSourceReport(tenant, 'flow', id, null),
    readWeeklyActivity(tenant, recentWeeks(now, FLOW_CHART_WEEKS), { type: 'flow', id }),
    flow.kind === 'retention' ? readRuleFigures(tenant, flow) : [],
  ]);
  return { report, weeks, rules };
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

/** One retention rule's all-time figures; `current`: still one of the flow's rules (a deleted one keeps its figures). */
export type RuleFigures = { ruleId: string; name: string; current: boolean; pending: number; sent: number; opens: number; clicks: number; conversions: ConversionFigures };

// Versions read to name deleted rules (the newest first); older names show as the rule's id.
const RULE_NAME_VERSIONS = 200;

/** Each retention rule's figures, current rules first: read from the deliveries' occurrence keys, which name the rule. */
export async function readRuleFigures(tenant: Tenant, flow: FlowView): Promise<RuleFigures[]> {
  const ruleOf = sql<string>`substr(${deliveries.occurrenceKey}, instr(${deliveries.occurrenceKey}, ${RULE_KEY}) + ${RULE_KEY.length})`;
  const ofFlow = tenant.where(deliveries, eq(deliveries.sourceType, 'flow'), eq(deliveries.sourceId, flow.id), sql`instr(${deliveries.occurrenceKey}, ${RULE_KEY}) > 0`);
  const [counts, revenue, versions] = await Promise.all([
    tenant.db
      .select({
        ruleId: ruleOf,
        pending: sql<number>`count(CASE WHEN ${deliveries.status} IN ('queued', 'sending') THEN 1 END)`,
        sent: sql<number>`count(CASE WHEN ${deliveries.status} = 'sent' THEN 1 END)`,
        opens: count(deliveryEngagements.openedAt),
        clicks: count(deliveryEngagements.clickedAt),
      })
      .from(deliveries)
      .leftJoin(deliveryEngagements, eq(deliveryEngagements.deliveryId, deliveries.id))
      .where(ofFlow)
      .groupBy(ruleOf),
    tenant.db
      .select({ ruleId: ruleOf, currency: orderAttributions.currency, orders: count(), cents: sql<number>`sum(${orderAttributions.revenueCents})` })
      .from(orderAttributions)
      .innerJoin(deliveries, eq(deliveries.id, orderAttributions.deliveryId))
      .where(and(ofFlow, gt(orderAttributions.revenueCents, 0)))
      .groupBy(ruleOf, orderAttributions.currency),
    tenant.db
      .select({ definition: flowVersions.definition })
      .from(flowVersions)
      .where(tenant.where(flowVersions, eq(flowVersions.flowId, flow.id)))
      .orderBy(desc(flowVersions.version))
      .limit(RULE_NAME_VERSIONS),
  ]);
  const names = new Map<string, string>();
  for (const { definition } of versions) {
    const trigger = readDefinition(definition)?.trigger;
    if (trigger?.kind === 'retention') for (const rule of trigger.rules) if (!names.has(rule.id)) names.set(rule.id, rule.name);
  }
  const current = flow.definition?.trigger.kind === 'retention' ? flow.definition.trigger.rules.map((rule) => rule.id) : [];
  const figures = new Map<string, RuleFigures>();
  const entry = (ruleId: string) => {
    let found = figures.get(ruleId);
    if (!found) {
      found = { ruleId, name: names.get(ruleId) ?? ruleId, current: current.includes(ruleId), pending: 0, sent: 0, opens: 0, clicks: 0, conversions: { conversions: 0, revenue: [] } };
      figures.set(ruleId, found);
    }
    return found;
  };
  for (const ruleId of current) entry(ruleId);
  for (const row of counts) Object.assign(entry(row.ruleId), { pending: row.pending, sent: row.sent, opens: row.opens, clicks: row.clicks });
  for (const row of revenue) {
    const { conversions } = entry(row.ruleId);
    conversions.conversions += row.orders;
    conversions.revenue.push({ currency: row.currency, cents: row.cents });
  }
  return [...figures.values()].sort((a, b) => Number(b.current) - Number(a.current) || current.indexOf(a.ruleId) - current.indexOf(b.ruleId));
}
