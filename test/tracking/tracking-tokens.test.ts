import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { fromBase64Url, toBase64Url } from '../../src/lib/encoding';
import { readTrackingToken, shardOf, signClickToken, signOpenToken, TRACKER_SHARDS } from '../../src/tracking/tracking-tokens';

const secret = env.APP_SECRET;
const delivery = { id: '01JDELIVERY0000000000000001', workspaceId: 'ws-a', sourceType: 'campaign', sourceId: 'camp-1' };
const sentAt = 1_780_000_000_000;

describe('tracking tokens', () => {
  it('name the workspace, delivery, source, shard and send time, and a click its link', async () => {
    const open = await readTrackingToken(secret, 'open', await signOpenToken(secret, delivery, sentAt));
    expect(open).toEqual({ ...delivery, shard: shardOf(delivery.id), sentAt });
    const link = 'https://shop.example/p?a=1&b=caf%C3%A9#top';
    const click = await readTrackingToken(secret, 'click', await signClickToken(secret, delivery, sentAt, link));
    expect(click).toEqual({ ...delivery, shard: shardOf(delivery.id), sentAt, link });
  });

  it('spread deliveries over every shard', () => {
    const shards = new Set(Array.from({ length: 200 }, (_, i) => shardOf(`delivery-${i}`)));
    expect(shards.size).toBe(TRACKER_SHARDS);
  });

  it('refuse a forged token (signed with another secret)', async () => {
    expect(await readTrackingToken(secret, 'open', await signOpenToken('some-other-secret-0123456789', delivery, sentAt))).toBeNull();
  });

  it('refuse an altered token: another workspace, delivery or link in a genuine envelope', async () => {
    const token = await signClickToken(secret, delivery, sentAt, 'https://shop.example/a');
    const [payload, mac] = token.split('.') as [string, string];
    const text = new TextDecoder().decode(fromBase64Url(payload));
    for (const altered of [text.replace('ws-a', 'ws-b'), text.replace('0001', '0002'), text.replace('https://shop.example/a', 'https://evil.example/a')]) {
      expect(await readTrackingToken(secret, 'click', `${toBase64Url(new TextEncoder().encode(altered))}.${mac}`)).toBeNull();
    }
  });

  it('refuse truncated, empty, garbage and cross-kind tokens', async () => {
    const open = await signOpenToken(secret, delivery, sentAt);
    const click = await signClickToken(secret, delivery, sentAt, 'https://shop.example/a');
    for (const bad of [open.slice(0, -1), open.slice(0, open.indexOf('.')), `${open}A`, '', '.', 'not-a-token', '%%%.%%%', `${open.split('.')[0]}.${'A'.repeat(22)}`]) {
      expect(await readTrackingToken(secret, 'open', bad)).toBeNull();
    }
    expect(await readTrackingToken(secret, 'click', open)).toBeNull();
    expect(await readTrackingToken(secret, 'open', click)).toBeNull();
  });
});
