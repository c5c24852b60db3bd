// The one error type of the domain. It carries a code, never an HTTP status:
// domain code also runs in queue consumers and cron, and the HTTP layer maps codes.

export const ERROR_CODES = ['invalid_input', 'unauthorized', 'forbidden', 'not_found', 'conflict', 'payload_too_large', 'unsupported_media_type', 'rate_limited', 'internal'] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** A problem found in one field of the input. */
export type FieldIssue = { path: string; message: string };

/** An expected failure with a stable code and a message safe to show to the caller. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: { issues?: FieldIssue[]; retryAfterSeconds?: number } = {},
  ) {
    super(message);
    this.name = 'AppError';
  }
}

/** Shorthand for the common 404: the thing does not exist in this workspace. */
export function notFound(what: string): AppError {
  return new AppError('not_found', `${what} not found`);
}

/** Shorthand for a 400 about one field: `message` under its path, `summary` (default the same) as the error's. */
export function invalidField(path: string, message: string, summary = message): AppError {
  return new AppError('invalid_input', summary, { issues: [{ path, message }] });
}
