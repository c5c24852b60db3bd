// Names that outsiders control (store webhooks, imports) and a workspace's sender name
// reach mail headers: sent over real SMTP and parsed as a mail client would, the message
// has exactly the headers we wrote and exactly one recipient.
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { insertContact } from '../helpers/data';
import { insertEmailContent, queueCampaignEmail } from '../helpers/deliveries';
import { signUpMerchant, uniqueEmail } from '../helpers/factories';
import { trustWorkspace } from '../helpers/platform-trust';
import { receivedFor, waitForEmail } from '../helpers/smtp-sink';

// Every header name our messages carry (lower case, as the parser lists them).
const OUR_HEADERS = ['from', 'to', 'reply-to', 'subject', 'date', 'message-id', 'list-unsubscribe', 'list-unsubscribe-post', 'mime-version', 'content-type'].sort();

let workspaceId: string;
let contentId: string;

beforeAll(async () => {
  workspaceId = (await signUpMerchant('Injection Shop')).workspaceId;
  // Past onboarding: the platform sender reaches its customers (src/email/platform-sender-trust.ts).
  await trustWorkspace(workspaceId);
  // Stored as older data or a direct write might hold it: the input checks refuse it today.
  await env.DB.prepare('UPDATE workspaces SET sender_name = ? WHERE id = ?').bind('Shop\r\nX-Injected: yes', workspaceId).run();
  await env.DB.prepare('UPDATE workspace_settings SET reply_to_email = ? WHERE workspace_id = ?').bind('help@shop.example', workspaceId).run();
  contentId = await insertEmailContent(workspaceId, { subject: 'Hi {{ contact.first_name }}', html: '<p>Hello {{ contact.first_name }}</p>' });
});

async function sendTo(fields: Record<string, unknown>) {
  const to = uniqueEmail('inject');
  const contactId = await insertContact(workspaceId, { email: to, ...fields });
  await queueCampaignEmail(workspaceId, contactId, contentId, `inject-${contactId}`);
  return { to, email: await waitForEmail(to) };
}

describe('header injection through names', () => {
  it('keeps CR/LF in a first or last name out of the headers', async () => {
    const { email } = await sendTo({ first_name: 'Eve\r\nBcc: victim@evil.example\r\nX-Injected: 1', last_name: 'Doe\nCc: other@evil.example' });
    expect(Object.keys(email.headers).sort()).toEqual(OUR_HEADERS);
    expect(email.envelope.to).toHaveLength(1);
    expect(email.rawHeaders).not.toMatch(/^(Bcc|Cc|X-Injected):/im);
    expect(email.subject).toBe('Hi Eve Bcc: victim@evil.example X-Injected: 1');
  });

  it('keeps a quote in a name from adding a second address to To', async () => {
    const { to, email } = await sendTo({ first_name: 'Mallory "attacker@evil.example",', last_name: '<x@evil.example>' });
    expect(email.to).not.toContain('attacker@evil.example>');
    expect(email.to.match(/@/g)!.length).toBeGreaterThanOrEqual(1);
    // The parsed To holds exactly one address: ours.
    const addresses = /<([^>]+)>\s*$/.exec(email.headers.to!)?.[1];
    expect(addresses).toBe(to);
    expect(await receivedFor('attacker@evil.example')).toEqual([]);
  });

  it("writes the workspace's sender name without its CR/LF", async () => {
    const { email } = await sendTo({ first_name: 'Ann' });
    expect(email.from).toBe('"Shop X-Injected: yes via Edge Marketing" <no-reply@mail.example.com>');
    expect(email.rawHeaders).not.toMatch(/^X-Injected:/im);
  });

  it('encodes non-ASCII names and long subjects as RFC 2047 words: none in quotes, none over 75 characters', async () => {
    const long = await insertEmailContent(workspaceId, { subject: `Grüße, {{ contact.first_name }}! ${'Ünïcödé savings on everything '.repeat(5)}`, html: '<p>Hi</p>' });
    const to = uniqueEmail('intl');
    const contactId = await insertContact(workspaceId, { email: to, first_name: 'Zoë', last_name: 'Ñúñez "Q"' });
    await queueCampaignEmail(workspaceId, contactId, long, 'inject-intl');
    const email = await waitForEmail(to);
    expect(email.subject).toBe(`Grüße, Zoë! ${'Ünïcödé savings on everything '.repeat(5).trim()}`);
    expect(email.to).toBe(`"Zoë Ñúñez \\"Q\\"" <${to}>`);
    const words = email.rawHeaders.match(/=\?[^?]+\?[BQ]\?[^?]*\?=/gi) ?? [];
    expect(words.length).toBeGreaterThan(2);
    for (const word of words) expect(word.length).toBeLessThanOrEqual(75);
    expect(email.rawHeaders).not.toMatch(/"[^"\r\n]*=\?/);
    for (const line of email.rawHeaders.split('\r\n')) expect(line.length).toBeLessThanOrEqual(998);
  });
});
