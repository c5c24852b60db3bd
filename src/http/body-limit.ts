// Bounding a request body before anything reads it, with the 413 the API answers everywhere.
import { bodyLimit } from 'hono/body-limit';
import { AppError } from '../lib/errors';

/** Middleware refusing a body over `maxSize` bytes with `payload_too_large` and `message`. */
export function limitBody(maxSize: number, message: string) {
  return bodyLimit({
    maxSize,
    onError: () => {
      throw new AppError('payload_too_large', message);
    },
  });
}
