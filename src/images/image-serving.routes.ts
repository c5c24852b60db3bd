// GET /i/<key> (mounted at the root): an uploaded image, for recipients' mail clients and
// the dashboard alike, with no session. Only names the bucket holds under our key shape
// are looked up; the type served is the one read from the bytes at upload.
import { Hono } from 'hono';
import type { AppEnv } from '../env';
import { AppError } from '../lib/errors';
import { IMAGE_KEY } from './images.service';

const unknownImage = () => new AppError('not_found', 'No such image.');

export const imageServingRoutes = new Hono<AppEnv>().get('/i/:key', async (c) => {
  const key = c.req.param('key');
  if (!IMAGE_KEY.test(key)) throw unknownImage();
  // With the request's If-None-Match, a client that has the image gets a 304 and no body.
  const object = await c.env.IMAGES.get(key, { onlyIf: c.req.raw.headers });
  if (!object) throw unknownImage();
  const headers = new Headers();
  object.writeHttpMetadata(headers);
  headers.set('ETag', object.httpEtag);
  // A key is never reused for other bytes, so any cache may keep it for good.
  headers.set('Cache-Control', 'public, max-age=31536000, immutable');
  headers.set('X-Content-Type-Options', 'nosniff');
  headers.set('Content-Security-Policy', "default-src 'none'; sandbox");
  headers.set('Cross-Origin-Resource-Policy', 'cross-origin');
  if (!('body' in object)) return new Response(null, { status: 304, headers });
  headers.set('Content-Length', String(object.size));
  return new Response(object.body, { status: 200, headers });
});
