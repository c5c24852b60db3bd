// Test emails and texts go to addresses typed in a form, so each workspace may send only so
// many an hour (RATE_LIMIT_TEST_SENDS_PER_HOUR), from the pages and the API alike.
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { HOUR } from '../../src/lib/time';
import { createApiKey, postApi, signUpMerchant } from '../helpers/factories';

const LIMIT = Number(env.RATE_LIMIT_TEST_SENDS_PER_HOUR);

/** Puts a workspace's count of test sends `left` short of the limit in the current window. */
async function leaveRoomFor(workspaceId: string, left: number) {
  const now = Date.now();
  await env.DB.prepare('INSERT INTO rate_limit_counters (key, window_start, hits) VALUES (?, ?, ?) ON CONFLICT DO UPDATE SET window_start = excluded.window_start, hits = excluded.hits')
    .bind(`test-sends:${workspaceId}`, now - (now % HOUR), LIMIT - left)
    .run();
}

describe('test sends per workspace', () => {
  it('refuses test emails and texts past the hourly limit with 429 and Retry-After, in that workspace only', async () => {
    const merchant = await signUpMerchant('Test send limit');
    const other = await signUpMerchant('Test send limit elsewhere');
    const key = await createApiKey(merchant);
    const otherKey = await createApiKey(other);
    await leaveRoomFor(merchant.workspaceId, 1);

    const first = await postApi(key, '/email-sender/test-email', { to: merchant.email });
    expect(first.status).not.toBe(429);
    const refused = await postApi(key, '/sms-sender/test-sms', { to: '+14155550101' });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('rate_limited');

    // The dashboard's forms count against the same limit.
    const page = await merchant.client.post('/app/settings/email/test-email', { to: merchant.email });
    expect(page.status).toBe(429);

    // Another workspace is not held back.
    expect((await postApi(otherKey, '/email-sender/test-email', { to: other.email })).status).not.toBe(429);
  });
});
