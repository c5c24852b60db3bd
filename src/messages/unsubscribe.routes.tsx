// /u/:token: the preferences page (GET: email and SMS consent apart, unsubscribe or
// resubscribe) and RFC 8058 one-click unsubscribe (POST, which mailbox providers send).
// The signed token is the only key; a GET never changes anything (link scanners GET).
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { eq } from 'drizzle-orm';
import { upsertContact } from '../contacts/contacts.service';
import { AuthLayout } from '../dashboard/layout';
import { openDb } from '../db/client';
import { contacts, deliveries } from '../db/schema';
import { forWorkspace } from '../db/tenant';
import type { AppEnv } from '../env';
import { AppError } from '../lib/errors';
import { getWorkspace } from '../workspaces/workspaces.service';
import { suppressEmail, unsuppressEmail } from './deliveries.service';
import { readUnsubscribeToken } from './unsubscribe-tokens';

/** The contact and workspace a token belongs to; 404 for a forged or stale token. */
async function recipientOf(c: Context<AppEnv>) {
  const deliveryId = await readUnsubscribeToken(c.env.APP_SECRET, c.req.param('token') ?? '');
  const db = openDb(c.env.DB);
  // The signature names the delivery; the delivery names its workspace and contact.
  const [delivery] = deliveryId ? await db.select({ workspaceId: deliveries.workspaceId, contactId: deliveries.contactId }).from(deliveries).where(eq(deliveries.id, deliveryId)).limit(1) : [];
  if (!delivery) throw new AppError('not_found', 'This unsubscribe link is not valid.');
  const tenant = forWorkspace(db, delivery.workspaceId);
  const [contact] = await tenant.db
    .select({ email: contacts.email, phone: contacts.phone, emailConsent: contacts.emailConsent, smsConsent: contacts.smsConsent })
    .from(contacts)
    .where(tenant.where(contacts, eq(contacts.id, delivery.contactId)))
    .limit(1);
  if (!contact?.email) throw new AppError('not_found', 'This unsubscribe link is not valid.');
  return { tenant, contact: { ...contact, email: contact.email }, shop: (await getWorkspace(tenant)).name };
}

function maskEmail(email: string): string {
  const [name, domain] = email.split('@');
  return `${name!.slice(0, 2)}${'•'.repeat(Math.max(1, name!.length - 2))}@${domain}`;
}

const SOURCE = 'unsubscribe_link';

/** What a POST does: the one-click POST (no action) unsubscribes from email. */
const Action = z.enum(['unsubscribe-email', 'unsubscribe-sms', 'resubscribe-email']).default('unsubscribe-email');

type Recipient = Awaited<ReturnType<typeof recipientOf>>;

function ChannelRow({ label, subscribed, action, undo }: { label: string; subscribed: boolean; action: string; undo?: string | undefined }) {
  return (
    <div class="consent-row">
      <div>
        <strong>{label}</strong>
        <div class="muted small">{subscribed ? 'Subscribed' : 'Not subscribed'}</div>
      </div>
      {subscribed ? (
        <form method="post">
          <input type="hidden" name="action" value={action} />
          <button type="submit" class="button small danger">
            Unsubscribe
          </button>
        </form>
      ) : undo ? (
        <form method="post">
          <input type="hidden" name="action" value={undo} />
          <button type="submit" class="button small secondary">
            Resubscribe
          </button>
        </form>
      ) : null}
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
    const now = Date.now();
    const { tenant, contact } = recipient;
    if (action === 'unsubscribe-sms') {
      await upsertContact(tenant, { email: contact.email, smsConsent: 'unsubscribed', consentAt: now }, SOURCE, now);
    } else if (action === 'resubscribe-email') {
      await upsertContact(tenant, { email: contact.email, emailConsent: 'subscribed', consentAt: now }, SOURCE, now);
      await unsuppressEmail(tenant, contact.email, 'unsubscribed');
    } else {
      await upsertContact(tenant, { email: contact.email, emailConsent: 'unsubscribed', consentAt: now }, SOURCE, now);
      await suppressEmail(tenant, contact.email, 'unsubscribed', 'Unsubscribe link', now);
    }
    const message = action === 'resubscribe-email' ? 'You are subscribed again' : 'You are unsubscribed';
    return c.html(<PreferencesPage recipient={await recipientOf(c)} message={message} />);
  });
