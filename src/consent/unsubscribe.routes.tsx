// /u/:token: the preferences page (GET: email and SMS consent apart, unsubscribe or
// resubscribe) and RFC 8058 one-click unsubscribe (POST, which mailbox providers send).
// The signed token is the only key of the one-click POST; the page's own forms also carry
// a form token and must come from this origin, so another site cannot resubscribe anyone.
// A GET never changes anything (link scanners GET).
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { AuthLayout } from '../dashboard/layout';
import { openDb } from '../db/client';
import type { AppEnv } from '../env';
import { AppError } from '../lib/errors';
import { applyPreference, findRecipient, type Recipient } from './unsubscribe.service';
import { checkPreferencesFormToken, preferencesFormToken } from './unsubscribe-tokens';
import { readFormBody } from '../http/form-body';

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

/** What a page form does; a POST without one is the one-click unsubscribe from email. */
const Action = z.enum(['unsubscribe-email', 'unsubscribe-sms', 'resubscribe-email']);
type Action = z.infer<typeof Action>;

/** The form tokens of the page's actions, rendered into its forms. */
type FormTokens = Record<Action, string>;

async function formTokensFor(secret: string, token: string): Promise<FormTokens> {
  const entries = await Promise.all(Action.options.map(async (action) => [action, await preferencesFormToken(secret, token, action)] as const));
  return Object.fromEntries(entries) as FormTokens;
}

function ActionButton({ action, label, tone, formTokens }: { action: Action; label: string; tone: 'danger' | 'secondary'; formTokens: FormTokens }) {
  return (
    <form method="post">
      <input type="hidden" name="action" value={action} />
      <input type="hidden" name="formToken" value={formTokens[action]} />
      <button type="submit" class={`button small ${tone}`}>
        {label}
      </button>
    </form>
  );
}

function ChannelRow({ label, subscribed, action, undo, formTokens }: { label: string; subscribed: boolean; action: Action; undo?: Action | undefined; formTokens: FormTokens }) {
  return (
    <div class="consent-row">
      <div>
        <strong>{label}</strong>
        <div class="muted small">{subscribed ? 'Subscribed' : 'Not subscribed'}</div>
      </div>
      {subscribed ? (
        <ActionButton action={action} label="Unsubscribe" tone="danger" formTokens={formTokens} />
      ) : undo ? (
        <ActionButton action={undo} label="Resubscribe" tone="secondary" formTokens={formTokens} />
      ) : null}
    </div>
  );
}

function PreferencesPage({ recipient, formTokens, message }: { recipient: Recipient; formTokens: FormTokens; message?: string }) {
  const { contact, shop } = recipient;
  return (
    <AuthLayout title="Email preferences">
      <h1>{message ?? 'Your preferences'}</h1>
      <p class="lead">
        Marketing from <strong>{shop}</strong> to {maskEmail(contact.email)}.
      </p>
      <div class="stack">
        <ChannelRow label="Emails" subscribed={contact.emailConsent === 'subscribed'} action="unsubscribe-email" undo="resubscribe-email" formTokens={formTokens} />
        {contact.phone ? <ChannelRow label="Text messages (SMS)" subscribed={contact.smsConsent === 'subscribed'} action="unsubscribe-sms" formTokens={formTokens} /> : null}
      </div>
    </AuthLayout>
  );
}

/** The page, with a form token for each of its actions. */
async function renderPreferences(c: Context<AppEnv>, recipient: Recipient, message?: string) {
  const formTokens = await formTokensFor(c.env.APP_SECRET, c.req.param('token') ?? '');
  return c.html(<PreferencesPage recipient={recipient} formTokens={formTokens} message={message} />);
}

/** The action of a page form, after its origin and form token are checked; throws `forbidden` otherwise. */
async function checkedPageAction(c: Context<AppEnv>, body: Record<string, unknown>): Promise<Action> {
  const origin = c.req.header('origin');
  // "null" (privacy modes) says nothing either way: the form token decides.
  if (origin && origin !== 'null' && origin !== new URL(c.req.url).origin) throw new AppError('forbidden', 'This form was submitted from another site.');
  const action = Action.safeParse(body.action);
  const formToken = typeof body.formToken === 'string' ? body.formToken : '';
  if (!action.success || !(await checkPreferencesFormToken(c.env.APP_SECRET, c.req.param('token') ?? '', action.data, formToken)))
    throw new AppError('forbidden', 'This form has expired. Open the link in your email again.');
  return action.data;
}

export const unsubscribeRoutes = new Hono<AppEnv>()
  .get('/:token', async (c) => renderPreferences(c, await recipientOf(c)))
  .post('/:token', async (c) => {
    const recipient = await recipientOf(c);
    const contentType = c.req.header('content-type') ?? '';
    // Gmail and Yahoo POST "List-Unsubscribe=One-Click" (form or multipart), the token alone
    // being the key (RFC 8058); our page posts an `action` with its form token.
    const body = /form/.test(contentType) ? await readFormBody(() => c.req.parseBody()) : {};
    const action: Action = body.action === undefined ? 'unsubscribe-email' : await checkedPageAction(c, body);
    await applyPreference(recipient, action, SOURCE);
    const message = action === 'resubscribe-email' ? 'You are subscribed again' : 'You are unsubscribed';
    return renderPreferences(c, await recipientOf(c), message);
  });
