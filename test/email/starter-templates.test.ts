import { env } from 'cloudflare:workers';
import { Liquid } from 'liquidjs';
import { describe, expect, it } from 'vitest';
import { buildShopContext, renderEmail, validateEmailTemplate, type EmailContext } from '../../src/email/render-email';
import { signUpMerchant } from '../helpers/factories';

type Starter = { id: string; name: string; subject: string; preheader: string; file: string };

async function asset(path: string): Promise<Response> {
  return env.ASSETS.fetch(new Request(`https://assets.local${path}`));
}

async function loadStarterTemplates() {
  const starters = await (await asset('/templates/index.json')).json<Starter[]>();
  return Promise.all(
    starters.map(async (starter) => ({ id: starter.id, template: { subject: starter.subject, preheader: starter.preheader, html: await (await asset(`/templates/${starter.file}`)).text() } })),
  );
}

const shop = buildShopContext({ name: 'Mug & Co', postalAddress: '1 Harbour Street, Bristol', storeUrl: 'https://shop.example' });

const baseContext: EmailContext = {
  contact: { first_name: 'Ann', last_name: 'Lee', email: 'ann@example.com' },
  shop,
  unsubscribe_url: 'https://m.example/u/token',
};

// What flows add to the context of their occurrences (a cart, a product, the last order).
const flow = {
  cart: { recovery_url: 'https://shop.example/cart/1', total: '€48.00', items: [{ title: 'Blue <mug>', quantity: 2, price: '€24.00', image_url: 'https://shop.example/m.png' }] },
  product: { title: 'Blue mug', url: 'https://shop.example/p/1', image_url: 'https://shop.example/p.png', old_price: '€30.00', new_price: '€24.00', price: '€24.00' },
  last_order: { date: '1 March 2026', items: 'Blue mug' },
  discount_code: 'COMEBACK10',
};

/** Every href and src of the HTML. */
function linksOf(html: string): string[] {
  return [...html.matchAll(/\s(?:href|src)="([^"]*)"/g)].map((match) => match[1]!);
}

describe('starter templates', () => {
  it('each parses, and renders with and without flow context, with the unsubscribe link and address', async () => {
    const starters = await loadStarterTemplates();
    expect(starters.map((s) => s.id).sort()).toEqual(['abandoned-cart', 'announcement', 'back-in-stock', 'price-drop', 'retention-reminder', 'welcome', 'win-back']);
    for (const { id, template } of starters) {
      validateEmailTemplate(template);
      for (const context of [baseContext, { ...baseContext, ...flow }]) {
        const rendered = renderEmail(template, context);
        expect(rendered.html, id).toContain('href="https://m.example/u/token"');
        expect(rendered.html, id).toContain('1 Harbour Street, Bristol');
        expect(rendered.html, id).toContain('Mug &amp; Co');
        expect(rendered.subject.length, id).toBeGreaterThan(5);
        expect(rendered.subject, id).not.toContain('&amp;');
        expect(rendered.text, id).toContain('Unsubscribe (https://m.example/u/token)');
      }
    }
    const cart = renderEmail({ subject: 'x', preheader: null, html: starters.find((s) => s.id === 'abandoned-cart')!.template.html }, { ...baseContext, ...flow });
    expect(cart.html).toContain('Blue &lt;mug&gt;');
    expect(cart.html).toContain('href="https://shop.example/cart/1"');
  });

  it('fills every merge tag a starter uses from a full context, and every link leads somewhere', async () => {
    // Strict: a tag naming anything the context lacks fails here instead of rendering empty.
    const strict = new Liquid({ strictVariables: true, lenientIf: true, strictFilters: true });
    const full = { ...baseContext, ...flow };
    for (const { id, template } of await loadStarterTemplates()) {
      for (const source of [template.subject, template.preheader, template.html]) expect(() => strict.parseAndRenderSync(source, full), id).not.toThrow();
      const rendered = renderEmail(template, full);
      const links = linksOf(rendered.html);
      expect(links.length, id).toBeGreaterThan(1);
      for (const link of links) expect(link, `${id}: ${link}`).toMatch(/^https:\/\/(shop|m)\.example(\/\S*)?$/);
      expect(rendered.text, id).not.toMatch(/\(\s*#?\s*\)/);
    }
  });

  it('leads each main button to the store, or to the cart or product when the flow has one', async () => {
    const buttons: Record<string, [string, string]> = {
      announcement: ['Shop the collection', 'https://shop.example'],
      welcome: ['Start shopping', 'https://shop.example'],
      'win-back': ['Come back and shop', 'https://shop.example'],
      'retention-reminder': ['Reorder now', 'https://shop.example'],
      'abandoned-cart': ['Return to your cart', 'https://shop.example/cart/1'],
      'back-in-stock': ['Buy it now', 'https://shop.example/p/1'],
      'price-drop': ['See it now', 'https://shop.example/p/1'],
    };
    for (const { id, template } of await loadStarterTemplates()) {
      const [label, url] = buttons[id]!;
      expect(renderEmail(template, { ...baseContext, ...flow }).text, id).toContain(`${label} (${url})`);
      // A campaign has no cart or product: the button falls back to the store.
      expect(renderEmail(template, baseContext).text, id).toContain(`${label} (https://shop.example)`);
    }
  });

  it('leaves a button out rather than linking it nowhere when the workspace has no store address', async () => {
    const noStore: EmailContext = { ...baseContext, shop: buildShopContext({ name: 'Mug & Co', postalAddress: null, storeUrl: null }) };
    for (const { id, template } of await loadStarterTemplates()) {
      const rendered = renderEmail(template, noStore);
      for (const link of linksOf(rendered.html)) expect(link, id).toMatch(/^https:\/\//);
      expect(rendered.html, id).not.toContain('href="#"');
      expect(rendered.html, id).not.toContain('href=""');
    }
  });

  it('starts a new design from a starter in the dashboard', async () => {
    const merchant = await signUpMerchant();
    const list = await (await merchant.client.get('/app/marketing/designs')).text();
    expect(list).toContain('Abandoned cart');
    const created = await merchant.client.post('/app/marketing/designs', { name: 'Cart reminder', starter: 'abandoned-cart' });
    expect(created.status).toBe(303);
    const id = created.headers.get('location')!.split('/').pop();
    const row = await env.DB.prepare('SELECT subject, html FROM email_contents WHERE id = ?').bind(id).first<{ subject: string; html: string }>();
    expect(row!.subject).toContain('your cart is waiting');
    expect(row!.html).toContain('{{ button_url }}');
  });
});
