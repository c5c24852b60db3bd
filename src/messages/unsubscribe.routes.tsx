// /u/:token: the unsubscribe page (GET, with a confirm button) and RFC 8058 one-click
// unsubscribe (POST, which mailbox providers send). The signed token is the only key.
import { Hono, type Context } from 'hono';
import { eq } from 'drizzle-orm';
import { upsertContact } from '../contacts/contacts.service';
import { AuthLayout } from '../dashboard/layout';
import { openDb } from '../db/client';
import { contacts, deliveries } from '../db/schema';
import { forWorkspace } from '../db/tenant';
import type { AppEnv } from '../env';
import { AppError } from '../lib/errors';
import { getWorkspace } from '../workspaces/workspaces.service';
import { suppressEmail } from './deliveries.service';
import { readUnsubscribeToken } from './unsubscribe-tokens';

/** The contact and workspace a token unsubscribes; 404 for a forged or stale token. */
async function recipientOf(c: Context<AppEnv>) {
  const deliveryId = await readUnsubscribeToken(c.env.APP_SECRET, c.req.param('token') ?? '');
  const db = openDb(c.env.DB);
  // The signature names the delivery; the delivery names its workspace.
  const [delivery] = deliveryId ? await db.select({ workspaceId: deliveries.workspaceId, contactId: deliveries.contactId }).from(deliveries).where(eq(deliveries.id, deliveryId)).limit(1) : [];
  if (!delivery) throw new AppError('not_found', 'This unsubscribe link is not valid.');
  const tenant = forWorkspace(db, delivery.workspaceId);
  const [contact] = await tenant.db.select({ email: contacts.email, emailConsent: contacts.emailConsent }).from(contacts).where(tenant.where(contacts, eq(contacts.id, delivery.contactId))).limit(1);
  if (!contact?.email) throw new AppError('not_found', 'This unsubscribe link is not valid.');
  return { tenant, email: contact.email, subscribed: contact.emailConsent === 'subscribed', shop: (await getWorkspace(tenant)).name };
}

function maskEmail(email: string): string {
  const [name, domain] = email.split('@');
  return `${name!.slice(0, 2)}${'•'.repeat(Math.max(1, name!.length - 2))}@${domain}`;
}

export const unsubscribeRoutes = new Hono<AppEnv>()
  .get('/:token', async (c) => {
    const recipient = await recipientOf(c);
    return c.html(
      <AuthLayout title="Unsubscribe">
        <h1>Unsubscribe</h1>
        {recipient.subscribed ? (
          <>
            <p class="lead">
              Stop marketing emails from <strong>{recipient.shop}</strong> to {maskEmail(recipient.email)}?
            </p>
            <form method="post">
              <button type="submit" class="button primary wide">
                Unsubscribe
              </button>
            </form>
          </>
        ) : (
          <p class="lead">
            {maskEmail(recipient.email)} does not receive marketing emails from <strong>{recipient.shop}</strong>.
          </p>
        )}
      </AuthLayout>,
    );
  })
  .post('/:token', async (c) => {
    const recipient = await recipientOf(c);
    const now = Date.now();
    await upsertContact(recipient.tenant, { email: recipient.email, emailConsent: 'unsubscribed', consentAt: now }, 'unsubscribe_link', now);
    await suppressEmail(recipient.tenant, recipient.email, 'unsubscribed', 'Unsubscribe link', now);
    return c.html(
      <AuthLayout title="Unsubscribed">
        <h1>You are unsubscribed</h1>
        <p class="lead">
          {maskEmail(recipient.email)} will not receive marketing emails from <strong>{recipient.shop}</strong> any more.
        </p>
      </AuthLayout>,
    );
  });
