import { describe, expect, it } from 'vitest';
import { bodyText, buildShopContext, htmlToText, renderEmail, type EmailContext } from '../../src/email/render-email';

function contextFor(firstName: string | null, shopName = 'Mug "Co" & Sons'): EmailContext {
  return {
    contact: { first_name: firstName, last_name: null, email: 'ann@example.com' },
    shop: { name: shopName, postal_address: '1 Harbour St · Bristol', url: 'https://shop.example' },
    unsubscribe_url: 'https://m.example/u/t',
  };
}

describe('renderEmail', () => {
  it('renders the subject as text: quotes, ampersands and angle brackets stay characters', () => {
    const { subject } = renderEmail({ subject: 'Hi {{ contact.first_name }} · news from {{ shop.name }}', preheader: null, html: '' }, contextFor('<b>Ann</b>'));
    expect(subject).toBe('Hi <b>Ann</b> · news from Mug "Co" & Sons');
  });

  it('turns line breaks and control characters in the subject into single spaces, so nothing becomes a header', () => {
    const { subject } = renderEmail({ subject: 'Hi {{ contact.first_name }}\r\n  at {{ shop.name }}', preheader: null, html: '' }, contextFor('Ann\r\nBcc: evil@example.com\u0000\u0007\t\u2028x'));
    expect(subject).toBe('Hi Ann Bcc: evil@example.com x at Mug "Co" & Sons');
    expect(subject).not.toMatch(/[\r\n\u0000-\u001f]/);
  });

  it('escapes merge values in the HTML body, so a name cannot inject markup', () => {
    const { html } = renderEmail({ subject: 'x', preheader: null, html: '<p>Hi {{ contact.first_name }}</p><a href="{{ shop.url }}">Shop</a>' }, contextFor('<img src=x onerror=alert(1)>"'));
    expect(html).toContain('<p>Hi &lt;img src=x onerror=alert(1)&gt;&#34;</p>');
    expect(html).toContain('<a href="https://shop.example">Shop</a>');
  });

  it('renders the preheader as text and escapes it exactly once for the HTML it goes into', () => {
    const { html } = renderEmail({ subject: 'x', preheader: '{{ shop.name }}: "{{ contact.first_name }}" $& more', html: '<html><body><p>Body</p></body></html>' }, contextFor('<b>Ann</b>'));
    expect(html).toContain('<body><div style="display:none;max-height:0;overflow:hidden;opacity:0">Mug &quot;Co&quot; &amp; Sons: &quot;&lt;b&gt;Ann&lt;/b&gt;&quot; $&amp; more</div><p>Body</p>');
    expect(html).not.toContain('&amp;amp;');
  });

  it('makes the text part from the rendered body: characters, not entities, and links with their address', () => {
    const { text } = renderEmail(
      {
        subject: 'x',
        preheader: 'Hidden preview',
        html: '<p>{{ shop.name }} &middot; {{ shop.postal_address }}</p><p><a href="{{ shop.url }}">Shop the collection</a> or <a href="{{ unsubscribe_url }}">Unsubscribe</a></p>',
      },
      contextFor('Ann'),
    );
    expect(text).toBe('Mug "Co" & Sons · 1 Harbour St · Bristol\n\nShop the collection (https://shop.example) or Unsubscribe (https://m.example/u/t)');
  });

  it('accepts an empty subject template result without inventing one', () => {
    expect(renderEmail({ subject: '{{ contact.first_name }}', preheader: null, html: '' }, contextFor(null)).subject).toBe('');
  });
});

describe('htmlToText', () => {
  it('drops head, style and script, decodes entities and keeps headings, lists and tables readable', () => {
    const html = `<html><head><title>Title</title><style>p { color: red }</style></head><body>
      <script>alert(1)</script><style>.x{}</style>
      <h1>Hi &amp; welcome</h1><p>&#34;Co&#34; &middot; caf&eacute;&nbsp;bar</p>
      <ul><li>One</li><li>Two</li></ul>
      <table><tr><td>Left cell</td><td>Right cell</td></tr></table>
      <a href="#">Nowhere</a> <a href="https://x.example/">https://x.example/</a> <img src="https://x.example/p.png" alt="Picture">
    </body></html>`;
    const text = htmlToText(html);
    expect(text).toBe('Hi & welcome\n\n"Co" · café\u00a0bar\n\n- One\n- Two\n\nLeft cell\n\nRight cell\n\nNowhere https://x.example/');
  });
});

describe('bodyText', () => {
  const design = (url: string, name: string) =>
    `<html><head><style>p{}</style></head><body><h1>Hi ${name} <a href="${url}">${url}</a></h1><p><a href="${url}">${url}</a> or <a href="${url}">Unsubscribe</a></p><table><tr><th>${url}</th><td>${name}</td></tr></table><ul><li>${url}</li></ul></body></html>`;

  it('gives each recipient the text of their own body, their own unsubscribe URL in it, whether the conversion was reused or not', () => {
    const urls = Array.from({ length: 6 }, (_, i) => `https://m.example/u/01HDELIVERY${i}.sig-${i}_x`);
    for (const name of ['Ann', 'Bob', 'Ann']) {
      for (const url of urls) {
        const body = design(url, name);
        expect(bodyText(body, url)).toBe(htmlToText(body));
        expect(bodyText(body, url)).toContain(`Unsubscribe (${url})`);
      }
    }
  });

  it('puts back a URL with "$$" in it as written (not as a replacement pattern), on the first conversion and from the cache', () => {
    const dollars = 'https://m.example/u/t?a=$$b=$c';
    const body = `<p><a href="${dollars}">Unsubscribe</a></p>`;
    expect(bodyText(body, dollars)).toBe(htmlToText(body));
    expect(bodyText(body, dollars)).toBe(htmlToText(body));
    expect(bodyText(body, dollars)).toContain(`(${dollars})`);
  });

  it('converts directly when the body holds the mask or the URL is not a plain http(s) address', () => {
    const withMask = '<p>https://unsubscribe.invalid/u/mask-2f9c41d7 and <a href="https://m.example/u/z">x</a></p>';
    expect(bodyText(withMask, 'https://m.example/u/z')).toBe(htmlToText(withMask));
    const odd = 'https://m.example/u/a b';
    expect(bodyText(`<p>${odd}</p>`, odd)).toBe(htmlToText(`<p>${odd}</p>`));
  });
});

describe('buildShopContext', () => {
  it('gives designs the name, postal address and store address of the workspace', () => {
    expect(buildShopContext({ name: 'Mug Co', postalAddress: null, storeUrl: 'https://mug.example' })).toEqual({ name: 'Mug Co', postal_address: null, url: 'https://mug.example' });
  });
});
