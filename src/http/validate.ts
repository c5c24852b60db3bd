// Reads request input through a zod schema; failures become one 400 naming each field.
import type { ValidationTargets } from 'hono';
import { validator } from 'hono/validator';
import type { z } from 'zod';
import { AppError, type FieldIssue } from '../lib/errors';

/** Converts zod issues into `{ path, message }` pairs with dotted paths. */
export function toFieldIssues(error: z.ZodError): FieldIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path.length ? issue.path.join('.') : '(body)',
    message: issue.message,
  }));
}

/** Parses `value` or throws `invalid_input` listing every bad field. */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = toFieldIssues(result.error);
  const fields = [...new Set(issues.map((issue) => issue.path))].join(', ');
  throw new AppError('invalid_input', `Invalid ${fields}`, { issues });
}

/** Hono middleware validating one request target; read the result with `c.req.valid(target)`. */
export function validate<T extends keyof ValidationTargets, S extends z.ZodType>(target: T, schema: S) {
  return validator(target, (value, c) => {
    if (target === 'json' && !/^application\/([\w.-]+\+)?json/i.test(c.req.header('content-type') ?? '')) {
      throw new AppError('invalid_input', 'Send the body as JSON with Content-Type: application/json');
    }
    return parseOrThrow(schema, value) as z.infer<S>;
  });
}
