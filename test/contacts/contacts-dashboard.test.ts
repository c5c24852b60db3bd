import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { upsertContact } from '../../src/contacts/contacts.service';
import { openDb } from '../../src/db/client';
import { forWorkspace, type Tenant } from '../../src/db/tenant';
import { signUpMerchant, type Merchant } from '../helpers/factories';
import { connectStore, sendCustomEvent, waitForProcessed } from '../helpers/store-webhooks';
import { ORIGIN } from '../helpers/browser-client';

let merchant: Merchant;
let tenant: Tenant;
let noraId: string;

beforeAll(async () => {
  merchant = await signUpMerchant('Dashboard Contacts Store');
  tenant = forWorkspace(openDb(env.DB), merchant.workspaceId);
});

async function page(path: string, status = 200): Promise<string> {
  const res = await merchant.client.get(path);
  const html = await res.text();
  expect(res.status, html).toBe(status);
  return html;
}

/** Posts a CSV file with the upload form, as a browser sends it. */
function uploadFile(csv: string | null, fileName = 'customers.csv') {
  const form = new FormData();
  form.set('_csrf', merchant.client.csrfToken);
  if (csv !== null) form.set('file', new File([csv], fileName, { type: 'text/csv' }));
  return merchant.client.request('/app/contacts/imports', { method: 'POST', body: form, headers: { origin: ORIGIN } });
}

describe('the contacts page', () => {
  it('says where contacts come from while there are none, and offers the CSV import', async () => {
    const html = await page('/app/contacts');
    expect(html).toContain('No contacts yet');
    expect(html).toContain('webhooks');
    expect(html).toContain('CSV import');
    expect(html).toContain('API');
    expect(html).toContain('enctype="multipart/form-data"');
    expect(html).toContain('aria-current="page">Contacts</a>');
  });

  it('lists contacts with consent badges, orders and total spent in the store currency', async () => {
    const store = await connectStore(merchant.workspaceId, 'custom', 'EUR');
    const customer = { email: 'nora@example.com', firstName: 'Nora', lastName: 'Quinn', phone: '+14155550123' };
    await waitForProcessed(await sendCustomEvent(store, { type: 'customer.upserted', data: { ...customer, emailConsent: 'subscribed', tags: ['vip'] } }));
    await waitForProcessed(
      await sendCustomEvent(store, {
        type: 'order.completed',
        data: { externalId: '1001', customer, currency: 'EUR', totalCents: 123456, items: [{ sku: 'MUG-1', title: 'Blue mug', quantity: 2, unitPriceCents: 61728 }] },
      }),
    );
    await waitForProcessed(
      await sendCustomEvent(store, {
        type: 'cart.updated',
        data: {
          externalId: 'cart-7',
          customer,
          currency: 'EUR',
          valueCents: 2500,
          recoveryUrl: 'https://shop.example/cart/7',
          items: [{ sku: 'CAP-1', title: 'Cap', quantity: 1, unitPriceCents: 2500 }],
        },
      }),
    );
    noraId = (await upsertContact(tenant, { email: 'nora@example.com' }, 'api')).contactId;
    await upsertContact(tenant, { email: 'otto@example.com', firstName: 'Otto', smsConsent: 'unsubscribed', tags: ['wholesale'] }, 'api');

    const html = await page('/app/contacts');
    expect(html).not.toContain('No contacts yet');
    expect(html).toContain(`href="/app/contacts/${noraId}">Nora Quinn</a>`);
    expect(html).toContain('+14155550123');
    expect(html).toContain('Email: Subscribed');
    expect(html).toContain('SMS: Not subscribed');
    expect(html).toContain('SMS: Unsubscribed');
    expect(html).toContain('€1,234.56');
    expect(html).toContain('<option value="vip">vip</option>');
  });

  it('searches and filters by tag', async () => {
    const byName = await page('/app/contacts?q=otto&tag=');
    expect(byName).toContain('otto@example.com');
    expect(byName).not.toContain('nora@example.com');
    const byTag = await page('/app/contacts?q=&tag=vip');
    expect(byTag).toContain('nora@example.com');
    expect(byTag).not.toContain('otto@example.com');
    expect(byTag).toContain('<option value="vip" selected="">vip</option>');
    expect(await page('/app/contacts?q=nobody-at-all')).toContain('No contacts match this search.');
  });

  it('loads more contacts with a keyset cursor', async () => {
    for (let i = 0; i < 55; i++) await upsertContact(tenant, { email: `many-${String(i).padStart(2, '0')}@example.com` }, 'import');
    const first = await page('/app/contacts?q=many-');
    expect(first).toContain('many-54@example.com');
    expect(first).not.toContain('many-04@example.com');
    const next = /href="(\/app\/contacts\?q=many-&amp;cursor=[0-9A-Z]{26})">Load more/.exec(first)?.[1];
    expect(next).toBeDefined();
    const second = await page(next!.replace('&amp;', '&'));
    expect(second).toContain('many-04@example.com');
    expect(second).toContain('many-00@example.com');
    expect(second).not.toContain('many-54@example.com');
    expect(second).not.toContain('Load more');
    expect(second).toContain('Back to the first page');
  });
});

describe('the contact page', () => {
  it('shows the profile, tags, consent history, orders with items, carts and messages', async () => {
    const html = await page(`/app/contacts/${noraId}`);
    expect(html).toContain('<h1>Nora Quinn</h1>');
    expect(html).toContain('nora@example.com');
    expect(html).toContain('Email: Subscribed');
    expect(html).toContain('Consent history');
    expect(html).toMatch(/<td data-label="Source">Store events<\/td>/);
    expect(html).toContain('#1001');
    expect(html).toContain('2 × Blue mug');
    expect(html).toContain('€1,234.56');
    expect(html).toContain('Open</span>');
    expect(html).toContain('href="https://shop.example/cart/7"');
    expect(html).toContain('€25.00');
    expect(html).toContain('Messages received');
    expect(html).toContain('will be listed here');
    expect(html).toContain('>vip</span>');
  });

  it('adds and removes tags', async () => {
    const added = await merchant.client.post(`/app/contacts/${noraId}/tags`, { tag: 'summer; repeat buyer' });
    expect(added.status).toBe(303);
    expect(added.headers.get('location')).toBe(`/app/contacts/${noraId}?done=tagged#tags`);
    expect(await page(`/app/contacts/${noraId}`)).toContain('>repeat buyer</span>');
    const removed = await merchant.client.post(`/app/contacts/${noraId}/tags/remove`, { tag: 'repeat buyer' });
    expect(removed.status).toBe(303);
    const html = await page(`/app/contacts/${noraId}`);
    expect(html).not.toContain('>repeat buyer</span>');
    expect(html).toContain('>summer</span>');
  });

  it('re-renders the tag form with its error', async () => {
    const res = await merchant.client.post(`/app/contacts/${noraId}/tags`, { tag: ' ; ' });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('Enter a tag');
  });

  it('answers 404 for an unknown contact', async () => {
    await page('/app/contacts/01J0000000000000000000000Z', 404);
  });

  it('erases a contact', async () => {
    const { contactId } = await upsertContact(tenant, { email: 'forget-me@example.com' }, 'api');
    await merchant.client.get(`/app/contacts/${contactId}`);
    const res = await merchant.client.post(`/app/contacts/${contactId}/erase`);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/app/contacts?done=erased');
    expect(await page('/app/contacts?done=erased')).toContain('personal data were erased');
    await page(`/app/contacts/${contactId}`, 404);
  });
});

describe('CSV upload from the dashboard', () => {
  it('imports a file in the background and shows each rejected row', async () => {
    await merchant.client.get('/app/contacts');
    const res = await uploadFile('email,first_name,email_consent\nuploaded@example.com,Uma,yes\nbroken,Bad,\nuploaded-2@example.com,Ula,perhaps\n', 'spring.csv');
    expect(res.status, await res.clone().text()).toBe(303);
    const location = res.headers.get('location')!;
    const id = /^\/app\/contacts\/imports\/([0-9A-Z]{26})$/.exec(location)?.[1];
    expect(id).toBeDefined();
    await expect.poll(() => env.DB.prepare('SELECT status FROM contact_imports WHERE id = ?').bind(id).first<string>('status'), { timeout: 10_000, interval: 100 }).toBe('done');

    const report = await page(location);
    expect(report).toContain('Import of spring.csv');
    expect(report).toContain('Done');
    expect(report).toMatch(
      /<td data-label="Line" class="num">3<\/td><td data-label="Kind"><span class="badge danger">Error<\/span><\/td><td data-label="Reason">invalid email &quot;broken&quot;<\/td>/,
    );
    expect(report).toContain('invalid email_consent &quot;perhaps&quot;');
    expect(report).toContain('2 rows were not imported (errors).');
    const list = await page('/app/contacts');
    expect(list).toContain(`href="/app/contacts/imports/${id}">spring.csv</a>`);
    expect(list).toContain('uploaded@example.com');
  });

  it('shows errors and warnings at the top of the report, above the progress', async () => {
    await merchant.client.get('/app/contacts');
    const rows = Array.from({ length: 60 }, (_, i) => `top-${i}@example.com,Top ${i},`);
    const csv = ['email,first_name,phone', ...rows, 'top-bad-phone@example.com,Pat,12', 'not-an-email,Nope,'].join('\n');
    const res = await uploadFile(csv, 'top.csv');
    const location = res.headers.get('location')!;
    const id = location.split('/').pop();
    await expect.poll(() => env.DB.prepare('SELECT status FROM contact_imports WHERE id = ?').bind(id).first<string>('status'), { timeout: 10_000, interval: 100 }).toBe('done');

    const report = await page(location);
    const summary = report.indexOf('1 row was not imported (errors) and 1 row was imported without a value that could not be read (warnings).');
    const issues = report.indexOf('id="issues-heading"');
    const progress = report.indexOf('aria-label="Progress"');
    expect(summary).toBeGreaterThan(report.indexOf('Import of top.csv'));
    expect(issues).toBeGreaterThan(summary);
    expect(progress).toBeGreaterThan(issues);
    expect(report).toMatch(
      /<td data-label="Line" class="num">62<\/td><td data-label="Kind"><span class="badge warning">Warning<\/span><\/td><td data-label="Reason">invalid phone &quot;12&quot; left out/,
    );
    expect(report).toMatch(/<td data-label="Line" class="num">63<\/td><td data-label="Kind"><span class="badge danger">Error<\/span><\/td>/);
    expect(await env.DB.prepare('SELECT phone FROM contacts WHERE workspace_id = ? AND email = ?').bind(merchant.workspaceId, 'top-bad-phone@example.com').first('phone')).toBeNull();
  });

  it('shows an upload error at the top of the contacts page, above the list', async () => {
    await merchant.client.get('/app/contacts');
    const res = await uploadFile('name,phone\nAnn,+14155550101\n');
    const html = await res.text();
    const error = html.indexOf('The file was not imported: The CSV header has no &quot;email&quot; column');
    expect(error).toBeGreaterThan(-1);
    expect(error).toBeLessThan(html.indexOf('aria-label="Contacts"'));
    expect(error).toBeLessThan(html.indexOf('id="import-heading"'));
  });

  it('asks for a file when none was chosen', async () => {
    await merchant.client.get('/app/contacts');
    const res = await uploadFile(null);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('Choose a CSV file to upload.');
  });

  it('says which column is missing', async () => {
    await merchant.client.get('/app/contacts');
    const res = await uploadFile('name,phone\nAnn,+14155550101\n');
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('The CSV header has no &quot;email&quot; column');
  });

  it('refuses an upload without the CSRF token', async () => {
    const form = new FormData();
    form.set('file', new File(['email\na@example.com\n'], 'x.csv'));
    const res = await merchant.client.request('/app/contacts/imports', { method: 'POST', body: form, headers: { origin: ORIGIN } });
    expect(res.status).toBe(403);
  });

  it('answers 404 for an unknown import report', async () => {
    await page('/app/contacts/imports/01J0000000000000000000000Z', 404);
  });
});
