import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { Password } from '../../src/accounts/accounts.schemas';
import { COMMON_PASSWORDS } from '../../src/accounts/common-passwords';
import { BrowserClient } from '../helpers/browser-client';
import { uniqueEmail } from '../helpers/factories';

async function signUpWith(password: string) {
  const client = new BrowserClient();
  await client.get('/signup');
  const email = uniqueEmail('pw');
  const res = await client.post('/signup', { email, password, workspaceName: 'Shop' });
  return { res, html: await res.text(), created: await env.DB.prepare('SELECT count(*) AS n FROM users WHERE email = ?').bind(email).first<number>('n') };
}

describe('choosing a password', () => {
  it('ten spaces are not a password', async () => {
    const { res, html, created } = await signUpWith('          ');
    expect(res.status).toBe(400);
    expect(html).toContain('Use at least 10 characters, not counting spaces at the start or end');
    expect(created).toBe(0);
  });

  it('padding a short password with spaces does not make it long enough', () => {
    expect(Password.safeParse('   abc123   ').success).toBe(false);
    expect(Password.safeParse('\t\n\u00a0short\u00a0\n\t').success).toBe(false);
  });

  it('a common password is refused, whatever its case and outer spaces', async () => {
    const { res, html, created } = await signUpWith('  Password123 ');
    expect(res.status).toBe(400);
    expect(html).toContain('one of the most common');
    expect(created).toBe(0);
    expect(Password.safeParse('qwertyuiop').success).toBe(false);
    expect(Password.safeParse('1234567890').success).toBe(false);
  });

  it('a character or two repeated is refused', () => {
    expect(Password.safeParse('aaaaaaaaaaaa').success).toBe(false);
    expect(Password.safeParse('abababababab').success).toBe(false);
  });

  it('ships the common passwords of 10 characters or more, lower-cased', () => {
    expect(COMMON_PASSWORDS.size).toBeGreaterThan(1500);
    for (const password of COMMON_PASSWORDS) expect(password === password.toLowerCase() && password.length >= 10).toBe(true);
  });

  it('accepts a real password, and stores it as typed', async () => {
    expect(Password.safeParse('correct horse battery staple').success).toBe(true);
    expect(Password.parse('  spaces inside count  ')).toBe('  spaces inside count  ');
  });
});
