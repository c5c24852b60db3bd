// Turning validation failures into per-field messages for re-rendered forms.
import { AppError } from '../lib/errors';
import type { FormErrors } from './components';
import { readFormBody } from '../http/form-body';

/** The field errors of an `invalid_input` error; rethrows anything else. */
export function formErrorsOf(err: unknown): FormErrors {
  if (!(err instanceof AppError) || err.code !== 'invalid_input') throw err;
  const errors: FormErrors = {};
  for (const issue of err.details.issues ?? [{ path: 'form', message: err.message }]) errors[issue.path] ??= issue.message;
  return errors;
}

/** A submitted form as plain strings (files and repeated fields are not used here). */
export async function readForm(c: { req: { parseBody(): Promise<Record<string, string | File>> } }): Promise<Record<string, string>> {
  const body = await readFormBody(() => c.req.parseBody());
  return Object.fromEntries(Object.entries(body).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}
