// Changes made to a delivery's rendered HTML just before it is sent. The tracking
// capability registers its link rewriter and open pixel here; each transform gets the
// HTML and the delivery it belongs to.
import { env as workerEnv } from 'cloudflare:workers';
import type { Env } from '../env';
import { addTrackingToHtml } from '../tracking/track-links';

export type DeliveryRef = { id: string; workspaceId: string; sourceType: string; sourceId: string };
export type HtmlTransform = (html: string, delivery: DeliveryRef) => string | Promise<string>;

/** Rewrites links to signed click redirects and adds the open pixel (src/tracking). */
const trackLinksAndOpens: HtmlTransform = (html, delivery) => {
  // The Worker's own bindings: every delivery is signed with the secret the /o and /c routes check.
  const env = workerEnv as Env;
  return addTrackingToHtml(html, delivery, { secret: env.APP_SECRET, publicBaseUrl: env.PUBLIC_BASE_URL });
};

/** Transforms applied in order to every delivery's HTML. */
export const deliveryHtmlTransforms: HtmlTransform[] = [trackLinksAndOpens];

/** Runs every registered transform. */
export async function transformDeliveryHtml(html: string, delivery: DeliveryRef, transforms: readonly HtmlTransform[] = deliveryHtmlTransforms): Promise<string> {
  let result = html;
  for (const transform of transforms) result = await transform(result, delivery);
  return result;
}
