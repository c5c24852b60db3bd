// Contacts identified by email or by phone: SMS-only contacts, one contact per phone,
// and merging a phone-only contact into the email's contact when an event carries both.
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { upsertContact } from '../../src/contacts/contacts.service';
import { openDb } from '../../src/db/client';
import { forWorkspace, type Tenant } from '../../src/db/tenant';
import { insertCart, insertOrder } from '../helpers/data';
import { insertEmailContent } from '../helpers/deliveries';
import { signUpMerchant } from '../helpers/factories';

let tenant: Tenant;

beforeAll(async () => {
  const merchant = await signUpMerchant('Identity Store');
  tenant = forWorkspace(openDb(env.DB), merchant.workspaceId);
});

function contactById(id: string) {
  return env.DB.prepare('SELECT * FROM contacts WHERE workspace_id = ? AND id = ?').bind(tenant.workspaceId, id).first<Record<string, unknown>>();
}

async function rowsOf(table: string, contactId: string) {
  return (await env.DB.prepare(`SELECT * FROM ${table} WHERE workspace_id = ? AND contact_id = ?`).bind(tenant.workspaceId, contactId).all<Record<string, unknown>>()).results;
}

async function insertDelivery(contactId: string, contentId: string, campaignId: string) {
  await env.DB.prepare(
    "INSERT INTO deliveries (id, workspace_id, contact_id, channel, source_type, source_id, step_key, occurrence_key, content_id, status, queued_at, updated_at) VALUES (?, ?, ?, 'email', 'campaign', ?, '', '', ?, 'queued', 0, 0)",
  )
    .bind(`d-${campaignId}-${contactId}`, tenant.workspaceId, contactId, campaignId, contentId)
    .run();
}

async function contactsWith(column: 'email' | 'phone', value: string) {
  return (await env.DB.prepare(`SELECT id FROM contacts WHERE workspace_id = ? AND ${column} = ?`).bind(tenant.workspaceId, value).all()).results;
}

describe('phone-only contacts', () => {
  it('creates a contact with only a phone, then finds it by that phone', async () => {
    const first = await upsertContact(tenant, { phone: '+14155550140', smsConsent: 'subscribed', consentAt: 1_000 }, 'api', 1_000);
    const again = await upsertContact(tenant, { phone: '+14155550140', firstName: 'Sam' }, 'api', 2_000);
    expect(first.created).toBe(true);
    expect(again).toEqual({ contactId: first.contactId, created: false });
    expect(await contactById(first.contactId)).toMatchObject({ email: null, phone: '+14155550140', sms_consent: 'subscribed', first_name: 'Sam' });
  });

  it('refuses neither an email nor a phone, and a phone not in E.164', async () => {
    await expect(upsertContact(tenant, { email: null, phone: null }, 'api')).rejects.toThrow('needs an email or a phone');
    await expect(upsertContact(tenant, { phone: '415 555 0141' }, 'api')).rejects.toThrow('Not an E.164 phone number');
  });

  it('gives the phone-only contact the email when the email has no contact yet', async () => {
    const sms = await upsertContact(tenant, { phone: '+14155550142', smsConsent: 'subscribed' }, 'shopify');
    const later = await upsertContact(tenant, { email: 'gains@example.com', phone: '+14155550142', firstName: 'Gia' }, 'shopify');
    expect(later).toEqual({ contactId: sms.contactId, created: false });
    expect(await contactById(sms.contactId)).toMatchObject({ email: 'gains@example.com', phone: '+14155550142', first_name: 'Gia', sms_consent: 'subscribed' });
  });

  it('gives the email contact a phone nobody has', async () => {
    const byEmail = await upsertContact(tenant, { email: 'takes-phone@example.com' }, 'shopify');
    await upsertContact(tenant, { email: 'takes-phone@example.com', phone: '+14155550143' }, 'shopify');
    expect(await contactById(byEmail.contactId)).toMatchObject({ phone: '+14155550143' });
  });
});

describe('one contact per phone', () => {
  it('leaves a phone with the email contact that has it when another email arrives with it (a household)', async () => {
    const first = await upsertContact(tenant, { email: 'parent@example.com', phone: '+14155550150' }, 'shopify');
    const second = await upsertContact(tenant, { email: 'child@example.com', phone: '+14155550150' }, 'shopify');
    expect(second.created).toBe(true);
    expect(await contactById(first.contactId)).toMatchObject({ phone: '+14155550150' });
    expect(await contactById(second.contactId)).toMatchObject({ email: 'child@example.com', phone: null });
    // The phone alone names the contact that has it.
    expect((await upsertContact(tenant, { phone: '+14155550150' }, 'import')).contactId).toBe(first.contactId);
  });

  it('refuses a second row with the same phone in D1 itself', async () => {
    await upsertContact(tenant, { phone: '+14155550151' }, 'api');
    const insert = env.DB.prepare("INSERT INTO contacts (id, workspace_id, phone, created_at, updated_at) VALUES (?, ?, '+14155550151', 0, 0)").bind('dup-phone', tenant.workspaceId);
    await expect(insert.run()).rejects.toThrow('UNIQUE');
  });

  it('lets two workspaces have the same phone', async () => {
    const other = forWorkspace(openDb(env.DB), (await signUpMerchant('Other Identity Store')).workspaceId);
    const mine = await upsertContact(tenant, { phone: '+14155550152' }, 'api');
    const theirs = await upsertContact(other, { phone: '+14155550152' }, 'api');
    expect(theirs.created).toBe(true);
    expect(theirs.contactId).not.toBe(mine.contactId);
  });

  it('lands concurrent first deliveries of one phone on one contact', async () => {
    const results = await Promise.all(Array.from({ length: 6 }, () => upsertContact(tenant, { phone: '+14155550153', smsConsent: 'subscribed', consentAt: 5 }, 'shopify')));
    expect(new Set(results.map((result) => result.contactId)).size).toBe(1);
    expect(results.filter((result) => result.created)).toHaveLength(1);
    expect(await rowsOf('triggers', results[0]!.contactId)).toHaveLength(1);
  });
});

describe('merging a phone-only contact into the email contact', () => {
  it('moves tags, orders, carts, consent history, triggers and deliveries, combines consent, and deletes the phone contact, in one batch', async () => {
    const byEmail = await upsertContact(
      tenant,
      { email: 'merge-me@example.com', firstName: 'Mae', emailConsent: 'subscribed', smsConsent: 'subscribed', consentAt: 1_000, tags: ['vip'] },
      'shopify',
      1_000,
    );
    const byPhone = await upsertContact(tenant, { phone: '+14155550160', lastName: 'Moss', smsConsent: 'unsubscribed', consentAt: 500, tags: ['sms', 'vip'] }, 'shopify', 2_000);
    const email = byEmail.contactId;
    const phone = byPhone.contactId;
    await insertOrder(tenant.workspaceId, email, { placedAt: 10_000, totalCents: 1_500 });
    await insertOrder(tenant.workspaceId, phone, { placedAt: 5_000, totalCents: 2_500 });
    await env.DB.prepare('UPDATE contacts SET order_count = 1, total_spent_cents = 1500, first_order_at = 10000, last_order_at = 10000 WHERE id = ?').bind(email).run();
    await env.DB.prepare('UPDATE contacts SET order_count = 1, total_spent_cents = 2500, first_order_at = 5000, last_order_at = 5000 WHERE id = ?').bind(phone).run();
    await insertCart(tenant.workspaceId, phone);
    const contentId = await insertEmailContent(tenant.workspaceId, { subject: 'Hi', html: '<p>Hi</p>' });
    await insertDelivery(email, contentId, 'campaign-both');
    await insertDelivery(phone, contentId, 'campaign-both');
    await insertDelivery(phone, contentId, 'campaign-phone');

    const merged = await upsertContact(tenant, { email: 'merge-me@example.com', phone: '+14155550160' }, 'shopify', 3_000);
    expect(merged).toEqual({ contactId: email, created: false });
    expect(await contactById(phone)).toBeNull();
    expect(await contactById(email)).toMatchObject({
      email: 'merge-me@example.com',
      phone: '+14155550160',
      first_name: 'Mae',
      last_name: 'Moss',
      email_consent: 'subscribed',
      // The phone's unsubscribe wins over the email contact's later opt-in: never lost.
      sms_consent: 'unsubscribed',
      sms_consent_at: 500,
      order_count: 2,
      total_spent_cents: 4_000,
      first_order_at: 5_000,
      last_order_at: 10_000,
      created_at: 1_000,
    });
    expect((await rowsOf('contact_tags', email)).map((row) => row.tag).sort()).toEqual(['sms', 'vip']);
    expect(await rowsOf('orders', email)).toHaveLength(2);
    expect(await rowsOf('carts', email)).toHaveLength(1);
    expect((await rowsOf('consent_changes', email)).map((row) => `${row.channel}:${row.status}`).sort()).toEqual(['email:subscribed', 'sms:subscribed', 'sms:unsubscribed']);
    // One delivery per campaign: the one both had stays the survivor's.
    expect((await rowsOf('deliveries', email)).map((row) => row.source_id).sort()).toEqual(['campaign-both', 'campaign-phone']);
    // The person keeps one contact_created, the survivor's.
    expect((await rowsOf('triggers', email)).filter((row) => row.kind === 'contact_created')).toHaveLength(1);
    for (const table of ['contact_tags', 'orders', 'carts', 'consent_changes', 'deliveries', 'triggers']) expect(await rowsOf(table, phone), table).toEqual([]);
  });

  it('is idempotent: the same event again changes nothing', async () => {
    await upsertContact(tenant, { email: 'merge-twice@example.com' }, 'shopify');
    await upsertContact(tenant, { phone: '+14155550161' }, 'shopify');
    const first = await upsertContact(tenant, { email: 'merge-twice@example.com', phone: '+14155550161' }, 'shopify');
    const before = await contactById(first.contactId);
    expect(await upsertContact(tenant, { email: 'merge-twice@example.com', phone: '+14155550161' }, 'shopify', Date.now() + 1)).toEqual({ contactId: first.contactId, created: false });
    expect(await contactById(first.contactId)).toEqual(before);
    expect(await contactsWith('phone', '+14155550161')).toHaveLength(1);
  });

  it('never merges across workspaces', async () => {
    const other = forWorkspace(openDb(env.DB), (await signUpMerchant('Merge Other Store')).workspaceId);
    const theirs = await upsertContact(other, { phone: '+14155550162', tags: ['theirs'] }, 'shopify');
    const mine = await upsertContact(tenant, { email: 'merge-scope@example.com', phone: '+14155550162' }, 'shopify');
    expect(mine.created).toBe(true);
    const row = await env.DB.prepare('SELECT workspace_id, phone FROM contacts WHERE id = ?').bind(theirs.contactId).first();
    expect(row).toEqual({ workspace_id: other.workspaceId, phone: '+14155550162' });
    expect(
      await env.DB.prepare('SELECT tag FROM contact_tags WHERE contact_id = ?')
        .bind(theirs.contactId)
        .all()
        .then((r) => r.results),
    ).toEqual([{ tag: 'theirs' }]);
  });
});
