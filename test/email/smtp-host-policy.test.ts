// Attacks on Settings → Email sender as an SSRF: hosts and ports inside the platform's
// network, spelled every way a resolver reads them, refused at save and at connect time.
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { testSmtpConnection } from '../../src/channels/email';
import { openDb } from '../../src/db/client';
import { forWorkspace } from '../../src/db/tenant';
import { saveEmailSender } from '../../src/email/email-sender.service';
import { AppError } from '../../src/lib/errors';
import { classifySmtpHost, smtpHostPolicy, smtpHostRefusal, smtpPortRefusal } from '../../src/lib/smtp-host-policy';
import { apiErrorOf, callApi, createApiKey, signUpMerchant, type Merchant } from '../helpers/factories';
import { SMTP_PORT } from '../helpers/smtp-sink';

// As wrangler.toml sets it for production: no loopback, submission ports only.
const PRODUCTION = { SMTP_ALLOW_LOOPBACK_HOSTS: 'false', SMTP_ALLOWED_PORTS: '465,587,2525' };
const PUBLIC_SERVER = { host: 'smtp.postmarkapp.com', port: 587, security: 'starttls', username: 'token', password: 'secret', fromEmail: 'news@shop.example' };

let merchant: Merchant;
let key: string;

beforeAll(async () => {
  merchant = await signUpMerchant('SSRF Shop');
  key = await createApiKey(merchant);
});

function putSender(body: unknown) {
  return callApi(key, '/email-sender', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

async function refusedField(body: unknown): Promise<string[]> {
  const res = await putSender(body);
  expect(res.status).toBe(400);
  return ((await apiErrorOf(res)).issues ?? []).map((issue) => issue.path);
}

function storedHost() {
  return env.DB.prepare('SELECT smtp_host FROM workspace_settings WHERE workspace_id = ?').bind(merchant.workspaceId).first('smtp_host');
}

/** Saves through the real service with production's vars (the test run allows loopback). */
async function saveInProduction(host: string, port = 587): Promise<string[]> {
  const tenant = forWorkspace(openDb(env.DB), merchant.workspaceId);
  try {
    await saveEmailSender(tenant, { ENCRYPTION_KEY: env.ENCRYPTION_KEY, ...PRODUCTION }, { ...PUBLIC_SERVER, host, port, security: 'starttls', acceptPlaintext: false });
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    return ((err as AppError).details.issues ?? []).map((issue) => issue.path);
  }
  return [];
}

describe('SMTP hosts refused at save (API, 400 naming host)', () => {
  const attacks: [string, string][] = [
    ['169.254.169.254', 'link-local cloud metadata'],
    ['10.0.0.5', '10/8'],
    ['172.16.0.1', '172.16/12'],
    ['172.31.255.254', '172.16/12, its top'],
    ['192.168.1.1', '192.168/16'],
    ['100.64.0.1', '100.64/10 carrier-grade NAT'],
    ['0.0.0.0', 'this host'],
    ['2130706433', 'decimal-encoded 127.0.0.1'],
    ['2852039166', 'decimal-encoded 169.254.169.254'],
    ['0x7f.1', 'hex-encoded 127.0.0.1'],
    ['0xa9fea9fe', 'hex-encoded 169.254.169.254'],
    ['017700000001', 'octal-encoded 127.0.0.1'],
    ['0177.0.0.1', 'octal first byte'],
    ['127.1', 'short form of 127.0.0.1'],
    ['metadata.google.internal', 'GCP metadata name'],
    ['metadata', 'a single-label name (search domains)'],
    ['kubernetes.default.svc.cluster.local', '*.local'],
    ['db.corp', '*.corp'],
    ['::1', 'IPv6 loopback'],
    ['[::ffff:169.254.169.254]', 'IPv4-mapped IPv6'],
    ['fe80::1', 'IPv6 link-local'],
    ['fd00::1', 'IPv6 unique local'],
  ];
  for (const [host, what] of attacks) {
    it(`SMTP host ${host} is refused (${what})`, async () => {
      expect(await refusedField({ ...PUBLIC_SERVER, host })).toContain('host');
      expect(await storedHost()).not.toBe(host);
    });
  }

  it('SMTP host 127.0.0.1, localhost, *.localhost and ::ffff:127.0.0.1 are refused in production (loopback needs the dev var)', async () => {
    for (const host of ['127.0.0.1', '127.8.9.10', 'localhost', 'mail.localhost']) expect(await saveInProduction(host)).toEqual(['host']);
    const production = smtpHostPolicy(PRODUCTION);
    for (const host of ['::1', '[::1]', '::ffff:127.0.0.1', '::ffff:7f00:1']) expect(smtpHostRefusal(host, production)).not.toBeNull();
    // The dev var lets loopback through, and nothing else.
    const dev = smtpHostPolicy({ SMTP_ALLOW_LOOPBACK_HOSTS: 'true' });
    expect(smtpHostRefusal('127.0.0.1', dev)).toBeNull();
    expect(smtpHostRefusal('localhost', dev)).toBeNull();
    expect(smtpHostRefusal('169.254.169.254', dev)).not.toBeNull();
    expect(smtpHostRefusal('2130706433', dev)).not.toBeNull();
  });

  it('classifies each spelling as the address a resolver would read', () => {
    expect(['2130706433', '0x7f.1', '017700000001', '0x7f000001', '127.000.000.001'].map(classifySmtpHost)).toEqual(['encoded', 'encoded', 'encoded', 'encoded', 'encoded']);
    expect(['::ffff:a9fe:a9fe', '64:ff9b::a9fe:a9fe', 'fc00::1', 'fec0::1', '::'].map(classifySmtpHost)).toEqual(['private', 'private', 'private', 'private', 'private']);
    expect(['smtp.gmail.com', '8.8.8.8', '2a00:1450:400c:c0b::6c', 'smtp.sendgrid.net.'].map(classifySmtpHost)).toEqual(['public', 'public', 'public', 'public']);
  });

  it('accepts a public provider on 465, 587 and 2525', async () => {
    for (const port of [465, 587, 2525]) expect(await saveInProduction('smtp.postmarkapp.com', port)).toEqual([]);
    expect(await storedHost()).toBe('smtp.postmarkapp.com');
  });
});

describe('SMTP ports', () => {
  it('SMTP ports other than 465, 587 and 2525 are refused in production (22, 80, 6379, 11211)', async () => {
    for (const port of [22, 80, 6379, 11211]) expect(await saveInProduction('smtp.postmarkapp.com', port)).toEqual(['port']);
  });

  it('a platform var widens the ports, by list and range', () => {
    const policy = smtpHostPolicy({ SMTP_ALLOWED_PORTS: '465, 587,3200-3299' });
    expect([465, 587, 3200, 3299].map((port) => smtpPortRefusal(port, policy))).toEqual([null, null, null, null]);
    expect(smtpPortRefusal(2525, policy)).not.toBeNull();
    expect(smtpPortRefusal(3300, policy)).not.toBeNull();
  });
});

describe('Test connection', () => {
  it('test connection does not scan internal ports: a host saved before the rule is refused at connect time, without connecting', async () => {
    // Written raw, as settings saved before the rule are stored.
    await env.DB.prepare("UPDATE workspace_settings SET smtp_host = '169.254.169.254', smtp_port = 2525, smtp_security = 'none', smtp_username = NULL WHERE workspace_id = ?")
      .bind(merchant.workspaceId)
      .run();
    await env.DB.prepare("UPDATE workspaces SET sender_email = 'news@shop.example' WHERE id = ?").bind(merchant.workspaceId).run();
    const res = await callApi(key, '/email-sender/test', { method: 'POST' });
    const { outcome } = await res.json<{ outcome: { ok: boolean; message: string; kind: string } }>();
    expect(outcome.ok).toBe(false);
    expect(outcome.message).toMatch(/^Not connecting to 169\.254\.169\.254:2525\. This host is not allowed/);
    // Refused before connecting: no "did not accept a connection" that would tell an open port from a closed one.
    expect(outcome.message).not.toMatch(/did not accept|Could not connect|answered|closed/);
  });

  it("echoes no banner of a refused server: the local SMTP server is not reached under production's policy", async () => {
    const server = { host: '127.0.0.1', port: SMTP_PORT, security: 'none' as const, username: 'test', password: 'test', policy: smtpHostPolicy(PRODUCTION) };
    const outcome = await testSmtpConnection(server);
    expect(outcome).toMatchObject({ ok: false, kind: 'connect' });
    expect(outcome.message).not.toMatch(/ESMTP|220|signed in/);
    // The same server with the test run's policy connects: the refusal above is the policy's doing.
    expect(await testSmtpConnection({ ...server, policy: smtpHostPolicy(env) })).toMatchObject({ ok: true });
  });
});

describe('Security "none"', () => {
  it('plain SMTP to a non-local host is refused without "I understand the password travels in clear"', async () => {
    const plain = { ...PUBLIC_SERVER, host: 'smtp.plain-provider.com', port: 2525, security: 'none' };
    expect(await refusedField(plain)).toEqual(['acceptPlaintext']);
    expect((await putSender({ ...plain, acceptPlaintext: true })).status).toBe(200);
    expect(await storedHost()).toBe('smtp.plain-provider.com');
  });

  it('the settings form asks for the plaintext consent and keeps the choice on an error', async () => {
    const form = { host: 'smtp.plain-provider.com', port: '2525', security: 'none', username: 'u', password: 'p', fromEmail: 'news@shop.example' };
    const refused = await merchant.client.post('/app/settings/email', form);
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain('Without TLS or STARTTLS the password and every email travel in clear');
    expect((await merchant.client.post('/app/settings/email', { ...form, acceptPlaintext: 'true' })).status).toBe(303);
  });
});
