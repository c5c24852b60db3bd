// Unsubscribing by a delivery's signed token: from the /u page, the RFC 8058
// one-click POST, or a mail to the List-Unsubscribe mailbox. The token is the only
// key: it names the delivery, which names the workspace and the contact.
import { eq, sql } from 'drizzle-orm';
import { upsertContact } from '../contacts/contacts.service';
import type { Db } from '../db/client';
import { contacts, deliveries, deliveryArchive, deliveryEngagements } from '../db/schema';
import { forWorkspace, type Tenant } from '../db/tenant';
import { getWorkspace } from '../workspaces/workspaces.service';
import { suppressEmail, unsuppressEmail } from './suppressions.service';
import { readUnsubscribeToken } from './unsubscribe-tokens';

/** Whom a token unsubscribes, and their consent now. */
export type Recipient = {
  tenant: Tenant;
  // The delivery whose link it is, credited with the unsubscribe in its campaign's or flow's report.
  deliveryId?: string;
  contact: { email: string; phone: string | null; emailConsent: string; smsConsent: string };
  shop: string;
};

/** What a preference change does. */
export type PreferenceAction = 'unsubscribe-email' | 'unsubscribe-sms' | 'resubscribe-email';

/** The recipient a token was made for, or null for a forged, altered or stale token. */
export async function findRecipient(db: Db, secret: string, token: string): Promise<Recipient | null> {
  const deliveryId = await readUnsubscribeToken(secret, token);
  if (!deliveryId) return null;
  const [delivery] = await db.select({ workspaceId: deliveries.workspaceId, contactId: deliveries.contactId }).from(deliveries).where(eq(deliveries.id, deliveryId)).limit(1);
  // A message of a campaign compacted since (src/deliveries/delivery-retention.ts): its archive row still names the contact.
  const archived = delivery
    ? undefined
    : (await db.select({ workspaceId: deliveryArchive.workspaceId, contactId: deliveryArchive.contactId }).from(deliveryArchive).where(eq(deliveryArchive.id, deliveryId)).limit(1))[0];
  const sent = delivery ?? archived;
  if (!sent) return null;
  const tenant = forWorkspace(db, sent.workspaceId);
  const [contact] = await tenant.db
    .select({ email: contacts.email, phone: contacts.phone, emailConsent: contacts.emailConsent, smsConsent: contacts.smsConsent })
    .from(contacts)
    .where(tenant.where(contacts, eq(contacts.id, sent.contactId)))
    .limit(1);
  if (!contact?.email) return null;
  // An archived message is no longer in its campaign's figures, so the unsubscribe is credited to none.
  return { tenant, deliveryId: delivery ? deliveryId : undefined, contact: { ...contact, email: contact.email }, shop: (await getWorkspace(tenant)).name };
}

/** Applies a preference change, recording where it came from in the consent history. */
export async function applyPreference(recipient: Recipient, action: PreferenceAction, source: string, now = Date.now()): Promise<void> {
  const { tenant, contact } = recipient;
  if (action === 'unsubscribe-sms') {
    await upsertContact(tenant, { email: contact.email, smsConsent: 'unsubscribed', consentAt: now }, source, now);
  } else if (action === 'resubscribe-email') {
    await upsertContact(tenant, { email: contact.email, emailConsent: 'subscribed', consentAt: now }, source, now);
    await unsuppressEmail(tenant, contact.email, 'unsubscribed');
  } else {
    await upsertContact(tenant, { email: contact.email, emailConsent: 'unsubscribed', consentAt: now }, source, now);
    await suppressEmail(tenant, contact.email, 'unsubscribed', source === 'unsubscribe_mailbox' ? 'Unsubscribe email' : 'Unsubscribe link', now);
  }
  if (action !== 'resubscribe-email' && recipient.deliveryId) await creditUnsubscribe(tenant, recipient.deliveryId, now);
}

/** Records on the delivery that its link unsubscribed the recipient; the first time counts, a resubscribe erases nothing. */
async function creditUnsubscribe(tenant: Tenant, deliveryId: string, now: number): Promise<void> {
  await tenant.db
    .insert(deliveryEngagements)
    .values(tenant.row({ deliveryId, unsubscribedAt: now }))
    .onConflictDoUpdate({ target: deliveryEngagements.deliveryId, set: { unsubscribedAt: sql`coalesce(${deliveryEngagements.unsubscribedAt}, excluded.unsubscribed_at)` } });
}
