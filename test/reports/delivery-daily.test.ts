// The daily rollup of messages (delivery_daily) that the marketing overview reads, kept by
// triggers: after every kind of change it equals the figures counted from the rows themselves.
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { DAY, HOUR } from '../../src/lib/time';
import { signUpMerchant } from '../helpers/factories';
import { flushEngagement, insertCampaign, insertDeliveries, touch } from './report-fixtures';

const COUNTED = `
  SELECT day, channel, source_id AS sourceId, sum(sent) AS sent, sum(delivered) AS delivered, sum(failed) AS failed, sum(opened) AS opened, sum(clicked) AS clicked FROM (
    SELECT d.sent_at - d.sent_at % 86400000 AS day, d.channel, d.source_id, 1 AS sent, (d.channel = 'email' OR coalesce(d.provider_status, '') = 'delivered') AS delivered,
           0 AS failed, e.opened_at IS NOT NULL AS opened, e.clicked_at IS NOT NULL AS clicked
    FROM deliveries d LEFT JOIN delivery_engagements e ON e.delivery_id = d.id WHERE d.workspace_id = ?1 AND d.status = 'sent'
    UNION ALL
    SELECT queued_at - queued_at % 86400000, channel, source_id, 0, 0, 1, 0, 0 FROM deliveries WHERE workspace_id = ?1 AND status = 'failed'
  ) GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`;

const KEPT = `
  SELECT day, channel, source_id AS sourceId, sum(sent) AS sent, sum(delivered) AS delivered, sum(failed) AS failed, sum(opened) AS opened, sum(clicked) AS clicked
  FROM delivery_daily WHERE workspace_id = ?1 GROUP BY 1, 2, 3 HAVING sum(sent) + sum(failed) + sum(opened) + sum(clicked) > 0 ORDER BY 1, 2, 3`;

async function rollupAndCount(workspaceId: string) {
  const [kept, counted] = await Promise.all([KEPT, COUNTED].map((query) => env.DB.prepare(query).bind(workspaceId).all()));
  return { kept: kept!.results, counted: counted!.results };
}

describe('delivery_daily', () => {
  it('follows sends, retries, failures, status callbacks, first opens and clicks, day by day, and keeps past days when a contact is erased', async () => {
    const { workspaceId } = await signUpMerchant('Rollup Shop');
    const day = Date.UTC(2026, 2, 2);
    const campaign = await insertCampaign(workspaceId, 'Rollup', day);
    const rows = await insertDeliveries(
      workspaceId,
      campaign,
      [
        { status: 'sent', sentAt: day + HOUR },
        { status: 'sent', sentAt: day + DAY + HOUR, channel: 'sms' },
        { status: 'queued' },
        { status: 'queued' },
        { status: 'failed', reasonCode: 'provider_rejected' },
      ],
      day,
    );
    const [first, second, third, fourth] = rows.map((row) => row.id);
    const update = (query: string, ...values: unknown[]) =>
      env.DB.prepare(query)
        .bind(...values)
        .run();
    // The send path: claimed, then sent on the next day; another fails; a text's carrier reports delivery later.
    await update("UPDATE deliveries SET status = 'sending' WHERE id = ?", third);
    await update("UPDATE deliveries SET status = 'sent', sent_at = ? WHERE id = ?", day + DAY + 2 * HOUR, third);
    await update("UPDATE deliveries SET status = 'failed', reason_code = 'provider_rejected' WHERE id = ?", fourth);
    await update("UPDATE deliveries SET provider_status = 'delivered' WHERE id = ?", second);
    // A reader's first open, then a first click in a later flush; another's click.
    await flushEngagement(workspaceId, campaign.id, [touch(first!, day + 2 * HOUR)]);
    await flushEngagement(workspaceId, campaign.id, [touch(first!, day + 2 * HOUR, day + 3 * HOUR), touch(third!, day + DAY + 3 * HOUR, day + DAY + 3 * HOUR)], [], 2);
    const { kept, counted } = await rollupAndCount(workspaceId);
    expect(kept).toEqual(counted);
    expect(kept).toEqual([
      { day, channel: 'email', sourceId: campaign.id, sent: 1, delivered: 1, failed: 2, opened: 1, clicked: 1 },
      { day: day + DAY, channel: 'email', sourceId: campaign.id, sent: 1, delivered: 1, failed: 0, opened: 1, clicked: 1 },
      { day: day + DAY, channel: 'sms', sourceId: campaign.id, sent: 1, delivered: 1, failed: 0, opened: 0, clicked: 0 },
    ]);

    await env.DB.prepare('DELETE FROM contacts WHERE id = (SELECT contact_id FROM deliveries WHERE id = ?)').bind(first).run();
    expect((await rollupAndCount(workspaceId)).kept).toEqual(kept);
  });
});
