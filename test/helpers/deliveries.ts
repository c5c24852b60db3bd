// Queuing real deliveries for tests: an email design and the rows the send job reads.
import { env } from 'cloudflare:workers';
import { openDb } from '../../src/db/client';
import { forWorkspace } from '../../src/db/tenant';
import { newId } from '../../src/lib/ids';
import { queueDeliveries } from '../../src/deliveries/deliveries.service';

/** Saves an email design; returns its id. */
export async function insertEmailContent(workspaceId: string, content: { subject: string; html: string; preheader?: string }): Promise<string> {
  const id = newId();
  const now = Date.now();
  // Written raw, so tests can store designs the editor would refuse (to see them fail at send).
  await env.DB.batch([
    env.DB.prepare("INSERT INTO contents (id, workspace_id, channel, name, created_at, updated_at) VALUES (?, ?, 'email', ?, ?, ?)").bind(id, workspaceId, 'Test design', now, now),
    env.DB.prepare('INSERT INTO email_contents (id, workspace_id, subject, preheader, html) VALUES (?, ?, ?, ?, ?)').bind(id, workspaceId, content.subject, content.preheader ?? null, content.html),
  ]);
  return id;
}

/** Queues one campaign email to a contact, as a campaign fan-out page does. */
export function queueCampaignEmail(workspaceId: string, contactId: string, contentId: string, campaignId = 'campaign-1') {
  return queueDeliveries(forWorkspace(openDb(env.DB), workspaceId), env, [{ contactId, channel: 'email', sourceType: 'campaign', sourceId: campaignId, contentId }]);
}

/** The delivery row of a contact for a campaign. */
export function deliveryOf(contactId: string, campaignId = 'campaign-1') {
  return env.DB.prepare("SELECT * FROM deliveries WHERE contact_id = ? AND source_type = 'campaign' AND source_id = ?").bind(contactId, campaignId).first<Record<string, unknown>>();
}

/** Writes a queued delivery row directly (no queue message), for tests that drive the send job by hand. */
export async function insertQueuedDelivery(workspaceId: string, contactId: string, contentId: string, campaignId: string): Promise<string> {
  const now = Date.now();
  const id = `d-${contactId}`;
  await env.DB.prepare(
    "INSERT INTO deliveries (id, workspace_id, contact_id, channel, source_type, source_id, step_key, occurrence_key, content_id, status, queued_at, updated_at) VALUES (?, ?, ?, 'email', 'campaign', ?, '', '', ?, 'queued', ?, ?)",
  )
    .bind(id, workspaceId, contactId, campaignId, contentId, now, now)
    .run();
  return id;
}
