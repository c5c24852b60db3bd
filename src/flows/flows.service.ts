// Flows as the merchant manages them: created from one of the six kinds with its
// starter design, edited (each edit a new version; contacts already in the flow finish
// the version they entered), switched on and off.
import { count, desc, eq, gte, sql } from 'drizzle-orm';
import { runBatch } from '../db/client';
import { type FlowKind, flowEnrollments, flows, flowVersions, type TriggerKind, triggers } from '../db/schema';
import type { Tenant } from '../db/tenant';
import { createEmailContent, getEmailContent } from '../email/email-contents.service';
import { AppError, invalidField, notFound } from '../lib/errors';
import { getSmsContent } from '../sms/sms-contents.service';
import { newId } from '../lib/ids';
import { defaultDefinition, FLOW_KIND_INFO, type FlowDefinition, isMessageStep, readDefinition } from './flow-definition';

/** A flow as pages and the API show it. `definition` is null when the stored one no longer parses. */
export type FlowView = {
  id: string;
  kind: FlowKind;
  name: string;
  version: number;
  definition: FlowDefinition | null;
  enabled: boolean;
  enabledAt: number | null;
  createdAt: number;
  updatedAt: number;
};

const flowColumns = {
  id: flows.id,
  kind: flows.kind,
  name: flows.name,
  version: flows.version,
  definition: flows.definition,
  enabled: flows.enabled,
  enabledAt: flows.enabledAt,
  createdAt: flows.createdAt,
  updatedAt: flows.updatedAt,
};

function toView(row: { definition: string } & Omit<FlowView, 'definition'>): FlowView {
  return { ...row, definition: readDefinition(row.definition) };
}

/** Every message step's design must be one of the workspace's, on the step's channel (a 400 naming the step otherwise). */
async function checkDesigns(tenant: Tenant, definition: FlowDefinition): Promise<void> {
  for (const [index, step] of definition.steps.entries()) {
    if (!isMessageStep(step)) continue;
    try {
      await (step.type === 'email' ? getEmailContent(tenant, step.contentId) : getSmsContent(tenant, step.contentId));
    } catch {
      throw invalidField(`definition.steps.${index}.contentId`, step.type === 'email' ? 'Choose one of your designs' : 'Choose one of your SMS messages');
    }
  }
}

function checkKind(kind: FlowKind, definition: FlowDefinition): void {
  if (definition.trigger.kind !== kind) {
    throw invalidField('definition.trigger.kind', `A ${FLOW_KIND_INFO[kind].name} flow keeps its trigger (${kind})`);
  }
}

/**
 * A new flow of `kind`, switched off. Without a definition it gets the kind's defaults and
 * a copy of the kind's starter design (`starter`: its subject, preheader and HTML).
 */
export async function createFlow(
  tenant: Tenant,
  input: { kind: FlowKind; name?: string | undefined; definition?: FlowDefinition | undefined },
  starter: { subject: string; preheader: string | null; html: string },
  now = Date.now(),
): Promise<FlowView> {
  const name = input.name ?? FLOW_KIND_INFO[input.kind].name;
  let definition = input.definition;
  if (definition) {
    checkKind(input.kind, definition);
    await checkDesigns(tenant, definition);
  } else {
    const design = await createEmailContent(tenant, { name: `${name}: message 1`, ...starter }, now);
    definition = defaultDefinition(input.kind, design.id);
  }
  const id = newId(now);
  const json = JSON.stringify(definition);
  await runBatch(tenant.db, [
    tenant.db.insert(flows).values(tenant.row({ id, kind: input.kind, name, version: 1, definition: json, enabled: false, createdAt: now, updatedAt: now })),
    tenant.db.insert(flowVersions).values(tenant.row({ flowId: id, version: 1, definition: json, createdAt: now })),
  ]);
  return getFlow(tenant, id);
}

/** The workspace's flows, newest first. */
export async function listFlows(tenant: Tenant): Promise<FlowView[]> {
  const rows = await tenant.db.select(flowColumns).from(flows).where(tenant.where(flows)).orderBy(desc(flows.createdAt)).limit(200);
  return rows.map(toView);
}

/** One flow; 404 for another workspace's. */
export async function getFlow(tenant: Tenant, id: string): Promise<FlowView> {
  const [row] = await tenant.db
    .select(flowColumns)
    .from(flows)
    .where(tenant.where(flows, eq(flows.id, id)))
    .limit(1);
  if (!row) throw notFound('Flow');
  return toView(row);
}

/** Renames or redefines a flow. A new definition is a new version: enrolled contacts go on with theirs. */
export async function updateFlow(tenant: Tenant, id: string, patch: { name?: string | undefined; definition?: FlowDefinition | undefined }, now = Date.now()): Promise<FlowView> {
  const flow = await getFlow(tenant, id);
  if (!patch.definition) {
    if (patch.name !== undefined)
      await tenant.db
        .update(flows)
        .set({ name: patch.name, updatedAt: now })
        .where(tenant.where(flows, eq(flows.id, id)));
    return getFlow(tenant, id);
  }
  const definition = patch.definition;
  checkKind(flow.kind, definition);
  await checkDesigns(tenant, definition);
  const json = JSON.stringify(definition);
  const version = flow.version + 1;
  // The version condition makes two concurrent edits one winner and one 409, never a lost version row.
  const [updated] = await tenant.db
    .update(flows)
    .set({ version, definition: json, updatedAt: now, ...(patch.name !== undefined ? { name: patch.name } : {}) })
    .where(tenant.where(flows, eq(flows.id, id), eq(flows.version, flow.version)))
    .returning({ id: flows.id });
  if (!updated) throw new AppError('conflict', 'The flow was changed meanwhile; reload it and edit again');
  await tenant.db
    .insert(flowVersions)
    .values(tenant.row({ flowId: id, version, definition: json, createdAt: now }))
    .onConflictDoNothing();
  return getFlow(tenant, id);
}

/**
 * Switches a flow on (it reads triggers from now on, not the past's) or off (contacts
 * waiting in it leave, so nothing more is sent; switching on again starts afresh).
 */
export async function setFlowEnabled(tenant: Tenant, id: string, enabled: boolean, now = Date.now()): Promise<FlowView> {
  const flow = await getFlow(tenant, id);
  if (flow.enabled === enabled) return flow;
  if (enabled) {
    if (!flow.definition) throw new AppError('conflict', 'This flow’s settings no longer load; save them again before switching it on');
    const [latest] = await tenant.db.select({ cursor: sql<number | null>`MAX(rowid)` }).from(triggers);
    await tenant.db
      .update(flows)
      .set({ enabled: true, enabledAt: now, triggerCursor: Number(latest?.cursor ?? 0), updatedAt: now })
      .where(tenant.where(flows, eq(flows.id, id)));
  } else {
    await runBatch(tenant.db, [
      tenant.db
        .update(flows)
        .set({ enabled: false, updatedAt: now })
        .where(tenant.where(flows, eq(flows.id, id))),
      tenant.db
        .update(flowEnrollments)
        .set({ status: 'exited', reason: 'The flow was switched off', nextRunAt: null, updatedAt: now })
        .where(tenant.where(flowEnrollments, eq(flowEnrollments.flowId, id), eq(flowEnrollments.status, 'active'))),
    ]);
  }
  return getFlow(tenant, id);
}

/** How many contacts are in the flow now, and how many entered since it was last switched on. */
export async function countEnrollments(tenant: Tenant, flow: FlowView): Promise<{ active: number; enteredSinceOn: number }> {
  const [row] = await tenant.db
    .select({
      active: count(sql`CASE WHEN ${flowEnrollments.status} = 'active' THEN 1 END`),
      enteredSinceOn: count(sql`CASE WHEN ${flowEnrollments.enrolledAt} >= ${flow.enabledAt ?? Number.MAX_SAFE_INTEGER} THEN 1 END`),
    })
    .from(flowEnrollments)
    .where(tenant.where(flowEnrollments, eq(flowEnrollments.flowId, flow.id)));
  return { active: row?.active ?? 0, enteredSinceOn: row?.enteredSinceOn ?? 0 };
}

/** The contacts waiting in a flow, next due first. */
export async function listWaitingContacts(tenant: Tenant, flowId: string, limit = 50) {
  return tenant.db
    .select({
      contactId: flowEnrollments.contactId,
      stepIndex: flowEnrollments.stepIndex,
      nextRunAt: flowEnrollments.nextRunAt,
      enrolledAt: flowEnrollments.enrolledAt,
      version: flowEnrollments.version,
    })
    .from(flowEnrollments)
    .where(tenant.where(flowEnrollments, eq(flowEnrollments.flowId, flowId), eq(flowEnrollments.status, 'active')))
    .orderBy(flowEnrollments.nextRunAt)
    .limit(limit);
}

/** Whether the flow's trigger fired since it was switched on (for "why nothing is sent"). */
export async function triggerFiredSince(tenant: Tenant, kind: TriggerKind, since: number): Promise<boolean> {
  const [row] = await tenant.db
    .select({ id: triggers.id })
    .from(triggers)
    .where(tenant.where(triggers, eq(triggers.kind, kind), gte(triggers.occurredAt, since)))
    .limit(1);
  return Boolean(row);
}
