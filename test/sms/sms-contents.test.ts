import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { carriesOptOut, countSmsSegments, describeUcs2Cost, smsCostOf, withOptOutLine } from '../../src/sms/sms-segments';
import { insertContact, tagContact } from '../helpers/data';
import { insertEmailContent } from '../helpers/deliveries';
import { apiErrorOf, callApi, createApiKey, patchApi, postApi, signUpMerchant } from '../helpers/factories';

type Message = { id: string; name: string; body: string; cost: { characters: number; encoding: string; units: number; segments: number; optOutAdded: boolean } };

const a = (n: number) => 'a'.repeat(n);

describe('counting SMS segments', () => {
  it('counts encodings, units and segments exactly, parts never splitting a character', () => {
    expect(countSmsSegments('')).toEqual({ characters: 0, encoding: 'GSM-7', units: 0, segments: 0 });
    expect(countSmsSegments(a(160))).toEqual({ characters: 160, encoding: 'GSM-7', units: 160, segments: 1 });
    expect(countSmsSegments(a(161))).toEqual({ characters: 161, encoding: 'GSM-7', units: 161, segments: 2 });
    expect(countSmsSegments(a(306)).segments).toBe(2);
    expect(countSmsSegments(a(307)).segments).toBe(3);
    // GSM-7 covers more than ASCII: £, é, Ä, Δ, a line break.
    expect(countSmsSegments('£5 off: café Äpfel Δ\nok')).toMatchObject({ encoding: 'GSM-7', units: 23, segments: 1 });
    // Extension characters cost an escape and a septet.
    expect(countSmsSegments('{'.repeat(80))).toEqual({ characters: 80, encoding: 'GSM-7', units: 160, segments: 1 });
    expect(countSmsSegments('{'.repeat(81))).toMatchObject({ units: 162, segments: 2 });
    expect(countSmsSegments('Save 10€ [today]')).toMatchObject({ encoding: 'GSM-7', units: 19 });
    // 306 units fit two parts of 153 only if the escape pair could be split; it moves whole, so 3.
    expect(countSmsSegments(`${a(152)}{${a(152)}`)).toMatchObject({ units: 306, segments: 3 });
    // One character outside GSM-7 makes the whole text UCS-2 (an emoji is 2 units, 1 character).
    expect(countSmsSegments(`${a(68)}😀`)).toEqual({ characters: 69, encoding: 'UCS-2', units: 70, segments: 1 });
    expect(countSmsSegments(`${a(69)}😀`)).toEqual({ characters: 70, encoding: 'UCS-2', units: 71, segments: 2 });
    expect(countSmsSegments('ê'.repeat(70))).toMatchObject({ encoding: 'UCS-2', segments: 1 });
    expect(countSmsSegments('ê'.repeat(71))).toMatchObject({ encoding: 'UCS-2', segments: 2 });
    expect(countSmsSegments('ê'.repeat(134)).segments).toBe(2);
    // A surrogate pair is not split across parts either.
    expect(countSmsSegments(`${'ê'.repeat(66)}😀${'ê'.repeat(66)}`)).toMatchObject({ units: 134, segments: 3 });

    expect(describeUcs2Cost(`${a(140)}😀`)).toBe('This 😀 makes it UCS-2: 3 segments instead of 1');
    expect(describeUcs2Cost(`Hi 😀 ê`)).toBeNull();
    expect(describeUcs2Cost(`${a(100)}😀ê`)).toBe('These characters (😀 ê) make it UCS-2: 2 segments instead of 1');
    expect(describeUcs2Cost(a(200))).toBeNull();
  });

  it('adds the opt-out line unless the body says STOP, and counts it', () => {
    expect(carriesOptOut('20% off. Text STOP to quit')).toBe(true);
    expect(carriesOptOut('Reply STOP.')).toBe(true);
    expect(carriesOptOut('Stop by our store')).toBe(false);
    expect(carriesOptOut('UNSTOPPABLE deals')).toBe(false);
    expect(withOptOutLine('Sale')).toBe('Sale\nReply STOP to opt out');
    expect(withOptOutLine('Sale, STOP to end')).toBe('Sale, STOP to end');
    // 139 + "\n" + 21 = 161: the line costs the second segment.
    expect(smsCostOf(a(139))).toEqual({ characters: 161, encoding: 'GSM-7', units: 161, segments: 2, optOutAdded: true });
    expect(smsCostOf(`${a(150)} STOP`)).toMatchObject({ characters: 155, segments: 1, optOutAdded: false });
  });
});

describe('SMS messages', () => {
  it('creates, lists, previews, edits and deletes through the API, refusing bad input by field and other workspaces', async () => {
    const merchant = await signUpMerchant('Text Shop');
    const key = await createApiKey(merchant);
    const created = await postApi(key, '/sms-messages', { name: 'Flash sale', body: 'Hi {{ contact.first_name }}, 20% off at {{ shop.name }} today' });
    expect(created.status).toBe(201);
    const { message } = await created.json<{ message: Message }>();
    expect(message).toMatchObject({ name: 'Flash sale', cost: { encoding: 'GSM-7', segments: 1, optOutAdded: true } });
    expect((await (await callApi(key, '/sms-messages')).json<{ messages: Message[] }>()).messages.map((m) => m.id)).toEqual([message.id]);
    expect((await (await callApi(key, `/sms-messages/${message.id}`)).json<{ message: Message }>()).message.body).toBe(message.body);

    const preview = await postApi(key, '/sms-messages/preview', { body: 'Hi {{ contact.first_name }} from {{ shop.name }} 😀' });
    expect(await preview.json()).toMatchObject({ text: 'Hi Alex from Text Shop 😀\nReply STOP to opt out', cost: { encoding: 'UCS-2', optOutAdded: true } });

    // A form's CRLF is stored as LF: each line break is one character of the text.
    const patched = await patchApi(key, `/sms-messages/${message.id}`, { body: 'Line one\r\nReply STOP to end' });
    expect((await patched.json<{ message: Message }>()).message).toMatchObject({ name: 'Flash sale', body: 'Line one\nReply STOP to end', cost: { optOutAdded: false, characters: 26 } });

    const refused: [string, unknown, string, RegExp][] = [
      ['/sms-messages', { name: 'Broken', body: 'Hi {% if contact.first_name %}unclosed' }, 'body', /The body template has an error/],
      ['/sms-messages', { name: 'Filter', body: '{{ contact.first_name | nosuchfilter }}' }, 'body', /undefined filter: nosuchfilter/],
      ['/sms-messages', { name: 'Long', body: a(1601) }, 'body', /1600 characters/],
      ['/sms-messages', { name: 'Blank', body: ' \n ' }, 'body', /Write the message/],
      ['/sms-messages', { name: ' ', body: 'Hello' }, 'name', /Name the message/],
      ['/sms-messages', { name: 'Extra', body: 'Hello', subject: 'no' }, '', /./],
    ];
    for (const [path, body, field, message] of refused) {
      const res = await postApi(key, path, body);
      expect(res.status, JSON.stringify(body).slice(0, 60)).toBe(400);
      const error = await apiErrorOf(res);
      if (field) expect(error.issues?.map((issue) => issue.path)).toContain(field);
      expect(JSON.stringify(error)).toMatch(message);
    }
    // 1600 characters are fine, emoji counted as one each.
    expect((await postApi(key, '/sms-messages', { name: 'Max', body: '😀'.repeat(1600) })).status).toBe(201);
    const badPatch = await patchApi(key, `/sms-messages/${message.id}`, { body: '{{ x | nosuchfilter }}' });
    expect((await apiErrorOf(badPatch)).issues?.[0]?.path).toBe('body');
    expect((await (await callApi(key, `/sms-messages/${message.id}`)).json<{ message: Message }>()).message.body).toBe('Line one\nReply STOP to end');

    // Another workspace sees none of it; an email design is not an SMS message.
    const other = await createApiKey(await signUpMerchant('Other Shop'));
    expect((await callApi(other, `/sms-messages/${message.id}`)).status).toBe(404);
    expect((await patchApi(other, `/sms-messages/${message.id}`, { name: 'Mine' })).status).toBe(404);
    expect((await callApi(other, `/sms-messages/${message.id}`, { method: 'DELETE' })).status).toBe(404);
    expect((await (await callApi(other, '/sms-messages')).json<{ messages: Message[] }>()).messages).toEqual([]);
    const designId = await insertEmailContent(merchant.workspaceId, { subject: 'Hi', html: '<p>Hi</p>' });
    expect((await callApi(key, `/sms-messages/${designId}`)).status).toBe(404);
    expect((await callApi(key, `/sms-messages/${designId}`, { method: 'DELETE' })).status).toBe(404);
    expect((await callApi(key, `/email-designs/${designId}`)).status).toBe(200);

    // Chosen by a campaign, it is kept; unchosen, it goes.
    const campaign = await postApi(key, '/campaigns', { name: 'Texts', channel: 'sms', contentId: message.id });
    expect(campaign.status).toBe(201);
    expect((await callApi(key, `/sms-messages/${message.id}`, { method: 'DELETE' })).status).toBe(409);
    const { campaign: saved } = await campaign.json<{ campaign: { id: string } }>();
    expect((await patchApi(key, `/campaigns/${saved.id}`, { contentId: null })).status).toBe(200);
    expect((await callApi(key, `/sms-messages/${message.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await callApi(key, `/sms-messages/${message.id}`)).status).toBe(404);
  });

  it('edits a message in the dashboard with the count, the encoding and the UCS-2 warning rendered by the server', async () => {
    const merchant = await signUpMerchant('Dash Texts');
    const list = await (await merchant.client.get('/app/marketing/sms')).text();
    expect(list).toContain('SMS messages');
    expect(list).toContain('No SMS messages yet');
    const created = await merchant.client.post('/app/marketing/sms', { name: 'Weekend', body: 'Hi {{ contact.first_name }}' });
    expect(created.status).toBe(303);
    const path = created.headers.get('location')!;
    const editor = await merchant.client.get(path);
    const html = await editor.text();
    expect(html).toMatch(/<script src="\/sms-editor.js" nonce="[^"]+" defer/);
    expect(html).toContain('49 characters · GSM-7 · 1 segment');
    expect(html).toContain('&quot;Reply STOP to opt out&quot; is added');
    expect(html).toContain('Hi Alex\nReply STOP to opt out');

    const saved = await merchant.client.post(path, { name: 'Weekend', body: `${a(140)}😀` });
    expect(saved.status).toBe(303);
    const after = await (await merchant.client.get(path)).text();
    // 140 + emoji + "\n" + the line: 163 characters, 164 UCS-2 units, 3 parts of 67.
    expect(after).toContain('163 characters · UCS-2 · 3 segments');
    expect(after).toContain('This 😀 makes it UCS-2: 3 segments instead of 2');

    const broken = await merchant.client.post(path, { name: 'Weekend', body: '{{ contact.first_name | nosuchfilter }}' });
    expect(broken.status).toBe(400);
    expect(await broken.text()).toMatch(/undefined filter: nosuchfilter/);
    expect(await (await merchant.client.get('/app/marketing/sms')).text()).toContain('Weekend');

    const other = await signUpMerchant('Other Dash');
    expect((await other.client.get(path)).status).toBe(404);
    expect((await other.client.post(`${path}/delete`, {})).status).toBe(404);
    const deleted = await merchant.client.post(`${path}/delete`, {});
    expect(deleted.headers.get('location')).toBe('/app/marketing/sms?deleted=1');
  });
});

describe('SMS campaigns', () => {
  it('builds an SMS campaign on an SMS message only, counts phones with SMS consent, and fans out SMS deliveries', async () => {
    const merchant = await signUpMerchant('SMS Campaigns');
    const key = await createApiKey(merchant);
    const { message } = await (await postApi(key, '/sms-messages', { name: 'Promo', body: 'Big sale at {{ shop.name }}' })).json<{ message: Message }>();
    const designId = await insertEmailContent(merchant.workspaceId, { subject: 'Hi', html: '<p>Hi</p>' });

    const mismatched = [
      await postApi(key, '/campaigns', { name: 'Email on SMS', channel: 'email', contentId: message.id }),
      await postApi(key, '/campaigns', { name: 'SMS on email', channel: 'sms', contentId: designId }),
    ];
    for (const res of mismatched) {
      expect(res.status).toBe(400);
      expect((await apiErrorOf(res)).issues?.map((issue) => issue.path)).toEqual(['contentId']);
    }
    const email = await (await postApi(key, '/campaigns', { name: 'Email', channel: 'email', contentId: designId })).json<{ campaign: { id: string } }>();
    expect((await apiErrorOf(await patchApi(key, `/campaigns/${email.campaign.id}`, { contentId: message.id }))).issues?.[0]?.path).toBe('contentId');

    // The audience: a phone and SMS consent (subscribed for the default filter), never an unsubscribed or suppressed number.
    const tag = 'texters';
    const phone = (n: number) => `+1415555${String(1000 + n)}`;
    const reachable = [
      await insertContact(merchant.workspaceId, { phone: phone(1), sms_consent: 'subscribed' }),
      await insertContact(merchant.workspaceId, { phone: phone(2), sms_consent: 'subscribed', email: null }),
    ];
    const notOptedIn = await insertContact(merchant.workspaceId, { phone: phone(3), sms_consent: 'not_subscribed' });
    const unreachable = [
      await insertContact(merchant.workspaceId, { sms_consent: 'subscribed' }),
      await insertContact(merchant.workspaceId, { phone: phone(4), sms_consent: 'unsubscribed' }),
      await insertContact(merchant.workspaceId, { phone: phone(5), sms_consent: 'subscribed' }),
    ];
    await env.DB.prepare("INSERT INTO suppressions (workspace_id, channel, address, reason, created_at) VALUES (?, 'sms', ?, 'manual', ?)").bind(merchant.workspaceId, phone(5), Date.now()).run();
    for (const id of [...reachable, notOptedIn, ...unreachable]) await tagContact(merchant.workspaceId, id, tag);
    const audience = { type: 'rules', definition: { match: 'all', children: [{ field: 'tags', op: 'hasAny', tags: [tag] }] } };
    const countOf = async (body: unknown) => (await (await postApi(key, '/campaigns/audience-count', body)).json<{ count: number }>()).count;
    expect(await countOf({ channel: 'sms', audience })).toBe(2);
    expect(await countOf({ channel: 'sms', audience, sendingFilter: 'all' })).toBe(3);

    const created = await postApi(key, '/campaigns', { name: 'Text blast', channel: 'sms', contentId: message.id, audience });
    expect(created.status).toBe(201);
    const { campaign } = await created.json<{ campaign: { id: string; channel: string } }>();
    expect(campaign.channel).toBe('sms');
    const scheduled = await postApi(key, `/campaigns/${campaign.id}/schedule`, { sendAt: '2099-06-01T09:00' });
    expect((await scheduled.json<{ campaign: { status: string } }>()).campaign.status).toBe('scheduled');
    expect((await postApi(key, `/campaigns/${campaign.id}/unschedule`)).status).toBe(200);
    const sending = await postApi(key, `/campaigns/${campaign.id}/schedule`, { now: true });
    expect((await sending.json<{ campaign: { status: string } }>()).campaign.status).toBe('sending');

    // The fan-out writes one SMS delivery per reachable contact (what the SMS channel does with them is its own business).
    const deliveries = async () =>
      (
        await env.DB.prepare("SELECT contact_id, channel, content_id FROM deliveries WHERE source_type = 'campaign' AND source_id = ? ORDER BY contact_id")
          .bind(campaign.id)
          .all<{ contact_id: string; channel: string; content_id: string }>()
      ).results;
    await expect.poll(async () => (await deliveries()).length, { timeout: 15_000 }).toBe(2);
    expect(await deliveries()).toEqual([...reachable].sort().map((contact_id) => ({ contact_id, channel: 'sms', content_id: message.id })));
  });

  it('offers SMS in the dashboard: the new-campaign form, the message picker and the segments on review', async () => {
    const merchant = await signUpMerchant('SMS Builder');
    const key = await createApiKey(merchant);
    const { message } = await (await postApi(key, '/sms-messages', { name: 'Drop', body: `New drop 😀 ${a(60)}` })).json<{ message: Message }>();
    const form = await (await merchant.client.get('/app/marketing/campaigns/new')).text();
    expect(form).not.toMatch(/value="sms"[^>]*disabled/);
    const created = await merchant.client.post('/app/marketing/campaigns', { name: 'Drop texts', channel: 'sms' });
    expect(created.status).toBe(303);
    const path = created.headers.get('location')!.split('?')[0]!;

    const content = await (await merchant.client.get(`${path}?step=content`)).text();
    expect(content).toContain('Use a saved message');
    expect(content).toContain('Drop (2 segments)');
    expect(content).not.toContain('Create design');
    const designId = await insertEmailContent(merchant.workspaceId, { subject: 'Hi', html: '<p>Hi</p>' });
    const wrong = await merchant.client.post(`${path}/content`, { contentId: designId });
    expect(wrong.status).toBe(400);
    expect(await wrong.text()).toContain('There is no such SMS message in this workspace');
    expect((await merchant.client.post(`${path}/starter`, { starter: '' })).status).toBe(400);
    expect((await env.DB.prepare("SELECT COUNT(*) AS n FROM contents WHERE workspace_id = ? AND channel = 'email'").bind(merchant.workspaceId).first<{ n: number }>())!.n).toBe(1);
    const chosen = await merchant.client.post(`${path}/content`, { contentId: message.id });
    expect(chosen.status).toBe(303);

    const review = await (await merchant.client.get(`${path}?step=review&when=later&sendAt=2099-06-01T09:00`)).text();
    expect(review).toContain(`<a href="/app/marketing/sms/${message.id}">Drop</a>`);
    expect(review).toMatch(/data-sms-segments="true">93 characters · UCS-2 · 2 segments per text, with the opt-out line/);
    const scheduled = await merchant.client.post(`${path}/schedule`, { when: 'later', sendAt: '2099-06-01T09:00' });
    expect(scheduled.status).toBe(303);
    expect(await (await merchant.client.get('/app/marketing')).text()).toMatch(/>Drop texts<\/a> ?<span class="badge muted">SMS<\/span>/);
    expect((await env.DB.prepare('SELECT status, channel, content_id FROM campaigns WHERE id = ?').bind(path.split('/').at(-1)).first())!).toEqual({
      status: 'scheduled',
      channel: 'sms',
      content_id: message.id,
    });
  });
});
