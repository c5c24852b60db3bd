import { env } from 'cloudflare:workers';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { openDb } from '../../src/db/client';
import { ORDER_STATUSES } from '../../src/db/schema';
import { isPurchase, purchaseCondition, purchaseValueCents, purchaseValueSql } from '../../src/purchases/purchase-rule';

describe('the purchase rule', () => {
  it('counts paid, completed and shipped orders; placed (unpaid), failed, cancelled and refunded ones bought nothing', () => {
    const purchases = ORDER_STATUSES.filter((status) => isPurchase({ status, totalCents: 5000, refundedCents: 0 }));
    expect(purchases).toEqual(['paid', 'completed', 'shipped']);
  });

  it('takes a refund of the whole total as no purchase, whatever the status says', () => {
    expect(isPurchase({ status: 'paid', totalCents: 5000, refundedCents: 5000 })).toBe(false);
    expect(isPurchase({ status: 'shipped', totalCents: 5000, refundedCents: 6000 })).toBe(false);
    expect(purchaseValueCents({ status: 'completed', totalCents: 5000, refundedCents: 5000 })).toBe(0);
  });

  it('keeps a partly refunded order a purchase, worth what was not given back', () => {
    expect(isPurchase({ status: 'completed', totalCents: 5000, refundedCents: 1200 })).toBe(true);
    expect(purchaseValueCents({ status: 'completed', totalCents: 5000, refundedCents: 1200 })).toBe(3800);
    expect(purchaseValueCents({ status: 'failed', totalCents: 5000, refundedCents: 0 })).toBe(0);
  });

  it('counts a free order (a 100% discount) as a purchase until a refund is made', () => {
    expect(isPurchase({ status: 'paid', totalCents: 0, refundedCents: 0 })).toBe(true);
  });

  it('says the same in SQL as in TypeScript', async () => {
    const db = openDb(env.DB);
    for (const status of ORDER_STATUSES) {
      for (const [totalCents, refundedCents] of [
        [5000, 0],
        [5000, 1200],
        [5000, 5000],
        [5000, 7000],
        [0, 0],
      ] as const) {
        const order = { status: sql`${status}`, totalCents: sql`${totalCents}`, refundedCents: sql`${refundedCents}` };
        const row = await db.get<{ purchase: number; value: number }>(sql`SELECT ${purchaseCondition(order)} AS purchase, ${purchaseValueSql(order)} AS value`);
        const facts = { status, totalCents, refundedCents };
        expect({ purchase: Boolean(row.purchase), value: row.value }, JSON.stringify(facts)).toEqual({ purchase: isPurchase(facts), value: purchaseValueCents(facts) });
      }
    }
  });
});
