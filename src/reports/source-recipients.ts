// A campaign's or flow's recipients one by one: each delivery's status and reason, when
// it went out, the reader's first open and click, an unsubscribe through its link, and
// the orders credited to it. Keyset pages by delivery id (oldest first), narrowed by a
// filter; the CSV export walks the same pages.
import { and, asc, eq, gt, isNotNull, type SQL, sql } from 'drizzle-orm';
import { type ConsentChannel, contacts, type DeliverySource, type DeliveryStatus, deliveries, deliveryEngagements, orderAttributions } from '../db/schema';
import type { Tenant } from '../db/tenant';
import { keysetLimit, keysetPage } from '../lib/keyset-page';
import type { RecipientFilter, RecipientsQuery } from './reports.schemas';

/** One recipient of a campaign or flow. `orders` and `revenueCents` count credited orders still worth something. */
export type RecipientRow = {
  deliveryId: string;
  contactId: string;
  channel: ConsentChannel;
  // The contact's email or phone for the channel; null once the contact was erased.
  address: string | null;
  status: DeliveryStatus;
  reason: string | null;
  reasonCode: string | null;
  sentAt: number | null;
  openedAt: number | null;
  clickedAt: number | null;
  unsubscribedAt: number | null;
  orders: number;
  revenueCents: number;
  currency: string | null;
};

/** A keyset page of recipients; `nextCursor` is null on the last page. */
export type RecipientPage = { recipients: RecipientRow[]; nextCursor: string | null };

/** Most rows the CSV export writes, so one download stays a bounded number of queries. */
export const MAX_EXPORT_ROWS = 100_000;
const EXPORT_PAGE_SIZE = 500;

// Credited orders that still count (not refunded to nothing), as conversion-figures.ts counts them.
function creditedOrders(deliveryId: SQL | typeof deliveries.id) {
  return and(eq(orderAttributions.deliveryId, deliveryId), gt(orderAttributions.revenueCents, 0));
}

function filterCondition(filter: RecipientFilter | undefined): SQL | undefined {
  switch (filter) {
    case 'opened':
      return isNotNull(deliveryEngagements.openedAt);
    case 'clicked':
      return isNotNull(deliveryEngagements.clickedAt);
    case 'unsubscribed':
      return isNotNull(deliveryEngagements.unsubscribedAt);
    case 'failed':
      return eq(deliveries.status, 'failed');
    case 'skipped':
      return eq(deliveries.status, 'skipped');
    case 'converted':
      return sql`exists (SELECT 1 FROM ${orderAttributions} WHERE ${creditedOrders(deliveries.id)})`;
    case undefined:
      return undefined;
  }
}

async function readRecipients(tenant: Tenant, sourceType: DeliverySource, sourceId: string, filter: RecipientFilter | undefined, after: string | undefined, limit: number) {
  const credited = <T>(expression: SQL) => sql<T>`(SELECT ${expression} FROM ${orderAttributions} WHERE ${creditedOrders(deliveries.id)})`;
  return tenant.db
    .select({
      deliveryId: deliveries.id,
      contactId: deliveries.contactId,
      channel: deliveries.channel,
      email: contacts.email,
      phone: contacts.phone,
      status: deliveries.status,
      reason: deliveries.reason,
      reasonCode: deliveries.reasonCode,
      sentAt: deliveries.sentAt,
      openedAt: deliveryEngagements.openedAt,
      clickedAt: deliveryEngagements.clickedAt,
      unsubscribedAt: deliveryEngagements.unsubscribedAt,
      orders: credited<number>(sql`count(*)`),
      revenueCents: credited<number>(sql`coalesce(sum(${orderAttributions.revenueCents}), 0)`),
      currency: credited<string | null>(sql`min(${orderAttributions.currency})`),
    })
    .from(deliveries)
    .leftJoin(contacts, and(eq(contacts.workspaceId, deliveries.workspaceId), eq(contacts.id, deliveries.contactId)))
    .leftJoin(deliveryEngagements, eq(deliveryEngagements.deliveryId, deliveries.id))
    .where(tenant.where(deliveries, eq(deliveries.sourceType, sourceType), eq(deliveries.sourceId, sourceId), filterCondition(filter), after ? gt(deliveries.id, after) : undefined))
    .orderBy(asc(deliveries.id))
    .limit(limit);
}

function toRecipientRow({ email, phone, currency, ...row }: Awaited<ReturnType<typeof readRecipients>>[number]): RecipientRow {
  return { ...row, address: row.channel === 'sms' ? phone : email, currency: row.orders ? currency : null };
}

/** One page of a source's recipients, narrowed by the query's filter. The caller checks the source is the workspace's. */
export async function listSourceRecipients(tenant: Tenant, sourceType: DeliverySource, sourceId: string, query: RecipientsQuery): Promise<RecipientPage> {
  const rows = await readRecipients(tenant, sourceType, sourceId, query.filter, query.cursor, keysetLimit(query.limit));
  const page = keysetPage(rows, query.limit, (row) => row.deliveryId);
  return { recipients: page.rows.map(toRecipientRow), nextCursor: page.nextCursor };
}

/** Every recipient the filter keeps (up to MAX_EXPORT_ROWS), a page at a time, for a streamed export. */
export async function* walkSourceRecipients(tenant: Tenant, sourceType: DeliverySource, sourceId: string, filter: RecipientFilter | undefined): AsyncGenerator<RecipientRow[]> {
  let after: string | undefined;
  for (let written = 0; written < MAX_EXPORT_ROWS; written += EXPORT_PAGE_SIZE) {
    const rows = await readRecipients(tenant, sourceType, sourceId, filter, after, EXPORT_PAGE_SIZE);
    if (rows.length) yield rows.map(toRecipientRow);
    if (rows.length < EXPORT_PAGE_SIZE) return;
    after = rows.at(-1)?.deliveryId;
  }
}
