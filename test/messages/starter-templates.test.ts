import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { renderEmail, validateEmailTemplate } from '../../src/messages/render-email';
import { signUpMerchant } from '../helpers/factories';

type Starter = { id: string; name: string; subject: string; preheader: string; file: string };

async function asset(path: string): Promise<Response> {
  return env.ASSETS.fetch(new Request(`https://assets.local${path}`));
}

const baseContext = {
  contact: { first_name: 'Ann', last_name: 'Lee', email: 'ann@example.com' },
  shop: { name: 'Mug & Co', postal_address: '1 Harbour Street, Bristol' },
  unsubscribe_url: 'https://m.example/u/token',
};

describe('starter templates', () => {
  it('each parses, and renders with and without flow context, with the unsubscribe link and address', async () => {
    const starters = await (await asset('/templates/index.json')).json<Starter[]>();
    expect(starters.map((s) => s.id).sort()).toEqual(['abandoned-cart', 'announcement', 'back-in-stock', 'price-drop', 'retention-reminder', 'welcome', 'win-back']);
    const flow = {
      cart: { recovery_url: 'https://shop.example/cart/1', total: '€48.00', items: [{ title: 'Blue <mug>', quantity: 2, price: '€24.00', image_url: 'https://shop.example/m.png' }] },
      product: { title: 'Blue mug', url: 'https://shop.example/p/1', image_url: 'https://shop.example/p.png', old_price: '€30.00', new_price: '€24.00', price: '€24.00' },
      last_order: { date: '1 March 2026', items: 'Blue mug' },
      shop_url: 'https://shop.example',
      discount_code: 'COMEBACK10',
    };
    for (const starter of starters) {
      const html = await (await asset(`/templates/${starter.file}`)).text();
      const template = { subject: starter.subject, preheader: starter.preheader, html };
      validateEmailTemplate(template);
      for (const context of [baseContext, { ...baseContext, ...flow }]) {
        const rendered = await renderEmail(template, context);
        expect(rendered.html, starter.id).toContain('href="https://m.example/u/token"');
        expect(rendered.html, starter.id).toContain('1 Harbour Street, Bristol');
        expect(rendered.html, starter.id).toContain('Mug &amp; Co');
        expect(rendered.subject.length, starter.id).toBeGreaterThan(5);
        expect(rendered.text, starter.id).toContain('Unsubscribe');
      }
    }
    const cart = await renderEmail({ subject: 'x', preheader: null, html: await (await asset('/templates/abandoned-cart.html')).text() }, { ...baseContext, ...flow });
    expect(cart.html).toContain('Blue &lt;mug&gt;');
    expect(cart.html).toContain('href="https://shop.example/cart/1"');
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
    expect(row!.html).toContain('{{ cart.recovery_url');
  });
});
