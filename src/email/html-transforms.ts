// Changes made to a delivery's rendered HTML just before it is sent. The tracking
// capability registers its link rewriter and open pixel here; each transform gets the
// HTML and the delivery it belongs to.
export type DeliveryRef = { id: string; workspaceId: string; sourceType: string; sourceId: string };
export type HtmlTransform = (html: string, delivery: DeliveryRef) => string | Promise<string>;

/** Transforms applied in order to every delivery's HTML. */
export const deliveryHtmlTransforms: HtmlTransform[] = [];

/** Runs every registered transform. */
export async function transformDeliveryHtml(html: string, delivery: DeliveryRef, transforms: readonly HtmlTransform[] = deliveryHtmlTransforms): Promise<string> {
  let result = html;
  for (const transform of transforms) result = await transform(result, delivery);
  return result;
}
