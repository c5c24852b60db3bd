import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureEngagementSchema, recordEngagement } from '../../src/tracking/engagement-store';
import { recordTrackingHit, trackerOf } from '../../src/tracking/record-hit';
import { shardOf, signClickToken, signOpenToken } from '../../src/tracking/tracking-tokens';
import { insertContact } from '../helpers/data';
import { insertEmailContent, insertQueuedDelivery } from '../helpers/deliveries';
import { signUpMerchant } from '../helpers/factories';
import { countsOf, dailyFiguresOf, flushTrackers, hit, trackersOf, waitForOpens } from './tracking-helpers';

const secret = env.APP_SECRET;
const sentAt = Date.now() - 3_600_000;
let workspaceId: string;
let contentId: string;

function source(sourceId: string) {
  return { workspaceId, sourceType: 'campaign', sourceId };
}

async function newDeliveries(sourceId: string, count: number) {
  const contactIds = await Promise.all(Array.from({ length: count }, () => insertContact(workspaceId)));
  return Promise.all(contactIds.map(async (contactId) => ({ ...source(sourceId), id: await insertQueuedDelivery(workspaceId, contactId, contentId, sourceId), contactId })));
}

beforeAll(async () => {
  workspaceId = (await signUpMerchant('Tracker Shop')).workspaceId;
  contentId = await insertEmailContent(workspaceId, { subject: 'Hi', html: '<p>Hi</p>' });
});

describe('CampaignTracker', () => {
  it('counts 1,000 parallel opens from 200 recipients as 200 unique, through HTTP, and flushes them to D1', async () => {
    const deliveries = await newDeliveries('camp-1000', 200);
    const tokens = await Promise.all(deliveries.map((delivery) => signOpenToken(secret, delivery, sentAt)));
    const responses = await Promise.all(Array.from({ length: 1000 }, (_, i) => hit(`/o/${tokens[i % 200]}`)));
    expect(responses.every((res) => res.status === 200)).toBe(true);
    await Promise.all(responses.map((res) => res.arrayBuffer()));
    await waitForOpens(source('camp-1000'), 1000);
    await flushTrackers(source('camp-1000'));
    expect(await dailyFiguresOf(source('camp-1000'))).toEqual({ opens: 1000, uniqueOpens: 200, machineOpens: 0, clicks: 0, uniqueClicks: 0, machineClicks: 0 });
    expect(await countsOf(source('camp-1000'))).toMatchObject({ opens: 1000, uniqueOpens: 200, pending: 0 });
    const opened = await env.DB.prepare(
      `SELECT COUNT(*) AS deliveries, COUNT(c.last_opened_at) AS contacts FROM delivery_engagements e JOIN deliveries d ON d.id = e.delivery_id
       JOIN contacts c ON c.id = d.contact_id WHERE d.source_id = 'camp-1000' AND e.opened_at IS NOT NULL`,
    ).first();
    expect(opened).toEqual({ deliveries: 200, contacts: 200 });
  });

  it("sends hits that arrive together in one call that only the first request waits on, never on another request's promise", async () => {
    const [delivery] = await newDeliveries('camp-joined', 1);
    const hit = { ...delivery!, shard: shardOf(delivery!.id), sentAt };
    // workerd cancels a request that waits on a promise of another request's context as hung.
    const waits = Array.from({ length: 5 }, () => [] as Promise<unknown>[]);
    for (const [i, own] of waits.entries()) recordTrackingHit(env, { waitUntil: (promise) => own.push(promise) }, hit, { userAgent: 'reader', ip: '' }, Date.now() + i);
    expect(waits.map((own) => own.length)).toEqual([1, 0, 0, 0, 0]);
    await waits[0]![0];
    expect(await countsOf(source('camp-joined'))).toMatchObject({ pending: 5 });
  });

  it('joins hits that reach the isolate a few milliseconds apart into the same call, and starts a new one after the window', async () => {
    const [delivery] = await newDeliveries('camp-window', 1);
    const hit = { ...delivery!, shard: shardOf(delivery!.id), sentAt };
    const waits = Array.from({ length: 5 }, () => [] as Promise<unknown>[]);
    // Requests come one event-loop turn or more apart, not in the same turn.
    for (const [i, own] of waits.entries()) {
      recordTrackingHit(env, { waitUntil: (promise) => own.push(promise) }, hit, { userAgent: 'reader', ip: '' }, Date.now() + i);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(waits.map((own) => own.length)).toEqual([1, 0, 0, 0, 0]);
    await waits[0]![0];
    expect(await countsOf(source('camp-window'))).toMatchObject({ pending: 5 });
    const later: Promise<unknown>[] = [];
    recordTrackingHit(env, { waitUntil: (promise) => later.push(promise) }, hit, { userAgent: 'reader', ip: '' }, Date.now());
    expect(later).toHaveLength(1);
    await later[0];
    expect(await countsOf(source('camp-window'))).toMatchObject({ pending: 6 });
  });

  it('keeps a failed flush and sends exactly the same one on the next alarm', async () => {
    const [delivery] = await newDeliveries('camp-retry', 1);
    const token = await signOpenToken(secret, delivery!, sentAt);
    const click = await signClickToken(secret, delivery!, sentAt, 'https://shop.example/retry');
    await Promise.all([hit(`/o/${token}`), hit(`/o/${token}`), hit(`/c/${click}`)]);
    await waitForOpens(source('camp-retry'), 3);
    // A real D1 failure inside the batch: the trigger aborts the flush's first statement.
    await env.DB.prepare(`CREATE TRIGGER fail_flush_once BEFORE INSERT ON tracker_flushes WHEN NEW.tracker LIKE '${workspaceId}:%' BEGIN SELECT RAISE(ABORT, 'injected'); END`).run();
    try {
      await flushTrackers(source('camp-retry'));
    } finally {
      await env.DB.prepare('DROP TRIGGER fail_flush_once').run();
    }
    expect(await dailyFiguresOf(source('camp-retry'))).toEqual({ opens: 0, uniqueOpens: 0, machineOpens: 0, clicks: 0, uniqueClicks: 0, machineClicks: 0 });
    expect((await countsOf(source('camp-retry'))).pending).toBe(3);
    // A hit after the failure goes into the next flush, not into the retried one.
    await hit(`/o/${token}`);
    await waitForOpens(source('camp-retry'), 4);
    await flushTrackers(source('camp-retry'));
    expect(await dailyFiguresOf(source('camp-retry'))).toEqual({ opens: 3, uniqueOpens: 1, machineOpens: 0, clicks: 1, uniqueClicks: 1, machineClicks: 0 });
    await flushTrackers(source('camp-retry'));
    expect(await dailyFiguresOf(source('camp-retry'))).toEqual({ opens: 4, uniqueOpens: 1, machineOpens: 0, clicks: 1, uniqueClicks: 1, machineClicks: 0 });
    const contact = await env.DB.prepare('SELECT last_opened_at, last_clicked_at FROM contacts WHERE id = ?').bind(delivery!.contactId).first<Record<string, number>>();
    expect(contact!.last_opened_at).toBeGreaterThanOrEqual(contact!.last_clicked_at!);
    expect(contact!.last_clicked_at).toBeGreaterThan(sentAt);
  });

  it('does not count twice a flush that reached D1 when its acknowledgement was lost', async () => {
    const [delivery] = await newDeliveries('camp-lost-ack', 1);
    await hit(`/o/${await signOpenToken(secret, delivery!, sentAt)}`);
    await waitForOpens(source('camp-lost-ack'), 1);
    const busy = trackersOf(source('camp-lost-ack'))[shardOf(delivery!.id)]!;
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    // The object's storage as it was before the flush: a crash between D1's commit and the object's.
    const tables = ['events', 'firsts', 'tallies', 'meta'];
    const before = await runInDurableObject(busy, (_, state) => Object.fromEntries(tables.map((table) => [table, state.storage.sql.exec(`SELECT * FROM ${table}`).toArray()])));
    // Plan the flush (records it as in flight), then let the alarm write it.
    expect(await runDurableObjectAlarm(busy)).toBe(true);
    expect(await dailyFiguresOf(source('camp-lost-ack'))).toMatchObject({ opens: 1, uniqueOpens: 1 });
    const name = trackerOf({ ...delivery!, shard: shardOf(delivery!.id), sentAt }).name;
    const inFlight = await env.DB.prepare('SELECT seq FROM tracker_flushes WHERE tracker = ?').bind(name).first<{ seq: number }>();
    await runInDurableObject(busy, async (_, state) => {
      const sql = state.storage.sql;
      for (const table of tables) {
        sql.exec(`DELETE FROM ${table}`);
        for (const row of before[table]!) {
          const columns = Object.keys(row);
          sql.exec(`INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`, ...Object.values(row));
        }
      }
      sql.exec("INSERT INTO meta (key, value) VALUES ('in_flight', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", String(inFlight!.seq));
      await state.storage.setAlarm(Date.now() + 60_000);
    });
    expect(await runDurableObjectAlarm(busy)).toBe(true);
    expect(await dailyFiguresOf(source('camp-lost-ack'))).toMatchObject({ opens: 1, uniqueOpens: 1 });
    expect(await busy.counts()).toMatchObject({ opens: 1, uniqueOpens: 1, pending: 0 });
  });

  it("never writes another workspace's delivery or contact, even from a token naming it", async () => {
    const other = (await signUpMerchant('Other Shop')).workspaceId;
    const otherContact = await insertContact(other);
    const otherContent = await insertEmailContent(other, { subject: 'Hi', html: '<p>Hi</p>' });
    const otherDelivery = await insertQueuedDelivery(other, otherContact, otherContent, 'camp-foreign');
    // Signed with our own secret, as a bug would: the tracker of this workspace still cannot reach the other's rows.
    await hit(`/o/${await signOpenToken(secret, { id: otherDelivery, ...source('camp-foreign') }, sentAt)}`);
    await waitForOpens(source('camp-foreign'), 1);
    await flushTrackers(source('camp-foreign'));
    expect(await env.DB.prepare('SELECT * FROM delivery_engagements WHERE delivery_id = ?').bind(otherDelivery).first()).toBeNull();
    expect(await env.DB.prepare('SELECT last_opened_at FROM contacts WHERE id = ?').bind(otherContact).first()).toEqual({ last_opened_at: null });
  });
  it('drops the hits of a workspace deleted since the send instead of failing every flush', async () => {
    const gone = { workspaceId: 'deleted-workspace', sourceType: 'campaign', sourceId: 'camp-gone' };
    await hit(`/o/${await signOpenToken(secret, { ...gone, id: 'delivery-gone' }, sentAt)}`);
    await waitForOpens(gone, 1);
    await flushTrackers(gone);
    expect(await countsOf(gone)).toMatchObject({ pending: 0, opens: 1 });
    expect(await dailyFiguresOf(gone)).toMatchObject({ opens: 0 });
  });
});

describe('machine opens and clicks', () => {
  it('counts Apple Mail Privacy Protection and prefetching image proxies apart from readers', async () => {
    const [apple, appleV6, gmailEarly, gmailLater, reader] = await newDeliveries('camp-proxies', 5);
    const justSent = Date.now();
    await hit(`/o/${await signOpenToken(secret, apple!, sentAt)}`, { 'user-agent': 'Mozilla/5.0', 'cf-connecting-ip': '17.58.101.4' });
    // From Apple's IPv6 egress, whatever the user agent says.
    await hit(`/o/${await signOpenToken(secret, appleV6!, sentAt)}`, { 'user-agent': 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7)', 'cf-connecting-ip': '2A01:B740:A42:1::5' });
    await hit(`/o/${await signOpenToken(secret, gmailEarly!, justSent)}`, { 'user-agent': 'Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)' });
    await hit(`/o/${await signOpenToken(secret, gmailLater!, sentAt)}`, { 'user-agent': 'Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)' });
    await hit(`/o/${await signOpenToken(secret, reader!, sentAt)}`, { 'user-agent': 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko)' });
    await waitForOpens(source('camp-proxies'), 5);
    await flushTrackers(source('camp-proxies'));
    expect(await dailyFiguresOf(source('camp-proxies'))).toMatchObject({ opens: 2, uniqueOpens: 2, machineOpens: 3 });
    const machine = await env.DB.prepare('SELECT delivery_id FROM delivery_engagements WHERE machine_opened_at IS NOT NULL AND opened_at IS NULL AND delivery_id IN (?, ?, ?)')
      .bind(apple!.id, appleV6!.id, gmailEarly!.id)
      .all();
    expect(machine.results).toHaveLength(3);
  });

  it("classifies a burst right after hundreds of clicks of one delivery, reclassifying only hits still counted as a reader's", async () => {
    const tracker = trackersOf(source('camp-hammered'))[0]!;
    const machineByLink = await runInDurableObject(tracker, (_, state) => {
      const sql = state.storage.sql;
      ensureEngagementSchema(sql);
      const at = Date.now();
      const click = (link: string, offset: number) => recordEngagement(sql, { kind: 'click', deliveryId: 'd-hammered', link, at: at + offset, machine: false });
      for (let i = 0; i < 300; i++) click('https://shop.example/a', i);
      const beforeBurst = sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM events WHERE machine = 1').one().n;
      click('https://shop.example/b', 300);
      // The burst goes on while clicks follow within its window, past the 20 latest clicks a click is compared with.
      for (let i = 0; i < 30; i++) click('https://shop.example/a', 301 + i);
      // Long after, on another delivery and on this one: readers again.
      recordEngagement(sql, { kind: 'click', deliveryId: 'd-other', link: 'https://shop.example/b', at: at + 400, machine: false });
      click('https://shop.example/c', 10_000);
      const rows = sql
        .exec<{ link: string; machine: number; n: number }>("SELECT link, machine, COUNT(*) AS n FROM events WHERE kind = 'click' GROUP BY link, machine ORDER BY link, machine")
        .toArray();
      return { beforeBurst, rows };
    });
    expect(machineByLink).toEqual({
      beforeBurst: 0,
      rows: [
        { link: 'https://shop.example/a', machine: 1, n: 330 },
        { link: 'https://shop.example/b', machine: 0, n: 1 },
        { link: 'https://shop.example/b', machine: 1, n: 1 },
        { link: 'https://shop.example/c', machine: 0, n: 1 },
      ],
    });
  });

  it('counts clicks at delivery, and bursts on every link, as scanners', async () => {
    const [atDelivery, burst, reader] = await newDeliveries('camp-scanners', 3);
    const justSent = Date.now();
    await hit(`/c/${await signClickToken(secret, atDelivery!, justSent, 'https://shop.example/a')}`);
    // A gateway following every link of the message within a second, an hour after sending.
    await hit(`/c/${await signClickToken(secret, burst!, sentAt, 'https://shop.example/a')}`);
    await hit(`/c/${await signClickToken(secret, burst!, sentAt, 'https://shop.example/b')}`);
    await hit(`/c/${await signClickToken(secret, burst!, sentAt, 'https://shop.example/c')}`);
    await hit(`/c/${await signClickToken(secret, reader!, sentAt, 'https://shop.example/a')}`);
    await waitForOpens(source('camp-scanners'), 5);
    await flushTrackers(source('camp-scanners'));
    expect(await dailyFiguresOf(source('camp-scanners'))).toEqual({ opens: 1, uniqueOpens: 1, machineOpens: 4, clicks: 1, uniqueClicks: 1, machineClicks: 4 });
    const perLink = await env.DB.prepare(
      "SELECT url, clicks, unique_clicks AS uniqueClicks, machine_clicks AS machineClicks FROM link_clicks_daily WHERE source_id = 'camp-scanners' ORDER BY url",
    ).all();
    expect(perLink.results).toEqual([
      { url: 'https://shop.example/a', clicks: 1, uniqueClicks: 1, machineClicks: 2 },
      { url: 'https://shop.example/b', clicks: 0, uniqueClicks: 0, machineClicks: 1 },
      { url: 'https://shop.example/c', clicks: 0, uniqueClicks: 0, machineClicks: 1 },
    ]);
  });
});
