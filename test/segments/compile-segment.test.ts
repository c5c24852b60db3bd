import { env } from 'cloudflare:workers';
import { SQLiteSyncDialect } from 'drizzle-orm/sqlite-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { openDb } from '../../src/db/client';
import { forWorkspace } from '../../src/db/tenant';
import { DAY } from '../../src/lib/time';
import { compileSegment } from '../../src/segments/compile-segment';
import { SegmentDefinition } from '../../src/segments/segment-definition';
import { countSegment, pageSegment } from '../../src/segments/segments.service';
import { insertCart, insertContact, insertOrder, tagContact } from '../helpers/data';
import { signUpMerchant } from '../helpers/factories';

const NOW = Date.UTC(2026, 5, 15, 12);
let ws: string;
let other: string;
const ids: Record<string, string> = {};

// A small world where each contact exists to sit on one side of a boundary.
beforeAll(async () => {
  ws = (await signUpMerchant('Segments')).workspaceId;
  other = (await signUpMerchant('Other')).workspaceId;
  ids.zero = await insertContact(ws, { total_spent_cents: 0, order_count: 0, created_at: NOW - 400 * DAY });
  ids.exactlyThirty = await insertContact(ws, { total_spent_cents: 10000, order_count: 1, last_order_at: NOW - 30 * DAY, first_order_at: NOW - 30 * DAY, created_at: NOW - 30 * DAY });
  ids.justOverThirty = await insertContact(ws, { total_spent_cents: 10001, order_count: 2, last_order_at: NOW - 30 * DAY - 1, first_order_at: NOW - 90 * DAY, registered: 1 });
  ids.bigSpender = await insertContact(ws, { total_spent_cents: 500000, order_count: 12, last_order_at: NOW - DAY, first_order_at: NOW - 700 * DAY, sms_consent: 'subscribed', registered: 1 });
  ids.unsubscribed = await insertContact(ws, { email_consent: 'unsubscribed', last_opened_at: NOW - 2 * DAY });
  ids.clicker = await insertContact(ws, { last_clicked_at: NOW - 10 * DAY });
  ids.otherWorkspace = await insertContact(other, { total_spent_cents: 999999, order_count: 50 });

  await tagContact(ws, ids.zero, 'vip', 'newsletter');
  await tagContact(ws, ids.bigSpender, 'vip');
  await tagContact(ws, ids.clicker, 'newsletter');
  await tagContact(other, ids.otherWorkspace, 'vip');

  await insertOrder(ws, ids.exactlyThirty, { placedAt: NOW - 30 * DAY, skus: ['MUG'] });
  await insertOrder(ws, ids.justOverThirty, { placedAt: NOW - 90 * DAY, skus: ['TEE'] });
  await insertOrder(ws, ids.justOverThirty, { placedAt: NOW - 30 * DAY - 1, skus: ['MUG'] });
  await insertOrder(ws, ids.bigSpender, { placedAt: NOW - DAY, skus: ['TEE'] });
  await insertOrder(ws, ids.unsubscribed, { placedAt: NOW - 5 * DAY, skus: ['MUG'], status: 'cancelled' });
  await insertOrder(other, ids.otherWorkspace, { placedAt: NOW - DAY, skus: ['MUG'] });

  await insertCart(ws, ids.clicker, 'open');
  await insertCart(ws, ids.bigSpender, 'converted');
});

async function members(children: unknown[], match: 'all' | 'any' = 'all'): Promise<string[]> {
  const definition = SegmentDefinition.parse({ match, children });
  const rows = await pageSegment(forWorkspace(openDb(env.DB), ws), definition, { limit: 100 }, NOW);
  const names = Object.entries(ids);
  return rows.map((row) => names.find(([, id]) => id === row.id)![0]).sort();
}

describe('compileSegment', () => {
  it('compares total spent and order count, boundaries included', async () => {
    expect(await members([{ field: 'totalSpent', op: 'gte', value: 10000 }])).toEqual(['bigSpender', 'exactlyThirty', 'justOverThirty']);
    expect(await members([{ field: 'totalSpent', op: 'gt', value: 10000 }])).toEqual(['bigSpender', 'justOverThirty']);
    expect(await members([{ field: 'totalSpent', op: 'lte', value: 0 }])).toEqual(['clicker', 'unsubscribed', 'zero']);
    expect(await members([{ field: 'totalSpent', op: 'lt', value: 10001 }])).toEqual(['clicker', 'exactlyThirty', 'unsubscribed', 'zero']);
    expect(await members([{ field: 'totalSpent', op: 'between', value: 10000, to: 10001 }])).toEqual(['exactlyThirty', 'justOverThirty']);
    expect(await members([{ field: 'orderCount', op: 'eq', value: 0 }])).toEqual(['clicker', 'unsubscribed', 'zero']);
    expect(await members([{ field: 'orderCount', op: 'gte', value: 2 }])).toEqual(['bigSpender', 'justOverThirty']);
  });

  it('treats "within N days" as including exactly N days ago, and "more than N days ago" as strictly before', async () => {
    expect(await members([{ field: 'lastPurchase', op: 'withinDays', days: 30 }])).toEqual(['bigSpender', 'exactlyThirty']);
    expect(await members([{ field: 'lastPurchase', op: 'moreThanDaysAgo', days: 30 }])).toEqual(['justOverThirty']);
    expect(await members([{ field: 'lastPurchase', op: 'never' }])).toEqual(['clicker', 'unsubscribed', 'zero']);
    expect(await members([{ field: 'firstPurchase', op: 'moreThanDaysAgo', days: 365 }])).toEqual(['bigSpender']);
    expect(await members([{ field: 'firstPurchase', op: 'between', from: NOW - 100 * DAY, to: NOW - 30 * DAY }])).toEqual(['justOverThirty']);
    expect(await members([{ field: 'createdAt', op: 'before', at: NOW - 100 * DAY }])).toEqual(['zero']);
  });

  it('matches tags: any, all and none', async () => {
    expect(await members([{ field: 'tags', op: 'hasAny', tags: ['vip', 'newsletter'] }])).toEqual(['bigSpender', 'clicker', 'zero']);
    expect(await members([{ field: 'tags', op: 'hasAll', tags: ['vip', 'newsletter'] }])).toEqual(['zero']);
    expect(await members([{ field: 'tags', op: 'hasNone', tags: ['vip'] }])).toEqual(['clicker', 'exactlyThirty', 'justOverThirty', 'unsubscribed']);
  });

  it('matches consent and registration', async () => {
    expect(await members([{ field: 'emailConsent', op: 'isNot', value: 'subscribed' }])).toEqual(['unsubscribed']);
    expect(await members([{ field: 'smsConsent', op: 'is', value: 'subscribed' }])).toEqual(['bigSpender']);
    expect(await members([{ field: 'registered', op: 'is', value: true }])).toEqual(['bigSpender', 'justOverThirty']);
  });

  it('matches purchases of SKUs, ever, within and not within N days; cancelled orders are not purchases', async () => {
    expect(await members([{ field: 'purchased', op: 'ever', skus: ['MUG'] }])).toEqual(['exactlyThirty', 'justOverThirty']);
    expect(await members([{ field: 'purchased', op: 'withinDays', days: 30, skus: ['MUG'] }])).toEqual(['exactlyThirty']);
    expect(await members([{ field: 'purchased', op: 'notWithinDays', days: 30, skus: ['MUG'] }])).toEqual(['bigSpender', 'clicker', 'justOverThirty', 'unsubscribed', 'zero']);
    expect(await members([{ field: 'purchased', op: 'never' }])).toEqual(['clicker', 'unsubscribed', 'zero']);
    expect(await members([{ field: 'purchased', op: 'withinDays', days: 7 }])).toEqual(['bigSpender']);
  });

  it('matches open carts and engagement', async () => {
    expect(await members([{ field: 'openCart', op: 'is', value: true }])).toEqual(['clicker']);
    expect(await members([{ field: 'engaged', op: 'withinDays', days: 7 }])).toEqual(['unsubscribed']);
    expect(await members([{ field: 'engaged', op: 'withinDays', days: 30, action: 'clicked' }])).toEqual(['clicker']);
    expect(await members([{ field: 'engaged', op: 'notWithinDays', days: 30 }])).toEqual(['bigSpender', 'exactlyThirty', 'justOverThirty', 'zero']);
  });

  it('nests groups of all and any', async () => {
    const vipOrRecent = {
      match: 'any',
      children: [
        { field: 'tags', op: 'hasAny', tags: ['vip'] },
        { field: 'lastPurchase', op: 'withinDays', days: 30 },
      ],
    };
    expect(await members([{ field: 'emailConsent', op: 'is', value: 'subscribed' }, vipOrRecent])).toEqual(['bigSpender', 'exactlyThirty', 'zero']);
    expect(await members([], 'all')).toHaveLength(6);
    expect(await members([], 'any')).toEqual([]);
  });

  it('never reaches another workspace', async () => {
    const tenant = forWorkspace(openDb(env.DB), ws);
    expect(await countSegment(tenant, SegmentDefinition.parse({ match: 'all', children: [{ field: 'totalSpent', op: 'gt', value: 900000 }] }), NOW)).toBe(0);
  });

  it('binds every value as a parameter, so hostile strings stay data', async () => {
    const hostile = "x' OR 1=1; DROP TABLE contacts; --";
    const definition = SegmentDefinition.parse({
      match: 'any',
      children: [
        { field: 'tags', op: 'hasAny', tags: [hostile] },
        { field: 'purchased', op: 'ever', skus: [hostile] },
      ],
    });
    const query = new SQLiteSyncDialect({ casing: 'snake_case' }).sqlToQuery(compileSegment(definition, { workspaceId: ws, now: NOW }));
    expect(query.sql).not.toContain('DROP');
    expect(query.params).toContain(hostile);
    expect(await members(definition.children)).toEqual([]);
    expect(await env.DB.prepare('SELECT count(*) AS n FROM contacts WHERE workspace_id = ?').bind(ws).first('n')).toBe(6);
  });
});

describe('SegmentDefinition', () => {
  it('names an unknown field and a bad operator', () => {
    const unknown = SegmentDefinition.safeParse({ match: 'all', children: [{ field: 'shoeSize', op: 'gt', value: 3 }] });
    expect(unknown.success).toBe(false);
    expect(unknown.error!.issues[0]).toMatchObject({ path: ['children', 0, 'field'], message: expect.stringContaining('Unknown field') });
    const badOp = SegmentDefinition.safeParse({ match: 'all', children: [{ field: 'totalSpent', op: 'approximately', value: 3 }] });
    expect(badOp.success).toBe(false);
    expect(badOp.error!.issues[0]!.path).toEqual(['children', 0, 'op']);
  });

  it('limits depth and size', () => {
    let deep: unknown = { field: 'registered', op: 'is', value: true };
    for (let i = 0; i < 5; i++) deep = { match: 'all', children: [deep] };
    expect(JSON.stringify(SegmentDefinition.safeParse(deep).error!.issues)).toContain('nest at most 4');
    const wide = { match: 'all', children: Array.from({ length: 41 }, () => ({ field: 'registered', op: 'is', value: true })) };
    expect(SegmentDefinition.safeParse(wide).success).toBe(false);
  });
});
