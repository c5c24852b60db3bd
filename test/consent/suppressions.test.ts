import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { consentFields, skipReasonOf } from '../../src/consent/eligibility';
import { openDb } from '../../src/db/client';
import { contacts } from '../../src/db/schema';
import { insertContact } from '../helpers/data';
import { callApi, createApiKey, signUpMerchant } from '../helpers/factories';

describe('the suppression list', () => {
  it('adds, lists and removes addresses in Settings, with the reason', async () => {
    const merchant = await signUpMerchant();
    await merchant.client.get('/app/settings/suppressions');
    expect((await merchant.client.post('/app/settings/suppressions', { email: 'Angry@Example.com', reason: 'complaint', detail: 'Called support' })).status).toBe(303);
    const page = await (await merchant.client.get('/app/settings/suppressions')).text();
    expect(page).toContain('angry@example.com');
    expect(page).toContain('Spam complaint');
    expect(page).toContain('Called support');
    expect((await merchant.client.post('/app/settings/suppressions/remove', { address: 'angry@example.com' })).status).toBe(303);
    expect(await env.DB.prepare('SELECT count(*) AS n FROM suppressions WHERE workspace_id = ?').bind(merchant.workspaceId).first('n')).toBe(0);
  });

  it('is available through the API, and names a bad email', async () => {
    const merchant = await signUpMerchant();
    const key = await createApiKey(merchant);
    const post = (body: unknown) => callApi(key, '/suppressions', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await post({ email: 'gone@example.com', reason: 'hard_bounce' })).status).toBe(201);
    const bad = await post({ email: 'nope' });
    expect(bad.status).toBe(400);
    expect((await bad.json<{ error: { issues: { path: string }[] } }>()).error.issues[0]!.path).toBe('email');
    const list = await (await callApi(key, '/suppressions?q=gone')).json<{ suppressions: { channel: string; address: string; reason: string }[] }>();
    expect(list.suppressions).toEqual([expect.objectContaining({ channel: 'email', address: 'gone@example.com', reason: 'hard_bounce' })]);
    expect((await callApi(key, '/suppressions/gone@example.com', { method: 'DELETE' })).status).toBe(204);
    expect((await callApi(key, '/suppressions/gone@example.com', { method: 'DELETE' })).status).toBe(404);
  });

  it('keys addresses by channel: a suppressed phone blocks texts to it, not email to the same contact', async () => {
    const merchant = await signUpMerchant();
    const key = await createApiKey(merchant);
    const post = (body: unknown) => callApi(key, '/suppressions', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const added = await post({ phone: '+44 7911 123456', reason: 'manual' });
    expect(added.status).toBe(201);
    expect((await added.json<{ suppression: unknown }>()).suppression).toMatchObject({ channel: 'sms', address: '+447911123456' });
    const bad = await post({ phone: '12' });
    expect(bad.status).toBe(400);
    expect((await bad.json<{ error: { issues: { path: string }[] } }>()).error.issues[0]!.path).toBe('phone');
    const both = await post({ email: 'x@example.com', phone: '+447911123456' });
    expect(both.status).toBe(400);
    expect((await both.json<{ error: { issues: { path: string }[] } }>()).error.issues[0]!.path).toBe('phone');

    const contactId = await insertContact(merchant.workspaceId, { email: 'texted@example.com', phone: '+447911123456', email_consent: 'subscribed', sms_consent: 'subscribed' });
    const db = openDb(env.DB);
    const facts = async (channel: 'email' | 'sms') => {
      const [row] = await db
        .select({ email: contacts.email, phone: contacts.phone, ...consentFields(channel, merchant.workspaceId) })
        .from(contacts)
        .where(eq(contacts.id, contactId));
      return skipReasonOf(row, channel, 'opted_in');
    };
    expect(await facts('sms')).toEqual({ type: 'suppressed', channel: 'sms' });
    expect(await facts('email')).toBeNull();

    const sms = await (await callApi(key, '/suppressions?channel=sms')).json<{ suppressions: { address: string }[] }>();
    expect(sms.suppressions.map((row) => row.address)).toEqual(['+447911123456']);
    expect((await (await callApi(key, '/suppressions')).json<{ suppressions: unknown[] }>()).suppressions).toEqual([]);
    const page = await (await merchant.client.get('/app/settings/suppressions?channel=sms')).text();
    expect(page).toContain('+447911123456');
    expect((await callApi(key, `/suppressions/${encodeURIComponent('+447911123456')}`, { method: 'DELETE' })).status).toBe(204);
    expect(await facts('sms')).toBeNull();
  });
});
