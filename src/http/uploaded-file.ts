// Reading an uploaded file from a request: one multipart field, `file`, as the dashboard's
// forms, the email editor and API clients send it (image uploads, for now).
import type { Context } from 'hono';
import type { AppEnv } from '../env';
import { AppError, invalidField } from '../lib/errors';
import { readFormBody } from './form-body';

/** The `file` field's name and bytes; 415 for a body that is not multipart, 400 naming `file` when it is missing. */
export async function readUploadedFile(c: Context<AppEnv>): Promise<{ name: string; bytes: Uint8Array }> {
  if (!(c.req.header('content-type') ?? '').toLowerCase().startsWith('multipart/form-data')) {
    throw new AppError('unsupported_media_type', 'Send the file as multipart/form-data, in a field named "file".', { issues: [{ path: 'file', message: 'Not a multipart upload.' }] });
  }
  const form = await readFormBody(() => c.req.parseBody());
  const file = form.file;
  if (!(file instanceof File)) throw invalidField('file', 'Choose a file to upload.');
  return { name: file.name, bytes: new Uint8Array(await file.arrayBuffer()) };
}
