import { describe, expect, it } from 'vitest';
import { classifySmtpError } from '../../src/channels/email';
import { canMoveDelivery } from '../../src/messages/delivery-status';
import { htmlToText } from '../../src/messages/render-email';
import { withComplianceFooter } from '../../src/messages/send-delivery-job';

describe('the delivery lifecycle', () => {
  it('only moves forward: a sent, skipped or failed delivery never changes again', () => {
    expect(canMoveDelivery('queued', 'sending')).toBe(true);
    expect(canMoveDelivery('sending', 'queued')).toBe(true);
    expect(canMoveDelivery('queued', 'sent')).toBe(false);
    for (const final of ['sent', 'skipped', 'failed'] as const) expect(canMoveDelivery(final, 'queued')).toBe(false);
  });
});

describe('classifySmtpError', () => {
  it('tells temporary failures, permanent ones and hard bounces apart', () => {
    expect(classifySmtpError(new Error('Invalid RCPT TO: <a@b> 451 4.7.1 greylisted'))).toEqual({ code: 451, permanent: false, hardBounce: false });
    expect(classifySmtpError(new Error('Invalid RCPT TO: <a@b> 550 5.1.1 user unknown'))).toEqual({ code: 550, permanent: true, hardBounce: true });
    expect(classifySmtpError(new Error('Failed to send DATA: 554 5.7.1 spam'))).toEqual({ code: 554, permanent: true, hardBounce: false });
    // A refused login is the sender's setup: retry once it is fixed.
    expect(classifySmtpError(new Error('Failed to plain authentication: 535 5.7.8 bad credentials'))).toMatchObject({ permanent: false });
    expect(classifySmtpError(new Error('Failed to connect to SMTP server: ECONNREFUSED'))).toEqual({ code: null, permanent: false, hardBounce: false });
  });
});

describe('content helpers', () => {
  it('makes the plain-text part from the HTML, keeping link addresses', () => {
    expect(htmlToText('<h1>Hi &amp; welcome</h1><p>See <a href="https://x.example/a">our shop</a></p><ul><li>One</li></ul>')).toBe('Hi & welcome\nSee our shop (https://x.example/a)\n- One');
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
    const { transformDeliveryHtml } = await import('../../src/messages/html-transforms');
    const delivery = { id: 'd1', workspaceId: 'w', sourceType: 'campaign', sourceId: 'c' };
    const result = await transformDeliveryHtml('<p>x</p>', delivery, [(html, d) => `${html}<img src="/o/${d.id}">`, (html) => html.toUpperCase()]);
    expect(result).toBe('<P>X</P><IMG SRC="/O/D1">');
  });
});
