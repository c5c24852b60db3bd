// One error shape for the whole HTTP surface, rendered in one place (app.onError).
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { AppEnv } from '../env';
import { AppError, type ErrorCode, type FieldIssue } from '../lib/errors';

const STATUS_BY_CODE: Record<ErrorCode, ContentfulStatusCode> = {
  invalid_input: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  internal: 500,
};

/** The HTTP status for an error code. */
export function codeToStatus(code: ErrorCode): ContentfulStatusCode {
  return STATUS_BY_CODE[code];
}

/** The JSON body of every API error. */
export type ErrorBody = {
  error: { code: ErrorCode; message: string; requestId: string; issues?: FieldIssue[] };
};

/** Turns anything thrown into an AppError; unknown errors become a bare `internal`. */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  return new AppError('internal', 'Something went wrong on our side. Try again, and quote the request id if it persists.');
}

/** Builds the error body for a request. */
export function errorBody(c: Context<AppEnv>, err: AppError): ErrorBody {
  const { issues } = err.details;
  return {
    error: { code: err.code, message: err.message, requestId: c.get('requestId'), ...(issues ? { issues } : {}) },
  };
}

/** Logs an unexpected failure with the request id, so a 500 can be traced. */
export function logUnexpected(c: Context<AppEnv>, err: unknown): void {
  console.error(
    JSON.stringify({
      level: 'error',
      requestId: c.get('requestId'),
      method: c.req.method,
      path: c.req.path,
      error: err instanceof Error ? { name: err.name, message: err.message, stack: err.stack } : String(err),
    }),
  );
}

/** Sets headers that go with some errors (Retry-After on 429). */
export function applyErrorHeaders(c: Context<AppEnv>, err: AppError): void {
  if (err.details.retryAfterSeconds !== undefined) c.header('Retry-After', String(err.details.retryAfterSeconds));
}
