// Short links of texts: each web link of an SMS becomes ${PUBLIC_BASE_URL}/s/<code>, a
// row of short_links naming the delivery and the exact URL. The code is random, not
// signed: 10 base62 characters from the platform's CSPRNG (about 59.5 bits) are short
// enough for a text and too many to guess; /s/<code> redirects only to the stored URL.
import type { Statement } from '../db/client';
import { randomString } from '../lib/crypto';
import { shortLinks } from '../db/schema';
import type { Tenant } from '../db/tenant';
import type { Env } from '../env';
import { publicUrl } from '../lib/public-url';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
export const SHORT_CODE_LENGTH = 10;
/** What a code looks like; anything else is answered as an unknown code without a look-up. */
export const SHORT_CODE = /^[0-9A-Za-z]{10}$/;
/** Links shortened per text; the rest stay as written (still working, not counted). */
export const MAX_LINKS_PER_SMS = 10;

// A web link as written in text: up to the next space or character that cannot be in a URL.
const LINK = /https?:\/\/[^\s<>"'`{}|\\^]+/gi;
// Punctuation that ends a sentence rather than the link ("see https://shop.example.").
const TRAILING = /[.,;:!?)\]]+$/;

/** A new random code, every character equally likely. */
export function newShortCode(): string {
  return randomString(BASE62, SHORT_CODE_LENGTH);
}

/** The link as written, without the sentence's closing punctuation (a parenthesis the link opened is kept). */
function trimLink(raw: string): string {
  let link = raw.replace(TRAILING, '');
  // "(https://x.example/a_(b))" keeps the link's own closing parenthesis.
  while (raw.length > link.length && raw[link.length] === ')' && (link.match(/\(/g)?.length ?? 0) > (link.match(/\)/g)?.length ?? 0)) link += ')';
  return link;
}

/**
 * The URL a link leads to, serialized as the redirect will send it (so what is stored is
 * exactly where /s/ leads), or null when it stays as written: our own URLs, such as other short links.
 */
function shortenable(link: string, ours: string): string | null {
  try {
    const url = new URL(link);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.origin !== ours ? url.href : null;
  } catch {
    return null;
  }
}

/** A short link to store: its code, the delivery and the URL it leads to. */
export type ShortLinkRow = { code: string; deliveryId: string; url: string; createdAt: number };

/**
 * The text with its web links replaced by short links (the same URL twice: one code), and
 * the rows to store (insertShortLinks) before the text leaves, so it never carries codes
 * that lead nowhere.
 */
export function shortenSmsLinks(env: Pick<Env, 'PUBLIC_BASE_URL'>, deliveryId: string, text: string, now = Date.now()): { text: string; links: ShortLinkRow[] } {
  const ours = new URL(publicUrl(env, '/')).origin;
  const codes = new Map<string, string>();
  const shortened = text.replace(LINK, (raw) => {
    const link = trimLink(raw);
    const url = shortenable(link, ours);
    if (!url) return raw;
    let code = codes.get(url);
    if (!code) {
      if (codes.size >= MAX_LINKS_PER_SMS) return raw;
      code = newShortCode();
      codes.set(url, code);
    }
    return `${publicUrl(env, `/s/${code}`)}${raw.slice(link.length)}`;
  });
  if (!codes.size) return { text, links: [] };
  return { text: shortened, links: [...codes].map(([url, code]) => ({ code, deliveryId, url, createdAt: now })) };
}

/** The statements storing short links of the workspace's texts, many texts' in one insert. */
export function insertShortLinks(tenant: Tenant, links: ShortLinkRow[]): Statement[] {
  return tenant.insertMany(
    shortLinks,
    ['code', 'delivery_id', 'url', 'created_at'],
    links.map((row) => [row.code, row.deliveryId, row.url, row.createdAt]),
  );
}
