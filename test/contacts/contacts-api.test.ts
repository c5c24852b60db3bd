import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ContactView } from '../../src/contacts/contacts.service';
import { callApi, createApiKey, patchApi, postApi, signUpMerchant, type Merchant } from '../helpers/factories';
import { connectStore, sendCustomEvent, waitForProcessed } from '../helpers/store-webhooks';

let merchant: Merchant;
let key: string;

beforeAll(async () => {
  merchant = await signUpMerchant('Contacts Api Store');
  key = await createApiKey(merchant);
});

async function createContact(body: Record<string, unknown>): Promise<ContactView> {
  const res = await postApi(key, '/contacts', body);
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json<{ contact: ContactView }>()).contact;
}

async function issuePaths(res: Response): Promise<string[]> {
  expect(res.status).toBe(400);
  const body = await res.json<{ error: { code: string; issues: { path: string }[] } }>();
  expect(body.error.code).toBe('invalid_input');
  return body.error.issues.map((issue) => issue.path);
}

describe('POST /api/v1/contacts', () => {
  it('creates a contact with normalized fields, consent and tags', async () => {
    const contact = await createContact({
      email: '  Nora@Example.COM',
      phone: '+1 415 555 0123',
      firstName: 'Nora',
      lastName: 'Quinn',
      externalId: 'cust-1',
      emailConsent: 'subscribed',
      tags: ['vip', 'newsletter', 'vip'],
    });
    expect(contact).toMatchObject({
      email: 'nora@example.com',
      phone: '+14155550123',
      firstName: 'Nora',
      lastName: 'Quinn',
      externalId: 'cust-1',
      emailConsent: { status: 'subscribed', source: 'api' },
      smsConsent: { status: 'not_subscribed', changedAt: null, source: null },
      registered: false,
      totalSpentCents: 0,
      orderCount: 0,
      firstOrderAt: null,
      lastOrderAt: null,
      tags: ['newsletter', 'vip'],
    });
    expect(contact.id).toMatch(/^[0-9A-Z]{26}$/);
    expect(contact.emailConsent.changedAt).toBe(contact.createdAt);
    expect(Object.keys(contact).sort()).toEqual(
      [
        'id',
        'email',
        'phone',
        'firstName',
        'lastName',
        'externalId',
        'emailConsent',
        'smsConsent',
        'registered',
        'totalSpentCents',
        'orderCount',
        'firstOrderAt',
        'lastOrderAt',
        'tags',
        'createdAt',
        'updatedAt',
      ].sort(),
    );
    const history = await env.DB.prepare('SELECT channel, status, source FROM consent_changes WHERE contact_id = ?').bind(contact.id).all();
    expect(history.results).toEqual([{ channel: 'email', status: 'subscribed', source: 'api' }]);
  });

  it('answers 409 when the email already has a contact, whatever its case, and changes nothing', async () => {
    const first = await createContact({ email: 'once@example.com', firstName: 'First' });
    const res = await postApi(key, '/contacts', { email: 'ONCE@example.com', firstName: 'Second' });
    expect(res.status).toBe(409);
    expect((await res.json<{ error: { code: string } }>()).error.code).toBe('conflict');
    const stored = await callApi(key, `/contacts/${first.id}`);
    expect((await stored.json<{ contact: ContactView }>()).contact.firstName).toBe('First');
  });

  it('names every invalid field', async () => {
    const paths = await issuePaths(await postApi(key, '/contacts', { email: 'nope', phone: '12', emailConsent: 'maybe', tags: [''], firstName: 'x'.repeat(101) }));
    expect(paths).toEqual(expect.arrayContaining(['email', 'phone', 'emailConsent', 'tags.0', 'firstName']));
    expect(await issuePaths(await postApi(key, '/contacts', { email: 'ok@example.com', favouriteColour: 'blue' }))).toEqual(['(body)']);
    expect(await issuePaths(await postApi(key, '/contacts', {}))).toEqual(['email']);
  });

  it("reads a phone without + in the workspace's default country (Settings → SMS), and says what to do without one", async () => {
    const refused = await postApi(key, '/contacts', { phone: '(415) 555-0161' });
    expect(refused.status).toBe(400);
    expect((await refused.json<{ error: { issues: { path: string; message: string }[] } }>()).error.issues).toEqual([
      { path: 'phone', message: 'Write the phone in international format, e.g. +14155550123, or set a default country in Settings → SMS' },
    ]);
    await env.DB.prepare("UPDATE workspace_settings SET sms_default_country = 'US' WHERE workspace_id = ?").bind(merchant.workspaceId).run();
    const created = await postApi(key, '/contacts', { phone: '(415) 555-0161' });
    expect(created.status).toBe(201);
    const { contact } = await created.json<{ contact: ContactView }>();
    expect(contact.phone).toBe('+14155550161');
    const patched = await patchApi(key, `/contacts/${contact.id}`, { phone: '415.555.0162' });
    expect((await patched.json<{ contact: ContactView }>()).contact.phone).toBe('+14155550162');
    // A number that is not one of that country's is named, and nothing changes.
    const bad = await patchApi(key, `/contacts/${contact.id}`, { phone: '020 7946 001' });
    expect(bad.status).toBe(400);
    expect(await issuePaths(bad)).toEqual(['phone']);
    expect((await (await callApi(key, `/contacts/${contact.id}`)).json<{ contact: ContactView }>()).contact.phone).toBe('+14155550162');
    await env.DB.prepare('UPDATE workspace_settings SET sms_default_country = NULL WHERE workspace_id = ?').bind(merchant.workspaceId).run();
  });

  it('wants JSON', async () => {
    const res = await callApi(key, '/contacts', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'email=a@example.com' });
    expect(res.status).toBe(400);
  });
});

describe('GET /api/v1/contacts/:id', () => {
  it('answers 404 for an unknown id', async () => {
    const res = await callApi(key, '/contacts/01J0000000000000000000000Z');
    expect(res.status).toBe(404);
    expect((await res.json<{ error: { code: string } }>()).error.code).toBe('not_found');
  });

  it('shows order aggregates kept from store webhooks', async () => {
    const store = await connectStore(merchant.workspaceId, 'custom', 'EUR');
    const customer = { email: 'buyer@example.com', firstName: 'Bea' };
    await waitForProcessed(await sendCustomEvent(store, { type: 'order.completed', data: { externalId: 'agg-1', customer, currency: 'EUR', totalCents: 4200, placedAt: '2026-03-01T12:00:00Z' } }));
    const list = await callApi(key, '/contacts?q=buyer@');
    const [contact] = (await list.json<{ contacts: ContactView[] }>()).contacts;
    expect(contact).toMatchObject({ email: 'buyer@example.com', totalSpentCents: 4200, orderCount: 1, firstOrderAt: Date.parse('2026-03-01T12:00:00Z') });
  });
});

describe('PATCH /api/v1/contacts/:id', () => {
  it('changes only the fields sent, clears with null, and records consent changes with source api', async () => {
    const contact = await createContact({ email: 'patch@example.com', firstName: 'Pat', lastName: 'Lane', phone: '+14155550124', tags: ['a'] });
    const res = await patchApi(key, `/contacts/${contact.id}`, { firstName: 'Patricia', phone: null, smsConsent: 'unsubscribed', tags: ['b', 'c'] });
    expect(res.status, await res.clone().text()).toBe(200);
    const updated = (await res.json<{ contact: ContactView }>()).contact;
    expect(updated).toMatchObject({ firstName: 'Patricia', lastName: 'Lane', phone: null, smsConsent: { status: 'unsubscribed', source: 'api' }, tags: ['b', 'c'] });

    const again = await patchApi(key, `/contacts/${contact.id}`, { smsConsent: 'unsubscribed' });
    expect((await again.json<{ contact: ContactView }>()).contact.updatedAt).toBe(updated.updatedAt);
    const history = await env.DB.prepare('SELECT status FROM consent_changes WHERE contact_id = ?').bind(contact.id).all();
    expect(history.results).toEqual([{ status: 'unsubscribed' }]);
  });

  it('changes the email, unless another contact has it', async () => {
    const contact = await createContact({ email: 'old-address@example.com' });
    await createContact({ email: 'taken@example.com' });
    const moved = await patchApi(key, `/contacts/${contact.id}`, { email: 'New-Address@example.com' });
    expect((await moved.json<{ contact: ContactView }>()).contact.email).toBe('new-address@example.com');
    expect((await patchApi(key, `/contacts/${contact.id}`, { email: 'taken@example.com' })).status).toBe(409);
  });

  it('names invalid fields and answers 404 for an unknown id', async () => {
    const contact = await createContact({ email: 'patch-invalid@example.com' });
    expect(await issuePaths(await patchApi(key, `/contacts/${contact.id}`, { email: null, emailConsent: 'yes', registered: 'no' }))).toEqual(
      expect.arrayContaining(['email', 'emailConsent', 'registered']),
    );
    expect((await patchApi(key, '/contacts/01J0000000000000000000000Z', { firstName: 'X' })).status).toBe(404);
  });
});

describe('GET /api/v1/contacts', () => {
  let listKey: string;

  beforeAll(async () => {
    const owner = await signUpMerchant('List Store');
    listKey = await createApiKey(owner);
    const people = [
      { email: 'alice.smith@example.com', firstName: 'Alice', lastName: 'Smith', tags: ['vip'] },
      { email: 'bob@example.com', firstName: 'Bob', lastName: 'Stone' },
      { email: 'carol@example.org', firstName: 'Carol', lastName: 'Alison', tags: ['vip', 'wholesale'] },
      { email: 'dan_50%@example.com', firstName: 'Dan', phone: '+14155550199' },
      { email: 'erin@example.com', firstName: 'Erin', lastName: 'Smithers', tags: ['wholesale'] },
    ];
    for (const person of people) {
      const res = await callApi(listKey, '/contacts', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(person) });
      expect(res.status).toBe(201);
    }
  });

  async function list(query: string) {
    const res = await callApi(listKey, `/contacts${query}`);
    expect(res.status, await res.clone().text()).toBe(200);
    return res.json<{ contacts: ContactView[]; nextCursor: string | null }>();
  }
  const emails = (page: { contacts: ContactView[] }) => page.contacts.map((contact) => contact.email);

  it('pages through every contact, newest first, with a keyset cursor', async () => {
    const seen: (string | null)[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await list(`?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...emails(page));
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual(['erin@example.com', 'dan_50%@example.com', 'carol@example.org', 'bob@example.com', 'alice.smith@example.com']);
  });

  it('searches email prefixes, first and last names, full names and phones', async () => {
    expect(emails(await list('?q=BOB@'))).toEqual(['bob@example.com']);
    expect(emails(await list('?q=ali'))).toEqual(['carol@example.org', 'alice.smith@example.com']);
    expect(emails(await list('?q=smith'))).toEqual(['erin@example.com', 'alice.smith@example.com']);
    expect(emails(await list(`?q=${encodeURIComponent('alice smi')}`))).toEqual(['alice.smith@example.com']);
    expect(emails(await list(`?q=${encodeURIComponent('+1 415 555 0199')}`))).toEqual(['dan_50%@example.com']);
    // LIKE wildcards in the search are taken literally.
    expect(emails(await list(`?q=${encodeURIComponent('dan_50%')}`))).toEqual(['dan_50%@example.com']);
    expect(emails(await list(`?q=${encodeURIComponent('%')}`))).toEqual([]);
  });

  it('filters by tag, with search and pages too', async () => {
    expect(emails(await list('?tag=vip'))).toEqual(['carol@example.org', 'alice.smith@example.com']);
    expect(emails(await list('?tag=vip&q=car'))).toEqual(['carol@example.org']);
    const first = await list('?tag=wholesale&limit=1');
    expect(emails(first)).toEqual(['erin@example.com']);
    expect(emails(await list(`?tag=wholesale&limit=1&cursor=${first.nextCursor}`))).toEqual(['carol@example.org']);
    expect(emails(await list('?tag=nobody'))).toEqual([]);
  });

  it('names an invalid limit or cursor', async () => {
    expect(await issuePaths(await callApi(listKey, '/contacts?limit=500'))).toEqual(['limit']);
    expect(await issuePaths(await callApi(listKey, '/contacts?cursor=not-a-cursor'))).toEqual(['cursor']);
  });
});

describe('tags', () => {
  it('adds tags and removes one, by name', async () => {
    const contact = await createContact({ email: 'tagged@example.com', tags: ['first'] });
    const added = await postApi(key, `/contacts/${contact.id}/tags`, { tags: ['Summer sale', 'first'] });
    expect((await added.json<{ contact: ContactView }>()).contact.tags).toEqual(['Summer sale', 'first']);
    const removed = await callApi(key, `/contacts/${contact.id}/tags/${encodeURIComponent('Summer sale')}`, { method: 'DELETE' });
    expect((await removed.json<{ contact: ContactView }>()).contact.tags).toEqual(['first']);
    expect(await issuePaths(await postApi(key, `/contacts/${contact.id}/tags`, { tags: [] }))).toEqual(['tags']);
  });
});

describe('DELETE /api/v1/contacts/:id', () => {
  it('erases the contact and its personal data, keeping anonymous orders', async () => {
    const store = await connectStore(merchant.workspaceId, 'custom', 'USD');
    const customer = { email: 'erase-me@example.com', firstName: 'Eve', phone: '+14155550177' };
    const items = [{ sku: 'CAP-1', title: 'Cap', quantity: 1, unitPriceCents: 1500 }];
    await waitForProcessed(await sendCustomEvent(store, { type: 'customer.upserted', data: { ...customer, emailConsent: 'subscribed', tags: ['gdpr'] } }));
    await waitForProcessed(await sendCustomEvent(store, { type: 'product.updated', data: { externalId: 'cap', sku: 'CAP-1', title: 'Cap', priceCents: 1500, inventory: 3 } }));
    await waitForProcessed(await sendCustomEvent(store, { type: 'product.viewed', data: { customer, sku: 'CAP-1' } }));
    await waitForProcessed(await sendCustomEvent(store, { type: 'order.completed', data: { externalId: 'erase-order', customer, currency: 'USD', totalCents: 1500, items } }));
    await waitForProcessed(await sendCustomEvent(store, { type: 'cart.updated', data: { externalId: 'erase-cart', customer, currency: 'USD', valueCents: 1500, items } }));
    const id = (await env.DB.prepare('SELECT id FROM contacts WHERE workspace_id = ? AND email = ?').bind(merchant.workspaceId, 'erase-me@example.com').first<string>('id'))!;
    const count = (table: string) => env.DB.prepare(`SELECT count(*) AS n FROM ${table} WHERE contact_id = ?`).bind(id).first<number>('n');
    for (const table of ['contact_tags', 'consent_changes', 'product_interests', 'carts', 'orders']) expect(await count(table), table).toBeGreaterThan(0);

    const res = await callApi(key, `/contacts/${id}`, { method: 'DELETE' });
    expect(res.status).toBe(204);
    expect(await res.text()).toBe('');

    expect((await callApi(key, `/contacts/${id}`)).status).toBe(404);
    for (const table of ['contacts', 'contact_tags', 'consent_changes', 'product_interests', 'carts', 'orders', 'triggers']) {
      const column = table === 'contacts' ? 'id' : 'contact_id';
      const n = await env.DB.prepare(`SELECT count(*) AS n FROM ${table} WHERE ${column} = ?`).bind(id).first<number>('n');
      expect(n, table).toBe(0);
    }
    const order = await env.DB.prepare('SELECT email, contact_id, total_cents FROM orders WHERE workspace_id = ? AND external_id = ?').bind(merchant.workspaceId, 'erase-order').first();
    expect(order).toEqual({ email: null, contact_id: null, total_cents: 1500 });
    expect((await callApi(key, `/contacts/${id}`, { method: 'DELETE' })).status).toBe(404);
  });
});

describe('contacts by phone through the API', () => {
  it('creates a contact with only a phone, in E.164', async () => {
    const contact = await createContact({ phone: '+44 7911 123457', smsConsent: 'subscribed' });
    expect(contact).toMatchObject({ email: null, phone: '+447911123457', smsConsent: { status: 'subscribed', source: 'api' } });
  });

  it('answers 400 naming the phone for an invalid one, and the email when neither is given', async () => {
    const res = await postApi(key, '/contacts', { phone: '555 0123' });
    expect(res.status).toBe(400);
    const body = await res.clone().json<{ error: { issues: { path: string; message: string }[] } }>();
    // A national-looking number without a default country: the answer says both ways out.
    expect(body.error.issues).toEqual([{ path: 'phone', message: 'Write the phone in international format, e.g. +14155550123, or set a default country in Settings → SMS' }]);
    const garbage = await postApi(key, '/contacts', { phone: 'call me maybe' });
    expect((await garbage.json<{ error: { issues: { path: string; message: string }[] } }>()).error.issues).toEqual([
      { path: 'phone', message: 'Enter a valid phone number in international format, e.g. +14155550123' },
    ]);
    expect(await issuePaths(await postApi(key, '/contacts', { firstName: 'Nobody' }))).toEqual(['email']);
  });

  it('answers 409 for a phone another contact has, on create and on change', async () => {
    await createContact({ phone: '+14155550188' });
    expect((await postApi(key, '/contacts', { email: 'wants-phone@example.com', phone: '+14155550188' })).status).toBe(409);
    const other = await createContact({ email: 'other-phone@example.com' });
    const res = await patchApi(key, `/contacts/${other.id}`, { phone: '+1 415 555 0188' });
    expect(res.status).toBe(409);
    expect((await res.json<{ error: { message: string } }>()).error.message).toBe('A contact with the phone +14155550188 already exists');
  });

  it('refuses to clear the phone of a contact without an email', async () => {
    const contact = await createContact({ phone: '+14155550189' });
    expect(await issuePaths(await patchApi(key, `/contacts/${contact.id}`, { phone: null }))).toEqual(['phone']);
  });
});
