import { afterEach, describe, expect, it, vi } from 'vitest';
import { hmacKey } from '../../src/lib/crypto';

const encoder = new TextEncoder();

async function macBytes(key: CryptoKey, message: string): Promise<number[]> {
  return [...new Uint8Array(await crypto.subtle.sign('HMAC', key, encoder.encode(message)))];
}

/** The MAC with a key imported afresh, to compare the cached keys against. */
async function freshMac(secret: string, hash: 'SHA-1' | 'SHA-256', message: string): Promise<number[]> {
  const key = await crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash }, false, ['sign']);
  return macBytes(key, message);
}

afterEach(() => vi.restoreAllMocks());

describe('HMAC keys kept per isolate', () => {
  it('imports a secret once per hash, and never answers one hash with the other’s key', async () => {
    const secret = `token-${crypto.randomUUID()}`;
    const imports = vi.spyOn(crypto.subtle, 'importKey');
    const sha1 = await hmacKey(secret, 'SHA-1');
    expect(await hmacKey(secret, 'SHA-1')).toBe(sha1);
    const sha256 = await hmacKey(secret, 'SHA-256');
    expect(await hmacKey(secret, 'SHA-256')).toBe(sha256);
    expect(imports).toHaveBeenCalledTimes(2);
    expect(await macBytes(sha1, 'm')).toEqual(await freshMac(secret, 'SHA-1', 'm'));
    expect(await macBytes(sha256, 'm')).toEqual(await freshMac(secret, 'SHA-256', 'm'));
    expect((await macBytes(sha1, 'm')).length).toBe(20);
  });

  it('stays bounded: past its size it starts again, and every key still signs as its own secret', async () => {
    const secrets = Array.from({ length: 130 }, (_, i) => `workspace-token-${i}-${crypto.randomUUID()}`);
    for (const secret of secrets) await hmacKey(secret, 'SHA-1');
    const imports = vi.spyOn(crypto.subtle, 'importKey');
    // The first ones were let go and come back imported again; the last one is still kept.
    expect(await macBytes(await hmacKey(secrets[0]!, 'SHA-1'), 'x')).toEqual(await freshMac(secrets[0]!, 'SHA-1', 'x'));
    await hmacKey(secrets.at(-1)!, 'SHA-1');
    // One import for the first secret, one for freshMac; none for the last.
    expect(imports).toHaveBeenCalledTimes(2);
  });
});
