import { env, exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { openDb } from '../../src/db/client';
import { enforceRateLimits, RATE_LIMITS, type RateLimit } from '../../src/http/rate-limit';
import { sha256Hex } from '../../src/lib/crypto';
import { AppError } from '../../src/lib/errors';
import { BrowserClient, ORIGIN } from '../helpers/browser-client';
import { apiErrorOf, callApi, createApiKey, signUpMerchant, uniqueEmail } from '../helpers/factories';

let ipCounter = 0;
/** An address no other test uses, so each test starts with fresh per-IP counters. */
function freshIp(): string {
  ipCounter += 1;
  return `2001:db8:${Date.now().toString(16).slice(-4)}::${ipCounter.toString(16)}`;
}

/**
 * Records `hits` requests against a limit's key in the current window, as if they had
 * just been made (the real limits are in the hundreds, too many requests for a test).
 */
async function alreadyMade(limit: RateLimit, subject: string, hits: number) {
  const now = Date.now();
  await env.DB.prepare('INSERT INTO rate_limit_counters (key, window_start, hits) VALUES (?, ?, ?)')
    .bind(`${limit.name}:${subject}`, now - (now % limit.window), hits)
    .run();
}

async function allowed(limitEnv: typeof env, subject: string, now: number): Promise<boolean> {
  try {
    await enforceRateLimits(openDb(env.DB), limitEnv, [{ limit: RATE_LIMITS.apiKey, subject }], now);
    return true;
  } catch (err) {
    if (err instanceof AppError && err.code === 'rate_limited') return false;
    throw err;
  }
}

describe('rate limit counters', () => {
  it('parallel requests cannot slip past a limit: exactly the limit gets through', async () => {
    const limitEnv = { ...env, RATE_LIMIT_API_KEY_PER_MINUTE: '5' };
    const subject = uniqueEmail('parallel');
    const now = Date.now();
    const results = await Promise.all(Array.from({ length: 30 }, () => allowed(limitEnv, subject, now)));
    expect(results.filter(Boolean)).toHaveLength(5);
    // The next window starts again.
    expect(await allowed(limitEnv, subject, now - (now % 60_000) + 60_000)).toBe(true);
  });

  it('reads each limit from its var, and falls back to the default when it is not a positive integer', async () => {
    const subject = uniqueEmail('vars');
    const now = Date.now();
    await alreadyMade(RATE_LIMITS.apiKey, subject, 2);
    expect(await allowed({ ...env, RATE_LIMIT_API_KEY_PER_MINUTE: '3' }, subject, now)).toBe(true);
    expect(await allowed({ ...env, RATE_LIMIT_API_KEY_PER_MINUTE: '3' }, subject, now)).toBe(false);
    expect(await allowed({ ...env, RATE_LIMIT_API_KEY_PER_MINUTE: 'lots' }, subject, now)).toBe(true);
  });
});

describe('rate limits', () => {
  it('a sign-up flood from one IP is answered 429 with Retry-After, on the sign-up page', async () => {
    const ip = freshIp();
    const client = new BrowserClient();
    await client.get('/signup');
    const signUp = () => client.post('/signup', { email: uniqueEmail('flood'), password: 'flooding password 77', workspaceName: 'Flood' }, { 'cf-connecting-ip': ip });
    for (let i = 0; i < 10; i++) expect((await signUp()).status).toBe(303);
    const refused = await signUp();
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(3600);
    const html = await refused.text();
    expect(html).toContain('Too many requests. Try again in');
    expect(html).toContain('action="/signup"');
    // Another address is not held back.
    expect((await client.post('/signup', { email: uniqueEmail('other'), password: 'flooding password 77', workspaceName: 'Other' }, { 'cf-connecting-ip': freshIp() })).status).toBe(303);
  });

  it('password spraying from one IP (one guess per address) is answered 429 with Retry-After past the per-IP limit', async () => {
    const ip = freshIp();
    await alreadyMade(RATE_LIMITS.logInIp, ip, 60);
    const client = new BrowserClient();
    await client.get('/login');
    const refused = await client.post('/login', { email: uniqueEmail('spray'), password: 'password spraying 1' }, { 'cf-connecting-ip': ip });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    const html = await refused.text();
    expect(html).toContain('Too many requests. Try again in');
    expect(html).toContain('action="/login"');
    // No attempt reached the password check, so none was counted against the address.
    expect(await env.DB.prepare("SELECT count(*) AS n FROM login_throttles WHERE key = 'ip:' || ?").bind(ip).first('n')).toBe(0);
  });

  it('an API key hammering the API gets 429 with Retry-After and a JSON error', async () => {
    const merchant = await signUpMerchant();
    const key = await createApiKey(merchant);
    await alreadyMade(RATE_LIMITS.apiKey, await sha256Hex(key), 599);
    expect((await callApi(key, '/workspace')).status).toBe(200);
    const refused = await callApi(key, '/workspace');
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(await apiErrorOf(refused)).toMatchObject({ code: 'rate_limited' });
    // Another key of the same workspace has its own allowance.
    expect((await callApi(await createApiKey(merchant, 'Second'), '/workspace')).status).toBe(200);
  });

  it('guessing API keys from one IP is limited per IP, whatever the key, and keys are counted by their hash', async () => {
    const ip = freshIp();
    await alreadyMade(RATE_LIMITS.apiIp, ip, 1199);
    const guess = (i: number) => exports.default.fetch(new Request(`${ORIGIN}/api/v1/workspace`, { headers: { authorization: `Bearer mk_guess_${i}`, 'cf-connecting-ip': ip } }));
    expect((await guess(1)).status).toBe(401);
    const refused = await guess(2);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).not.toBeNull();
    expect(await apiErrorOf(refused)).toMatchObject({ code: 'rate_limited' });
    expect(await env.DB.prepare("SELECT count(*) AS n FROM rate_limit_counters WHERE key LIKE '%mk_guess%'").first('n')).toBe(0);
    expect(
      await env.DB.prepare('SELECT count(*) AS n FROM rate_limit_counters WHERE key = ?')
        .bind(`api-key:${await sha256Hex('mk_guess_1')}`)
        .first('n'),
    ).toBe(1);
  });
});
