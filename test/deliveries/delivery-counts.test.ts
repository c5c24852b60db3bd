// The delivery counts the database keeps by trigger must always equal a GROUP BY over the
// delivery rows, whatever happens to them: inserts (and replayed inserts that change
// nothing), moves between statuses and reasons, deleted contacts, a deleted workspace.
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { openDb } from '../../src/db/client';
import { forWorkspace } from '../../src/db/tenant';
import { writeDeliveries } from '../../src/deliveries/deliveries.service';
import { readDeliveryCounts } from '../../src/deliveries/delivery-counts';
import { insertContact } from '../helpers/data';
import { insertEmailContent, queueCampaignEmail } from '../helpers/deliveries';
import { signUpMerchant } from '../helpers/factories';

type Count = { source_id: string; status: string; reason_code: string; n: number };

const sorted = (rows: Count[]) => [...rows].sort((a, b) => `${a.source_id}|${a.status}|${a.reason_code}`.localeCompare(`${b.source_id}|${b.status}|${b.reason_code}`));

async function grouped(workspaceId: string): Promise<Count[]> {
  const { results } = await env.DB.prepare("SELECT source_id, status, coalesce(reason_code, '') AS reason_code, count(*) AS n FROM deliveries WHERE workspace_id = ? GROUP BY 1, 2, 3")
    .bind(workspaceId)
    .all<Count>();
  return sorted(results);
}

async function kept(workspaceId: string): Promise<Count[]> {
  const { results } = await env.DB.prepare('SELECT source_id, status, reason_code, n FROM delivery_counts WHERE workspace_id = ? AND n > 0').bind(workspaceId).all<Count>();
  return sorted(results);
}

describe('delivery counts kept by the database', () => {
  it('equal the delivery rows through inserts, replays, moves and deletions', async () => {
    const { workspaceId } = await signUpMerchant('Counts');
    const other = await signUpMerchant('Counts elsewhere');
    const design = await insertEmailContent(workspaceId, { subject: 'Hi', html: '<p>Hi</p>' });
    const contacts = await Promise.all(Array.from({ length: 6 }, () => insertContact(workspaceId)));
    for (const contact of contacts) await queueCampaignEmail(workspaceId, contact, design, 'campaign-a');
    for (const contact of contacts.slice(0, 3)) await queueCampaignEmail(workspaceId, contact, design, 'campaign-b');
    // A replayed fan-out page inserts nothing and counts nothing.
    for (const contact of contacts) await queueCampaignEmail(workspaceId, contact, design, 'campaign-a');
    const otherDesign = await insertEmailContent(other.workspaceId, { subject: 'Hi', html: '<p>Hi</p>' });
    await queueCampaignEmail(other.workspaceId, await insertContact(other.workspaceId), otherDesign, 'campaign-a');
    expect(await kept(workspaceId)).toEqual(await grouped(workspaceId));

    const move = (sql: string, ...binds: unknown[]) =>
      env.DB.prepare(sql)
        .bind(...binds)
        .run();
    await move("UPDATE deliveries SET status = 'sending' WHERE workspace_id = ? AND source_id = 'campaign-a'", workspaceId);
    await move("UPDATE deliveries SET status = 'sent' WHERE workspace_id = ? AND contact_id IN (?, ?)", workspaceId, contacts[0], contacts[1]);
    await move("UPDATE deliveries SET status = 'failed', reason_code = '550' WHERE workspace_id = ? AND contact_id = ? AND source_id = 'campaign-a'", workspaceId, contacts[2]);
    await move("UPDATE deliveries SET status = 'skipped', reason_code = 'unsubscribed' WHERE workspace_id = ? AND contact_id = ? AND source_id = 'campaign-a'", workspaceId, contacts[3]);
    // A reason that changes on its own moves the count too; a write that changes nothing does not.
    await move("UPDATE deliveries SET reason_code = 'suppressed' WHERE workspace_id = ? AND contact_id = ? AND source_id = 'campaign-a'", workspaceId, contacts[3]);
    await move('UPDATE deliveries SET attempts = attempts + 1, updated_at = updated_at + 1 WHERE workspace_id = ?', workspaceId);
    await move("UPDATE deliveries SET status = 'cancelled' WHERE workspace_id = ? AND source_id = 'campaign-b' AND status = 'queued'", workspaceId);
    // An erased contact takes its deliveries, and their counts, with it.
    await move('DELETE FROM contacts WHERE id = ?', contacts[0]);
    expect(await kept(workspaceId)).toEqual(await grouped(workspaceId));

    const tenant = forWorkspace(openDb(env.DB), workspaceId);
    const read = await readDeliveryCounts(tenant, 'campaign', ['campaign-a']);
    expect(read.find((row) => row.status === 'failed')).toEqual({ sourceId: 'campaign-a', status: 'failed', reasonCode: '550', n: 1 });
    expect(read.reduce((sum, row) => sum + row.n, 0)).toBe(5);
    // The other workspace's campaign of the same id is its own.
    expect(await readDeliveryCounts(forWorkspace(openDb(env.DB), other.workspaceId), 'campaign', ['campaign-a'])).toEqual([{ sourceId: 'campaign-a', status: 'queued', reasonCode: null, n: 1 }]);

    // Deleting a workspace takes its counts along and leaves the other's alone.
    await move('DELETE FROM workspaces WHERE id = ?', workspaceId);
    expect(await kept(workspaceId)).toEqual([]);
    expect(await kept(other.workspaceId)).toEqual(await grouped(other.workspaceId));
  });
});

describe('deliveries written as rows of one JSON parameter', () => {
  it("keep a flow's merge data exactly, quotes, backslashes, line breaks and emoji included, and return only the rows they created", async () => {
    const { workspaceId } = await signUpMerchant('Hostile context');
    const tenant = forWorkspace(openDb(env.DB), workspaceId);
    const design = await insertEmailContent(workspaceId, { subject: 'Hi', html: '<p>Hi</p>' });
    const contacts = await Promise.all(Array.from({ length: 250 }, () => insertContact(workspaceId)));
    // As a store's webhook may name a product: every character JSON and SQL treat specially.
    const context = { product: { title: 'Say "hi" \\ it\'s 50%_off\n\r\t\u2028 ☕️ 🎉', url: 'https://shop.example/p?a=1&b="2"' }, nothing: null, price: 1999 };
    const requests = contacts.map((contactId, i) => ({
      contactId,
      channel: 'email' as const,
      sourceType: 'flow' as const,
      sourceId: 'flow-hostile',
      stepKey: 'step-1',
      occurrenceKey: `o-${i}`,
      contentId: design,
      context,
      requiresOptIn: i % 2 === 0,
      ...(i === 0 ? { skip: { reason: 'Sent a marketing message in the last 16 hours', code: 'smart_sending' as const } } : {}),
    }));
    const created = await writeDeliveries(tenant, requests);
    // 250 rows over two statements; the skipped one is written but not returned for sending.
    expect(created).toHaveLength(249);
    expect(await writeDeliveries(tenant, requests)).toEqual([]);
    const { results } = await env.DB.prepare("SELECT status, reason_code, requires_opt_in, context FROM deliveries WHERE workspace_id = ? AND source_id = 'flow-hostile' ORDER BY occurrence_key")
      .bind(workspaceId)
      .all<{ status: string; reason_code: string | null; requires_opt_in: number; context: string }>();
    expect(results).toHaveLength(250);
    expect(results.every((row) => row.context === JSON.stringify(context))).toBe(true);
    expect(results.filter((row) => row.status === 'skipped').map((row) => row.reason_code)).toEqual(['smart_sending']);
    expect(results.filter((row) => row.requires_opt_in === 1)).toHaveLength(125);
  });
});
