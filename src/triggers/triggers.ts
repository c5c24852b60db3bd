// Domain triggers raised by store events: the one place flows subscribe to.
// Each trigger has an occurrence key, so a redelivered event raises nothing new.
import { storeTriggers, type StoreTriggerKind } from '../db/schema';
import type { Tenant } from '../db/tenant';
import { newId } from '../lib/ids';

/** One trigger occurrence. `subjectId` is the order, cart or product it is about. */
export type StoreTrigger = {
  kind: StoreTriggerKind;
  occurrenceKey: string;
  contactId: string | null;
  subjectId: string | null;
  data: Record<string, unknown>;
  occurredAt: number;
};

/** The insert statement of a trigger, to run in the same batch as the change that raised it. */
export function emitStoreTrigger(tenant: Tenant, trigger: StoreTrigger) {
  return tenant.db
    .insert(storeTriggers)
    .values(tenant.row({ id: newId(trigger.occurredAt), ...trigger, data: JSON.stringify(trigger.data) }))
    .onConflictDoNothing();
}
