// A sent campaign with mixed outcomes, made for the report tests: deliveries written as
// the send job leaves them, opens and clicks written by the trackers' flush code, an
// unsubscribe through a message's link and an order credited by the attribution code.
import { env } from 'cloudflare:workers';
import { applyPreference } from '../../src/consent/unsubscribe.service';
import { openDb, runBatch } from '../../src/db/client';
import { forWorkspace } from '../../src/db/tenant';
import { newId } from '../../src/lib/ids';
import { DAY, HOUR, MINUTE } from '../../src/lib/time';
import { attributeOrderStatements } from '../../src/tracking/attribution';
import type { DeliveryEngagement } from '../../src/tracking/engagement-store';
import { writeEngagementFlush } from '../../src/tracking/flush-engagement';
import { insertContact, insertOrder } from '../helpers/data';
import { insertEmailContent } from '../helpers/deliveries';

/** A delivery to write: its status, reason, when it went out, and its channel (email unless said). */
type Outcome = { status: string; reasonCode?: string; reason?: string; sentAt?: number; channel?: 'email' | 'sms' };

/** Inserts a campaign row in the given status, started at `startedAt`. */
export async function insertCampaign(workspaceId: string, name: string, startedAt: number, status = 'sent'): Promise<{ id: string; contentId: string }> {
  const id = newId(startedAt);
  const contentId = await insertEmailContent(workspaceId, { subject: 'Hello', html: '<p>Hi <a href="https://shop.example/a">A</a></p>' });
  await env.DB.prepare(
    'INSERT INTO campaigns (id, workspace_id, name, channel, status, content_id, sending_filter, started_at, finished_at, fan_out_done, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)',
  )
    .bind(id, workspaceId, name, 'email', status, contentId, 'subscribed', startedAt, startedAt + HOUR, startedAt, startedAt)
    .run();
  return { id, contentId };
}

/** Writes one delivery per outcome to fresh contacts; returns their ids and contacts, in order. */
export async function insertDeliveries(workspaceId: string, campaign: { id: string; contentId: string }, outcomes: Outcome[], queuedAt: number) {
  const rows: { id: string; contactId: string; email: string }[] = [];
  for (const [i, outcome] of outcomes.entries()) {
    const email = `r${i}-${newId()}@example.com`.toLowerCase();
    const contactId = await insertContact(workspaceId, { email });
    // Time-ordered ids, so pages by id come in the order written.
    const id = newId(queuedAt + i);
    await env.DB.prepare(
      'INSERT INTO deliveries (id, workspace_id, contact_id, channel, source_type, source_id, step_key, occurrence_key, content_id, status, reason, reason_code, queued_at, sent_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    )
      .bind(
        id,
        workspaceId,
        contactId,
        outcome.channel ?? 'email',
        'campaign',
        campaign.id,
        '',
        '',
        campaign.contentId,
        outcome.status,
        outcome.reason ?? null,
        outcome.reasonCode ?? null,
        queuedAt,
        outcome.sentAt ?? null,
        outcome.sentAt ?? queuedAt + MINUTE,
      )
      .run();
    rows.push({ id, contactId, email });
  }
  return rows;
}

/** One tracker flush of readers' first opens and clicks (and machine opens) of the given deliveries, as the CampaignTracker writes it. */
export async function flushEngagement(workspaceId: string, campaignId: string, touches: DeliveryEngagement[], links: { url: string; at: number; machine?: boolean }[] = [], seq = 1) {
  const daily = new Map<number, { day: number; opens: number; uniqueOpens: number; machineOpens: number; clicks: number; uniqueClicks: number; machineClicks: number }>();
  const dayOf = (at: number) => {
    const day = at - (at % DAY);
    const figures = daily.get(day) ?? { day, opens: 0, uniqueOpens: 0, machineOpens: 0, clicks: 0, uniqueClicks: 0, machineClicks: 0 };
    daily.set(day, figures);
    return figures;
  };
  for (const touch of touches) {
    if (touch.o !== null) {
      const figures = dayOf(touch.o);
      figures.opens += 1;
      figures.uniqueOpens += 1;
    }
    if (touch.c !== null) {
      const figures = dayOf(touch.c);
      figures.clicks += 1;
      figures.uniqueClicks += 1;
    }
    if (touch.m !== null) dayOf(touch.m).machineOpens += 1;
  }
  const linkRows = links.map((link) => ({ day: link.at - (link.at % DAY), url: link.url, clicks: link.machine ? 0 : 1, uniqueClicks: link.machine ? 0 : 1, machineClicks: link.machine ? 1 : 0 }));
  for (const link of links) if (link.machine) dayOf(link.at).machineClicks += 1;
  const tracker = { name: `${workspaceId}:campaign:${campaignId}:0`, workspaceId, sourceType: 'campaign', sourceId: campaignId };
  await writeEngagementFlush(env.DB, tracker, { seq, deliveries: touches, daily: [...daily.values()], links: linkRows, firsts: [] }, Date.now());
}

/** A reader's first open (and click) of a delivery. */
export function touch(deliveryId: string, openedAt: number | null, clickedAt: number | null = null, machineOpenedAt: number | null = null): DeliveryEngagement {
  return { d: deliveryId, o: openedAt, c: clickedAt, m: machineOpenedAt, lo: openedAt, lc: clickedAt };
}

/** The recipient of a delivery unsubscribes through its link. */
export async function unsubscribeThrough(workspaceId: string, delivery: { id: string; email: string }, at: number) {
  const tenant = forWorkspace(openDb(env.DB), workspaceId);
  const recipient = { tenant, deliveryId: delivery.id, contact: { email: delivery.email, phone: null, emailConsent: 'subscribed', smsConsent: 'not_subscribed' }, shop: 'Shop' };
  await applyPreference(recipient, 'unsubscribe-email', 'unsubscribe_link', at);
}

/** A completed order of the contact placed at `placedAt`, credited by the attribution code. */
export async function placeOrder(workspaceId: string, contactId: string, placedAt: number, totalCents: number): Promise<string> {
  const orderId = await insertOrder(workspaceId, contactId, { placedAt, totalCents });
  const tenant = forWorkspace(openDb(env.DB), workspaceId);
  await runBatch(tenant.db, attributeOrderStatements(tenant, null, `ext-${orderId}`));
  return orderId;
}

/**
 * The standard mixed campaign: 5 delivered, 2 failed (one with a formula-like reason),
 * 1 skipped, 1 pending; 3 readers opened (one 50 hours in, past the chart), 2 clicked, one
 * machine open only; one unsubscribed through the link; one order credited to a click.
 */
export async function seedMixedCampaign(workspaceId: string, startedAt: number, name = 'Mixed results') {
  const campaign = await insertCampaign(workspaceId, name, startedAt);
  const sent = { status: 'sent', sentAt: startedAt + MINUTE };
  const rows = await insertDeliveries(
    workspaceId,
    campaign,
    [
      sent,
      sent,
      sent,
      sent,
      sent,
      { status: 'failed', reasonCode: 'provider_rejected', reason: '550 No such user' },
      { status: 'failed', reasonCode: 'provider_rejected', reason: '=HYPERLINK("https://evil.example","x")' },
      { status: 'skipped', reasonCode: 'unsubscribed', reason: 'Email consent is "unsubscribed"' },
      { status: 'queued' },
    ],
    startedAt,
  );
  const [a, b, c, d, e] = rows as [(typeof rows)[number], (typeof rows)[number], (typeof rows)[number], (typeof rows)[number], (typeof rows)[number]];
  await flushEngagement(
    workspaceId,
    campaign.id,
    [
      touch(a.id, startedAt + 30 * MINUTE, startedAt + 90 * MINUTE),
      touch(b.id, startedAt + 90 * MINUTE, startedAt + 2 * HOUR),
      touch(c.id, startedAt + 50 * HOUR),
      touch(d.id, null, null, startedAt + 2 * MINUTE),
    ],
    [
      { url: 'https://shop.example/a', at: startedAt + 90 * MINUTE },
      { url: 'https://shop.example/b', at: startedAt + 2 * HOUR },
      { url: 'https://shop.example/b', at: startedAt + 2 * MINUTE, machine: true },
    ],
  );
  await unsubscribeThrough(workspaceId, e, startedAt + 3 * HOUR);
  const orderId = await placeOrder(workspaceId, a.contactId, startedAt + 4 * HOUR, 4200);
  return { campaign, rows, orderId };
}
