import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { insertContact, tagContact } from '../helpers/data';
import { signUpMerchant, type Merchant } from '../helpers/factories';

let merchant: Merchant;

beforeAll(async () => {
  merchant = await signUpMerchant('List Dashboard Store');
});

async function page(path: string, status = 200): Promise<string> {
  const res = await merchant.client.get(path);
  const html = await res.text();
  expect(res.status, html).toBe(status);
  return html;
}

describe('the "Add contact" form', () => {
  it('adds a contact with tags and consent recorded with where it was given', async () => {
    expect(await page('/app/contacts/new')).toContain('Where they agreed');
    const res = await merchant.client.post('/app/contacts/new', {
      email: 'Walk.In@Example.com',
      phone: '+14155550177',
      firstName: 'Wally',
      lastName: 'In',
      tags: 'walk-in, vip',
      emailConsent: 'yes',
      consentSource: 'Shop counter sign-up sheet',
    });
    expect(res.status, await res.clone().text()).toBe(303);
    const location = res.headers.get('location')!;
    expect(location).toMatch(/^\/app\/contacts\/[0-9A-Z]{26}\?done=added$/);
    const row = await env.DB.prepare('SELECT email, email_consent, email_consent_source, sms_consent FROM contacts WHERE workspace_id = ? AND phone = ?')
      .bind(merchant.workspaceId, '+14155550177')
      .first();
    expect(row).toEqual({ email: 'walk.in@example.com', email_consent: 'subscribed', email_consent_source: 'Shop counter sign-up sheet', sms_consent: 'not_subscribed' });
    const profile = await page(location);
    expect(profile).toContain('Contact added.');
    expect(profile).toContain('Shop counter sign-up sheet');
  });

  it('shows each error next to its field and keeps what was typed', async () => {
    const res = await merchant.client.post('/app/contacts/new', { email: 'not-an-email', phone: '12', firstName: 'Kept', smsConsent: 'yes', tags: 'x'.repeat(65) });
    const html = await res.text();
    expect(res.status).toBe(400);
    expect(html).toContain('id="field-email-error"');
    expect(html).toContain('id="field-phone-error"');
    expect(html).toContain('id="field-tags-error"');
    expect(html).toContain('value="Kept"');
    // Consent needs the channel's address and where it was given.
    const consent = await (await merchant.client.post('/app/contacts/new', { email: 'consent@example.com', smsConsent: 'yes' })).text();
    expect(consent).toMatch(/id="field-phone-error">Enter the phone they agreed to receive texts at/);
    expect(consent).toContain('id="field-consentSource-error"');
    const empty = await merchant.client.post('/app/contacts/new', {});
    expect(await empty.text()).toContain('Enter an email or a phone');
    // An email another contact has is named at the email field.
    const taken = await merchant.client.post('/app/contacts/new', { email: 'walk.in@example.com' });
    expect(taken.status).toBe(409);
    expect(await taken.text()).toMatch(/id="field-email-error">A contact with the email walk.in@example.com already exists/);
  });
});

describe('the list with bulk actions', () => {
  it('shows the count, sort and consent filters, row checkboxes and the export of the filter', async () => {
    const a = await insertContact(merchant.workspaceId, { email: 'list-a@example.com', email_consent: 'unsubscribed' });
    await tagContact(merchant.workspaceId, a, 'listed');
    const html = await page('/app/contacts?emailConsent=unsubscribed&sort=email');
    expect(html).toMatch(/<strong>1<\/strong> contact matches/);
    expect(html).toContain('href="/app/contacts/export.csv?emailConsent=unsubscribed"');
    expect(html).toContain(`name="ids" value="${a}" form="bulk-form"`);
    expect(html).toContain('<option value="email" selected="">Email (A–Z)</option>');
    expect(html).toContain('src="/contacts-list.js"');
    const csv = await merchant.client.get('/app/contacts/export.csv?emailConsent=unsubscribed');
    expect(csv.headers.get('content-disposition')).toContain('contacts-export.csv');
    expect(await csv.text()).toContain('list-a@example.com');
  });

  it('offers each tag once in the tag filter, whatever its case, in alphabetical order', async () => {
    const own = await signUpMerchant('Tag Filter Store');
    for (const [email, tag] of [
      ['t1@example.com', 'VIP'],
      ['t2@example.com', 'vip'],
      ['t3@example.com', 'Zeta'],
      ['t4@example.com', 'alpha'],
    ] as const)
      await tagContact(own.workspaceId, await insertContact(own.workspaceId, { email }), tag);
    const html = await (await own.client.get('/app/contacts')).text();
    const options = [...html.matchAll(/<option value="([^"]*)"[^>]*>[^<]*<\/option>/g)].map((match) => match[1]).filter((value) => ['alpha', 'VIP', 'vip', 'Zeta'].includes(value!));
    expect(options.map((tag) => tag!.toLowerCase())).toEqual(['alpha', 'vip', 'zeta']);
  });

  it('tags the ticked contacts, and says which field is missing', async () => {
    const a = await insertContact(merchant.workspaceId, { email: 'tick-a@example.com' });
    const res = await merchant.client.post('/app/contacts/bulk', { action: 'tag', tags: 'ticked', scope: 'selected', ids: a });
    expect(res.status, await res.clone().text()).toBe(303);
    expect(res.headers.get('location')).toBe('/app/contacts?done=bulk');
    expect(await env.DB.prepare("SELECT count(*) AS n FROM contact_tags WHERE contact_id = ? AND tag = 'ticked'").bind(a).first('n')).toBe(1);

    const none = await merchant.client.post('/app/contacts/bulk', { action: 'tag', tags: 'ticked', scope: 'selected' });
    expect(none.status).toBe(400);
    expect(await none.text()).toContain('Choose at least one contact');
    const noTag = await merchant.client.post('/app/contacts/bulk', { action: 'tag', scope: 'selected', ids: a });
    expect(await noTag.text()).toContain('id="bulk-tags-error"');
    const unconfirmed = await merchant.client.post('/app/contacts/bulk', { action: 'erase', scope: 'selected', ids: a });
    expect(await unconfirmed.text()).toContain('Tick the box to confirm');
    expect(await env.DB.prepare('SELECT count(*) AS n FROM contacts WHERE id = ?').bind(a).first('n')).toBe(1);
  });

  it('starts a job for a whole filter, shows its progress, and answers its progress as JSON', async () => {
    for (let i = 0; i < 3; i++) await tagContact(merchant.workspaceId, await insertContact(merchant.workspaceId, { email: `job-${i}@example.com` }), 'jobbed');
    const res = await merchant.client.post('/app/contacts/bulk', { action: 'unsubscribe', channels: 'email', scope: 'filter', tag: 'jobbed' });
    expect(res.status, await res.clone().text()).toBe(303);
    expect(res.headers.get('location')).toBe('/app/contacts?tag=jobbed&done=bulk-started#bulk-jobs');
    const id = await env.DB.prepare('SELECT id FROM contact_bulk_jobs WHERE workspace_id = ? ORDER BY created_at DESC').bind(merchant.workspaceId).first<string>('id');
    await expect
      .poll(async () => await (await merchant.client.get(`/app/contacts/bulk/${id}`)).json<{ status: string; done: number; total: number }>(), { timeout: 20_000, interval: 200 })
      .toEqual({ status: 'done', done: 3, total: 3 });
    const html = await page('/app/contacts');
    expect(html).toContain('Unsubscribe from email');
    expect(html).toMatch(/>3<\/span> of <span>3<\/span> contacts/);
  });
});
