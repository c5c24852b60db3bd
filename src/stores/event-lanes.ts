// How a queue batch of webhooks may be applied at once without changing what they do.
// Webhooks that touch the same customer, order or cart must run one after the other in
// arrival order (a later update must win, a refund must find its order); webhooks with
// nothing in common can run side by side. Catalog changes (products, inventory) are read
// by every order, cart and interest, so each runs alone, between the others, where it arrived.
import { normalizePhone } from '../contacts/contact-fields';
import { normalizeEmail } from '../lib/email-address';
import type { Person, StoreEvent } from './store-events';

/** Items that may run side by side (lanes), each lane in arrival order; the steps run one after another. */
export type LanePlan = number[][][];

/** What a webhook's events touch, as keys (null: a catalog change, which runs alone). */
export function touchedKeys(workspaceId: string, connectionId: string, events: StoreEvent[]): string[] | null {
  const keys: string[] = [];
  const of = (kind: string, id: string) => keys.push(JSON.stringify([workspaceId, kind, id]));
  const person = (who: Person | null) => {
    if (!who) return;
    const email = normalizeEmail(who.email);
    const phone = normalizePhone(who.phone, who.country);
    if (email) of('email', email);
    if (phone) of('phone', phone);
    if (who.externalId) of('customer', `${connectionId}:${who.externalId}`);
  };
  for (const event of events) {
    switch (event.kind) {
      case 'product':
      case 'inventory':
        return null;
      case 'order':
        person(event.person);
        of('order', `${connectionId}:${event.externalId}`);
        if (event.cartExternalId) of('cart', `${connectionId}:${event.cartExternalId}`);
        break;
      case 'refund':
        of('order', `${connectionId}:${event.orderExternalId}`);
        break;
      case 'cart':
        person(event.person);
        of('cart', `${connectionId}:${event.externalId}`);
        break;
      case 'customer':
      case 'interest':
      case 'consent':
        person(event.person);
        break;
    }
  }
  return keys;
}

/**
 * Plans items (by their touched keys, in arrival order) into steps: a run of items between
 * catalog changes is one step of lanes, items sharing any key (directly or through another
 * item) in the same lane; a catalog change is a step of its own.
 */
export function planLanes(items: (string[] | null)[]): LanePlan {
  const steps: LanePlan = [];
  let run: { index: number; keys: string[] }[] = [];
  const closeRun = () => {
    if (run.length) steps.push(lanesOf(run));
    run = [];
  };
  for (const [index, keys] of items.entries()) {
    if (keys) {
      run.push({ index, keys });
      continue;
    }
    closeRun();
    steps.push([[index]]);
  }
  closeRun();
  return steps;
}

/** Groups items sharing keys (union-find over the keys), each group in arrival order, groups by their first item. */
function lanesOf(run: { index: number; keys: string[] }[]): number[][] {
  const parent = run.map((_, i) => i);
  const root = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]!]!;
      i = parent[i]!;
    }
    return i;
  };
  const owner = new Map<string, number>();
  for (const [i, item] of run.entries()) {
    for (const key of item.keys) {
      const other = owner.get(key);
      if (other === undefined) owner.set(key, i);
      else parent[root(i)] = root(other);
    }
  }
  const lanes = new Map<number, number[]>();
  for (const [i, item] of run.entries()) {
    const lane = lanes.get(root(i)) ?? [];
    lane.push(item.index);
    lanes.set(root(i), lane);
  }
  return [...lanes.values()].sort((a, b) => a[0]! - b[0]!);
}
