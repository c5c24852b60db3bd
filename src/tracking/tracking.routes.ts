// The recipients' endpoints: the open pixel (/o/<token>) and the click redirect
// (/c/<token>). Both answer from the token alone (no D1) and count the hit off the
// response path, in the campaign's or flow's CampaignTracker.
import { type Context, Hono } from 'hono';
import type { AppEnv } from '../env';
import { fromBase64Url } from '../lib/encoding';
import { AppError } from '../lib/errors';
import type { RequestOrigin } from './machine-engagement';
import { recordTrackingHit } from './record-hit';
import { readTrackingToken } from './tracking-tokens';

// The smallest transparent 1x1 GIF (43 bytes).
const PIXEL_GIF = fromBase64Url('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==');

/** Who made a request, as machine-engagement.ts judges it. */
export function originOf(c: Context<AppEnv>): RequestOrigin {
  return { userAgent: c.req.header('user-agent') ?? '', ip: c.req.header('cf-connecting-ip') ?? '' };
}

// Every link that is not one we signed answers the same, whatever was wrong with it.
const unknownLink = () => new AppError('not_found', 'This link is not valid.');

/** GET /o/:token and GET /c/:token, mounted at the root. */
export const trackingRoutes = new Hono<AppEnv>()
  .get('/o/:token', (c) => {
    const at = Date.now();
    const origin = originOf(c);
    // The pixel is the same for every token, valid or not, so the check happens after answering.
    c.executionCtx.waitUntil(readTrackingToken(c.env.APP_SECRET, 'open', c.req.param('token')).then((hit) => hit && recordTrackingHit(c.env, c.executionCtx, hit, origin, at)));
    return c.body(PIXEL_GIF, 200, {
      'Content-Type': 'image/gif',
      'Content-Length': String(PIXEL_GIF.byteLength),
      // Every load must reach us: a cached pixel is an uncounted open.
      'Cache-Control': 'no-cache, no-store, must-revalidate, private, max-age=0',
      Pragma: 'no-cache',
      Expires: '0',
      // Webmail pages load it from their own origin; the dashboard's same-origin default would have the browser drop it.
      'Cross-Origin-Resource-Policy': 'cross-origin',
    });
  })
  .get('/c/:token', async (c) => {
    const at = Date.now();
    const hit = await readTrackingToken(c.env.APP_SECRET, 'click', c.req.param('token'));
    if (!hit?.link) throw unknownLink();
    let target: URL;
    try {
      target = new URL(hit.link);
    } catch {
      throw unknownLink();
    }
    // The rewriter signs absolute http(s) links only; this keeps any other scheme out even so.
    if (target.protocol !== 'https:' && target.protocol !== 'http:') throw unknownLink();
    recordTrackingHit(c.env, c.executionCtx, hit, originOf(c), at);
    c.header('Cache-Control', 'no-store');
    c.header('Referrer-Policy', 'no-referrer');
    return c.redirect(target.href, 302);
  });
