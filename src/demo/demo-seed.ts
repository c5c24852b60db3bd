// The demo workspace for local development, made the way a merchant's data is made:
// sign-up, settings, a store connection, contacts and their consent through the contacts
// service, the store's history applied by the same code the store-events consumer runs
// (so aggregates, consent changes and triggers are the product's own), its latest
// checkouts as a real webhook job, segments, designs, a draft, a scheduled and a sent
// campaign (with its opens, clicks and credited orders), and every kind of flow.
// Run by the local seed Worker (scripts/seed/) and by test/demo; no route of the app
// reaches it.
import { desc, eq, gt } from 'drizzle-orm';
import { signAccountToken } from '../accounts/account-tokens';
import { signUp, verifyEmail } from '../accounts/accounts.service';
import { createCampaign, scheduleCampaign } from '../campaigns/campaigns.service';
import { applyPreference } from '../consent/unsubscribe.service';
import { addContactTags, upsertContact } from '../contacts/contacts.service';
import { type Db, openDb } from '../db/client';
import { contacts, FLOW_KINDS, type FlowKind, orders, users } from '../db/schema';
import { forWorkspace, type Tenant } from '../db/tenant';
import { createEmailContent } from '../email/email-contents.service';
import { starterContent } from '../email/starter-templates';
import type { Env } from '../env';
import { FLOW_KIND_INFO } from '../flows/flow-definition';
import { createFlow, type FlowView, setFlowEnabled } from '../flows/flows.service';
import { DAY, HOUR, MINUTE } from '../lib/time';
import { isPurchase } from '../purchases/purchase-rule';
import { storeEventMessage } from '../queues/messages';
import { createSegment, pageSegment } from '../segments/segments.service';
import { applyStoreEvent, type EventSource } from '../stores/apply-store-events';
import { createStoreConnection } from '../stores/store-connections.service';
import type { StoreEvent } from '../stores/store-events';
import { runStoreEventBatch } from '../stores/store-event-job';
import { createWorkspace, updateWorkspace } from '../workspaces/workspaces.service';
import { ACCOUNT_AGE_DAYS, buildDemoPlan, CURRENCY, type DemoPlan, PRNG_SEED, STORE_URL } from './demo-data';
import { createRandom, type Random } from './demo-random';
import { followedSend, markCampaignSent, recordSentHistory } from './demo-sent-history';

const dayStart = (at: number) => at - (at % DAY);

export const DEMO_EMAIL = 'demo@example.com';
export const DEMO_PASSWORD = 'demo-password-123';
// Shown on Settings → Store connections, so the README's curl example can sign a webhook.
export const DEMO_WEBHOOK_SECRET = 'whsec_demo_local_only_0123456789';
const SHOP_NAME = 'Demo Outfitters';
// How the demo's contacts left: the email's unsubscribe link, or a STOP reply to an SMS.
const UNSUBSCRIBED_BY = { email: ['unsubscribe-email', 'unsubscribe_link'], sms: ['unsubscribe-sms', 'sms_keyword'] } as const;
const VIP_COUNT = 25;
const RETURNING_ORDER_COUNT = 3;
// The assets binding serves public/ whatever the host; starterContent needs some origin.
const ASSETS_ORIGIN = 'https://assets.local';

export type DemoSeedResult = { seeded: false } | { seeded: true; userId: string; workspaceId: string; summary: string };

async function demoUserExists(db: Db): Promise<boolean> {
  const [user] = await db.select({ id: users.id }).from(users).where(eq(users.email, DEMO_EMAIL)).limit(1);
  return Boolean(user);
}

/** The merchant, verified (the platform sender trusts a verified owner), and both workspaces' settings. */
async function createAccount(db: Db, secret: string, createdAt: number) {
  const { userId, workspaceId } = await signUp(db, { email: DEMO_EMAIL, password: DEMO_PASSWORD, workspaceName: SHOP_NAME, timeZone: 'Europe/London' }, createdAt);
  // The owner follows the verification link the sign-up mails (the platform sender trusts a verified owner).
  const link = await signAccountToken(secret, 'verify-email', userId, DEMO_EMAIL, createdAt);
  if (!(await verifyEmail(db, secret, link, createdAt))) throw new Error('the demo owner’s verification link was refused');
  const usWorkspaceId = await createWorkspace(db, userId, { name: 'Demo Outfitters US', timeZone: 'America/New_York' }, createdAt + MINUTE);
  const uk = forWorkspace(db, workspaceId);
  await updateWorkspace(uk, { senderName: SHOP_NAME, senderEmail: 'hello@demo-outfitters.test', postalAddress: '1 Demo Street, London, UK', storeUrl: STORE_URL }, createdAt);
  await updateWorkspace(
    forWorkspace(db, usWorkspaceId),
    { senderName: 'Demo Outfitters US', senderEmail: 'hello@us.demo-outfitters.test', postalAddress: '100 Demo Avenue, New York, NY 10001, USA' },
    createdAt + MINUTE,
  );
  return { userId, uk };
}

/** One step of the store's history: applied with its own time as the product's "now". */
type Step = { at: number; apply: () => Promise<unknown> };

/** Catalogue, sign-ups, unsubscribes, orders, refunds and price drops, oldest first. */
function historySteps(tenant: Tenant, plan: DemoPlan, source: EventSource): Step[] {
  const store = (event: StoreEvent, at: number): Step => ({ at, apply: () => applyStoreEvent(tenant, event, source, at) });
  const steps: Step[] = [
    ...[...plan.products, ...plan.priceDrops].map((product) => store({ kind: 'product', parentExternalId: product.parentExternalId, variants: product.variants, updatedAt: product.at }, product.at)),
    ...plan.contacts.flatMap((contact) => [
      { at: contact.createdAt, apply: () => upsertContact(tenant, contact.upsert, contact.source, contact.createdAt) },
      ...contact.unsubscribes.map(({ channel, at }) => ({
        at,
        apply: () => {
          // As an unsubscribe link names its recipient; the preference change reads only the email.
          const recipient = { tenant, contact: { email: contact.upsert.email!, phone: contact.upsert.phone ?? null, emailConsent: 'subscribed', smsConsent: 'subscribed' }, shop: SHOP_NAME };
          const [action, source] = UNSUBSCRIBED_BY[channel];
          return applyPreference(recipient, action, source, at);
        },
      })),
    ]),
    ...plan.orders.flatMap(({ event, at, refund }) => [store(event, at), ...(refund ? [store({ kind: 'refund', orderExternalId: event.externalId, ...refund }, refund.at)] : [])]),
  ];
  // Stable: a contact signs up before its unsubscribe, an order is applied before its refund.
  return steps.sort((a, b) => a.at - b.at);
}

/** Tags the merchant would give after seeing the numbers: the top spenders and repeat buyers. */
async function tagFromOrders(tenant: Tenant, now: number): Promise<void> {
  const vips = await tenant.db
    .select({ id: contacts.id })
    .from(contacts)
    .where(tenant.where(contacts, gt(contacts.totalSpentCents, 0)))
    .orderBy(desc(contacts.totalSpentCents), contacts.id)
    .limit(VIP_COUNT);
  const returning = await pageSegment(tenant, { match: 'all', children: [{ field: 'orderCount', op: 'gte', value: RETURNING_ORDER_COUNT }] }, { limit: 1000 }, now);
  for (const { id } of vips) await addContactTags(tenant, id, ['vip']);
  for (const { id } of returning) await addContactTags(tenant, id, ['returning']);
}

/** The announcement starter as a design, a draft to the VIPs and a newsletter scheduled for Monday 09:00 next week. */
async function createCampaigns(tenant: Tenant, env: Env, segmentIds: string[], now: number): Promise<void> {
  const starter = await starterContent(env.ASSETS, ASSETS_ORIGIN, 'announcement');
  const design = await createEmailContent(
    tenant,
    { name: 'Winter newsletter', subject: 'Winter is here at {{ shop.name }}', preheader: 'New coats and boots, this week only', html: starter.html },
    now,
  );
  const [vip, , bigSpenders] = segmentIds;
  await createCampaign(tenant, { name: 'VIP early access', channel: 'email', contentId: design.id, audience: { type: 'segment', segmentId: vip! }, sendingFilter: 'subscribed' }, now);
  const newsletter = await createCampaign(
    tenant,
    { name: 'Winter newsletter', channel: 'email', contentId: design.id, audience: { type: 'segment', segmentId: bigSpenders! }, sendingFilter: 'subscribed' },
    now,
  );
  const monday = new Date(now + ((8 - new Date(now).getUTCDay()) % 7 || 7) * DAY);
  await scheduleCampaign(tenant, env, newsletter.id, { sendAt: `${monday.toISOString().slice(0, 10)}T09:00` }, now);
}

const SENT_CAMPAIGN_DAYS_AGO = 10;
const WELCOME_ON_DAYS_AGO = 60;
const DEMO_LINKS = [`${STORE_URL}/collections/autumn`, `${STORE_URL}/new-in`, STORE_URL];

/**
 * "Autumn sale", sent ten days ago to every email subscriber, with its readers' opens and
 * clicks; the subscribers who ordered in the days after it clicked it, so those orders
 * are credited to it. Returns how many it reached.
 */
async function createSentCampaign(tenant: Tenant, env: Env, random: Random, now: number): Promise<number> {
  const sentAt = dayStart(now - SENT_CAMPAIGN_DAYS_AGO * DAY) + 10 * HOUR;
  const starter = await starterContent(env.ASSETS, ASSETS_ORIGIN, 'announcement');
  const design = await createEmailContent(tenant, { name: 'Autumn sale', subject: 'Autumn sale at {{ shop.name }}: 20% off coats', preheader: 'Three days only', html: starter.html }, sentAt - DAY);
  const subscribers = { match: 'all' as const, children: [{ field: 'emailConsent' as const, op: 'is' as const, value: 'subscribed' as const }] };
  const campaign = await createCampaign(
    tenant,
    { name: 'Autumn sale', channel: 'email', contentId: design.id, audience: { type: 'rules', definition: subscribers }, sendingFilter: 'subscribed' },
    sentAt - DAY,
  );
  const audience = await pageSegment(tenant, subscribers, { limit: 1000 }, sentAt);
  const buyers = new Set(
    (await tenant.db.select({ contactId: orders.contactId, placedAt: orders.placedAt }).from(orders).where(tenant.where(orders)))
      .filter((order) => order.contactId && followedSend(sentAt, order.placedAt))
      .map((order) => order.contactId),
  );
  const sends = audience.map((member) => ({ contactId: member.id, sentAt, clicked: buyers.has(member.id) }));
  const sent = await recordSentHistory(tenant, env.DB, { type: 'campaign', id: campaign.id, contentId: design.id, links: DEMO_LINKS }, sends, random, now);
  await markCampaignSent(tenant, campaign.id, sentAt, sent);
  return sent;
}

/**
 * Every kind of flow with its defaults; Welcome on for the last 60 days (with the messages
 * it sent to the contacts created since) and Abandoned cart on from now, so the open
 * checkouts applied after it enter it.
 */
async function createFlows(tenant: Tenant, env: Env, random: Random, now: number): Promise<void> {
  const created = new Map<FlowKind, FlowView>();
  for (const kind of FLOW_KINDS) {
    const starter = await starterContent(env.ASSETS, ASSETS_ORIGIN, FLOW_KIND_INFO[kind].starter);
    created.set(kind, await createFlow(tenant, { kind }, starter, now - (WELCOME_ON_DAYS_AGO + 1) * DAY));
  }
  const welcome = created.get('welcome')!;
  const onSince = now - WELCOME_ON_DAYS_AGO * DAY;
  await setFlowEnabled(tenant, welcome.id, true, onSince);
  const newcomers = await tenant.db
    .select({ id: contacts.id, createdAt: contacts.createdAt })
    .from(contacts)
    .where(tenant.where(contacts, gt(contacts.createdAt, onSince), eq(contacts.emailConsent, 'subscribed')));
  const step = welcome.definition!.steps[0]!;
  const contentId = step.type === 'email' ? step.contentId : '';
  await recordSentHistory(
    tenant,
    env.DB,
    { type: 'flow', id: welcome.id, contentId, links: [STORE_URL] },
    newcomers.map((contact) => ({ contactId: contact.id, sentAt: contact.createdAt + MINUTE, stepKey: step.id, occurrenceKey: 'welcome' })),
    random,
    now,
  );
  await setFlowEnabled(tenant, created.get('abandoned_cart')!.id, true, now);
}

/**
 * Creates the demo account and workspace as of `now`, unless demo@example.com exists
 * (then it changes nothing). Not one transaction: should it fail half-way, the user
 * exists and a rerun skips, so start again from an empty local state.
 */
export async function seedDemo(env: Env, now = Date.now()): Promise<DemoSeedResult> {
  const db = openDb(env.DB);
  if (await demoUserExists(db)) return { seeded: false };
  const plan = buildDemoPlan(now);
  const createdAt = now - ACCOUNT_AGE_DAYS * DAY;
  const { userId, uk } = await createAccount(db, env.APP_SECRET, createdAt);
  const connection = await createStoreConnection(uk, env.ENCRYPTION_KEY, { platform: 'custom', name: 'Demo store (generic events)', currency: CURRENCY, secret: DEMO_WEBHOOK_SECRET }, createdAt + DAY);

  for (const step of historySteps(uk, plan, { connectionId: connection.id, platform: connection.platform, currency: CURRENCY })) await step.apply();
  await tagFromOrders(uk, now);
  const random = createRandom(PRNG_SEED + 1);
  const reached = await createSentCampaign(uk, env, random, now);
  await createFlows(uk, env, random, now);
  // The latest checkouts arrive as a webhook does, through the queue's job: the connection has received an event.
  const [checkouts] = await runStoreEventBatch(
    [storeEventMessage({ workspaceId: uk.workspaceId, connectionId: connection.id, topic: 'checkouts/update', dedupeKey: `demo-checkouts-${now}`, receivedAt: now, events: plan.openCarts })],
    env,
  );
  if (!checkouts?.ok) throw new Error(`The demo's checkouts were not applied: ${checkouts?.error}`);

  const segmentIds: string[] = [];
  for (const [i, segment] of plan.segments.entries()) segmentIds.push((await createSegment(uk, segment, now - (plan.segments.length - i) * MINUTE)).id);
  await createCampaigns(uk, env, segmentIds, now);

  const refunds = plan.orders.filter((order) => order.refund).length;
  const purchases = plan.orders.filter(({ event, refund }) => isPurchase({ status: event.status, totalCents: event.totalCents, refundedCents: refund?.amountCents ?? 0 })).length;
  const summary = `${plan.contacts.length} contacts, ${plan.products.reduce((n, p) => n + p.variants.length, 0)} products, ${plan.orders.length} orders (${purchases} purchases, ${refunds} with refunds), ${plan.openCarts.length} open checkouts, ${plan.segments.length} segments, 2 designs and one per flow, 3 campaigns (one sent to ${reached}), ${FLOW_KINDS.length} flows (2 on)`;
  return { seeded: true, userId, workspaceId: uk.workspaceId, summary };
}
