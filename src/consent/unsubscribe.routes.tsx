// /u/:token: the preferences page (GET: email and SMS consent apart, unsubscribe or
// resubscribe) and RFC 8058 one-click unsubscribe (POST, which mailbox providers send).
// The signed token is the only key; a GET never changes anything (link scanners GET).
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { AuthLayout } from '../dashboard/layout';
import { openDb } from '../db/client';
import type { AppEnv } from '../env';
import { AppError } from '../lib/errors';
import { applyPreference, findRecipient, type Recipient } from './unsubscribe.service';

/** The recipient of the token in the URL; 404 for a forged or stale token. */
async function recipientOf(c: Context<AppEnv>): Promise<Recipient> {
  const recipient = await findRecipient(openDb(c.env.DB), c.env.APP_SECRET, c.req.param('token') ?? '');
  if (!recipient) throw new AppError('not_found', 'This unsubscribe link is not valid.');
  return recipient;
}

function maskEmail(email: string): string {
  const [name, domain] = email.split('@');
  return `${name!.slice(0, 2)}${'•'.repeat(Math.max(1, name!.length - 2))}@${domain}`;
}

const SOURCE = 'unsubscribe_link';

/** What a POST does: the one-click POST (no action) unsubscribes from email. */
const Action = z.enum(['unsubscribe-email', 'unsubscribe-sms', 'resubscribe-email']).default('unsubscribe-email');

function ActionButton({ action, label, tone }: { action: string; label: string; tone: 'danger' | 'secondary' }) {
  return (
    <form method="post">
      <input type="hidden" name="action" value={action} />
      <button type="submit" class={`button small ${tone}`}>
        {label}
      </button>
    </form>
  );
}

function ChannelRow({ label, subscribed, action, undo }: { label: string; subscribed: boolean; action: string; undo?: string | undefined }) {
  return (
    <div class="consent-row">
      <div>
        <strong>{label}</strong>
        <div class="muted small">{subscribed ? 'Subscribed' : 'Not subscribed'}</div>
      </div>
      {subscribed ? <ActionButton action={action} label="Unsubscribe" tone="danger" /> : undo ? <ActionButton action={undo} label="Resubscribe" tone="secondary" /> : null}
    </div>
  );
}

function PreferencesPage({ recipient, message }: { recipient: Recipient; message?: string }) {
  const { contact, shop } = recipient;
  return (
    <AuthLayout title="Email preferences">
      <h1>{message ?? 'Your preferences'}</h1>
      <p class="lead">
        Marketing from <strong>{shop}</strong> to {maskEmail(contact.email)}.
      </p>
      <div class="stack">
        <ChannelRow label="Emails" subscribed={contact.emailConsent === 'subscribed'} action="unsubscribe-email" undo="resubscribe-email" />
        {contact.phone ? <ChannelRow label="Text messages (SMS)" subscribed={contact.smsConsent === 'subscribed'} action="unsubscribe-sms" /> : null}
      </div>
    </AuthLayout>
  );
}

export const unsubscribeRoutes = new Hono<AppEnv>()
  .get('/:token', async (c) => c.html(<PreferencesPage recipient={await recipientOf(c)} />))
  .post('/:token', async (c) => {
    const recipient = await recipientOf(c);
    const contentType = c.req.header('content-type') ?? '';
    // Gmail and Yahoo POST "List-Unsubscribe=One-Click" (form or multipart); our page posts `action`.
    const body = /form/.test(contentType) ? await c.req.parseBody() : {};
    const action = Action.catch('unsubscribe-email').parse(body.action);
    await applyPreference(recipient, action, SOURCE);
    const message = action === 'resubscribe-email' ? 'You are subscribed again' : 'You are unsubscribed';
    return c.html(<PreferencesPage recipient={await recipientOf(c)} message={message} />);
  });
