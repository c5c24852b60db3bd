// Mail from the platform itself to a user (password reset, email verification,
// invitations): always through the platform sender, as the platform, never as a
// workspace. Every field is rendered with its own escaping: the text part as text,
// the HTML part escaped, headers checked and encoded by the SMTP client.
import { parseSmtpUrl, sendOneEmail, smtpTimeouts, type SmtpOutcome } from '../channels/email';
import type { Env } from '../env';
import { escapeHtml } from '../lib/html';

/** What the platform says to one user: short paragraphs and at most one link to follow. */
export type SystemEmail = {
  to: string;
  subject: string;
  paragraphs: string[];
  // The one thing to do (e.g. "Reset your password"); its URL is shown in full in both parts.
  action?: { label: string; url: string } | undefined;
  // Why they got it and what to do if it was not them.
  footnote?: string | undefined;
};

export type SystemEmailEnv = Pick<Env, 'PLATFORM_SMTP_URL' | 'PLATFORM_SENDER_EMAIL' | 'PLATFORM_SENDER_NAME' | 'SMTP_REPLY_TIMEOUT_SECONDS' | 'SMTP_DATA_TIMEOUT_SECONDS'>;

// RFC 3834: an automatic message, so vacation responders and ticket systems do not answer it.
// No List-Unsubscribe: these are transactional, asked for by the recipient.
const SYSTEM_HEADERS = { 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All' };

/** The plain-text and HTML bodies of a system email. */
export function renderSystemEmail(email: Pick<SystemEmail, 'paragraphs' | 'action' | 'footnote'>): { text: string; html: string } {
  const text = [...email.paragraphs, ...(email.action ? [`${email.action.label}: ${email.action.url}`] : []), ...(email.footnote ? ['--', email.footnote] : [])].join('\n\n');
  const action = email.action
    ? `<p><a href="${escapeHtml(email.action.url)}" style="display:inline-block;padding:10px 16px;background:#1f2937;color:#ffffff;text-decoration:none;border-radius:4px">${escapeHtml(email.action.label)}</a></p>` +
      `<p style="font-size:13px;color:#555">Or open this link: <a href="${escapeHtml(email.action.url)}">${escapeHtml(email.action.url)}</a></p>`
    : '';
  const footnote = email.footnote ? `<hr style="border:0;border-top:1px solid #ddd"><p style="font-size:12px;color:#777">${escapeHtml(email.footnote)}</p>` : '';
  const html = `<!doctype html><html><body style="font-family:system-ui,-apple-system,sans-serif;line-height:1.5;color:#111;max-width:560px">${email.paragraphs
    .map((paragraph) => `<p>${escapeHtml(paragraph)}</p>`)
    .join('')}${action}${footnote}</body></html>`;
  return { text, html };
}

/** Sends a system email now, on its own connection to the platform sender; failures come back as an outcome. */
export async function sendSystemEmail(env: SystemEmailEnv, email: SystemEmail): Promise<SmtpOutcome> {
  return sendOneEmail(
    { ...parseSmtpUrl(env.PLATFORM_SMTP_URL), timeouts: smtpTimeouts(env) },
    {
      from: { name: env.PLATFORM_SENDER_NAME, email: env.PLATFORM_SENDER_EMAIL },
      to: { email: email.to },
      subject: email.subject,
      ...renderSystemEmail(email),
      headers: SYSTEM_HEADERS,
    },
  );
}
