import { env, exports } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { openDb } from '../../src/db/client';
import { encryptSecret } from '../../src/lib/crypto';
import { newId } from '../../src/lib/ids';
import { twilioSignature, verifyTwilioSignature } from '../../src/sms/twilio-signature';
import { createWorkspace } from '../../src/workspaces/workspaces.service';
import { ORIGIN } from '../helpers/browser-client';
import { insertContact } from '../helpers/data';

const db = openDb(env.DB);
const TOKEN_A = 'a'.repeat(32);
const TOKEN_B = 'b'.repeat(32);
const encoder = new TextEncoder();

// Twilio's worked example (twilio.com/docs/usage/webhooks/webhooks-security; twilio-node's
// api-snippets): Auth Token 12345, this URL and these fields sign to this value.
const DOCUMENTED = {
  token: '12345',
  url: 'https://mycompany.com/myapp.php?foo=1&bar=2',
  params: { CallSid: 'CA1234567890ABCDE', Caller: '+14158675310', Digits: '1234', From: '+14158675310', To: '+18005551212' },
  signature: 'GvWf1cFY/Q7PnoempGyD5oXAezc=',
};

/** Signs as Twilio's helper libraries describe it, written apart from src/sms so a shared mistake cannot pass. */
async function signLikeTwilio(token: string, url: string, params: Record<string, string>): Promise<string> {
  const data = Object.keys(params)
    .sort()
    .reduce((text, name) => text + name + params[name], url);
  const key = await crypto.subtle.importKey('raw', encoder.encode(token), { name: 'HMAC', hash: 'SHA-1' }, false, ['sign']);
  return btoa(String.fromCharCode(...new Uint8Array(await crypto.subtle.sign('HMAC', key, encoder.encode(data)))));
}

type PostOptions = { token?: string; signature?: string | null; signedParams?: Record<string, string>; contentType?: string; body?: string };

/** POSTs a Twilio webhook of a workspace, signed over the public URL as Twilio signs it (unless told otherwise). */
async function postTwilio(workspaceId: string, kind: 'sms' | 'status', params: Record<string, string>, options: PostOptions = {}): Promise<Response> {
  const path = `/webhooks/twilio/${workspaceId}/${kind}`;
  const signature = options.signature === undefined ? await signLikeTwilio(options.token ?? TOKEN_A, `${env.PUBLIC_BASE_URL}${path}`, options.signedParams ?? params) : options.signature;
  const headers = new Headers({ 'content-type': options.contentType ?? 'application/x-www-form-urlencoded' });
  if (signature !== null) headers.set('x-twilio-signature', signature);
  return exports.default.fetch(new Request(`${ORIGIN}${path}`, { method: 'POST', headers, body: options.body ?? new URLSearchParams(params).toString() }));
}

function incoming(from: string, body: string): Record<string, string> {
  return { AccountSid: 'AC00000000000000000000000000000001', MessageSid: `SM${newId().toLowerCase()}`, From: from, To: '+15005550006', Body: body, NumMedia: '0' };
}

function statusOf(sid: string, status: string, extra: Record<string, string> = {}): Record<string, string> {
  return { AccountSid: 'AC00000000000000000000000000000001', MessageSid: sid, MessageStatus: status, SmsStatus: status, To: '+14155550199', ...extra };
}

const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>';

async function useTwilio(workspaceId: string, token: string) {
  await env.DB.prepare('UPDATE workspace_settings SET twilio_account_sid = ?, twilio_auth_token_ciphertext = ? WHERE workspace_id = ?')
    .bind('AC00000000000000000000000000000001', await encryptSecret(env.ENCRYPTION_KEY, token), workspaceId)
    .run();
}

async function insertSmsDelivery(workspaceId: string, contactId: string, messageId: string): Promise<string> {
  const id = newId();
  const now = Date.now();
  await env.DB.batch([
    env.DB.prepare("INSERT INTO contents (id, workspace_id, channel, name, created_at, updated_at) VALUES (?, ?, 'sms', 'Text', ?, ?)").bind(id, workspaceId, now, now),
    env.DB.prepare('INSERT INTO sms_contents (id, workspace_id, body) VALUES (?, ?, ?)').bind(id, workspaceId, 'Sale today'),
    env.DB.prepare(
      "INSERT INTO deliveries (id, workspace_id, contact_id, channel, source_type, source_id, step_key, occurrence_key, content_id, status, message_id, queued_at, sent_at, updated_at) VALUES (?, ?, ?, 'sms', 'campaign', ?, '', '', ?, 'sent', ?, ?, ?, ?)",
    ).bind(id, workspaceId, contactId, `campaign-${id}`, id, messageId, now, now, now),
  ]);
  return id;
}

const deliveryRow = (id: string) =>
  env.DB.prepare('SELECT status, reason, reason_code, provider_status, provider_error_code FROM deliveries WHERE id = ?').bind(id).first<Record<string, string | null>>();
const suppressionOf = (workspaceId: string, phone: string) =>
  env.DB.prepare("SELECT reason, detail FROM suppressions WHERE workspace_id = ? AND channel = 'sms' AND address = ?").bind(workspaceId, phone).first<{ reason: string; detail: string }>();
const contactRow = (id: string) => env.DB.prepare('SELECT sms_consent, sms_consent_source FROM contacts WHERE id = ?').bind(id).first<{ sms_consent: string; sms_consent_source: string | null }>();
const consentChangeCount = (contactId: string) => env.DB.prepare("SELECT count(*) AS n FROM consent_changes WHERE contact_id = ? AND channel = 'sms'").bind(contactId).first<number>('n');
const rowCount = (workspaceId: string) =>
  env.DB.prepare(
    'SELECT (SELECT count(*) FROM suppressions WHERE workspace_id = ?1) + (SELECT count(*) FROM consent_changes WHERE workspace_id = ?1) + (SELECT count(*) FROM contacts WHERE workspace_id = ?1) AS n',
  )
    .bind(workspaceId)
    .first<number>('n');

let shopA: string;
let shopB: string;
let noTwilio: string;

beforeAll(async () => {
  const ownerId = newId();
  await env.DB.prepare('INSERT INTO users (id, email, password_hash, created_at) VALUES (?, ?, ?, ?)').bind(ownerId, `${ownerId}@owner.example`, 'unused', Date.now()).run();
  shopA = await createWorkspace(db, ownerId, { name: 'Maple & Co', timeZone: 'UTC' });
  shopB = await createWorkspace(db, ownerId, { name: 'Birch Shop', timeZone: 'UTC' });
  noTwilio = await createWorkspace(db, ownerId, { name: 'No Twilio', timeZone: 'UTC' });
  await useTwilio(shopA, TOKEN_A);
  await useTwilio(shopB, TOKEN_B);
});

describe('Twilio request signatures', () => {
  it("matches Twilio's documented example, with or without the default port, and nothing altered", async () => {
    const params = new URLSearchParams(DOCUMENTED.params);
    expect(await signLikeTwilio(DOCUMENTED.token, DOCUMENTED.url, DOCUMENTED.params)).toBe(DOCUMENTED.signature);
    expect(await twilioSignature(DOCUMENTED.token, DOCUMENTED.url, params)).toBe(DOCUMENTED.signature);
    expect(await verifyTwilioSignature(DOCUMENTED.token, DOCUMENTED.url, params, DOCUMENTED.signature)).toBe(true);
    // Twilio signs some requests with the port written out; its validator accepts both.
    const withPort = await signLikeTwilio('t', 'https://shop.example:443/hook', { A: '1' });
    expect(await verifyTwilioSignature('t', 'https://shop.example/hook', new URLSearchParams({ A: '1' }), withPort)).toBe(true);
    expect(await verifyTwilioSignature(DOCUMENTED.token, DOCUMENTED.url, new URLSearchParams({ ...DOCUMENTED.params, Digits: '9999' }), DOCUMENTED.signature)).toBe(false);
    expect(await verifyTwilioSignature(DOCUMENTED.token, DOCUMENTED.url.replace('foo=1', 'foo=2'), params, DOCUMENTED.signature)).toBe(false);
    expect(await verifyTwilioSignature('54321', DOCUMENTED.url, params, DOCUMENTED.signature)).toBe(false);
    expect(await verifyTwilioSignature(DOCUMENTED.token, DOCUMENTED.url, params, undefined)).toBe(false);
    // A repeated field signs each distinct value once, in order (twilio-node's toFormUrlEncodedParam).
    const repeated = new URLSearchParams([
      ['B', 'y'],
      ['A', '2'],
      ['B', 'x'],
      ['B', 'y'],
    ]);
    expect(await twilioSignature('t', 'https://x.example/h', repeated)).toBe(await signLikeTwilio('t', 'https://x.example/hA2BxBy', {}));
  });

  it('refuses unsigned, forged, altered and other-workspace requests with one 403, checks size and type, and writes nothing', async () => {
    const phone = '+14155550111';
    const before = await rowCount(shopA);
    const stop = incoming(phone, 'STOP');
    const refusals = [
      await postTwilio(shopA, 'sms', stop, { signature: null }),
      await postTwilio(shopA, 'sms', stop, { signature: 'GvWf1cFY/Q7PnoempGyD5oXAezc=' }),
      await postTwilio(shopA, 'sms', stop, { token: TOKEN_B }),
      // Signed as HELP, sent as STOP.
      await postTwilio(shopA, 'sms', stop, { signedParams: { ...stop, Body: 'HELP' } }),
      // A field added after signing.
      await postTwilio(shopA, 'sms', { ...stop, Extra: '1' }, { signedParams: stop }),
      await postTwilio(noTwilio, 'sms', stop),
      await postTwilio('no-such-workspace', 'sms', stop),
      await postTwilio(shopA, 'status', statusOf('SMunknown', 'failed', { ErrorCode: '30006' }), { token: TOKEN_B }),
    ];
    for (const res of refusals) {
      expect(res.status).toBe(403);
      expect((await res.json<{ error: { code: string; message: string } }>()).error).toMatchObject({ code: 'forbidden', message: 'The request is not signed by the Twilio account of this address.' });
    }

    const json = await postTwilio(shopA, 'sms', stop, { contentType: 'application/json', body: JSON.stringify(stop) });
    expect(json.status).toBe(415);
    const huge = { ...stop, Body: 'x'.repeat(70 * 1024) };
    const oversized = await postTwilio(shopA, 'sms', huge);
    expect(oversized.status).toBe(413);
    expect((await oversized.json<{ error: { code: string } }>()).error.code).toBe('payload_too_large');
    expect(await rowCount(shopA)).toBe(before);
    expect(await rowCount(noTwilio)).toBe(0);
    expect(await suppressionOf(shopA, phone)).toBeNull();

    // Signed but missing a field: named, 400.
    const noFrom = await postTwilio(shopA, 'sms', { Body: 'STOP' });
    expect(noFrom.status).toBe(400);
    expect((await noFrom.json<{ error: { issues: { path: string }[] } }>()).error.issues[0]!.path).toBe('From');
  });
});

describe('incoming texts', () => {
  it('STOP and its synonyms unsubscribe and suppress the number, with or without a contact; a replay changes nothing', async () => {
    const contactId = await insertContact(shopA, { phone: '+14155550101', sms_consent: 'subscribed' });
    // The same number in another workspace is another person's consent.
    const elsewhere = await insertContact(shopB, { phone: '+14155550101', sms_consent: 'subscribed' });
    const stop = incoming('+14155550101', '  sToP \n');
    for (let attempt = 0; attempt < 2; attempt++) {
      const res = await postTwilio(shopA, 'sms', stop);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/xml');
      expect(await res.text()).toBe(EMPTY_TWIML);
    }
    expect(await contactRow(contactId)).toEqual({ sms_consent: 'unsubscribed', sms_consent_source: 'sms_keyword' });
    expect(await consentChangeCount(contactId)).toBe(1);
    expect(await suppressionOf(shopA, '+14155550101')).toEqual({ reason: 'unsubscribed', detail: 'Texted STOP' });
    expect(await contactRow(elsewhere)).toEqual({ sms_consent: 'subscribed', sms_consent_source: null });
    expect(await suppressionOf(shopB, '+14155550101')).toBeNull();

    // Numbers without a contact are suppressed all the same, and no contact is made for them.
    const synonyms = ['STOPALL', 'unsubscribe', 'Cancel', 'END', 'quit', 'Revoke', 'optout'];
    for (const [i, word] of synonyms.entries()) {
      const res = await postTwilio(shopA, 'sms', incoming(`+1415555012${i}`, word));
      expect(await res.text()).toBe(EMPTY_TWIML);
      expect((await suppressionOf(shopA, `+1415555012${i}`))?.detail).toBe(`Texted ${word.toUpperCase()}`);
    }
    expect(await env.DB.prepare("SELECT count(*) AS n FROM contacts WHERE workspace_id = ? AND phone LIKE '+1415555012%'").bind(shopA).first<number>('n')).toBe(0);

    // Not a keyword: answered with nothing and recorded nowhere.
    const chat = await postTwilio(shopA, 'sms', incoming('+14155550130', 'stop sending me these'));
    expect(await chat.text()).toBe(EMPTY_TWIML);
    expect(await suppressionOf(shopA, '+14155550130')).toBeNull();
  });

  it('START restores consent and lifts only an opt-out suppression; HELP answers in escaped TwiML', async () => {
    const contactId = await insertContact(shopA, { phone: '+14155550102', sms_consent: 'subscribed' });
    await postTwilio(shopA, 'sms', incoming('+14155550102', 'STOP'));
    expect((await contactRow(contactId))?.sms_consent).toBe('unsubscribed');
    for (const word of ['start', 'UNSTOP', 'Yes']) {
      const res = await postTwilio(shopA, 'sms', incoming('+14155550102', word));
      expect(await res.text()).toBe(EMPTY_TWIML);
    }
    expect(await contactRow(contactId)).toEqual({ sms_consent: 'subscribed', sms_consent_source: 'sms_keyword' });
    expect(await consentChangeCount(contactId)).toBe(2);
    expect(await suppressionOf(shopA, '+14155550102')).toBeNull();

    // A number that bounced stays suppressed whatever it texts.
    await env.DB.prepare("INSERT INTO suppressions (workspace_id, channel, address, reason, detail, created_at) VALUES (?, 'sms', '+14155550103', 'hard_bounce', 'landline', 0)").bind(shopA).run();
    await postTwilio(shopA, 'sms', incoming('+14155550103', 'START'));
    expect((await suppressionOf(shopA, '+14155550103'))?.reason).toBe('hard_bounce');

    const help = await postTwilio(shopA, 'sms', incoming('+14155550102', ' help '));
    expect(help.headers.get('content-type')).toBe('text/xml');
    expect(await help.text()).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><Response><Message>Maple &amp; Co: marketing texts. Reply STOP to unsubscribe, START to resubscribe. Msg &amp; data rates may apply.</Message></Response>',
    );
    await env.DB.prepare('UPDATE workspace_settings SET sms_help_text = ? WHERE workspace_id = ?').bind('Help: <call> "us" & 1-800', shopA).run();
    const info = await postTwilio(shopA, 'sms', incoming('+14155550102', 'INFO'));
    expect(await info.text()).toBe('<?xml version="1.0" encoding="UTF-8"?><Response><Message>Help: &lt;call&gt; &quot;us&quot; &amp; 1-800</Message></Response>');
    expect((await contactRow(contactId))?.sms_consent).toBe('subscribed');
  });
});

describe('status callbacks', () => {
  it('records the status, fails undelivered texts in words, suppresses dead numbers, never moves back, and ignores unknown ids', async () => {
    const contactId = await insertContact(shopA, { phone: '+14155550199', sms_consent: 'subscribed' });
    const delivered = await insertSmsDelivery(shopA, contactId, 'SM00000000000000000000000000000001');
    const optedOut = await insertSmsDelivery(shopA, contactId, 'SM00000000000000000000000000000002');
    const landline = await insertSmsDelivery(shopA, contactId, 'SM00000000000000000000000000000003');

    for (const status of ['sent', 'delivered', 'sent', 'failed']) {
      const res = await postTwilio(shopA, 'status', statusOf('SM00000000000000000000000000000001', status, status === 'failed' ? { ErrorCode: '30006' } : {}));
      expect(res.status).toBe(200);
    }
    // The late `sent` and `failed` after `delivered` changed nothing, and suppressed nothing.
    expect(await deliveryRow(delivered)).toEqual({ status: 'sent', reason: null, reason_code: null, provider_status: 'delivered', provider_error_code: null });

    for (let attempt = 0; attempt < 2; attempt++) {
      await postTwilio(shopA, 'status', statusOf('SM00000000000000000000000000000002', 'undelivered', { ErrorCode: '21610' }));
    }
    expect(await deliveryRow(optedOut)).toEqual({
      status: 'failed',
      reason: 'Not delivered: the recipient has opted out (texted STOP) (Twilio error 21610)',
      reason_code: 'undelivered',
      provider_status: 'undelivered',
      provider_error_code: '21610',
    });
    expect(await suppressionOf(shopA, '+14155550199')).toEqual({ reason: 'unsubscribed', detail: 'Twilio error 21610: the recipient has opted out (texted STOP)' });

    await postTwilio(shopA, 'status', statusOf('SM00000000000000000000000000000003', 'failed', { ErrorCode: '30006', To: '+14155550198' }));
    expect((await deliveryRow(landline))?.status).toBe('failed');
    expect(await suppressionOf(shopA, '+14155550198')).toEqual({ reason: 'hard_bounce', detail: 'Twilio error 30006: a landline, or a carrier that cannot receive texts' });

    const before = await rowCount(shopA);
    const unknown = await postTwilio(shopA, 'status', statusOf('SM0000000000000000000000000000dead', 'failed', { ErrorCode: '30005', To: '+14155550197' }));
    expect(unknown.status).toBe(200);
    expect(await rowCount(shopA)).toBe(before);
    expect(await suppressionOf(shopA, '+14155550197')).toBeNull();

    // The look-up by message id is an index search, not a scan of the workspace's deliveries.
    const plan = await env.DB.prepare('EXPLAIN QUERY PLAN SELECT id FROM deliveries WHERE workspace_id = ? AND message_id = ?').bind(shopA, 'SM1').all<{ detail: string }>();
    expect(plan.results.map((step) => step.detail).join('\n')).toContain('deliveries_message_idx');
  });

  it("never touches another workspace's delivery, even with its message id", async () => {
    const contactB = await insertContact(shopB, { phone: '+14155550188', sms_consent: 'subscribed' });
    const deliveryB = await insertSmsDelivery(shopB, contactB, 'SM000000000000000000000000000000b1');
    const res = await postTwilio(shopA, 'status', statusOf('SM000000000000000000000000000000b1', 'undelivered', { ErrorCode: '21211', To: '+14155550188' }));
    expect(res.status).toBe(200);
    expect(await deliveryRow(deliveryB)).toEqual({ status: 'sent', reason: null, reason_code: null, provider_status: null, provider_error_code: null });
    expect(await suppressionOf(shopA, '+14155550188')).toBeNull();
    expect(await suppressionOf(shopB, '+14155550188')).toBeNull();
    // Its own workspace's signed callback applies.
    await postTwilio(shopB, 'status', statusOf('SM000000000000000000000000000000b1', 'delivered'), { token: TOKEN_B });
    expect((await deliveryRow(deliveryB))?.provider_status).toBe('delivered');
  });
});
