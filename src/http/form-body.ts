// Reading a form body (urlencoded or multipart) that may be malformed: the runtime's parser
// throws a TypeError for a broken multipart body (a part header with a raw line break, a
// missing boundary), which is the sender's fault, so it is a 400, never a 500.
import { AppError } from '../lib/errors';

/** The result of `read` (c.req.parseBody or c.req.formData); 400 naming `form` when the body cannot be parsed. */
export async function readFormBody<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (err) {
    if (!(err instanceof TypeError)) throw err;
    throw new AppError('invalid_input', 'The form could not be read: its body is not valid form data.', { issues: [{ path: 'form', message: 'Not valid form data.' }] });
  }
}
