// Spend and order count within a window of days, and NOT groups: boundaries, refunds,
// negation of unknown values, and the workspace a negation must never reach past.
import { env } from 'cloudflare:workers';
import { SQLiteSyncDialect } from 'drizzle-orm/sqlite-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { openDb } from '../../src/db/client';
import { contacts } from '../../src/db/schema';
import { forWorkspace } from '../../src/db/tenant';
import { DAY } from '../../src/lib/time';
import { compileSegment } from '../../src/segments/compile-segment';
import { SegmentDefinition } from '../../src/segments/segment-definition';
import { countSegment, pageSegment } from '../../src/segments/segments.service';
import { insertContact, insertOrder, tagContact } from '../helpers/data';
import { signUpMerchant } from '../helpers/factories';

const NOW = Date.UTC(2026, 5, 15, 12);
let ws: string;
let other: string;
const ids: Record<string, string> = {};

beforeAll(async () => {
  ws = (await signUpMerchant('Windows')).workspaceId;
  other = (await signUpMerchant('Windows other')).workspaceId;
  for (const name of ['atBoundary', 'pastBoundary', 'refunded', 'cancelled', 'twoRecent', 'none', 'bigVip']) ids[name] = await insertContact(ws);
  // Lifetime totals live on the contact; only this one has any, to tell them from windows.
  await env.DB.prepare('UPDATE contacts SET total_spent_cents = 15000, order_count = 1 WHERE id = ?').bind(ids.pastBoundary).run();
  await insertOrder(ws, ids.atBoundary!, { placedAt: NOW - 90 * DAY, totalCents: 15000 });
  await insertOrder(ws, ids.pastBoundary!, { placedAt: NOW - 90 * DAY - 1, totalCents: 15000 });
  // A partial refund lowers the value; a full refund and a cancellation leave nothing.
  await insertOrder(ws, ids.refunded!, { placedAt: NOW - 10 * DAY, totalCents: 20000, refundedCents: 15000 });
  await insertOrder(ws, ids.refunded!, { placedAt: NOW - 5 * DAY, totalCents: 30000, refundedCents: 30000 });
  await insertOrder(ws, ids.cancelled!, { placedAt: NOW - 3 * DAY, totalCents: 50000, status: 'cancelled' });
  await insertOrder(ws, ids.twoRecent!, { placedAt: NOW - DAY, totalCents: 6000 });
  await insertOrder(ws, ids.twoRecent!, { placedAt: NOW - 30 * DAY, totalCents: 6000 });
  await insertOrder(ws, ids.bigVip!, { placedAt: NOW - 2 * DAY, totalCents: 40000 });
  await tagContact(ws, ids.bigVip!, 'vip');

  ids.otherBuyer = await insertContact(other);
  ids.otherQuiet = await insertContact(other);
  await insertOrder(other, ids.otherBuyer, { placedAt: NOW - DAY, totalCents: 99999 });
  await tagContact(other, ids.otherBuyer, 'vip');
});

const tenant = () => forWorkspace(openDb(env.DB), ws);

async function members(children: unknown[], match: 'all' | 'any' = 'all'): Promise<string[]> {
  const definition = SegmentDefinition.parse({ match, children });
  const rows = await pageSegment(tenant(), definition, { limit: 100 }, NOW);
  const names = Object.entries(ids);
  // An id of no name here would be another workspace's contact: it shows up as undefined.
  return rows.map((row) => names.find(([, id]) => id === row.id)?.[0] ?? `foreign ${row.id}`).sort();
}

const spent = (op: string, value: number, withinDays: number, to?: number) => ({ field: 'totalSpent', op, value, withinDays, ...(to === undefined ? {} : { to }) });
const orderCount = (op: string, value: number, withinDays: number) => ({ field: 'orderCount', op, value, withinDays });
const vip = { field: 'tags', op: 'hasAny', tags: ['vip'] };
const not = (...children: unknown[]) => ({ match: 'all', not: true, children });

describe('spend and order count within a window', () => {
  it('counts purchases placed exactly N days before the moment of evaluation, not a millisecond earlier', async () => {
    expect(await members([spent('gt', 10000, 90)])).toEqual(['atBoundary', 'bigVip', 'twoRecent']);
    expect(await members([orderCount('gte', 2, 30)])).toEqual(['twoRecent']);
    expect(await members([orderCount('gte', 2, 29)])).toEqual([]);
    // The same rule a day later: the boundary order has left the window.
    const later = await pageSegment(tenant(), SegmentDefinition.parse({ match: 'all', children: [spent('gte', 15000, 90)] }), { limit: 100 }, NOW + DAY);
    expect(later.map((row) => row.id)).toEqual([ids.bigVip]);
  });

  it('sums as lifetime totals do: refunds subtract, fully refunded and cancelled orders count for nothing', async () => {
    expect(await members([spent('eq', 5000, 30)])).toEqual(['refunded']);
    expect(await members([orderCount('eq', 1, 30)])).toEqual(['bigVip', 'refunded']);
    expect(await members([orderCount('gte', 1, 7)])).toEqual(['bigVip', 'twoRecent']);
  });

  it('includes contacts with no purchase in the window when 0 meets the comparison', async () => {
    expect(await members([spent('lt', 10000, 90)])).toEqual(['cancelled', 'none', 'pastBoundary', 'refunded']);
    expect(await members([orderCount('eq', 0, 90)])).toEqual(['cancelled', 'none', 'pastBoundary']);
    expect(await members([spent('between', 0, 90, 5000)])).toEqual(['cancelled', 'none', 'pastBoundary', 'refunded']);
    expect(await members([spent('between', 1, 90, 5000)])).toEqual(['refunded']);
    expect(await members([orderCount('lte', 1, 3650)])).toEqual(['atBoundary', 'bigVip', 'cancelled', 'none', 'pastBoundary', 'refunded']);
  });

  it('leaves rules without a window on the lifetime totals', async () => {
    expect(await members([{ field: 'totalSpent', op: 'gt', value: 10000 }])).toEqual(['pastBoundary']);
  });

  it('reads the window through an index of orders, not a scan of them', async () => {
    const where = compileSegment(SegmentDefinition.parse({ match: 'all', children: [spent('gt', 10000, 90), not(orderCount('gte', 2, 30))] }), { workspaceId: ws, now: NOW });
    const query = new SQLiteSyncDialect({ casing: 'snake_case' }).sqlToQuery(openDb(env.DB).select({ id: contacts.id }).from(contacts).where(where).getSQL());
    const plan = await env.DB.prepare(`EXPLAIN QUERY PLAN ${query.sql}`)
      .bind(...query.params)
      .all<{ detail: string }>();
    const details = plan.results.map((row) => row.detail);
    const orderSteps = details.filter((detail) => /\borders\b/.test(detail));
    expect(orderSteps.length, details.join('\n')).toBeGreaterThan(0);
    for (const step of orderSteps) expect(step, details.join('\n')).toMatch(/USING (COVERING )?INDEX orders_/);
  });
});

describe('NOT groups', () => {
  it('excludes the contacts a group matches', async () => {
    expect(await members([spent('gt', 10000, 90), not(vip)])).toEqual(['atBoundary', 'twoRecent']);
    expect(await members([not({ match: 'any', children: [vip, orderCount('gte', 1, 7)] })])).toEqual(['atBoundary', 'cancelled', 'none', 'pastBoundary', 'refunded']);
  });

  it('negates nested NOT groups back to what they negate', async () => {
    expect(await members([not(not(vip))])).toEqual(['bigVip']);
    expect(await members([not(spent('gt', 10000, 90), not(vip))])).toEqual(['bigVip', 'cancelled', 'none', 'pastBoundary', 'refunded']);
  });

  it('reads a rule on a missing value as "no", so its negation is "yes"', async () => {
    // No contact here has a last purchase on record (NULL): none bought recently, so all did not.
    expect(await members([{ field: 'lastPurchase', op: 'withinDays', days: 30 }])).toEqual([]);
    expect(await members([not({ field: 'lastPurchase', op: 'withinDays', days: 30 })])).toHaveLength(7);
  });

  it('negates an empty group: NOT all-of-nothing matches no one, NOT any-of-nothing everyone in the workspace', async () => {
    expect(await members([not()])).toEqual([]);
    expect(await members([{ match: 'any', not: true, children: [] }])).toHaveLength(7);
  });

  it('never widens past the workspace: a rule and its negation split exactly its own contacts', async () => {
    const rules = [vip, spent('gt', 10000, 90), orderCount('eq', 0, 30), { field: 'lastPurchase', op: 'never' }, { field: 'purchased', op: 'ever' }, { match: 'any', children: [] }];
    for (const rule of rules) {
      const count = async (children: unknown[]) => countSegment(tenant(), SegmentDefinition.parse({ match: 'all', children }), NOW);
      expect((await count([rule])) + (await count([not(rule)])), JSON.stringify(rule)).toBe(7);
      expect((await members([not(rule)])).filter((name) => name.startsWith('foreign') || name.startsWith('other'))).toEqual([]);
    }
    // The root itself negated: still this workspace only.
    const everyoneElse = SegmentDefinition.parse({ match: 'any', not: true, children: [vip] });
    expect(await countSegment(tenant(), everyoneElse, NOW)).toBe(6);
    expect(await countSegment(forWorkspace(openDb(env.DB), other), everyoneElse, NOW)).toBe(1);
  });
});

describe('SegmentDefinition with windows and NOT groups', () => {
  it('still accepts definitions saved before either existed, unchanged', () => {
    const saved = [
      { match: 'all', children: [{ field: 'emailConsent', op: 'is', value: 'subscribed' }] },
      {
        match: 'all',
        children: [
          { field: 'totalSpent', op: 'between', value: 100, to: 200 },
          { match: 'any', children: [vip, { field: 'lastPurchase', op: 'never' }] },
        ],
      },
      {
        match: 'any',
        children: [
          { field: 'purchased', op: 'withinDays', days: 30, skus: ['MUG'] },
          { field: 'engaged', op: 'notWithinDays', days: 60, action: 'opened' },
        ],
      },
      { match: 'all', children: [] },
    ];
    for (const definition of saved) expect(SegmentDefinition.parse(definition)).toEqual(definition);
  });

  it('names a bad window and a bad NOT', () => {
    const zero = SegmentDefinition.safeParse({ match: 'all', children: [spent('gt', 100, 0)] });
    expect(zero.error!.issues[0]!.path).toEqual(['children', 0, 'withinDays']);
    const notText = SegmentDefinition.safeParse({ match: 'all', children: [{ match: 'all', not: 'yes', children: [] }] });
    expect(notText.error!.issues[0]!.path).toEqual(['children', 0, 'not']);
  });

  it('counts NOT groups against the depth and size limits', () => {
    let deep: unknown = vip;
    for (let i = 0; i < 4; i++) deep = not(deep);
    expect(SegmentDefinition.safeParse(deep).success).toBe(true);
    expect(JSON.stringify(SegmentDefinition.safeParse(not(deep)).error!.issues)).toContain('nest at most 4');
    expect(SegmentDefinition.safeParse(not(...Array.from({ length: 41 }, () => vip))).success).toBe(false);
  });
});
