// Reading untrusted input through a zod schema, for any caller: routes, store adapters,
// queue consumers. Failures are the domain's AppError, which the HTTP layer renders as a 400.
import type { z } from 'zod';
import { AppError, type FieldIssue } from './errors';

/** Converts zod issues into `{ path, message }` pairs with dotted paths. */
function toFieldIssues(error: z.ZodError): FieldIssue[] {
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
