// The first-run checklist: the five things a new workspace does before marketing runs by
// itself. Each item is worked out from the workspace's own data (one indexed look-up each,
// all in one batch), so it ticks itself when done and unticks if undone.
import { and, eq, inArray, isNotNull, sql } from 'drizzle-orm';
import { campaigns, contacts, flows, storeConnections, workspaceSettings } from '../db/schema';
import type { Tenant } from '../db/tenant';

export const CHECKLIST_ITEMS = ['store', 'sender', 'contacts', 'welcome', 'campaign'] as const;
export type ChecklistItem = (typeof CHECKLIST_ITEMS)[number];

/** The checklist's state: which items are done, and whether the merchant hid it. */
export type FirstRunChecklist = { done: Record<ChecklistItem, boolean>; doneCount: number; total: number; complete: boolean; hidden: boolean };

/** 1 when any row matches, else 0: stops at the first row. */
function anyRow(tenant: Tenant, table: Parameters<Tenant['where']>[0], ...conditions: Parameters<Tenant['where']>[1][]) {
  return tenant.db
    .select({ one: sql<number>`1` })
    .from(table)
    .where(tenant.where(table, ...conditions))
    .limit(1);
}

/** Reads the checklist for the tenant's workspace. */
export async function readFirstRunChecklist(tenant: Tenant): Promise<FirstRunChecklist> {
  const [store, sender, contact, welcome, campaign, settings] = await tenant.db.batch([
    anyRow(tenant, storeConnections),
    // Their own SMTP server: mail goes out from their domain, not the platform's.
    anyRow(tenant, workspaceSettings, isNotNull(workspaceSettings.smtpHost)),
    anyRow(tenant, contacts),
    anyRow(tenant, flows, and(eq(flows.kind, 'welcome'), eq(flows.enabled, true))),
    // Sent: it started going out (a scheduled one has not been sent yet).
    anyRow(tenant, campaigns, inArray(campaigns.status, ['sending', 'paused', 'sent'])),
    tenant.db.select({ hiddenAt: workspaceSettings.checklistHiddenAt }).from(workspaceSettings).where(tenant.where(workspaceSettings)).limit(1),
  ]);
  const done: Record<ChecklistItem, boolean> = {
    store: store.length > 0,
    sender: sender.length > 0,
    contacts: contact.length > 0,
    welcome: welcome.length > 0,
    campaign: campaign.length > 0,
  };
  const doneCount = CHECKLIST_ITEMS.filter((item) => done[item]).length;
  return { done, doneCount, total: CHECKLIST_ITEMS.length, complete: doneCount === CHECKLIST_ITEMS.length, hidden: settings[0]?.hiddenAt != null };
}

/** Hides the checklist (true) or shows it again (false). */
export async function setFirstRunChecklistHidden(tenant: Tenant, hidden: boolean, now = Date.now()): Promise<void> {
  await tenant.db
    .update(workspaceSettings)
    .set({ checklistHiddenAt: hidden ? now : null, updatedAt: now })
    .where(tenant.where(workspaceSettings));
}
