import { describe, expect, it } from 'vitest';
import { parseJsonKeepingBigIds, toMinorUnits } from '../../src/stores/payload-values';
import { compareProduct } from '../../src/stores/products.service';

describe('toMinorUnits', () => {
  it('reads decimal strings and numbers without floating-point error', () => {
    expect(toMinorUnits('19.99', 'USD')).toBe(1999);
    expect(toMinorUnits(0.1 + 0.2, 'USD')).toBe(30);
    expect(toMinorUnits('1.005', 'USD')).toBe(101);
    expect(toMinorUnits('-10.00', 'EUR')).toBe(-1000);
    expect(toMinorUnits(12, 'EUR')).toBe(1200);
    expect(toMinorUnits('.5', 'USD')).toBe(50);
  });

  it('follows the currency minor unit', () => {
    expect(toMinorUnits('1500', 'JPY')).toBe(1500);
    expect(toMinorUnits('1.234', 'KWD')).toBe(1234);
  });

  it('refuses what is not an amount, or more than 2^53 minor units (null)', () => {
    for (const amount of ['abc', '', '.', '-', '-.', '1,99', 'NaN', 'Infinity', '1e21', 1e21, 1.5e308, Number.POSITIVE_INFINITY, Number.NaN]) {
      expect(toMinorUnits(amount, 'USD'), String(amount)).toBeNull();
    }
    expect(toMinorUnits('90071992547409.91', 'USD')).toBe(Number.MAX_SAFE_INTEGER);
    expect(toMinorUnits('90071992547409.92', 'USD')).toBeNull();
    expect(toMinorUnits('9007199254740992', 'JPY')).toBeNull();
    expect(toMinorUnits(`${'9'.repeat(100_000)}.99`, 'USD')).toBeNull();
  });

  it('reads negative zero as zero and numbers below a minor unit as nothing', () => {
    expect(Object.is(toMinorUnits('-0.00', 'USD'), 0)).toBe(true);
    expect(Object.is(toMinorUnits(-0, 'USD'), 0)).toBe(true);
    expect(toMinorUnits(1e-7, 'USD')).toBe(0);
  });
});

describe('parseJsonKeepingBigIds', () => {
  it('keeps integers beyond 2^53 exactly as strings and leaves the rest alone', () => {
    const parsed = parseJsonKeepingBigIds('{"id":820982911946154508,"n":42,"price":19.99,"nested":[{"id":9007199254740993}]}');
    expect(parsed).toEqual({ id: '820982911946154508', n: 42, price: 19.99, nested: [{ id: '9007199254740993' }] });
  });
});

describe('compareProduct', () => {
  it('sees a price drop and a restock from zero, not a first sighting', () => {
    expect(compareProduct(null, { priceCents: 100, inventory: 5 })).toEqual({ priceDropped: false, restocked: false });
    expect(compareProduct({ priceCents: 200, inventory: 0 }, { priceCents: 150, inventory: 3 })).toEqual({ priceDropped: true, restocked: true });
    expect(compareProduct({ priceCents: 200, inventory: 2 }, { priceCents: 250, inventory: 5 })).toEqual({ priceDropped: false, restocked: false });
    expect(compareProduct({ priceCents: 200, inventory: null }, { priceCents: 200, inventory: 5 })).toEqual({ priceDropped: false, restocked: false });
  });

  it('sees a product first seen on sale (below its regular or compare-at price) as a price drop', () => {
    expect(compareProduct(null, { priceCents: 150, regularPriceCents: 200, inventory: 5 })).toEqual({ priceDropped: true, restocked: false });
    expect(compareProduct(null, { priceCents: 200, regularPriceCents: 200, inventory: 5 })).toEqual({ priceDropped: false, restocked: false });
    // A compare-at price below the price is no sale.
    expect(compareProduct(null, { priceCents: 200, regularPriceCents: 150, inventory: 5 })).toEqual({ priceDropped: false, restocked: false });
    // Once known, only a lower price than the stored one is a drop: the sale was seen already.
    expect(compareProduct({ priceCents: 150, inventory: 5 }, { priceCents: 150, regularPriceCents: 200, inventory: 5 })).toEqual({ priceDropped: false, restocked: false });
  });
});
