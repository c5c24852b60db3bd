import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { signClickToken, signOpenToken } from '../../src/tracking/tracking-tokens';
import { insertContact } from '../helpers/data';
import { insertEmailContent, insertQueuedDelivery } from '../helpers/deliveries';
import { signUpMerchant } from '../helpers/factories';
import { countsOf, dailyFiguresOf, flushTrackers, hit, waitForOpens } from './tracking-helpers';

const secret = env.APP_SECRET;
// Sent an hour ago: no hit below is too early to be a reader's.
const sentAt = Date.now() - 3_600_000;
let workspaceId: string;
let contentId: string;

async function newDelivery(sourceId: string) {
  const contactId = await insertContact(workspaceId);
  const id = await insertQueuedDelivery(workspaceId, contactId, contentId, sourceId);
  return { id, workspaceId, sourceType: 'campaign', sourceId, contactId };
}

function source(sourceId: string) {
  return { workspaceId, sourceType: 'campaign', sourceId };
}

async function notFoundShape(res: Response) {
  return {
    status: res.status,
    type: res.headers.get('content-type'),
    location: res.headers.get('location'),
    body: (await res.text()).replace(/[0-9a-f-]{36}/g, 'ID').replace(/nonce="[^"]*"/g, 'nonce'),
  };
}

beforeAll(async () => {
  workspaceId = (await signUpMerchant('Pixel Shop')).workspaceId;
  contentId = await insertEmailContent(workspaceId, { subject: 'Hi', html: '<p>Hi</p>' });
});

describe('GET /o/:token', () => {
  it('answers a 43-byte transparent GIF that no one caches, and counts the open', async () => {
    const delivery = await newDelivery('camp-pixel');
    const res = await hit(`/o/${await signOpenToken(secret, delivery, sentAt)}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/gif');
    expect(res.headers.get('cache-control')).toContain('no-store');
    expect(res.headers.get('cache-control')).toContain('no-cache');
    // Webmail in a browser loads it from its own page: a same-origin resource policy would block the load.
    expect(res.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    const body = new Uint8Array(await res.arrayBuffer());
    expect(body.byteLength).toBe(43);
    expect(new TextDecoder().decode(body.slice(0, 6))).toBe('GIF89a');
    await waitForOpens(source('camp-pixel'), 1);
  });

  it('answers a forged, altered, truncated or unknown token with the same GIF and counts nothing', async () => {
    const delivery = await newDelivery('camp-forged-pixel');
    const genuine = await signOpenToken(secret, delivery, sentAt);
    const forged = await signOpenToken('not-our-secret-0123456789abcdef', delivery, sentAt);
    const foreign = await signOpenToken(secret, { ...delivery, workspaceId: 'another-workspace' }, sentAt);
    const [payload, mac] = genuine.split('.') as [string, string];
    const altered = `${payload.slice(0, -2)}AA.${mac}`;
    const bodies = new Set<string>();
    for (const token of [forged, altered, genuine.slice(0, -3), 'unknown', `${foreign.split('.')[0]}.${mac}`]) {
      const res = await hit(`/o/${token}`);
      expect(res.status).toBe(200);
      bodies.add(new TextDecoder().decode(await res.arrayBuffer()));
    }
    expect(bodies.size).toBe(1);
    // The genuine one after them: once it is counted, the others had their chance.
    await hit(`/o/${genuine}`);
    await waitForOpens(source('camp-forged-pixel'), 1);
    expect((await countsOf({ ...source('camp-forged-pixel'), workspaceId: 'another-workspace' })).pending).toBe(0);
  });
});

describe('GET /c/:token', () => {
  it('redirects to the link the message had, query and fragment intact, and counts a click and an open', async () => {
    const delivery = await newDelivery('camp-click');
    const link = 'https://shop.example/p/mug?utm_source=email&utm_campaign=Zo%C3%AB+%26+Co#reviews';
    const res = await hit(`/c/${await signClickToken(secret, delivery, sentAt, link)}`);
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe(link);
    expect(res.headers.get('cache-control')).toBe('no-store');
    await waitForOpens(source('camp-click'), 1);
    await flushTrackers(source('camp-click'));
    expect(await dailyFiguresOf(source('camp-click'))).toEqual({ opens: 1, uniqueOpens: 1, machineOpens: 0, clicks: 1, uniqueClicks: 1, machineClicks: 0 });
  });

  it('answers a forged, altered, truncated, foreign or unknown token exactly like an unknown path, and counts nothing', async () => {
    const delivery = await newDelivery('camp-forged-click');
    const genuine = await signClickToken(secret, delivery, sentAt, 'https://shop.example/a');
    const [payload, mac] = genuine.split('.') as [string, string];
    const foreign = await signClickToken(secret, { ...delivery, workspaceId: 'another-workspace' }, sentAt, 'https://shop.example/a');
    const unknown = await notFoundShape(await hit('/c/unknown'));
    expect(unknown.status).toBe(404);
    for (const token of [
      await signClickToken('not-our-secret-0123456789abcdef', delivery, sentAt, 'https://shop.example/a'),
      `${payload.slice(0, -2)}AA.${mac}`,
      genuine.slice(0, -3),
      `${foreign.split('.')[0]}.${mac}`,
      await signOpenToken(secret, delivery, sentAt),
    ]) {
      expect(await notFoundShape(await hit(`/c/${token}`))).toEqual(unknown);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await countsOf(source('camp-forged-click'))).pending).toBe(0);
  });

  it('open redirect: cannot be pointed anywhere the message did not link to', async () => {
    const delivery = await newDelivery('camp-redirect');
    const genuine = await signClickToken(secret, delivery, sentAt, 'https://shop.example/a');
    const mac = genuine.split('.')[1]!;
    const unknown = await notFoundShape(await hit('/c/unknown'));
    const encode = (text: string) => btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    const payloadWith = (link: string) => `${encode(`c\u001f${workspaceId}\u001f${delivery.id}\u001fcampaign\u001fcamp-redirect\u001f0\u001f${Math.floor(sentAt / 1000)}\u001f${link}`)}.${mac}`;
    // Another target in a genuine token's envelope: absolute URL, scheme-relative, encoded schemes, javascript:.
    for (const link of ['https://evil.example/', '//evil.example/', 'https:%2F%2Fevil.example', '%6A%61vascript:alert(1)', 'javascript:alert(1)', '/\\evil.example']) {
      expect(await notFoundShape(await hit(`/c/${payloadWith(link)}`))).toEqual(unknown);
    }
    // The path carries no target of its own: extra segments and queries do not change it.
    expect((await hit(`/c/${genuine}?url=https://evil.example/`)).headers.get('location')).toBe('https://shop.example/a');
    expect((await hit(`/c/${genuine}/https://evil.example/`)).status).toBe(404);
    // Even a token we signed by mistake for a non-web link never redirects there.
    for (const link of ['javascript:alert(1)', 'data:text/html,<script>alert(1)</script>']) {
      expect(await notFoundShape(await hit(`/c/${await signClickToken(secret, delivery, sentAt, link)}`))).toEqual(unknown);
    }
  });
});
