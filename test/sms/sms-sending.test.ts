import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { openDb } from '../../src/db/client';
import { forWorkspace } from '../../src/db/tenant';
import { queueDeliveries } from '../../src/deliveries/deliveries.service';
import { newId } from '../../src/lib/ids';
import { saveSmsSender } from '../../src/sms/sms-sender.service';
import type { SmsSenderInput } from '../../src/sms/sms-sender.schemas';
import { insertContact } from '../helpers/data';
import { deliveryOf } from '../helpers/deliveries';
import { signUpMerchant } from '../helpers/factories';
import { hit } from '../tracking/tracking-helpers';
import { smsRequestsFor, TWILIO_TEST_ACCOUNT_SID, TWILIO_TEST_AUTH_TOKEN, twilioNumber, waitForSms } from '../helpers/twilio-server';

const FROM = '+14155550199';
const SENDER: SmsSenderInput = {
  accountSid: TWILIO_TEST_ACCOUNT_SID,
  authToken: TWILIO_TEST_AUTH_TOKEN,
  fromNumber: FROM,
  quietHoursStart: null,
  quietHoursEnd: null,
  clickWindowDays: 5,
};

let workspaceId: string;
let contentId: string;

/** Saves an SMS design as the SMS editor would: a contents row on channel 'sms' and its body. */
async function insertSmsContent(workspace: string, body: string): Promise<string> {
  const id = newId();
  const now = Date.now();
  await env.DB.batch([
    env.DB.prepare("INSERT INTO contents (id, workspace_id, channel, name, created_at, updated_at) VALUES (?, ?, 'sms', 'Test text', ?, ?)").bind(id, workspace, now, now),
    env.DB.prepare('INSERT INTO sms_contents (id, workspace_id, body) VALUES (?, ?, ?)').bind(id, workspace, body),
  ]);
  return id;
}

/** Queues campaign texts as a fan-out page does. */
function queueTexts(workspace: string, content: string, campaignId: string, contactIds: string[]) {
  return queueDeliveries(
    forWorkspace(openDb(env.DB), workspace),
    env,
    contactIds.map((contactId) => ({ contactId, channel: 'sms' as const, sourceType: 'campaign' as const, sourceId: campaignId, contentId: content })),
  );
}

async function settled(contactId: string, campaignId: string) {
  await expect.poll(async () => (await deliveryOf(contactId, campaignId))?.status, { timeout: 10_000 }).not.toMatch(/^(queued|sending)$/);
  return deliveryOf(contactId, campaignId);
}

function smsContact(workspace: string, phone: string, fields: Record<string, unknown> = {}) {
  return insertContact(workspace, { email: null, phone, sms_consent: 'subscribed', ...fields });
}

beforeAll(async () => {
  const merchant = await signUpMerchant('Text Shop');
  workspaceId = merchant.workspaceId;
  await saveSmsSender(forWorkspace(openDb(env.DB), workspaceId), env, SENDER);
  contentId = await insertSmsContent(workspaceId, 'Hi {{ contact.first_name | default: "there" }}, 20% off at {{ shop.name }} today.');
});

describe('SMS deliveries through the real queue', () => {
  it('renders merge tags, adds the STOP line, sends with the status callback, and skips, fails or leaves unknown what it must', async () => {
    const ann = twilioNumber('ok');
    const annId = await smsContact(workspaceId, ann, { first_name: 'Ann' });
    const neverOptedIn = await smsContact(workspaceId, twilioNumber('ok'), { sms_consent: 'not_subscribed' });
    const invalid = twilioNumber('invalid');
    const invalidId = await smsContact(workspaceId, invalid);
    const stalls = twilioNumber('stalls');
    const stallsId = await smsContact(workspaceId, stalls);
    expect(await queueTexts(workspaceId, contentId, 'sms-1', [annId, neverOptedIn, invalidId, stallsId])).toBe(4);

    const sms = await waitForSms(ann);
    expect(sms).toMatchObject({
      accountSid: TWILIO_TEST_ACCOUNT_SID,
      from: FROM,
      messagingServiceSid: null,
      body: 'Hi Ann, 20% off at Text Shop today.\nReply STOP to opt out',
      statusCallback: `https://marketing.example.com/webhooks/twilio/${workspaceId}/status`,
    });
    expect(await settled(annId, 'sms-1')).toMatchObject({ status: 'sent', message_id: sms.sid, attempts: 1 });
    expect(await settled(neverOptedIn, 'sms-1')).toMatchObject({ status: 'skipped', reason_code: 'not_opted_in', reason: 'SMS consent is "not_subscribed"' });
    const failed = await settled(invalidId, 'sms-1');
    expect(failed).toMatchObject({ status: 'failed', reason_code: 'provider_rejected' });
    expect(failed!.reason).toContain('Twilio error 21211');
    const suppressed = await env.DB.prepare("SELECT reason FROM suppressions WHERE workspace_id = ? AND channel = 'sms' AND address = ?").bind(workspaceId, invalid).first();
    expect(suppressed).toEqual({ reason: 'hard_bounce' });
    // Twilio never answered: it may have the text, so it is recorded as unknown and never resent.
    expect(await settled(stallsId, 'sms-1')).toMatchObject({ status: 'unknown', reason_code: 'unknown_outcome' });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(await smsRequestsFor(stalls)).toHaveLength(1);
  });

  it('sends its links as short links on our domain that lead to the URL as written, and keeps a STOP the body already says', async () => {
    const url = 'https://shop.example/sale?utm_source=sms&c=1#top';
    const linked = await insertSmsContent(workspaceId, `Sale ends tonight: ${url}. Text STOP to end.`);
    const to = twilioNumber('ok');
    const contactId = await smsContact(workspaceId, to);
    expect(await queueTexts(workspaceId, linked, 'sms-links', [contactId])).toBe(1);
    const sms = await waitForSms(to);
    const short = /^Sale ends tonight: (https:\/\/marketing\.example\.com\/s\/([0-9A-Za-z]{10}))\. Text STOP to end\.$/.exec(sms.body);
    expect(short, sms.body).not.toBeNull();
    expect(await settled(contactId, 'sms-links')).toMatchObject({ status: 'sent' });
    const res = await hit(`/s/${short![2]}`);
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe(url);
  });

  it("holds a text in its recipient's quiet hours until they end, without holding back contacts elsewhere", async () => {
    // Quiet for the hour either side of now in UTC; twelve hours away it is the middle of the day.
    const minute = new Date().getUTCHours() * 60 + new Date().getUTCMinutes();
    await saveSmsSender(forWorkspace(openDb(env.DB), workspaceId), env, { ...SENDER, authToken: undefined, quietHoursStart: (minute + 1380) % 1440, quietHoursEnd: (minute + 60) % 1440 });
    const asleep = twilioNumber('ok');
    const asleepId = await smsContact(workspaceId, asleep, { time_zone: 'UTC' });
    const awake = twilioNumber('ok');
    const awakeId = await smsContact(workspaceId, awake, { time_zone: 'Etc/GMT-12' });
    await queueTexts(workspaceId, contentId, 'sms-quiet', [asleepId, awakeId]);

    await waitForSms(awake);
    await expect.poll(async () => (await deliveryOf(asleepId, 'sms-quiet'))?.reason_code, { timeout: 10_000 }).toBe('quiet_hours');
    const waiting = await deliveryOf(asleepId, 'sms-quiet');
    expect(waiting).toMatchObject({ status: 'queued', reason_code: 'quiet_hours' });
    expect(waiting!.reason).toMatch(/^Waiting for quiet hours to end \(.+, UTC\)$/);
    expect(await smsRequestsFor(asleep)).toEqual([]);
  });

  it('sends no faster than the speed set in Settings → SMS', async () => {
    const paced = await signUpMerchant('Paced Text Shop');
    // Slower than a Messaging Service's default of 10 a second, so only the setting explains the pace.
    await saveSmsSender(forWorkspace(openDb(env.DB), paced.workspaceId), env, { ...SENDER, fromNumber: undefined, messagingServiceSid: `MG${'0'.repeat(32)}`, sendRatePerSecond: 2 });
    const pacedContent = await insertSmsContent(paced.workspaceId, 'Sale at {{ shop.name }}');
    const numbers = Array.from({ length: 6 }, () => twilioNumber('ok'));
    const ids = await Promise.all(numbers.map((phone) => smsContact(paced.workspaceId, phone)));
    const queuedAt = Date.now();
    await queueTexts(paced.workspaceId, pacedContent, 'sms-paced', ids);
    const received = await Promise.all(numbers.map(waitForSms));
    const last = Math.max(...received.map((sms) => sms.receivedAt));
    // At 2 a second the 6th slot starts 5 × 500 ms after the first, which starts no earlier
    // than the queueing: measured from there, a first text slowed by a busy machine cannot
    // shorten the span. At the service's default 10 a second the sixth reached Twilio
    // 632 ms after queueing (tried).
    expect(last - queuedAt).toBeGreaterThanOrEqual(5 * 500);
  });

  it("renders a lane's next text, short links stored, while the text before it waits on Twilio", async () => {
    // A long code sends on one lane. Twilio holds both requests open for the whole timeout (2 s here).
    const lane = await signUpMerchant('One Lane Text Shop');
    await saveSmsSender(forWorkspace(openDb(env.DB), lane.workspaceId), env, SENDER);
    const linked = await insertSmsContent(lane.workspaceId, 'New in: https://shop.example/new');
    const numbers = [twilioNumber('stalls'), twilioNumber('stalls')];
    const ids = [await smsContact(lane.workspaceId, numbers[0]!), await smsContact(lane.workspaceId, numbers[1]!)];
    expect(await queueTexts(lane.workspaceId, linked, 'sms-ahead', ids)).toBe(2);
    const requests = async () => (await Promise.all(numbers.map(smsRequestsFor))).flat();
    await expect.poll(async () => (await requests()).length, { timeout: 10_000 }).toBe(1);
    const linksStored = () => env.DB.prepare('SELECT count(*) AS n FROM short_links WHERE workspace_id = ?').bind(lane.workspaceId).first<{ n: number }>('n');
    // Both texts' links are stored while the first is still with Twilio, and the second has not gone.
    await expect.poll(linksStored, { timeout: 1_500 }).toBe(2);
    expect((await requests()).map((request) => request.answered)).toEqual([null]);
    for (const id of ids) expect(await settled(id, 'sms-ahead')).toMatchObject({ status: 'unknown' });
    expect(await requests()).toHaveLength(2);
  });

  it("sends another workspace's texts while Twilio holds one workspace's requests open", async () => {
    const stalled = await signUpMerchant('Stalled Text Shop');
    await saveSmsSender(forWorkspace(openDb(env.DB), stalled.workspaceId), env, SENDER);
    const stalledContent = await insertSmsContent(stalled.workspaceId, 'Sale: https://shop.example/stalled');
    const stalledIds = [await smsContact(stalled.workspaceId, twilioNumber('stalls')), await smsContact(stalled.workspaceId, twilioNumber('stalls'))];
    const fine = twilioNumber('ok');
    const fineId = await smsContact(workspaceId, fine);
    await Promise.all([queueTexts(stalled.workspaceId, stalledContent, 'sms-stall', stalledIds), queueTexts(workspaceId, contentId, 'sms-stall', [fineId])]);

    await waitForSms(fine);
    // Twilio holds the stalled requests for the whole timeout (2 s): the other text went meanwhile.
    expect(await settled(fineId, 'sms-stall')).toMatchObject({ status: 'sent' });
    expect((await deliveryOf(stalledIds[0]!, 'sms-stall'))?.status).toBe('sending');
    for (const id of stalledIds) expect(await settled(id, 'sms-stall')).toMatchObject({ status: 'unknown' });
  });

  it("stops one workspace's texts on its refused credentials without touching another's", async () => {
    const other = await signUpMerchant('Wrong Token Shop');
    await saveSmsSender(forWorkspace(openDb(env.DB), other.workspaceId), env, { ...SENDER, authToken: '0'.repeat(32) });
    const otherContent = await insertSmsContent(other.workspaceId, 'Sale at {{ shop.name }}');
    const refusedIds = [await smsContact(other.workspaceId, twilioNumber('ok')), await smsContact(other.workspaceId, twilioNumber('ok'))];
    const fine = twilioNumber('ok');
    const fineId = await smsContact(workspaceId, fine);
    await Promise.all([queueTexts(other.workspaceId, otherContent, 'sms-auth', refusedIds), queueTexts(workspaceId, contentId, 'sms-auth', [fineId])]);

    await waitForSms(fine);
    expect(await settled(fineId, 'sms-auth')).toMatchObject({ status: 'sent' });
    for (const id of refusedIds) {
      await expect.poll(async () => (await deliveryOf(id, 'sms-auth'))?.reason_code, { timeout: 10_000 }).toBe('provider_unavailable');
      const delivery = await deliveryOf(id, 'sms-auth');
      // Back to queued for the queue's retry with backoff, with the reason in words.
      expect(delivery).toMatchObject({ status: 'queued' });
      expect(delivery!.reason).toContain('Twilio refused the Account SID or Auth Token');
    }
  });
});
