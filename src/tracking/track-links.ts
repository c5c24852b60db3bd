// The link rewriter and the open pixel: a delivery's rendered HTML gets each web link
// replaced by its signed redirect (/c/<token>) and a 1x1 pixel (/o/<token>) before
// </body>. Uses the runtime's HTMLRewriter (lol-html, a streaming HTML tokenizer), so
// attributes are found the way a browser finds them, not by regular expression.
import { signClickToken, signOpenToken, type TrackedDelivery } from './tracking-tokens';

/** What the rewriter needs besides the HTML: the signing secret and our public origin. */
export type TrackingLinkOptions = { secret: string; publicBaseUrl: string; now?: number };

const ENTITY = /&(#x[0-9a-f]+|#[0-9]+|amp|lt|gt|quot|apos|#39);?/gi;
const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
// Characters a browser strips or refuses in a URL; a link carrying them is left alone rather than signed.
const CONTROL = /[\u0000-\u001f\u007f]/;

// lol-html hands attribute values over raw, entities included; the browser follows the decoded text.
function decodeAttribute(value: string): string {
  return value.replace(ENTITY, (whole, name: string) => {
    const lower = name.toLowerCase();
    if (lower.startsWith('#x')) return String.fromCodePoint(Number.parseInt(lower.slice(2), 16));
    if (lower.startsWith('#')) return String.fromCodePoint(Number.parseInt(lower.slice(1), 10));
    return NAMED[lower] ?? whole;
  });
}

/**
 * The absolute http(s) URL a link leads to, or null when it is not one we track: anchors,
 * mailto:, tel:, relative paths, other schemes, and our own URLs (unsubscribe, preferences,
 * earlier tracking) stay as they are.
 */
export function trackableLink(href: string, publicBaseUrl: string): string | null {
  const link = decodeAttribute(href).trim();
  if (CONTROL.test(link) || !/^https?:\/\//i.test(link)) return null;
  let url: URL;
  try {
    url = new URL(link);
  } catch {
    return null;
  }
  if (url.origin === new URL(publicBaseUrl).origin) return null;
  // The URL as written (query, fragment and Liquid's encoding kept byte for byte), not URL's re-serialization.
  return link;
}

/** The HTML with web links rewritten to signed redirects and the open pixel added. */
export async function addTrackingToHtml(html: string, delivery: TrackedDelivery, options: TrackingLinkOptions): Promise<string> {
  const base = options.publicBaseUrl.replace(/\/+$/, '');
  const sentAt = options.now ?? Date.now();
  const pixel = `<img src="${base}/o/${await signOpenToken(options.secret, delivery, sentAt)}" width="1" height="1" alt="" style="display:block;width:1px;height:1px;border:0">`;
  let pixelPlaced = false;
  const rewriteHref = {
    element(element: Element) {
      const link = trackableLink(element.getAttribute('href') ?? '', base);
      if (!link) return;
      // HTMLRewriter handlers may return a promise; the rewriter waits for it before moving on.
      return signClickToken(options.secret, delivery, sentAt, link).then((token) => {
        element.setAttribute('href', `${base}/c/${token}`);
      });
    },
  };
  const rewritten = await new HTMLRewriter()
    .on('a[href]', rewriteHref)
    .on('area[href]', rewriteHref)
    .on('body', {
      element(element) {
        element.onEndTag((end) => {
          if (pixelPlaced) return;
          end.before(pixel, { html: true });
          pixelPlaced = true;
        });
      },
    })
    .onDocument({
      end(end) {
        if (!pixelPlaced) end.append(pixel, { html: true });
      },
    })
    .transform(new Response(html))
    .text();
  return rewritten;
}
