// Reads request input through a zod schema; failures become one 400 naming each field.
import type { ValidationTargets } from 'hono';
import { validator } from 'hono/validator';
import type { z } from 'zod';
import { AppError } from '../lib/errors';
import { parseOrThrow } from '../lib/validation';

// Routes that read a form or a query by hand parse it the same way as the middleware.
export { parseOrThrow };

/** Hono middleware validating one request target; read the result with `c.req.valid(target)`. */
export function validate<T extends keyof ValidationTargets, S extends z.ZodType>(target: T, schema: S) {
  return validator(target, (value, c) => {
    if (target === 'json' && !/^application\/([\w.-]+\+)?json/i.test(c.req.header('content-type') ?? '')) {
      throw new AppError('invalid_input', 'Send the body as JSON with Content-Type: application/json');
    }
    return parseOrThrow(schema, value) as z.infer<S>;
  });
}
