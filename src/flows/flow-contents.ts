// A design or SMS message that a flow sends cannot be deleted: flows name their messages
// inside their JSON steps, where no foreign key guards them, and a contact waiting on a
// step would reach a message that is gone. Checked by the delete routes of designs and
// SMS messages (flows already depend on those areas, so the check lives here).
import { and, eq, sql } from 'drizzle-orm';
import { flowEnrollments, flows, flowVersions } from '../db/schema';
import type { Tenant } from '../db/tenant';
import { AppError } from '../lib/errors';

/** Throws `conflict` naming the flow when its current steps, or a version contacts are still on, send `contentId`. */
export async function refuseIfFlowsSend(tenant: Tenant, contentId: string, what: 'design' | 'message'): Promise<void> {
  const sends = (definition: typeof flows.definition | typeof flowVersions.definition) => sql`instr(${definition}, ${`"contentId":${JSON.stringify(contentId)}`}) > 0`;
  const [current] = await tenant.db
    .select({ name: flows.name })
    .from(flows)
    .where(tenant.where(flows, sends(flows.definition)))
    .limit(1);
  const [waiting] = current
    ? []
    : await tenant.db
        .select({ name: flows.name })
        .from(flowVersions)
        .innerJoin(flows, eq(flows.id, flowVersions.flowId))
        .where(
          tenant.where(
            flowVersions,
            sends(flowVersions.definition),
            sql`EXISTS (SELECT 1 FROM ${flowEnrollments} WHERE ${and(
              eq(flowEnrollments.workspaceId, tenant.workspaceId),
              eq(flowEnrollments.flowId, flowVersions.flowId),
              eq(flowEnrollments.version, flowVersions.version),
              eq(flowEnrollments.status, 'active'),
            )})`,
          ),
        )
        .limit(1);
  const flow = current ?? waiting;
  if (!flow) return;
  const reason = current ? 'one of its steps sends it' : 'contacts are still waiting on an earlier version of its steps that sends it';
  throw new AppError('conflict', `This ${what} is used by the flow "${flow.name}" (${reason}), so it cannot be deleted. Change the flow's steps first.`);
}
