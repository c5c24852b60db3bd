import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { upsertContact } from '../../src/contacts/contacts.service';
import { openDb } from '../../src/db/client';
import { forWorkspace, type Tenant } from '../../src/db/tenant';
import { signUpMerchant } from '../helpers/factories';

let tenant: Tenant;

beforeAll(async () => {
  const merchant = await signUpMerchant('Upsert Store');
  tenant = forWorkspace(openDb(env.DB), merchant.workspaceId);
});

function contactRow(email: string) {
  return env.DB.prepare('SELECT * FROM contacts WHERE workspace_id = ? AND email = ?').bind(tenant.workspaceId, email).first<Record<string, unknown>>();
}

async function consentHistory(contactId: string) {
  const rows = await env.DB.prepare('SELECT channel, status, source, changed_at FROM consent_changes WHERE contact_id = ? ORDER BY changed_at, id').bind(contactId).all();
  return rows.results;
}

async function tagsOf(contactId: string) {
  const rows = await env.DB.prepare('SELECT tag FROM contact_tags WHERE contact_id = ? ORDER BY tag').bind(contactId).all<{ tag: string }>();
  return rows.results.map((row) => row.tag);
}

describe('upsertContact', () => {
  it('creates a contact keyed by email, then finds the same one', async () => {
    const first = await upsertContact(tenant, { email: 'ann@example.com', firstName: 'Ann', phone: '+14155550123' }, 'shopify', 1_000);
    const second = await upsertContact(tenant, { email: 'ann@example.com', lastName: 'Lee' }, 'woocommerce', 2_000);
    expect(first.created).toBe(true);
    expect(second).toEqual({ contactId: first.contactId, created: false });
    expect(await contactRow('ann@example.com')).toMatchObject({ id: first.contactId, first_name: 'Ann', last_name: 'Lee', phone: '+14155550123', created_at: 1_000 });
  });

  it('changes nothing the second time the same input arrives, and records one consent change', async () => {
    const input = { email: 'twice@example.com', firstName: 'Tia', emailConsent: 'subscribed' as const, consentAt: 5_000, tags: ['vip'], sourceUpdatedAt: 4_000 };
    const { contactId } = await upsertContact(tenant, input, 'shopify', 10_000);
    const before = await contactRow('twice@example.com');
    const again = await upsertContact(tenant, input, 'shopify', 20_000);
    expect(again).toEqual({ contactId, created: false });
    expect(await contactRow('twice@example.com')).toEqual(before);
    expect(before).toMatchObject({ email_consent: 'subscribed', email_consent_at: 5_000, email_consent_source: 'shopify', updated_at: 10_000 });
    expect(await consentHistory(contactId)).toEqual([{ channel: 'email', status: 'subscribed', source: 'shopify', changed_at: 5_000 }]);
    expect(await tagsOf(contactId)).toEqual(['vip']);
  });

  it('never blanks stored data with null, undefined or empty fields', async () => {
    const { contactId } = await upsertContact(tenant, { email: 'keep@example.com', firstName: 'Kim', lastName: 'Park', phone: '+447911123456', externalId: '77' }, 'api');
    await upsertContact(tenant, { email: 'keep@example.com', firstName: null, lastName: '  ', phone: undefined, externalId: null }, 'shopify');
    expect(await contactRow('keep@example.com')).toMatchObject({ id: contactId, first_name: 'Kim', last_name: 'Park', phone: '+447911123456', external_id: '77' });
  });

  it('keeps the newer profile and consent when an older store update arrives late', async () => {
    const email = 'order@example.com';
    const { contactId } = await upsertContact(tenant, { email, firstName: 'New', smsConsent: 'unsubscribed', consentAt: 2_000, sourceUpdatedAt: 2_000 }, 'shopify', 3_000);
    await upsertContact(tenant, { email, firstName: 'Old', lastName: 'Late', smsConsent: 'subscribed', consentAt: 1_000, sourceUpdatedAt: 1_000, tags: ['late'] }, 'shopify', 4_000);
    expect(await contactRow(email)).toMatchObject({ first_name: 'New', last_name: null, sms_consent: 'unsubscribed', source_updated_at: 2_000 });
    expect((await consentHistory(contactId)).map((row) => row.status)).toEqual(['unsubscribed']);
    // Tags only ever add up, whatever the order.
    expect(await tagsOf(contactId)).toEqual(['late']);

    await upsertContact(tenant, { email, firstName: 'Newest', sourceUpdatedAt: 5_000 }, 'shopify', 6_000);
    expect(await contactRow(email)).toMatchObject({ first_name: 'Newest', source_updated_at: 5_000, updated_at: 6_000 });
  });

  it('ignores a consent change older than the stored one, even without a store timestamp', async () => {
    const email = 'consent-order@example.com';
    const { contactId } = await upsertContact(tenant, { email, emailConsent: 'unsubscribed', consentAt: 9_000 }, 'shopify');
    await upsertContact(tenant, { email, emailConsent: 'subscribed', consentAt: 8_000 }, 'shopify');
    expect(await contactRow(email)).toMatchObject({ email_consent: 'unsubscribed', email_consent_at: 9_000 });
    await upsertContact(tenant, { email, emailConsent: 'subscribed', consentAt: 9_500 }, 'woocommerce');
    expect(await consentHistory(contactId)).toEqual([
      { channel: 'email', status: 'unsubscribed', source: 'shopify', changed_at: 9_000 },
      { channel: 'email', status: 'subscribed', source: 'woocommerce', changed_at: 9_500 },
    ]);
  });

  it('records consent only when the status changes, per channel', async () => {
    const email = 'channels@example.com';
    const { contactId } = await upsertContact(tenant, { email, emailConsent: 'not_subscribed', smsConsent: 'subscribed', consentAt: 100 }, 'import');
    await upsertContact(tenant, { email, emailConsent: 'not_subscribed', smsConsent: 'subscribed', consentAt: 200 }, 'import');
    expect(await consentHistory(contactId)).toEqual([{ channel: 'sms', status: 'subscribed', source: 'import', changed_at: 100 }]);
    expect(await contactRow(email)).toMatchObject({ email_consent: 'not_subscribed', email_consent_at: null, sms_consent_at: 100 });
  });

  it('turns registered on and never back off', async () => {
    const email = 'guest@example.com';
    await upsertContact(tenant, { email, registered: false }, 'shopify');
    expect(await contactRow(email)).toMatchObject({ registered: 0 });
    await upsertContact(tenant, { email, registered: true, sourceUpdatedAt: 1 }, 'shopify');
    await upsertContact(tenant, { email, registered: false, sourceUpdatedAt: 2 }, 'shopify');
    expect(await contactRow(email)).toMatchObject({ registered: 1 });
  });

  it('lands concurrent first deliveries of one email on one contact', async () => {
    const email = 'race@example.com';
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => upsertContact(tenant, { email, firstName: 'Race', emailConsent: 'subscribed', consentAt: 1_000, tags: [`t${i % 2}`] }, 'shopify')),
    );
    expect(new Set(results.map((result) => result.contactId)).size).toBe(1);
    expect(results.filter((result) => result.created)).toHaveLength(1);
    expect(await consentHistory(results[0]!.contactId)).toHaveLength(1);
    expect(await tagsOf(results[0]!.contactId)).toEqual(['t0', 't1']);
  });

  it('refuses an email that is not normalized', async () => {
    await expect(upsertContact(tenant, { email: ' Ann@Example.com' }, 'api')).rejects.toThrow('Not a normalized email');
  });

  it('keeps workspaces apart: the same email is two contacts in two workspaces', async () => {
    const other = await signUpMerchant('Other Upsert Store');
    const otherTenant = forWorkspace(openDb(env.DB), other.workspaceId);
    const mine = await upsertContact(tenant, { email: 'shared@example.com', firstName: 'Mine' }, 'api');
    const theirs = await upsertContact(otherTenant, { email: 'shared@example.com', firstName: 'Theirs' }, 'api');
    expect(theirs.created).toBe(true);
    expect(theirs.contactId).not.toBe(mine.contactId);
    expect(await contactRow('shared@example.com')).toMatchObject({ first_name: 'Mine' });
  });
});
