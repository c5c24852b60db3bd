// The Products page: each product's price, previous price, stock and interested contacts,
// in pages; a product's page lists who is interested.
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/lib/ids';
import productsUpdate from '../fixtures/shopify/products-update.json?raw';
import { insertContact } from '../helpers/data';
import { type Merchant, signUpMerchant } from '../helpers/factories';
import { connectStore, sendShopify, waitForProcessed } from '../helpers/store-webhooks';

let merchant: Merchant;

async function page(path: string, status = 200, who = merchant): Promise<string> {
  const res = await who.client.get(path);
  const html = await res.text();
  expect(res.status, html).toBe(status);
  return html;
}

function productId(sku: string) {
  return env.DB.prepare('SELECT id FROM products WHERE workspace_id = ? AND sku = ?').bind(merchant.workspaceId, sku).first<string>('id');
}

async function insertProduct(title: string, createdAt: number, fields: { inventory?: number | null } = {}): Promise<string> {
  const id = newId(createdAt);
  await env.DB.prepare("INSERT INTO products (id, workspace_id, sku, title, currency, price_cents, inventory, created_at, updated_at) VALUES (?, ?, ?, ?, 'USD', 500, ?, ?, ?)")
    .bind(id, merchant.workspaceId, `SKU-${id}`, title, fields.inventory ?? null, createdAt, createdAt)
    .run();
  return id;
}

beforeAll(async () => {
  merchant = await signUpMerchant('Products Store');
});

describe('the Products page', () => {
  it('lists each product with its price, previous price, stock and interested contacts, from the main navigation', async () => {
    // A product arrives from Shopify, then its price drops.
    const shop = await connectStore(merchant.workspaceId, 'shopify');
    await waitForProcessed(await sendShopify(shop, 'products/update', productsUpdate));
    const cheaper = productsUpdate.replace(/"price":"19\.99"/g, '"price":"14.99"').replace(/"updated_at":"([^"]+)"/g, '"updated_at":"2030-01-01T00:00:00Z"');
    await waitForProcessed(await sendShopify(shop, 'products/update', cheaper));
    const small = (await productId('TSHIRT-S'))!;
    const ann = await insertContact(merchant.workspaceId, { first_name: 'Ann', last_name: 'Lee' });
    const bob = await insertContact(merchant.workspaceId, { email: 'bob@example.com' });
    const at = Date.parse('2026-03-01T10:00:00Z');
    await env.DB.batch(
      [
        [ann, 'viewed', at],
        [ann, 'carted', at + 1000],
        [bob, 'back_in_stock', at + 2000],
      ].map(([contact, kind, when]) =>
        env.DB.prepare('INSERT INTO product_interests (workspace_id, contact_id, product_id, kind, first_at, last_at) VALUES (?, ?, ?, ?, ?, ?)').bind(
          merchant.workspaceId,
          contact,
          small,
          kind,
          when,
          when,
        ),
      ),
    );

    const html = await page('/app/products');
    expect(html).toMatch(/<a href="\/app\/products" class="nav-link active"/);
    const row = html.slice(html.indexOf(`/app/products/${small}`), html.indexOf('</tr>', html.indexOf(`/app/products/${small}`)));
    expect(row).toContain('TSHIRT-S');
    expect(row).toContain('$14.99');
    expect(row).toContain('$19.99');
    expect(row).toContain('>75<');
    expect(row).toMatch(/data-label="Interested contacts" class="num">2</);

    const detail = await page(`/app/products/${small}`);
    expect(detail).toContain('Interested contacts');
    // Most recently interested first, each contact once with all their interests.
    expect(detail.indexOf('bob@example.com')).toBeLessThan(detail.indexOf('Ann Lee'));
    expect(detail).toContain('Viewed, Carted');
    expect(detail).toContain('Back-in-stock alert');
    expect(detail).toContain(`href="/app/contacts/${ann}"`);
  });

  it('shows stock as out of stock or not tracked, and store text as text', async () => {
    await insertProduct('<b>Sold out</b> mug', Date.parse('2026-01-01T00:00:00Z'), { inventory: 0 });
    const html = await page('/app/products');
    expect(html).toContain('&lt;b&gt;Sold out&lt;/b&gt; mug');
    expect(html).toContain('Out of stock');
  });

  it('pages through products newest first, 50 at a time', async () => {
    const base = Date.parse('2025-01-01T00:00:00Z');
    for (let i = 0; i < 50; i++) await insertProduct(`Old product ${String(i).padStart(2, '0')}`, base + i);
    const first = await page('/app/products');
    const next = /href="(\/app\/products\?cursor=[^"]+)"/.exec(first)?.[1];
    expect(next).toBeDefined();
    expect(first).toContain('Old product 49');
    expect(first).not.toContain('Old product 00');
    const second = await page(next!.replace(/&amp;/g, '&'));
    expect(second).toContain('Old product 00');
    expect(second).not.toContain('Old product 49');
    expect(second).toContain('Back to the first page');
    await page('/app/products?cursor=nonsense', 400);
  });

  it('answers 404 for another workspace’s product', async () => {
    const small = (await productId('TSHIRT-S'))!;
    const other = await signUpMerchant('Other Products Store');
    await page(`/app/products/${small}`, 404, other);
    expect(await page('/app/products', 200, other)).toContain('No products yet');
  });
});
