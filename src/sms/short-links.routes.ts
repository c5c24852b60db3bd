// GET /s/:code (mounted at the root, like /c/): a text's short link. Redirects to exactly
// the URL stored for the code and counts the click in the delivery's campaign or flow
// tracker off the response path, as /c/ does for an email's link.
import { Hono } from 'hono';
import { findShortLink } from '../db/system';
import type { AppEnv } from '../env';
import { AppError } from '../lib/errors';
import { recordTrackingHit } from '../tracking/record-hit';
import { shardOf } from '../tracking/tracking-tokens';
import { originOf } from '../tracking/tracking.routes';
import { SHORT_CODE } from './short-links';

// Unknown, malformed and foreign codes all answer the same.
const unknownLink = () => new AppError('not_found', 'This link is not valid.');

export const shortLinkRoutes = new Hono<AppEnv>().get('/s/:code', async (c) => {
  const at = Date.now();
  const code = c.req.param('code');
  const link = SHORT_CODE.test(code) ? await findShortLink(c.env.DB, code) : null;
  // Stored by shortenSmsLinks as an http(s) URL; checked again so no other scheme is ever followed.
  if (!link || !/^https?:\/\//i.test(link.url)) throw unknownLink();
  const hit = {
    id: link.deliveryId,
    workspaceId: link.workspaceId,
    sourceType: link.sourceType,
    sourceId: link.sourceId,
    shard: shardOf(link.deliveryId),
    sentAt: link.sentAt ?? link.queuedAt,
    link: link.url,
  };
  recordTrackingHit(c.env, c.executionCtx, hit, originOf(c), at);
  c.header('Cache-Control', 'no-store');
  c.header('Referrer-Policy', 'no-referrer');
  return c.redirect(link.url, 302);
});
