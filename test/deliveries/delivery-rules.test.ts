import { describe, expect, it } from 'vitest';
import { smtpFailure } from '../../src/channels/email';
import { SmtpError } from '../../src/vendor/worker-mailer';
import { canMoveDelivery } from '../../src/deliveries/delivery-status';
import { htmlToText } from '../../src/email/render-email';
import { withComplianceFooter } from '../../src/email/compose-email';

describe('the delivery lifecycle', () => {
  it('only moves forward: a sent, skipped or failed delivery never changes again', () => {
    expect(canMoveDelivery('queued', 'sending')).toBe(true);
    expect(canMoveDelivery('sending', 'queued')).toBe(true);
    expect(canMoveDelivery('queued', 'sent')).toBe(false);
    for (const final of ['sent', 'skipped', 'failed', 'unknown', 'cancelled'] as const) expect(canMoveDelivery(final, 'queued')).toBe(false);
    // A message the server may have is never sent again; one never sent may be cancelled.
    expect(canMoveDelivery('sending', 'unknown')).toBe(true);
    expect(canMoveDelivery('queued', 'cancelled')).toBe(true);
  });
});

describe('smtpFailure', () => {
  const server = { host: 'smtp.shop.example', port: 587, security: 'starttls' as const };
  const reply = (phase: string, code: number, text: string) => new SmtpError('reply', phase, `${code} ${text}`, { code, enhanced: /^\d\.\d+\.\d+/.exec(text)?.[0] ?? null, text });

  it('tells temporary failures, permanent ones and hard bounces apart', () => {
    expect(smtpFailure(reply('rcpt', 451, '4.7.1 greylisted'), server)).toMatchObject({ kind: 'recipient', permanent: false, hardBounce: false });
    expect(smtpFailure(reply('rcpt', 550, '5.1.1 user unknown'), server)).toMatchObject({ kind: 'recipient', permanent: true, hardBounce: true });
    expect(smtpFailure(reply('data-end', 554, '5.7.1 spam'), server)).toMatchObject({ kind: 'recipient', permanent: true, hardBounce: false });
    // A refused login is the sender's setup: retried once it is fixed (and campaigns pause meanwhile).
    expect(smtpFailure(new SmtpError('auth', 'auth', '535 5.7.8 bad credentials'), server)).toMatchObject({ kind: 'auth', permanent: false });
    expect(smtpFailure(new SmtpError('connect', 'connect', 'refused'), server)).toMatchObject({ kind: 'connect', permanent: false });
    expect(smtpFailure(reply('greeting', 421, '4.3.2 busy'), server)).toMatchObject({ kind: 'rejected', permanent: false });
  });

  it('never asks to resend a message the server may already have', () => {
    const outcome = smtpFailure(new SmtpError('unknown_outcome', 'data-end', 'the whole message was sent but the server never confirmed it (no answer within 300 seconds)'), server);
    expect(outcome).toMatchObject({ kind: 'unknown_outcome', permanent: false });
    expect(outcome.message).toBe('smtp.shop.example:587 was handed the whole message but never confirmed it (no answer within 300 seconds). It was not resent, to avoid a duplicate.');
  });
});

describe('content helpers', () => {
  it('makes the plain-text part from the HTML, keeping link addresses', () => {
    expect(htmlToText('<h1>Hi &amp; welcome</h1><p>See <a href="https://x.example/a">our shop</a></p><ul><li>One</li></ul>')).toBe('Hi & welcome\n\nSee our shop (https://x.example/a)\n\n- One');
  });

  it('adds an unsubscribe footer unless the design already links to it', () => {
    const url = 'https://m.example/u/abc.def';
    expect(withComplianceFooter('<body><p>Hi</p></body>', url, '1 Main St')).toMatch(/<a href="https:\/\/m\.example\/u\/abc\.def"[^>]*>Unsubscribe<\/a><br>1 Main St<\/p><\/body>$/);
    const own = `<p><a href="${url}">Leave</a></p>`;
    expect(withComplianceFooter(own, url, null)).toBe(own);
  });
});

describe('transformDeliveryHtml', () => {
  it('runs each registered transform in order with the delivery (the tracking hook)', async () => {
    const { transformDeliveryHtml } = await import('../../src/email/html-transforms');
    const delivery = { id: 'd1', workspaceId: 'w', sourceType: 'campaign', sourceId: 'c' };
    const result = await transformDeliveryHtml('<p>x</p>', delivery, [(html, d) => `${html}<img src="/o/${d.id}">`, (html) => html.toUpperCase()]);
    expect(result).toBe('<P>X</P><IMG SRC="/O/D1">');
  });
});
