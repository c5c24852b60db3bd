import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { renderEmail } from '../../src/email/render-email';
import { addTrackingToHtml } from '../../src/tracking/track-links';
import { readTrackingToken } from '../../src/tracking/tracking-tokens';

const BASE = 'https://marketing.example.com';
const options = { secret: env.APP_SECRET, publicBaseUrl: BASE };
const delivery = { id: 'd-links', workspaceId: 'ws-links', sourceType: 'campaign', sourceId: 'camp-links' };

function hrefs(html: string): string[] {
  return [...html.matchAll(/<a [^>]*href="([^"]*)"/g)].map((match) => match[1]!);
}

async function linkBehind(href: string): Promise<string | undefined> {
  const token = href.slice(`${BASE}/c/`.length);
  return (await readTrackingToken(env.APP_SECRET, 'click', token))?.link;
}

describe('the link rewriter', () => {
  it('rewrites web links to signed redirects and keeps anchors, mailto:, tel:, relative and our own links', async () => {
    const html = `<html><body>
      <a href="https://shop.example/new">New</a>
      <a href="HTTP://shop.example/old">Old</a>
      <a href="#top">Top</a>
      <a href="mailto:help@shop.example?subject=Hi">Mail</a>
      <a href="tel:+15550100">Call</a>
      <a href="/relative">Relative</a>
      <a href="javascript:alert(1)">Script</a>
      <a href="${BASE}/u/abc.def">Unsubscribe</a>
      <a href="${BASE}/u/abc.def/preferences">Preferences</a>
    </body></html>`;
    const out = await addTrackingToHtml(html, delivery, options);
    const links = hrefs(out);
    expect(links[0]).toMatch(/^https:\/\/marketing\.example\.com\/c\/[\w-]+\.[\w-]+$/);
    expect(await linkBehind(links[0]!)).toBe('https://shop.example/new');
    expect(await linkBehind(links[1]!)).toBe('HTTP://shop.example/old');
    expect(links.slice(2)).toEqual(['#top', 'mailto:help@shop.example?subject=Hi', 'tel:+15550100', '/relative', 'javascript:alert(1)', `${BASE}/u/abc.def`, `${BASE}/u/abc.def/preferences`]);
  });

  it('keeps query strings and fragments that Liquid rendered, entities decoded as a browser would', async () => {
    const { html } = renderEmail(
      {
        subject: 's',
        preheader: null,
        html: '<body><a href="https://shop.example/p?utm_source=mail&utm_campaign={{ contact.first_name | url_encode }}&ref={{ contact.email | url_encode }}&amp;page=2#reviews">Go</a></body>',
      },
      { contact: { first_name: 'Zoë & Co', last_name: null, email: 'zoe+1@example.com' }, shop: { name: 'Shop', postal_address: null, url: null }, unsubscribe_url: `${BASE}/u/x` },
    );
    const out = await addTrackingToHtml(html, delivery, options);
    expect(await linkBehind(hrefs(out)[0]!)).toBe('https://shop.example/p?utm_source=mail&utm_campaign=Zo%C3%AB+%26+Co&ref=zoe%2B1%40example.com&page=2#reviews');
  });

  it('adds one pixel before </body>, or at the end when there is no body', async () => {
    const out = await addTrackingToHtml('<html><body><p>Hi</p></body></html>', delivery, options);
    expect(out).toMatch(/<p>Hi<\/p><img src="https:\/\/marketing\.example\.com\/o\/[\w-]+\.[\w-]+" width="1" height="1" alt=""[^>]*><\/body><\/html>$/);
    const token = /\/o\/([\w.-]+)"/.exec(out)![1]!;
    expect(await readTrackingToken(env.APP_SECRET, 'open', token)).toMatchObject({ id: 'd-links', workspaceId: 'ws-links', sourceId: 'camp-links' });
    const bare = await addTrackingToHtml('<p>Hi</p>', delivery, options);
    expect(bare.match(/<img /g)).toHaveLength(1);
    expect(bare).toMatch(/^<p>Hi<\/p><img /);
  });
});
