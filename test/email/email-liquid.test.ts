// public/email-liquid.js, the block editor's Liquid protection, on its own: every starter's
// Liquid comes back exactly from what the editor holds, and nothing of it is left where
// HTML parsing would move it.
import { describe, expect, it } from 'vitest';
import '../../public/email-liquid.js';
import abandonedCart from '../../public/templates/abandoned-cart.html?raw';
import announcement from '../../public/templates/announcement.html?raw';
import backInStock from '../../public/templates/back-in-stock.html?raw';
import priceDrop from '../../public/templates/price-drop.html?raw';
import retention from '../../public/templates/retention-reminder.html?raw';
import welcome from '../../public/templates/welcome.html?raw';
import winBack from '../../public/templates/win-back.html?raw';

type EmailLiquid = { protect(html: string): string; restore(html: string): string; encode(source: string): string };
const { protect, restore, encode } = (globalThis as unknown as { emailLiquid: EmailLiquid }).emailLiquid;

/** What the editor exports for a protected document: each merge-tag element becomes its placeholder comment. */
const exported = (html: string) => html.replace(/<span data-lq="([A-Za-z0-9_-]+)" class="liquid-tag">[^<]*<\/span>/g, '<!--lq:$1-->');

const STARTERS = { abandonedCart, announcement, backInStock, priceDrop, retention, welcome, winBack };

describe('the Liquid protection of the block editor', () => {
  for (const [name, html] of Object.entries(STARTERS)) {
    it(`gives back the ${name} starter exactly`, () => {
      const protectedHtml = protect(html);
      // Outside comments, no Liquid tag is left in text, where parsing could move or split it.
      const outsideComments = protectedHtml.replace(/<!--[\s\S]*?-->/g, '').replace(/<[^>]*>/g, '');
      expect(outsideComments).not.toMatch(/\{%/);
      expect(restore(exported(protectedHtml))).toBe(html);
    });
  }

  it('keeps quotes inside an attribute, which HTML would end the attribute at, as entities the parser turns back', () => {
    const html = '<a href="{{ product.url | default: "https://shop.example" }}">Buy</a>';
    expect(protect(html)).toBe('<a href="{{ product.url | default: &quot;https://shop.example&quot; }}">Buy</a>');
    expect(restore(protect(html))).toBe(html);
  });

  it('turns Liquid typed into text or escaped in an attribute by the editor back into Liquid', () => {
    expect(restore('<p>Hi {{ contact.first_name | default: &quot;there&quot; }} &amp; welcome</p>')).toBe('<p>Hi {{ contact.first_name | default: "there" }} &amp; welcome</p>');
  });

  it('puts a loop that opened a table back inside the tbody the parser added', () => {
    const forTag = `<!--lq:${encode('{% for item in cart.items %}')}-->`;
    expect(restore(`<table>${forTag}<tbody><tr><td>x</td></tr></tbody></table>`)).toBe('<table><tbody>{% for item in cart.items %}<tr><td>x</td></tr></tbody></table>');
  });

  it('carries any text through its placeholders, however it is written', () => {
    const tricky = '{% if a > b and c contains "-->" %}é 😀{% endif %}';
    expect(restore(exported(protect(`<p>${tricky}</p>`)))).toBe(`<p>${tricky}</p>`);
  });
});
