import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { openDb, runBatch } from '../../src/db/client';
import { forWorkspace, type Tenant } from '../../src/db/tenant';
import { newId } from '../../src/lib/ids';
import { insertShortLinks, MAX_LINKS_PER_SMS, newShortCode, SHORT_CODE, shortenSmsLinks } from '../../src/sms/short-links';
import { createSmsContent } from '../../src/sms/sms-contents.service';
import { attributeOrderStatements } from '../../src/tracking/attribution';
import { insertContact, insertOrder } from '../helpers/data';
import { signUpMerchant } from '../helpers/factories';
import { DAY, HOUR } from '../tracking/attribution-helpers';
import { BASE, dailyFiguresOf, flushTrackers, hit, waitForOpens } from '../tracking/tracking-helpers';

type Shop = { tenant: Tenant; contentId: string };
let shopA: Shop;
let shopB: Shop;

async function openShop(name: string): Promise<Shop> {
  const merchant = await signUpMerchant(name);
  const tenant = forWorkspace(openDb(env.DB), merchant.workspaceId);
  const { id } = await createSmsContent(tenant, { name: 'Promo', body: 'Sale at {{ shop.name }}' });
  return { tenant, contentId: id };
}

/** A text sent an hour ago (past a scanner's first seconds) to a new contact; returns its delivery id. */
async function sentDelivery(shop: Shop, sourceId: string, channel: 'sms' | 'email' = 'sms', sentAt = Date.now() - HOUR, contactId?: string): Promise<string> {
  const id = newId();
  const contact = contactId ?? (await insertContact(shop.tenant.workspaceId));
  await env.DB.prepare(
    "INSERT INTO deliveries (id, workspace_id, contact_id, channel, source_type, source_id, step_key, occurrence_key, content_id, status, queued_at, sent_at, updated_at) VALUES (?, ?, ?, ?, 'campaign', ?, '', '', ?, 'sent', ?, ?, ?)",
  )
    .bind(id, shop.tenant.workspaceId, contact, channel, sourceId, shop.contentId, sentAt, sentAt, sentAt)
    .run();
  return id;
}

/** Shortens a text's links for a delivery and stores them, as the send does; returns the text and its codes in order. */
async function shortenAndStore(shop: Shop, deliveryId: string, text: string) {
  const shortened = shortenSmsLinks(env, deliveryId, text);
  await runBatch(shop.tenant.db, insertShortLinks(shop.tenant, shortened.links));
  return { text: shortened.text, codes: [...shortened.text.matchAll(/\/s\/([0-9A-Za-z]+)/g)].map((match) => match[1]!), links: shortened.links };
}

beforeAll(async () => {
  [shopA, shopB] = [await openShop('Links A'), await openShop('Links B')];
});

describe('shortening the links of a text', () => {
  it('replaces each web link by one short link per URL, stores exactly those URLs, and bounds the links per text', async () => {
    const deliveryId = await sentDelivery(shopA, 'shorten');
    const text = 'Sale: https://shop.example/sale?x=1&y=2. Again https://shop.example/sale?x=1&y=2 (or http://b.example/a_(b)) — stop: https://marketing.example.com/u/abc';
    const { text: out, codes, links } = await shortenAndStore(shopA, deliveryId, text);
    expect(links).toHaveLength(2);
    expect(codes).toHaveLength(3);
    expect(codes[0]).toBe(codes[1]);
    expect(codes[2]).not.toBe(codes[0]);
    expect(out).toBe(`Sale: ${BASE}/s/${codes[0]}. Again ${BASE}/s/${codes[0]} (or ${BASE}/s/${codes[2]}) — stop: https://marketing.example.com/u/abc`);
    const rows = await env.DB.prepare('SELECT code, workspace_id, url FROM short_links WHERE delivery_id = ? ORDER BY url').bind(deliveryId).all();
    expect(rows.results).toEqual([
      { code: codes[2], workspace_id: shopA.tenant.workspaceId, url: 'http://b.example/a_(b)' },
      { code: codes[0], workspace_id: shopA.tenant.workspaceId, url: 'https://shop.example/sale?x=1&y=2' },
    ]);

    expect(shortenSmsLinks(env, deliveryId, 'No links here. Reply STOP')).toEqual({ text: 'No links here. Reply STOP', links: [] });
    expect(shortenSmsLinks(env, deliveryId, 'javascript:alert(1) ftp://x.example').links).toEqual([]);

    const many = Array.from({ length: MAX_LINKS_PER_SMS + 2 }, (_, i) => `https://shop.example/p/${i}`);
    const bounded = await shortenAndStore(shopA, await sentDelivery(shopA, 'shorten'), many.join(' '));
    expect(bounded.codes).toHaveLength(MAX_LINKS_PER_SMS);
    expect(bounded.text.endsWith(`${many.at(-2)} ${many.at(-1)}`)).toBe(true);

    const drawn = Array.from({ length: 1000 }, newShortCode);
    expect(drawn.every((code) => SHORT_CODE.test(code))).toBe(true);
    expect(new Set(drawn).size).toBe(1000);
    expect(new Set(drawn.join('')).size).toBe(62);
  });
});

describe('GET /s/:code', () => {
  it('redirects to exactly the stored URL and counts the click for the delivery in its own workspace only', async () => {
    const deliveryA = await sentDelivery(shopA, 'shared-campaign');
    const deliveryB = await sentDelivery(shopB, 'shared-campaign');
    const url = 'https://shop.example/boots?utm_source=sms&q=%C3%A9';
    const [codeA] = (await shortenAndStore(shopA, deliveryA, `Boots: ${url}`)).codes;
    const [codeB] = (await shortenAndStore(shopB, deliveryB, `Boots: ${url}`)).codes;

    const res = await hit(`/s/${codeA}`);
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe(url);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const sourceA = { workspaceId: shopA.tenant.workspaceId, sourceType: 'campaign', sourceId: 'shared-campaign' };
    const sourceB = { ...sourceA, workspaceId: shopB.tenant.workspaceId };
    await waitForOpens(sourceA, 1);
    expect((await hit(`/s/${codeB}`)).headers.get('location')).toBe(url);
    await waitForOpens(sourceB, 1);

    await flushTrackers(sourceA);
    expect(await dailyFiguresOf(sourceA)).toMatchObject({ clicks: 1, uniqueClicks: 1, machineClicks: 0 });
    const engagement = await env.DB.prepare('SELECT clicked_at FROM delivery_engagements WHERE delivery_id = ?').bind(deliveryA).first<{ clicked_at: number }>();
    expect(engagement?.clicked_at).toBeGreaterThan(Date.now() - 60_000);
    const link = await env.DB.prepare('SELECT url, clicks FROM link_clicks_daily WHERE workspace_id = ? AND source_id = ?').bind(sourceA.workspaceId, 'shared-campaign').first();
    expect(link).toEqual({ url, clicks: 1 });
  });

  it('answers 404 alike for unknown, malformed and forged codes, never redirecting', async () => {
    const deliveryA = await sentDelivery(shopA, 'forged');
    // A row of workspace B naming A's delivery (as a bug or a tampered database might): it leads nowhere.
    const forged = newShortCode();
    await env.DB.prepare('INSERT INTO short_links (code, workspace_id, delivery_id, url, created_at) VALUES (?, ?, ?, ?, ?)')
      .bind(forged, shopB.tenant.workspaceId, deliveryA, 'https://evil.example/', Date.now())
      .run();
    // A stored URL of another scheme is never followed.
    const scheme = newShortCode();
    await env.DB.prepare('INSERT INTO short_links (code, workspace_id, delivery_id, url, created_at) VALUES (?, ?, ?, ?, ?)')
      .bind(scheme, shopA.tenant.workspaceId, deliveryA, 'javascript:alert(1)', Date.now())
      .run();
    const [real] = (await shortenAndStore(shopA, deliveryA, 'https://shop.example/real')).codes;
    const paths = [
      `/s/${newShortCode()}`,
      `/s/${forged}`,
      `/s/${scheme}`,
      '/s/abc',
      `/s/${real}x`,
      `/s/${real!.slice(0, 9)}!`,
      `/s/${real!.replace(/[a-z]/gi, (ch) => (ch === ch.toLowerCase() ? ch.toUpperCase() : ch.toLowerCase()))}`,
      '/s/..%2Fapp',
      '/s/',
    ];
    for (const path of paths) {
      const res = await hit(path);
      expect(res.status, path).toBe(404);
      expect(res.headers.get('location'), path).toBeNull();
      if (path !== '/s/') expect(await res.text(), path).toContain('This link is not valid.');
    }
    expect((await hit(`/s/${real}`)).status).toBe(302);
  });

  it('credits an order to a text clicked within the SMS click window, which differs from the email one', async () => {
    const { tenant } = shopA;
    await env.DB.prepare('UPDATE workspace_settings SET click_window_ms = ?, open_window_ms = ?, sms_click_window_ms = ? WHERE workspace_id = ?')
      .bind(DAY, DAY, 5 * DAY, tenant.workspaceId)
      .run();
    const placedAt = Date.now() - HOUR;
    const touched = async (channel: 'sms' | 'email', clickedAt: number) => {
      const contactId = await insertContact(tenant.workspaceId);
      const deliveryId = await sentDelivery(shopA, `window-${channel}`, channel, clickedAt - HOUR, contactId);
      await env.DB.prepare('INSERT INTO delivery_engagements (delivery_id, workspace_id, opened_at, clicked_at) VALUES (?, ?, ?, ?)').bind(deliveryId, tenant.workspaceId, clickedAt, clickedAt).run();
      const orderId = await insertOrder(tenant.workspaceId, contactId, { placedAt, totalCents: 4200 });
      await runBatch(tenant.db, attributeOrderStatements(tenant, null, `ext-${orderId}`));
      return { deliveryId, orderId };
    };
    const textInWindow = await touched('sms', placedAt - 3 * DAY);
    const textOutside = await touched('sms', placedAt - 6 * DAY);
    const emailSameAge = await touched('email', placedAt - 3 * DAY);
    const credited = async (orderId: string) => env.DB.prepare('SELECT delivery_id, touch, revenue_cents FROM order_attributions WHERE order_id = ?').bind(orderId).first();
    expect(await credited(textInWindow.orderId)).toEqual({ delivery_id: textInWindow.deliveryId, touch: 'click', revenue_cents: 4200 });
    expect(await credited(textOutside.orderId)).toBeNull();
    expect(await credited(emailSameAge.orderId)).toBeNull();
  });
});
