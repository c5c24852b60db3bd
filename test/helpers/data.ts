// Direct inserts of store data for tests that are about reading it (segments), not
// about how it arrives (webhooks have their own tests).
import { env } from 'cloudflare:workers';
import { newId } from '../../src/lib/ids';

let sequence = 0;

/** Inserts a contact; returns its id. Defaults: subscribed email, no orders. */
export async function insertContact(workspaceId: string, fields: Record<string, unknown> = {}): Promise<string> {
  sequence += 1;
  const now = Date.now();
  const row: Record<string, unknown> = {
    id: newId(now),
    workspace_id: workspaceId,
    email: `c${sequence}-${now}@example.com`,
    email_consent: 'subscribed',
    sms_consent: 'not_subscribed',
    registered: 0,
    total_spent_cents: 0,
    order_count: 0,
    created_at: now,
    updated_at: now,
    ...fields,
  };
  const columns = Object.keys(row);
  await env.DB.prepare(`INSERT INTO contacts (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`)
    .bind(...columns.map((column) => row[column] ?? null))
    .run();
  return row.id as string;
}

/** Tags a contact. */
export async function tagContact(workspaceId: string, contactId: string, ...tags: string[]): Promise<void> {
  await env.DB.batch(tags.map((tag) => env.DB.prepare('INSERT INTO contact_tags (workspace_id, contact_id, tag) VALUES (?, ?, ?)').bind(workspaceId, contactId, tag)));
}

/** Records an order with items for a contact. */
export async function insertOrder(workspaceId: string, contactId: string, order: { status?: string; placedAt: number; totalCents?: number; refundedCents?: number; skus?: string[] }): Promise<string> {
  const id = newId(order.placedAt);
  await env.DB.batch([
    env.DB.prepare(
      "INSERT INTO orders (id, workspace_id, contact_id, external_id, status, currency, total_cents, refunded_cents, placed_at, updated_at) VALUES (?, ?, ?, ?, ?, 'USD', ?, ?, ?, ?)",
    ).bind(id, workspaceId, contactId, `ext-${id}`, order.status ?? 'completed', order.totalCents ?? 1000, order.refundedCents ?? 0, order.placedAt, order.placedAt),
    ...(order.skus ?? []).map((sku) =>
      env.DB.prepare('INSERT INTO order_items (id, workspace_id, order_id, sku, title, quantity, unit_price_cents) VALUES (?, ?, ?, ?, ?, 1, 1000)').bind(newId(), workspaceId, id, sku, sku),
    ),
  ]);
  return id;
}

/** Opens a cart for a contact. */
export async function insertCart(workspaceId: string, contactId: string, status: 'open' | 'converted' = 'open'): Promise<void> {
  const now = Date.now();
  await env.DB.prepare("INSERT INTO carts (id, workspace_id, external_id, contact_id, status, currency, value_cents, items, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'USD', 1000, '[]', ?, ?)")
    .bind(newId(), workspaceId, `cart-${newId()}`, contactId, status, now, now)
    .run();
}
