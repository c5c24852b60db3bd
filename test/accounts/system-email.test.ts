import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { sendSystemEmail } from '../../src/email/system-email';
import { uniqueEmail } from '../helpers/factories';
import { waitForEmail } from '../helpers/smtp-sink';

describe('sendSystemEmail', () => {
  it('sends from the platform sender with a text and an HTML part, marked as automatic', async () => {
    const to = uniqueEmail('system');
    const outcome = await sendSystemEmail(env, {
      to,
      subject: 'Reset your password',
      paragraphs: ['Someone asked to reset the password of your account.'],
      action: { label: 'Reset your password', url: 'https://marketing.example.com/reset-password?token=a.b&x=1' },
      footnote: 'If it was not you, ignore this email.',
    });
    expect(outcome.ok, outcome.message).toBe(true);
    const email = await waitForEmail(to);
    expect(email.from).toBe(`"${env.PLATFORM_SENDER_NAME}" <${env.PLATFORM_SENDER_EMAIL}>`);
    expect(email.subject).toBe('Reset your password');
    expect(email.replyTo).toBeNull();
    expect(email.headers['auto-submitted']).toBe('auto-generated');
    expect(email.headers['list-unsubscribe']).toBeUndefined();
    expect(email.text).toContain('Reset your password: https://marketing.example.com/reset-password?token=a.b&x=1');
    expect(email.text).toContain('If it was not you, ignore this email.');
    expect(email.html).toContain('href="https://marketing.example.com/reset-password?token=a.b&amp;x=1"');
  });

  it('markup injected through a name or link is shown as text, and a line break cannot add a header', async () => {
    const to = uniqueEmail('system-hostile');
    const outcome = await sendSystemEmail(env, {
      to,
      subject: 'Join "Shop"\r\nBcc: victim@example.com',
      paragraphs: ['<script>alert(1)</script> invited you'],
      action: { label: '<b>Accept</b>', url: 'https://marketing.example.com/x?"><img src=x onerror=alert(1)>' },
    });
    expect(outcome.ok, outcome.message).toBe(true);
    const email = await waitForEmail(to);
    expect(email.html).not.toContain('<script>');
    expect(email.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; invited you');
    expect(email.html).not.toContain('<img');
    expect(email.headers.bcc).toBeUndefined();
    expect(email.rawHeaders).not.toMatch(/^Bcc:/im);
  });
});
