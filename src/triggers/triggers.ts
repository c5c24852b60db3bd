// Triggers: the one place flows subscribe to. Store events raise them now (orders,
// carts, prices, stock); contacts raise `contact_created`; time-based triggers
// (win-back, retention, birthday) are evaluated by cron and emitted the same way.
// Each occurrence has a key, so a redelivery or a second tick raises nothing new.
import { triggers, type TriggerKind } from '../db/schema';
import type { Tenant } from '../db/tenant';
import { newId } from '../lib/ids';

/** One trigger occurrence. `subjectId` is the order, cart, product or contact it is about. */
export type Trigger = {
  kind: TriggerKind;
  occurrenceKey: string;
  contactId: string | null;
  subjectId: string | null;
  data: Record<string, unknown>;
  occurredAt: number;
};

/** The insert statement of a trigger, to run in the same batch as the change that raised it. */
export function emitTrigger(tenant: Tenant, trigger: Trigger) {
  return tenant.db
    .insert(triggers)
    .values(tenant.row({ id: newId(trigger.occurredAt), ...trigger, data: JSON.stringify(trigger.data) }))
    .onConflictDoNothing();
}
