import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AppError } from '../../src/lib/errors';
import { parseOrThrow } from '../../src/lib/validation';

const Order = z.object({ id: z.string().min(1), total: z.number().int(), customer: z.object({ email: z.string().email() }) });

describe('parseOrThrow', () => {
  it('returns the parsed value', () => {
    expect(parseOrThrow(Order, { id: 'o1', total: 1200, customer: { email: 'ana@example.com' } })).toEqual({ id: 'o1', total: 1200, customer: { email: 'ana@example.com' } });
  });

  it('throws the domain error naming every bad field by its dotted path, with no HTTP in sight', () => {
    let thrown: unknown;
    try {
      parseOrThrow(Order, { id: '', total: 12.5, customer: { email: 'nope' } });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(AppError);
    const error = thrown as AppError;
    expect(error.code).toBe('invalid_input');
    expect(error.message).toBe('Invalid id, total, customer.email');
    expect(error.details.issues?.map((issue) => issue.path)).toEqual(['id', 'total', 'customer.email']);
  });

  it('names the whole body when the value is not an object at all', () => {
    expect(() => parseOrThrow(Order, 'text')).toThrow('Invalid (body)');
  });
});
