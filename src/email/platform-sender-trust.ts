// Who the platform sender works for without restraint. The platform's shared sender
// carries every workspace's reputation, so a workspace that only signed up may use it
// to reach its own members (to try designs), not strangers: that is what made it an
// open relay for phishing. Trust is earned by showing a real business behind it.
import { eq, isNotNull, sql } from 'drizzle-orm';
import { memberships, storeConnections, users } from '../db/schema';
import type { Tenant } from '../db/tenant';
import { invalidField } from '../lib/errors';

/** What trust in a workspace rests on, for the pages that say what is missing. */
export type PlatformTrust = {
  trusted: boolean;
  // An owner proved they read their address (users.email_verified_at).
  ownerVerified: boolean;
  // A store connection has received a webhook that passed its signature check.
  storeConnected: boolean;
};

/**
 * A workspace is trusted on the platform sender when an owner's email is verified AND
 * one of its store connections has received a genuine signed webhook (the events job
 * sets `last_event_at` only after the edge verified the signature). Why both: a
 * verified owner makes it a reachable person, not a throwaway address; a store posting
 * signed events makes it a shop with customers, which is who campaigns are for. Neither
 * is proof (the merchant holds the webhook secret), so the hourly and daily caps still
 * apply to trusted workspaces. A workspace with its own SMTP server never uses the
 * platform sender, so none of this concerns it (resolveSender decides that first).
 */
export async function getPlatformTrust(tenant: Tenant): Promise<PlatformTrust> {
  const [[owner], [store]] = await tenant.db.batch([
    tenant.db
      .select({ one: sql<number>`1` })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(tenant.where(memberships, eq(memberships.role, 'owner'), isNotNull(users.emailVerifiedAt)))
      .limit(1),
    tenant.db
      .select({ one: sql<number>`1` })
      .from(storeConnections)
      .where(tenant.where(storeConnections, isNotNull(storeConnections.lastEventAt)))
      .limit(1),
  ]);
  const ownerVerified = Boolean(owner);
  const storeConnected = Boolean(store);
  return { trusted: ownerVerified && storeConnected, ownerVerified, storeConnected };
}

/** The workspace's members' addresses (lower-cased): all of them, or only those they verified. */
export async function memberAddresses(tenant: Tenant, only: 'verified' | 'all'): Promise<Set<string>> {
  const rows = await tenant.db
    .select({ email: users.email })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(tenant.where(memberships, only === 'verified' ? isNotNull(users.emailVerifiedAt) : undefined));
  return new Set(rows.map((row) => row.email.trim().toLowerCase()));
}

/**
 * Test sends go only to the workspace's members, whichever sender: a test carries any
 * HTML to any address at once, with no consent, unsubscribe or audience behind it.
 * Through the platform sender of a workspace not yet trusted, only to members who
 * verified their address, as its campaigns. Throws 400 naming the field (`pathOf` the address's index).
 */
export async function assertTestRecipients(tenant: Tenant, to: string[], pathOf: (index: number) => string, onUntrustedPlatform: boolean): Promise<void> {
  const allowed = await memberAddresses(tenant, onUntrustedPlatform ? 'verified' : 'all');
  for (const [i, address] of to.entries()) {
    if (allowed.has(address.trim().toLowerCase())) continue;
    const message = onUntrustedPlatform
      ? `${address} is not a verified member of this workspace: on the platform sender, test emails go only to members who verified their email address until you connect your store and verify your email, or add your own SMTP server.`
      : `${address} is not a member of this workspace: test emails go only to members.`;
    throw invalidField(pathOf(i), message);
  }
}
