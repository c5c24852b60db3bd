// The statements that find rows by key (the send job's claims and outcomes, the
// tracker's flush, attribution, an order's lines, products by SKU) must be planned by
// that key. Without statistics, SQLite guessed ten rows for `workspace_id = ?` and
// walked every delivery a workspace ever had for each list of ids: a campaign's sends
// slowed as it went. Each statement the real code runs is recorded on its way to the
// real D1 and its EXPLAIN QUERY PLAN read back.
import { createMessageBatch } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import worker from '../../src/index';
import { openDb } from '../../src/db/client';
import { forWorkspace } from '../../src/db/tenant';
import { runFanOutPageJob } from '../../src/campaigns/campaign-fan-out-job';
import { applyBulkToSelection } from '../../src/contacts/contact-bulk.service';
import { exportContactsCsv } from '../../src/contacts/contact-export';
import { cancelQueuedDeliveries } from '../../src/deliveries/deliveries.service';
import { defaultDefinition } from '../../src/flows/flow-definition';
import { runFlowAdvanceJob } from '../../src/flows/flow-advance-job';
import { createFlow } from '../../src/flows/flows.service';
import { newId } from '../../src/lib/ids';
import { createBatchScope } from '../../src/queues/batch-scope';
import { fanOutPageMessage, flowAdvanceMessage } from '../../src/queues/messages';
import { pageSegment } from '../../src/segments/segments.service';
import { findProductsBySku } from '../../src/stores/products.service';
import { listOrders } from '../../src/stores/store-reads';
import { attributeOrdersToFlushedTouches } from '../../src/tracking/attribution';
import { writeEngagementFlush } from '../../src/tracking/flush-engagement';
import { insertContact, insertOrder } from '../helpers/data';
import { insertEmailContent, insertQueuedDelivery } from '../helpers/deliveries';
import { signUpMerchant, uniqueEmail } from '../helpers/factories';
import { trustWorkspace } from '../helpers/platform-trust';
import { receivedFor, waitForEmail } from '../helpers/smtp-sink';

// The tables that grow with everything a workspace does.
const LARGE_TABLES = ['deliveries', 'contacts', 'order_items', 'products', 'delivery_engagements', 'flow_enrollments'];

/** The real database, noting each statement prepared on it. */
function recording(db: D1Database, seen: Set<string>): D1Database {
  return new Proxy(db, {
    get(target, property) {
      if (property === 'prepare')
        return (query: string) => {
          seen.add(query);
          return target.prepare(query);
        };
      const value = Reflect.get(target, property);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** The names a statement gives the large tables: their own and their aliases ("deliveries d"). */
function namesOfLargeTables(query: string): Set<string> {
  const names = new Set(LARGE_TABLES);
  for (const [, , alias] of query.matchAll(new RegExp(`\\b(${LARGE_TABLES.join('|')})"?\\s+(?:AS\\s+)?(\\w+)`, 'gi'))) names.add(alias!);
  return names;
}

/** Lines of each statement's plan that walk a large table: a scan, or an index searched by the workspace alone or with only a range after it. */
async function walksOfAWorkspace(statements: Set<string>): Promise<string[]> {
  const walks: string[] = [];
  for (const query of statements) {
    const parameters = (query.match(/\?/g) ?? []).length;
    const { results } = await env.DB.prepare(`EXPLAIN QUERY PLAN ${query}`)
      .bind(...Array.from({ length: parameters }, () => null))
      .all<{ detail: string }>();
    const names = namesOfLargeTables(query);
    for (const { detail } of results) {
      // The workspace alone, or with nothing more than a range (a time window) after it; a
      // range of ids is a keyset page, which stops after its limit.
      const index = /USING (?:COVERING )?INDEX (\S+) \(workspace_id=\?(?: AND (?!id[<>])\w+[<>]=?\?)*\)$/.exec(detail)?.[1];
      const byWorkspace = index && LARGE_TABLES.some((table) => index.startsWith(`${table}_`) || index.startsWith(`sqlite_autoindex_${table}_`));
      const scanned = /^SCAN (\w+)(?: USING (?:COVERING )?INDEX \S+)?$/.exec(detail)?.[1];
      if (byWorkspace || (scanned && names.has(scanned))) walks.push(`${detail} <- ${query.slice(0, 160)}`);
    }
  }
  return walks;
}

let workspaceId: string;
let contentId: string;

beforeAll(async () => {
  workspaceId = (await signUpMerchant('Plan Shop')).workspaceId;
  await trustWorkspace(workspaceId);
  await env.DB.prepare("UPDATE workspace_settings SET postal_address = '1 Plan Street' WHERE workspace_id = ?").bind(workspaceId).run();
  contentId = await insertEmailContent(workspaceId, { subject: 'Hi', html: '<p>Hello <a href="https://plan.example/a">A</a></p>' });
});

describe('statements that find rows by key', () => {
  it("the send job's claims, recipients and outcomes are planned by the delivery and contact ids", async () => {
    const recipients = Array.from({ length: 3 }, () => uniqueEmail('plan'));
    const ids: string[] = [];
    for (const to of recipients) ids.push(await insertQueuedDelivery(workspaceId, await insertContact(workspaceId, { email: to }), contentId, 'c-plan'));
    const seen = new Set<string>();
    await worker.queue(
      createMessageBatch(
        'marketing-sends',
        ids.map((deliveryId, i) => ({ id: `plan-${i}`, timestamp: new Date(), attempts: 1, body: { type: 'send-delivery', workspaceId, deliveryId } })),
      ),
      { ...env, DB: recording(env.DB, seen) },
    );
    for (const to of recipients) expect(await receivedFor(to)).toHaveLength(1);
    expect([...seen].some((query) => /update "deliveries" set "status" = \?, "attempts"/.test(query))).toBe(true);
    // The outcomes of sent messages, joined from one JSON parameter, are among the plans read.
    expect([...seen].some((query) => /update "deliveries" set .*"message_id" = json_extract\(sent\.value.* from json_each\(\?\) AS sent/.test(query))).toBe(true);
    expect(await walksOfAWorkspace(seen)).toEqual([]);
  });

  it("the tracker's flush, attribution, cancelled deliveries, an order's lines and products by SKU", async () => {
    const contactId = await insertContact(workspaceId);
    const deliveryId = await insertQueuedDelivery(workspaceId, contactId, contentId, 'c-plan-2');
    await insertOrder(workspaceId, contactId, { placedAt: Date.now(), skus: ['MUG-1'] });
    const seen = new Set<string>();
    const db = recording(env.DB, seen);
    const tenant = forWorkspace(openDb(db), workspaceId);
    const now = Date.now();
    await writeEngagementFlush(
      db,
      { name: `campaign:c-plan-2`, workspaceId, sourceType: 'campaign', sourceId: 'c-plan-2' },
      { seq: 1, deliveries: [{ d: deliveryId, o: now, c: null, m: null, lo: now, lc: null }], daily: [], links: [], firsts: [] },
      now,
    );
    await attributeOrdersToFlushedTouches(tenant, [{ deliveryId, openedAt: now, clickedAt: null }]);
    await cancelQueuedDeliveries(tenant, [deliveryId], now);
    await listOrders(tenant, { contactId, limit: 10 });
    await findProductsBySku(tenant, 'connection-1', ['MUG-1', 'MUG-2']);
    expect(seen.size).toBeGreaterThan(5);
    expect(await walksOfAWorkspace(seen)).toEqual([]);
  });

  it("a campaign's fan-out pages, segment member pages and contact exports walk the workspace's contacts by id", async () => {
    for (let i = 0; i < 3; i++) await insertContact(workspaceId, { email: uniqueEmail('fan') });
    const campaign = { id: newId(), workspaceId };
    const now = Date.now();
    await env.DB.prepare(
      "INSERT INTO campaigns (id, workspace_id, name, channel, status, content_id, sending_filter, started_at, created_at, updated_at) VALUES (?, ?, 'Plan', 'email', 'sending', ?, 'subscribed', ?, ?, ?)",
    )
      .bind(campaign.id, workspaceId, contentId, now, now, now)
      .run();
    const seen = new Set<string>();
    await runFanOutPageJob(fanOutPageMessage(campaign, null), { ...env, DB: recording(env.DB, seen) });
    const written = await env.DB.prepare('SELECT count(*) AS n FROM deliveries WHERE source_id = ?').bind(campaign.id).first<{ n: number }>();
    expect(written?.n).toBeGreaterThanOrEqual(3);
    const tenant = forWorkspace(openDb(recording(env.DB, seen)), workspaceId);
    const members = await pageSegment(tenant, { match: 'all', children: [] }, { limit: 2 });
    expect(await pageSegment(tenant, { match: 'all', children: [] }, { afterId: members[1]!.id, limit: 2 })).not.toContainEqual(members[0]);
    expect((await new Response(exportContactsCsv(tenant, {})).text()).split('\n').length).toBeGreaterThan(3);
    // Each page walks the page index from its cursor (the first from ''), never the email index sorted by id.
    expect([...seen].filter((query) => /from "contacts"/.test(query) && /order by "contacts"."id"/.test(query)).length).toBeGreaterThanOrEqual(3);
    expect(await walksOfAWorkspace(seen)).toEqual([]);
  });

  it('bulk actions on a selection find the chosen contacts by id: tag, untag and unsubscribe', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push(await insertContact(workspaceId, { email: uniqueEmail('bulk') }));
    const seen = new Set<string>();
    const tenant = forWorkspace(openDb(recording(env.DB, seen)), workspaceId);
    expect(await applyBulkToSelection(tenant, { action: 'tag', tags: ['vip'], channels: [] }, ids, 'api')).toEqual({ reached: 3 });
    await applyBulkToSelection(tenant, { action: 'untag', tags: ['vip'], channels: [] }, ids, 'api');
    await applyBulkToSelection(tenant, { action: 'unsubscribe', tags: [], channels: ['email'] }, ids, 'api');
    const unsubscribed = await env.DB.prepare(`SELECT count(*) AS n FROM contacts WHERE email_consent = 'unsubscribed' AND id IN (?, ?, ?)`)
      .bind(...ids)
      .first<{ n: number }>();
    expect(unsubscribed?.n).toBe(3);
    expect(await walksOfAWorkspace(seen)).toEqual([]);
  });

  it("a flow-advance message's enrollments, splits, exits, smart sending and outcomes are planned by their keys", async () => {
    const tenant = forWorkspace(openDb(env.DB), workspaceId);
    const steps = [
      { id: 'bought', type: 'split', condition: 'ordered_since_start', ifYes: 'end', ifNo: 'next' },
      { id: 'opened', type: 'split', condition: 'opened_flow_message', ifYes: 'next', ifNo: 'next' },
      { id: 'email-1', type: 'email', contentId },
    ] as const;
    const flow = await createFlow(
      tenant,
      { kind: 'abandoned_cart', definition: { ...defaultDefinition('abandoned_cart', contentId), smartSending: true, steps: [...steps] } },
      { subject: '', preheader: null, html: '' },
    );
    await env.DB.prepare('UPDATE flows SET enabled = 1 WHERE id = ?').bind(flow.id).run();
    const now = Date.now();
    const claimedUntil = now + 60_000;
    const ids: string[] = [];
    const recipients = Array.from({ length: 3 }, () => uniqueEmail('flow-plan'));
    for (const [i, email] of recipients.entries()) {
      const contactId = await insertContact(workspaceId, { email });
      await insertOrder(workspaceId, contactId, { placedAt: now - 60_000, skus: ['MUG-1'] });
      const id = newId();
      ids.push(id);
      await env.DB.prepare(
        "INSERT INTO flow_enrollments (id, workspace_id, flow_id, version, contact_id, occurrence_key, context, status, step_index, next_run_at, claimed_until, enrolled_at, updated_at) VALUES (?, ?, ?, 1, ?, ?, ?, 'active', 0, ?, ?, ?, ?)",
      )
        .bind(id, workspaceId, flow.id, contactId, `cart:plan-${i}`, JSON.stringify({ cartId: `plan-cart-${i}`, since: now - 1000 }), now, claimedUntil, now, now)
        .run();
    }
    const seen = new Set<string>();
    await runFlowAdvanceJob(flowAdvanceMessage(workspaceId, ids, { claimedUntil, now }), { ...env, DB: recording(env.DB, seen) }, createBatchScope());
    const done = await env.DB.prepare(`SELECT count(*) AS n FROM flow_enrollments WHERE status = 'done' AND claimed_until IS NULL AND flow_id = ?`).bind(flow.id).first<{ n: number }>();
    expect(done?.n).toBe(3);
    for (const to of recipients) await waitForEmail(to);
    expect([...seen].some((query) => /insert into "deliveries"/i.test(query))).toBe(true);
    expect(await walksOfAWorkspace(seen)).toEqual([]);
  });

  it("planned by the key, a claim still never reaches another workspace's delivery", async () => {
    const other = (await signUpMerchant('Other Shop')).workspaceId;
    const to = uniqueEmail('theirs');
    const theirs = await insertQueuedDelivery(workspaceId, await insertContact(workspaceId, { email: to }), contentId, 'c-plan-iso');
    // A message naming the other workspace with this workspace's delivery id: nothing is claimed or sent.
    await worker.queue(createMessageBatch('marketing-sends', [{ id: 'iso-1', timestamp: new Date(), attempts: 1, body: { type: 'send-delivery', workspaceId: other, deliveryId: theirs } }]), env);
    const row = await env.DB.prepare('SELECT status, attempts FROM deliveries WHERE id = ?').bind(theirs).first<{ status: string; attempts: number }>();
    expect(row).toEqual({ status: 'queued', attempts: 0 });
    expect(await receivedFor(to)).toHaveLength(0);
    // Nor can the other workspace cancel it.
    await cancelQueuedDeliveries(forWorkspace(openDb(env.DB), other), [theirs]);
    expect((await env.DB.prepare('SELECT status FROM deliveries WHERE id = ?').bind(theirs).first<{ status: string }>())?.status).toBe('queued');
  });
});
