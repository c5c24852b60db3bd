// The header set of every dashboard page: a strict CSP whose nonce is on every script,
// nosniff, Referrer-Policy, no framing, no-store. The pages are the app's own GET routes, so
// a new page is checked the day it is added (and fails here until it has an example path).
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app';
import { newId } from '../../src/lib/ids';
import { BrowserClient } from '../helpers/browser-client';
import { createApiKey, type Merchant, postApi, callApi, signUpMerchant } from '../helpers/factories';
import { expectDashboardHeaders, expectScriptsAndFramesLocked, expectStrictDashboardPolicy, expectUntrustedHtmlPolicy } from '../helpers/page-security';

// Not dashboard pages: machine endpoints, recipients' links, uploaded images (their headers:
// test/images/images.test.ts), and the root redirect.
const NOT_PAGES = /^\/(api|webhooks|healthz|u|o|c|s|i)(\/|$)|^\/$/;

let merchant: Merchant;
const ids: Record<string, string> = {};

/** A real path for each route with parameters; a route missing here fails the test below. */
const EXAMPLES: Record<string, () => string> = {
  '/app/marketing/designs/:id': () => `/app/marketing/designs/${ids.design}`,
  '/app/marketing/designs/:id/preview': () => `/app/marketing/designs/${ids.design}/preview`,
  '/app/marketing/designs/starters/:starter/preview': () => '/app/marketing/designs/starters/announcement/preview',
  '/app/marketing/sms/:id': () => `/app/marketing/sms/${ids.sms}`,
  '/app/marketing/campaigns/:id': () => `/app/marketing/campaigns/${ids.campaign}`,
  '/app/marketing/campaigns/:id/progress': () => `/app/marketing/campaigns/${ids.campaign}/progress`,
  '/app/marketing/campaigns/:id/recipients.csv': () => `/app/marketing/campaigns/${ids.campaign}/recipients.csv`,
  '/app/marketing/campaigns/:id/logs': () => `/app/marketing/campaigns/${ids.campaign}/logs`,
  '/app/marketing/campaigns/:id/logs.csv': () => `/app/marketing/campaigns/${ids.campaign}/logs.csv`,
  '/app/marketing/flows/:id': () => `/app/marketing/flows/${ids.flow}`,
  '/app/marketing/flows/:id/logs': () => `/app/marketing/flows/${ids.flow}/logs`,
  '/app/marketing/flows/:id/logs.csv': () => `/app/marketing/flows/${ids.flow}/logs.csv`,
  '/app/contacts/imports/:id': () => `/app/contacts/imports/${ids.import}`,
  '/app/contacts/bulk/:id': () => `/app/contacts/bulk/${ids.bulkJob}`,
  '/app/contacts/:id': () => `/app/contacts/${ids.contact}`,
  '/app/segments/:id': () => `/app/segments/${ids.segment}`,
  '/app/products/:id': () => `/app/products/${ids.product}`,
  '/app/segments/:id/count': () => `/app/segments/${ids.segment}/count`,
  '/invitations/:token': () => '/invitations/not-a-real-token',
  '/app/invitations/:token': () => '/app/invitations/not-a-real-token',
};

// Pages reached from a link in an email: checked as they answer a missing or dead token
// (an error page of ours, 4xx), since a live token needs the mail that carries it.
const TOKEN_PAGES = new Set(['/reset-password', '/verify-email', '/invitations/:token', '/app/invitations/:token']);

// Answers that are not HTML pages of ours: the design preview is the design itself.
const UNTRUSTED_HTML_ROUTES = new Set(['/app/marketing/designs/:id/preview', '/app/marketing/designs/starters/:starter/preview']);

function dashboardGetRoutes(): string[] {
  const paths = createApp()
    .routes.filter((route) => route.method === 'GET' && !NOT_PAGES.test(route.path))
    .map((route) => route.path);
  return [...new Set(paths)];
}

beforeAll(async () => {
  merchant = await signUpMerchant('Headers Store');
  const key = await createApiKey(merchant, 'headers');
  const created = async (path: string, body: unknown, field: string) => {
    const res = await postApi(key, path, body);
    expect(res.status, await res.clone().text()).toBeLessThan(300);
    return ((await res.json()) as Record<string, { id: string }>)[field]!.id;
  };
  ids.design = await created('/email-designs', { name: 'Headers design', subject: 'Hi', html: '<p>Hello</p>' }, 'design');
  ids.sms = await created('/sms-messages', { name: 'Headers text', body: 'Hi {{ contact.first_name }} 😀' }, 'message');
  ids.segment = await created('/segments', { name: 'Everyone', definition: { match: 'all', children: [] } }, 'segment');
  ids.campaign = await created('/campaigns', { name: 'Headers campaign', contentId: ids.design, audience: { type: 'segment', segmentId: ids.segment } }, 'campaign');
  ids.flow = await created('/flows', { kind: 'welcome' }, 'flow');
  ids.contact = await created('/contacts', { email: 'headers-contact@shop.example' }, 'contact');
  const started = await callApi(key, '/contacts/imports', { method: 'POST', headers: { 'content-type': 'text/csv' }, body: 'email\nimported@shop.example\n' });
  expect(started.status).toBe(202);
  ids.import = ((await started.json()) as { import: { id: string } }).import.id;
  const bulk = await postApi(key, '/contacts/bulk', { action: 'tag', tags: ['headers'], filter: {} });
  expect(bulk.status, await bulk.clone().text()).toBe(202);
  ids.bulkJob = ((await bulk.json()) as { job: { id: string } }).job.id;
  ids.product = newId();
  await env.DB.prepare("INSERT INTO products (id, workspace_id, sku, title, currency, price_cents, created_at, updated_at) VALUES (?, ?, 'HEADERS-1', 'Headers product', 'USD', 1000, ?, ?)")
    .bind(ids.product, merchant.workspaceId, Date.now(), Date.now())
    .run();
});

describe('every dashboard page', () => {
  const routes = dashboardGetRoutes();

  it('is found among the routes (the list below is not empty, and has the pages we know)', () => {
    expect(routes).toEqual(expect.arrayContaining(['/login', '/signup', '/app/marketing', '/app/marketing/designs/:id', '/app/settings']));
  });

  for (const route of routes) {
    it(`${route} sends the strict header set`, async () => {
      const example = EXAMPLES[route];
      expect(example || !route.includes(':'), `add an example path for ${route} to EXAMPLES`).toBeTruthy();
      const res = await merchant.client.get(example ? example() : route);
      expect(res.status, route).toBeLessThan(TOKEN_PAGES.has(route) ? 500 : 400);
      if (UNTRUSTED_HTML_ROUTES.has(route)) return expectUntrustedHtmlPolicy(res);
      expectDashboardHeaders(res);
      const nonce = expectStrictDashboardPolicy(res);
      if ((res.headers.get('content-type') ?? '').startsWith('text/html')) await expectScriptsAndFramesLocked(await res.text(), nonce);
    });
  }
});

describe('the dashboard CSP', () => {
  it('has a new nonce in every response', async () => {
    const first = expectStrictDashboardPolicy(await merchant.client.get('/app/marketing'));
    const second = expectStrictDashboardPolicy(await merchant.client.get('/app/marketing'));
    expect(first).not.toBe(second);
  });

  it('covers the signed-out pages and the error page, scripts included', async () => {
    const stranger = new BrowserClient();
    for (const path of ['/login', '/signup']) {
      const res = await stranger.get(path);
      expect(res.status).toBe(200);
      expectDashboardHeaders(res);
      const html = await res.text();
      expect(html).toContain('<script');
      await expectScriptsAndFramesLocked(html, expectStrictDashboardPolicy(res));
    }
    const missing = await merchant.client.get('/app/marketing/designs/no-such-design');
    expect(missing.status).toBe(404);
    expectDashboardHeaders(missing);
    await expectScriptsAndFramesLocked(await missing.text(), expectStrictDashboardPolicy(missing));
  });
});
