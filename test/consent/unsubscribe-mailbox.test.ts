import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import worker from '../../src/index';
import { tokenFromSubject } from '../../src/consent/unsubscribe-mailbox';
import { insertContact } from '../helpers/data';
import { insertEmailContent, queueCampaignEmail } from '../helpers/deliveries';
import { signUpMerchant, uniqueEmail } from '../helpers/factories';
import { trustWorkspace } from '../helpers/platform-trust';
import { waitForEmail } from '../helpers/smtp-sink';

/** An inbound mail as Cloudflare Email Routing hands it to the Worker's email handler. */
function inboundMail(subject: string) {
  return {
    from: 'someone@mail.example',
    to: 'unsubscribe@mail.example.com',
    headers: new Headers({ subject }),
    raw: new ReadableStream(),
    rawSize: 0,
    setReject() {},
    forward: async () => ({}),
    reply: async () => ({}),
  } as unknown as ForwardableEmailMessage;
}

describe('List-Unsubscribe mailto', () => {
  it('offers the mailbox beside the one-click URL, and a mail to it unsubscribes that contact', async () => {
    const merchant = await signUpMerchant('Mailto shop');
    await trustWorkspace(merchant.workspaceId);
    const design = await insertEmailContent(merchant.workspaceId, { subject: 'News', html: '<p>News</p>' });
    const to = uniqueEmail('mailto');
    const contactId = await insertContact(merchant.workspaceId, { email: to });
    await queueCampaignEmail(merchant.workspaceId, contactId, design, 'mailto');
    const header = (await waitForEmail(to)).headers['list-unsubscribe']!;
    const mailto = /<mailto:unsubscribe@mail\.example\.com\?subject=([^>]+)>/.exec(header);
    expect(header).toMatch(/^<https:\/\/marketing\.example\.com\/u\/[^>]+>, <mailto:/);
    expect(mailto).not.toBeNull();
    const subject = decodeURIComponent(mailto![1]!);

    // A forged token changes nothing.
    await worker.email!(inboundMail(subject.replace(/.$/, (c) => (c === 'a' ? 'b' : 'a'))), env);
    expect(await env.DB.prepare('SELECT email_consent FROM contacts WHERE id = ?').bind(contactId).first('email_consent')).toBe('subscribed');

    // Mail clients send the subject as given, sometimes with a prefix.
    await worker.email!(inboundMail(`Re: ${subject}`), env);
    expect(await env.DB.prepare('SELECT email_consent FROM contacts WHERE id = ?').bind(contactId).first('email_consent')).toBe('unsubscribed');
    expect(await env.DB.prepare("SELECT reason FROM suppressions WHERE workspace_id = ? AND channel = 'email' AND address = ?").bind(merchant.workspaceId, to).first('reason')).toBe('unsubscribed');
    expect(await env.DB.prepare("SELECT source FROM consent_changes WHERE contact_id = ? AND status = 'unsubscribed'").bind(contactId).first('source')).toBe('unsubscribe_mailbox');
  });

  it('reads the token from the subject only', () => {
    expect(tokenFromSubject('unsubscribe 01ABC.def-123_x')).toBe('01ABC.def-123_x');
    expect(tokenFromSubject('Fwd: UNSUBSCRIBE 01ABC.sig')).toBe('01ABC.sig');
    expect(tokenFromSubject('hello there')).toBeNull();
  });
});
