// The demo seed runs through the domain code on real D1: these are the numbers the
// README and the banner promise, and the ones the product computes from the orders.
import { env } from 'cloudflare:workers';
import { count, eq, sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { logIn } from '../../src/accounts/accounts.service';
import { listCampaigns } from '../../src/campaigns/campaigns.service';
import { openDb } from '../../src/db/client';
import {
  campaigns,
  carts,
  consentChanges,
  contacts,
  deliveries,
  deliveryEngagements,
  inboundEvents,
  memberships,
  orders,
  products,
  segments,
  storeConnections,
  suppressions,
  triggers,
  users,
} from '../../src/db/schema';
import { forWorkspace } from '../../src/db/tenant';
import { buildDemoPlan } from '../../src/demo/demo-data';
import { DEMO_EMAIL, DEMO_PASSWORD, seedDemo } from '../../src/demo/demo-seed';
import { isPurchase, purchaseValueCents } from '../../src/purchases/purchase-rule';
import { countSegment, listSegments } from '../../src/segments/segments.service';
import { listFlows } from '../../src/flows/flows.service';
import { getCampaignReport } from '../../src/reports/campaign-report';
import { getFlowReport } from '../../src/reports/flow-report';

const db = openDb(env.DB);
const now = Date.UTC(2026, 10, 12, 15, 30);
let workspaceId: string;
let userId: string;

beforeAll(async () => {
  const first = await seedDemo(env, now);
  if (!first.seeded) throw new Error('the demo user existed before the seed ran');
  workspaceId = first.workspaceId;
  userId = first.userId;
}, 300_000);

describe('seedDemo', () => {
  it('creates the demo merchant, verified, who can log in to Demo Outfitters', async () => {
    const [user] = await db.select().from(users).where(eq(users.email, DEMO_EMAIL));
    expect(user?.emailVerifiedAt).toBeTypeOf('number');
    const signedIn = await logIn(db, { email: DEMO_EMAIL, password: DEMO_PASSWORD }, '203.0.113.9', now);
    expect(signedIn.workspaceId).toBe(workspaceId);
  });

  it('writes 300 contacts, 30 products and 600 orders, each contact raising contact_created', async () => {
    const tenant = forWorkspace(db, workspaceId);
    const n = async (table: typeof contacts | typeof products | typeof orders) => (await tenant.db.select({ n: count() }).from(table).where(tenant.where(table)))[0]!.n;
    expect(await n(contacts)).toBe(300);
    expect(await n(products)).toBe(30);
    expect(await n(orders)).toBe(600);
    const [created] = await tenant.db
      .select({ n: count() })
      .from(triggers)
      .where(tenant.where(triggers, eq(triggers.kind, 'contact_created')));
    expect(created!.n).toBe(300);
  });

  it("keeps every contact's spend, order count and last order consistent with its orders", async () => {
    const tenant = forWorkspace(db, workspaceId);
    const orderRows = await tenant.db.select().from(orders).where(tenant.where(orders));
    const expected = new Map<string, { spent: number; count: number; last: number }>();
    for (const order of orderRows) {
      if (!order.contactId || !isPurchase(order)) continue;
      const sum = expected.get(order.contactId) ?? { spent: 0, count: 0, last: 0 };
      expected.set(order.contactId, { spent: sum.spent + purchaseValueCents(order), count: sum.count + 1, last: Math.max(sum.last, order.placedAt) });
    }
    const contactRows = await tenant.db.select().from(contacts).where(tenant.where(contacts));
    const buyers = contactRows.filter((contact) => contact.orderCount > 0);
    expect(buyers.length).toBe(expected.size);
    expect(buyers.length).toBeGreaterThan(150);
    for (const contact of contactRows) {
      const want = expected.get(contact.id) ?? { spent: 0, count: 0, last: null };
      expect({ spent: contact.totalSpentCents, count: contact.orderCount, last: contact.lastOrderAt }).toEqual({ spent: want.spent, count: want.count, last: want.last });
    }
    // Refunds went through the refund path: refunded orders carry their refund, and count for nothing.
    const refunded = orderRows.filter((order) => order.status === 'refunded');
    expect(refunded.length).toBeGreaterThan(0);
    for (const order of refunded) expect(order.refundedCents).toBe(order.totalCents);
    // Partial refunds keep the purchase, worth less; failed and unpaid orders bought nothing.
    const partly = orderRows.filter((order) => order.refundedCents > 0 && order.refundedCents < order.totalCents);
    expect(partly.length).toBeGreaterThan(0);
    for (const order of partly) expect(isPurchase(order)).toBe(true);
    for (const status of ['failed', 'placed'] as const) expect(orderRows.filter((order) => order.status === status).length, status).toBeGreaterThan(0);
  });

  it('records consent as the product does: unsubscribes in the history and suppressed', async () => {
    const tenant = forWorkspace(db, workspaceId);
    const [unsubscribed] = await tenant.db
      .select({ n: count() })
      .from(contacts)
      .where(tenant.where(contacts, eq(contacts.emailConsent, 'unsubscribed')));
    expect(unsubscribed!.n).toBeGreaterThan(0);
    const [changes] = await tenant.db
      .select({ n: count() })
      .from(consentChanges)
      .where(tenant.where(consentChanges, eq(consentChanges.channel, 'email'), eq(consentChanges.status, 'unsubscribed')));
    expect(changes!.n).toBe(unsubscribed!.n);
    const [suppressed] = await tenant.db.select({ n: count() }).from(suppressions).where(tenant.where(suppressions));
    expect(suppressed!.n).toBe(unsubscribed!.n);
  });

  it('gives the store connection a received webhook and its open checkouts', async () => {
    const tenant = forWorkspace(db, workspaceId);
    const [connection] = await tenant.db.select().from(storeConnections).where(tenant.where(storeConnections));
    expect(connection?.lastEventAt).toBeTypeOf('number');
    const [event] = await tenant.db.select().from(inboundEvents).where(tenant.where(inboundEvents));
    expect(event?.status).toBe('processed');
    const [open] = await tenant.db
      .select({ n: count() })
      .from(carts)
      .where(tenant.where(carts, eq(carts.status, 'open')));
    expect(open!.n).toBe(12);
  });

  it('saves three segments, each with members', async () => {
    const tenant = forWorkspace(db, workspaceId);
    const segments = await listSegments(tenant);
    expect(segments.map((segment) => segment.name).sort()).toEqual(['Big spenders', 'Lapsed buyers', 'VIP customers']);
    for (const segment of segments) expect(await countSegment(tenant, segment.definition, now), segment.name).toBeGreaterThan(0);
  });

  it('builds a draft and a newsletter scheduled for Monday 09:00 London time', async () => {
    const campaigns = await listCampaigns(forWorkspace(db, workspaceId));
    expect(campaigns.map((campaign) => [campaign.name, campaign.status]).sort()).toEqual([
      ['Autumn sale', 'sent'],
      ['VIP early access', 'draft'],
      ['Winter newsletter', 'scheduled'],
    ]);
    const scheduled = campaigns.find((campaign) => campaign.status === 'scheduled')!;
    // 12 November 2026 is a Thursday; London is on GMT then.
    expect(scheduled.scheduledAt).toBe(Date.UTC(2026, 10, 16, 9, 0));
  });

  it('shows a real report for the sent campaign: opens, clicks apart from machine opens, and credited orders', async () => {
    const tenant = forWorkspace(db, workspaceId);
    const sent = (await listCampaigns(tenant)).find((campaign) => campaign.status === 'sent')!;
    const { report } = await getCampaignReport(tenant, sent.id);
    expect(report.deliveries.delivered).toBe(sent.progress.sent);
    expect(report.deliveries.delivered).toBeGreaterThan(50);
    expect(report.engagement.uniqueOpens).toBeGreaterThan(0);
    expect(report.engagement.uniqueClicks).toBeGreaterThan(0);
    expect(report.engagement.machineOpens).toBeGreaterThan(0);
    expect(report.links.length).toBeGreaterThan(0);
    expect(report.conversions.conversions).toBeGreaterThan(0);
    // The figures are the raw rows'.
    const [raw] = await tenant.db
      .select({ opened: count(deliveryEngagements.openedAt), clicked: count(deliveryEngagements.clickedAt) })
      .from(deliveryEngagements)
      .innerJoin(deliveries, eq(deliveries.id, deliveryEngagements.deliveryId))
      .where(tenant.where(deliveries, eq(deliveries.sourceId, sent.id)));
    expect(report.engagement.uniqueOpens).toBe(raw!.opened);
    expect(report.engagement.uniqueClicks).toBe(raw!.clicked);
  });

  it('configures every kind of flow, Welcome and Abandoned cart on, Welcome with the messages it sent', async () => {
    const tenant = forWorkspace(db, workspaceId);
    const all = await listFlows(tenant);
    expect(all.map((flow) => flow.kind).sort()).toEqual(['abandoned_cart', 'back_in_stock', 'price_drop', 'retention', 'welcome', 'win_back']);
    expect(
      all
        .filter((flow) => flow.enabled)
        .map((flow) => flow.kind)
        .sort(),
    ).toEqual(['abandoned_cart', 'welcome']);
    const welcome = all.find((flow) => flow.kind === 'welcome')!;
    const { report, weeks } = await getFlowReport(tenant, welcome.id, now);
    expect(report.deliveries.delivered).toBeGreaterThan(0);
    expect(weeks.reduce((sum, week) => sum + week.sent, 0)).toBeGreaterThan(0);
  });

  it('is deterministic: the same plan for the same day', () => {
    expect(buildDemoPlan(now)).toEqual(buildDemoPlan(now));
  });

  it('changes nothing on a second run', async () => {
    const tenant = forWorkspace(db, workspaceId);
    // What a second seed would add to or change in: the accounts, and the demo workspace's tables.
    const snapshot = async () => ({
      users: (await db.select({ n: count() }).from(users).where(eq(users.email, DEMO_EMAIL)))[0]!.n,
      workspaces: (await db.select({ n: count() }).from(memberships).where(eq(memberships.userId, userId)))[0]!.n,
      ...Object.fromEntries(
        await Promise.all(
          Object.entries({ contacts, orders, consentChanges, triggers, carts, inboundEvents, segments, campaigns }).map(async ([name, table]) => {
            const [row] = await tenant.db.select({ n: count() }).from(table).where(tenant.where(table));
            return [name, row!.n];
          }),
        ),
      ),
      lastContactChange: (
        await tenant.db
          .select({ at: sql<number>`MAX(${contacts.updatedAt})` })
          .from(contacts)
          .where(tenant.where(contacts))
      )[0]!.at,
    });
    const before = await snapshot();
    expect(await seedDemo(env, now + 60_000)).toEqual({ seeded: false });
    expect(await snapshot()).toEqual(before);
  });
});
