import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { newId } from '../../src/lib/ids';
import { signClickToken, signOpenToken } from '../../src/tracking/tracking-tokens';
import { insertContact } from '../helpers/data';
import { insertEmailContent, insertQueuedDelivery } from '../helpers/deliveries';
import { signUpMerchant } from '../helpers/factories';
import { flushTrackers, hit, waitForOpens } from './tracking-helpers';

describe('the campaign page', () => {
  it("shows a sent campaign's unique opens and clicks from the trackers, machine opens left out", async () => {
    const merchant = await signUpMerchant('Figures Shop');
    const { workspaceId } = merchant;
    const id = newId();
    const now = Date.now();
    const contentId = await insertEmailContent(workspaceId, { subject: 'Hello', html: '<p>Hi</p>' });
    await env.DB.prepare(
      "INSERT INTO campaigns (id, workspace_id, name, channel, status, content_id, sending_filter, started_at, finished_at, fan_out_done, created_at, updated_at) VALUES (?, ?, 'Spring sale', 'email', 'sent', ?, 'subscribed', ?, ?, 1, ?, ?)",
    )
      .bind(id, workspaceId, contentId, now, now, now, now)
      .run();
    const deliveries = [];
    for (let i = 0; i < 3; i++) {
      const deliveryId = await insertQueuedDelivery(workspaceId, await insertContact(workspaceId), contentId, id);
      await env.DB.prepare("UPDATE deliveries SET status = 'sent', sent_at = ? WHERE id = ?").bind(now, deliveryId).run();
      deliveries.push({ id: deliveryId, workspaceId, sourceType: 'campaign', sourceId: id });
    }
    const before = await (await merchant.client.get(`/app/marketing/campaigns/${id}`)).text();
    expect(before).toMatch(/data-engagement="opens">0</);
    const sentAt = now - 3_600_000;
    await hit(`/o/${await signOpenToken(env.APP_SECRET, deliveries[0]!, sentAt)}`);
    await hit(`/o/${await signOpenToken(env.APP_SECRET, deliveries[0]!, sentAt)}`);
    await hit(`/c/${await signClickToken(env.APP_SECRET, deliveries[1]!, sentAt, 'https://shop.example/')}`);
    await hit(`/o/${await signOpenToken(env.APP_SECRET, deliveries[2]!, sentAt)}`, { 'user-agent': 'Mozilla/5.0', 'cf-connecting-ip': '17.1.2.3' });
    const source = { workspaceId, sourceType: 'campaign', sourceId: id };
    await waitForOpens(source, 4);
    await flushTrackers(source);
    const page = await (await merchant.client.get(`/app/marketing/campaigns/${id}`)).text();
    expect(page).toMatch(/data-engagement="opens">2</);
    expect(page).toMatch(/data-engagement="clicks">1</);
    expect(page).not.toContain('not tracked yet');
  });
});
