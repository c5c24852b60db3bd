import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { claimLoginAttempt, throttleKeys } from '../../src/accounts/login-throttle';
import { openDb } from '../../src/db/client';
import { AppError } from '../../src/lib/errors';
import { BrowserClient } from '../helpers/browser-client';
import { PASSWORD, signUpMerchant, uniqueEmail } from '../helpers/factories';

const db = openDb(env.DB);

/** Claims an attempt at `now`: null when it may go ahead, else the Retry-After seconds. */
async function claim(keys: string[], now: number): Promise<number | null> {
  try {
    await claimLoginAttempt(db, keys, now);
    return null;
  } catch (err) {
    if (err instanceof AppError && err.code === 'rate_limited') return err.details.retryAfterSeconds as number;
    throw err;
  }
}

function throttleRow(key: string) {
  return env.DB.prepare('SELECT failures, blocked_until AS blockedUntil FROM login_throttles WHERE key = ?').bind(key).first<{ failures: number; blockedUntil: number }>();
}

describe('claimLoginAttempt', () => {
  it('lets five attempts of an email through, then doubles the wait from 2 s', async () => {
    const keys = throttleKeys(uniqueEmail('throttle'), undefined);
    let now = 1_000_000;
    for (let i = 0; i < 5; i++) expect(await claim(keys, now)).toBeNull();
    expect(await claim(keys, now)).toBeNull(); // the sixth is checked, and starts a 2 s wait
    expect(await claim(keys, now + 1)).toBe(2);
    expect((await throttleRow(keys[0]!))!.failures).toBe(6); // the refused attempt was not counted
    const waits: number[] = [];
    for (let i = 0; i < 4; i++) {
      now = (await throttleRow(keys[0]!))!.blockedUntil;
      expect(await claim(keys, now)).toBeNull();
      waits.push((await throttleRow(keys[0]!))!.blockedUntil - now);
    }
    expect(waits).toEqual([4000, 8000, 16000, 32000]);
  });

  it('allows twenty attempts per IP, where many people may share an address, and counts both keys together', async () => {
    const ip = `ip-${uniqueEmail()}`;
    const now = 5_000_000;
    for (let i = 0; i < 21; i++) expect(await claim(throttleKeys(uniqueEmail('ip'), ip), now)).toBeNull();
    const email = uniqueEmail('fresh');
    expect(await claim(throttleKeys(email, ip), now + 1)).toBe(2);
    // Refused by the IP's wait: the email was not counted either.
    expect(await throttleRow(`email:${email}`)).toBeNull();
  });

  it('starts counting again once the 15-minute window is over', async () => {
    const keys = throttleKeys(uniqueEmail('window'), undefined);
    for (let i = 0; i < 6; i++) await claim(keys, 1_000);
    expect(await claim(keys, 1_000 + 15 * 60 * 1000 + 1)).toBeNull();
    expect((await throttleRow(keys[0]!))!.failures).toBe(1);
  });
});

async function parallelLogIns(email: string, passwords: string[]) {
  const client = new BrowserClient();
  await client.get('/login');
  // Each guess from its own address, so only the email's throttle stands in the way.
  return Promise.all(passwords.map((password, i) => client.post('/login', { email, password }, { 'cf-connecting-ip': `198.18.${Math.floor(i / 250)}.${i % 250}` })));
}

describe('login throttling under concurrency', () => {
  it('40 parallel wrong guesses are all counted', async () => {
    const { email } = await signUpMerchant();
    const started = Date.now();
    const responses = await parallelLogIns(
      email,
      Array.from({ length: 40 }, (_, i) => `wrong guess ${i}`),
    );
    const statuses = responses.map((res) => res.status);
    const checked = statuses.filter((status) => status === 401).length;
    // As in a row: five free failures and a sixth that starts the wait; the rest wait.
    expect(checked).toBe(6);
    expect(statuses.filter((status) => status === 429).length).toBe(34);
    const row = await throttleRow(`email:${email}`);
    expect(row!.failures).toBe(checked);
    // The sixth failure started a 2 s wait.
    expect(row!.blockedUntil).toBeGreaterThanOrEqual(started + 2000);
  });

  it('a burst of 30 parallel guesses holding the right password past the limit does not log in', async () => {
    const { email } = await signUpMerchant();
    const responses = await parallelLogIns(email, [...Array.from({ length: 29 }, (_, i) => `wrong guess ${i}`), PASSWORD]);
    expect(responses.map((res) => res.status)).not.toContain(303);
    expect(responses.at(-1)!.status).toBe(429);
    expect(responses.at(-1)!.headers.get('set-cookie') ?? '').not.toMatch(/session/i);
  });
});
