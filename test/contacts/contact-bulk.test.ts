import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { type BulkJobView, redriveStalledBulkJobs, runBulkPage, startBulkJob } from '../../src/contacts/contact-bulk.service';
import { openDb } from '../../src/db/client';
import { forWorkspace, type Tenant } from '../../src/db/tenant';
import { STALL_LIMIT } from '../../src/health/stalled-work';
import { runCronTick } from '../../src/jobs/cron';
import { MINUTE } from '../../src/lib/time';
import type { QueueBinding, Queues } from '../../src/queues/enqueue';
import type { QueueMessage } from '../../src/queues/messages';
import { insertContact, tagContact } from '../helpers/data';
import { apiErrorOf, callApi, createApiKey, postApi, signUpMerchant, type Merchant } from '../helpers/factories';

let merchant: Merchant;
let other: Merchant;
let key: string;
let otherKey: string;
let tenant: Tenant;

beforeAll(async () => {
  [merchant, other] = await Promise.all([signUpMerchant('Bulk Store'), signUpMerchant('Other Bulk Store')]);
  [key, otherKey] = await Promise.all([createApiKey(merchant), createApiKey(other)]);
  tenant = forWorkspace(openDb(env.DB), merchant.workspaceId);
});

type Page = { contacts: { id: string; email: string | null; totalSpentCents: number; tags: string[] }[]; nextCursor: string | null; total: number };

async function list(apiKey: string, query: string): Promise<Page> {
  const res = await callApi(apiKey, `/contacts?${query}`);
  expect(res.status, await res.clone().text()).toBe(200);
  return res.json<Page>();
}

/** Every page of a listing, following nextCursor. */
async function listAll(apiKey: string, query: string): Promise<Page['contacts']> {
  const all: Page['contacts'] = [];
  let cursor: string | null = null;
  for (let i = 0; i < 50; i++) {
    const page: Page = await list(apiKey, `${query}&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    all.push(...page.contacts);
    cursor = page.nextCursor;
    if (!cursor) break;
  }
  return all;
}

/** Inserts `count` contacts of one workspace in a few statements, each email `<prefix>-<n>@bulk.example`. */
async function insertMany(workspaceId: string, prefix: string, count: number, tag?: string) {
  const now = Date.now();
  await env.DB.prepare(
    `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
     INSERT INTO contacts (id, workspace_id, email, email_consent, sms_consent, registered, total_spent_cents, order_count, created_at, updated_at)
     SELECT printf('01K%s%08d', ?, i), ?, printf('%s-%d@bulk.example', ?, i), 'subscribed', 'not_subscribed', 0, i, 0, ?, ? FROM n`,
  )
    .bind(count, prefix.toUpperCase().padEnd(15, '0').slice(0, 15), workspaceId, prefix, now, now)
    .run();
  if (tag) {
    await env.DB.prepare("INSERT INTO contact_tags (workspace_id, contact_id, tag) SELECT workspace_id, id, ? FROM contacts WHERE workspace_id = ? AND email LIKE ? || '-%'")
      .bind(tag, workspaceId, prefix)
      .run();
  }
}

async function waitForJob(apiKey: string, id: string, timeout = 60_000): Promise<BulkJobView> {
  let job: BulkJobView | undefined;
  await expect
    .poll(
      async () => {
        job = (await (await callApi(apiKey, `/contacts/bulk/${id}`)).json<{ job: BulkJobView }>()).job;
        return job.status;
      },
      { timeout, interval: 250 },
    )
    .toBe('done');
  return job!;
}

describe('the contact list: filters, count and sorts', () => {
  let ids: Record<string, string>;

  beforeAll(async () => {
    const at = (n: number) => Date.now() - n * 86_400_000;
    ids = {
      ann: await insertContact(merchant.workspaceId, { email: 'ann@sort.example', total_spent_cents: 500, last_order_at: at(3), email_consent: 'subscribed' }),
      bo: await insertContact(merchant.workspaceId, {
        email: 'bo@sort.example',
        total_spent_cents: 9000,
        last_order_at: at(10),
        email_consent: 'unsubscribed',
        sms_consent: 'subscribed',
        phone: '+14155550111',
      }),
      cy: await insertContact(merchant.workspaceId, { email: 'cy@sort.example', total_spent_cents: 500, email_consent: 'not_subscribed' }),
      di: await insertContact(merchant.workspaceId, { email: null, phone: '+14155550112', total_spent_cents: 0, email_consent: 'not_subscribed', sms_consent: 'subscribed' }),
      ed: await insertContact(merchant.workspaceId, { email: 'ed@sort.example', total_spent_cents: 20000, last_order_at: at(1), email_consent: 'subscribed' }),
    };
    for (const name of ['ann', 'bo', 'cy', 'ed']) await tagContact(merchant.workspaceId, ids[name]!, 'sorted');
    await tagContact(merchant.workspaceId, ids.di!, 'Sorted');
    await tagContact(merchant.workspaceId, ids.ann!, 'VIP');
    // Another workspace's contact with the same tag never shows.
    await tagContact(other.workspaceId, await insertContact(other.workspaceId, { email: 'zed@sort.example' }), 'sorted');
  });

  const emails = (rows: Page['contacts']) => rows.map((row) => row.email ?? 'phone-only');

  it('walks every sort page by page, ties broken by id, each contact exactly once', async () => {
    expect(emails(await listAll(key, 'tag=sorted&sort=email'))).toEqual(['ann@sort.example', 'bo@sort.example', 'cy@sort.example', 'ed@sort.example', 'phone-only']);
    // ann and cy spent the same: the newer id first, as the sort runs descending.
    const tie = ids.cy! > ids.ann! ? ['cy@sort.example', 'ann@sort.example'] : ['ann@sort.example', 'cy@sort.example'];
    expect(emails(await listAll(key, 'tag=sorted&sort=spend'))).toEqual(['ed@sort.example', 'bo@sort.example', ...tie, 'phone-only']);
    const byLastOrder = emails(await listAll(key, 'tag=sorted&sort=last_order'));
    expect(byLastOrder.slice(0, 3)).toEqual(['ed@sort.example', 'ann@sort.example', 'bo@sort.example']);
    expect(new Set(byLastOrder.slice(3))).toEqual(new Set(['cy@sort.example', 'phone-only']));
    // Oldest and newest follow the ids (the order contacts were added).
    const byId = Object.entries(ids)
      .sort(([, a], [, b]) => (a < b ? -1 : 1))
      .map(([name]) => (name === 'di' ? 'phone-only' : `${name}@sort.example`));
    expect(emails(await listAll(key, 'tag=sorted&sort=oldest'))).toEqual(byId);
    expect(emails(await listAll(key, 'tag=sorted'))).toEqual([...byId].reverse());
  });

  it('filters by consent per channel and by tag, and counts every match beyond the page', async () => {
    const page = await list(key, 'tag=sorted&limit=1');
    expect(page.total).toBe(5);
    expect(page.contacts).toHaveLength(1);
    expect(emails((await list(key, 'tag=sorted&emailConsent=subscribed&sort=email')).contacts)).toEqual(['ann@sort.example', 'ed@sort.example']);
    expect(emails((await list(key, 'tag=sorted&emailConsent=not_subscribed&sort=email')).contacts)).toEqual(['cy@sort.example', 'phone-only']);
    const sms = await list(key, 'tag=sorted&smsConsent=subscribed&emailConsent=unsubscribed');
    expect(sms.total).toBe(1);
    expect(emails(sms.contacts)).toEqual(['bo@sort.example']);
    expect((await list(key, 'tag=vip')).total).toBe(1);
  });

  it('answers 400 naming the field for a bad sort, consent or a cursor of another sort', async () => {
    expect((await apiErrorOf(await callApi(key, '/contacts?sort=price'))).issues?.map((issue) => issue.path)).toEqual(['sort']);
    expect((await apiErrorOf(await callApi(key, '/contacts?emailConsent=maybe'))).issues?.map((issue) => issue.path)).toEqual(['emailConsent']);
    const { nextCursor } = await list(key, 'tag=sorted&sort=spend&limit=1');
    const res = await callApi(key, `/contacts?sort=newest&cursor=${encodeURIComponent(nextCursor!)}`);
    expect(res.status).toBe(400);
    expect((await apiErrorOf(res)).issues?.map((issue) => issue.path)).toEqual(['cursor']);
  });
});

describe('bulk actions on a selection', () => {
  it('tags, untags and unsubscribes the chosen contacts, recording the consent change with its source', async () => {
    const a = await insertContact(merchant.workspaceId, { email: 'sel-a@bulk.example', phone: '+14155550121', sms_consent: 'subscribed' });
    const b = await insertContact(merchant.workspaceId, { email: 'sel-b@bulk.example' });
    const untouched = await insertContact(merchant.workspaceId, { email: 'sel-c@bulk.example' });
    const tagged = await postApi(key, '/contacts/bulk', { action: 'tag', tags: ['Winter', 'winter'], contactIds: [a, b] });
    expect(tagged.status, await tagged.clone().text()).toBe(200);
    expect(await tagged.json()).toEqual({ reached: 2 });
    expect((await list(key, 'tag=winter')).total).toBe(2);

    const unsubscribed = await postApi(key, '/contacts/bulk', { action: 'unsubscribe', channels: ['email', 'sms'], contactIds: [a] });
    expect(await unsubscribed.json()).toEqual({ reached: 1 });
    const row = await env.DB.prepare('SELECT email_consent, sms_consent, email_consent_source FROM contacts WHERE id = ?').bind(a).first();
    expect(row).toEqual({ email_consent: 'unsubscribed', sms_consent: 'unsubscribed', email_consent_source: 'bulk_api' });
    const changes = await env.DB.prepare('SELECT channel, status, source FROM consent_changes WHERE contact_id = ? ORDER BY channel').bind(a).all();
    expect(changes.results).toEqual([
      { channel: 'email', status: 'unsubscribed', source: 'bulk_api' },
      { channel: 'sms', status: 'unsubscribed', source: 'bulk_api' },
    ]);
    // Like an unsubscribe link, the address is suppressed too.
    expect(await env.DB.prepare('SELECT reason FROM suppressions WHERE workspace_id = ? AND address = ?').bind(merchant.workspaceId, 'sel-a@bulk.example').first('reason')).toBe('unsubscribed');

    await postApi(key, '/contacts/bulk', { action: 'untag', tags: ['WINTER'], contactIds: [a, b, untouched] });
    expect((await list(key, 'tag=winter')).total).toBe(0);
  });

  it('never reaches a contact of another workspace, by id or by filter', async () => {
    const theirs = await insertContact(other.workspaceId, { email: 'theirs@bulk.example' });
    await tagContact(other.workspaceId, theirs, 'shared');
    const res = await postApi(key, '/contacts/bulk', { action: 'erase', contactIds: [theirs] });
    expect(await res.json()).toEqual({ reached: 0 });
    const job = await postApi(key, '/contacts/bulk', { action: 'untag', tags: ['shared'], filter: { tag: 'shared' } });
    expect(job.status).toBe(202);
    expect((await job.json<{ job: BulkJobView }>()).job.total).toBe(0);
    expect(await env.DB.prepare('SELECT count(*) AS n FROM contact_tags WHERE contact_id = ?').bind(theirs).first('n')).toBe(1);
    // Nor can another workspace read the job.
    const mine = await postApi(key, '/contacts/bulk', { action: 'tag', tags: ['x'], filter: { q: 'nobody-matches' } });
    const { job: started } = await mine.json<{ job: BulkJobView }>();
    expect((await callApi(otherKey, `/contacts/bulk/${started.id}`)).status).toBe(404);
  });

  it('answers 400 naming the field for bad input, and 403 for an erase without the erase permission', async () => {
    const paths = async (body: unknown) => (await apiErrorOf(await postApi(key, '/contacts/bulk', body))).issues?.map((issue) => issue.path);
    expect(await paths({ action: 'burn', contactIds: ['01K00000000000000000000000'] })).toEqual(['action']);
    expect(await paths({ action: 'tag', contactIds: ['01K00000000000000000000000'] })).toEqual(['tags']);
    expect(await paths({ action: 'unsubscribe', filter: {} })).toEqual(['channels']);
    expect(await paths({ action: 'erase' })).toEqual(['contactIds']);
    expect(await paths({ action: 'erase', contactIds: ['nope'] })).toEqual(['contactIds.0']);
    expect(await paths({ action: 'erase', filter: { workspaceId: other.workspaceId } })).toEqual(['filter']);

    // An editor may tag but not erase.
    await env.DB.prepare("UPDATE memberships SET role = 'editor' WHERE user_id = ?").bind(merchant.userId).run();
    try {
      const form = await merchant.client.post('/app/contacts/bulk', { action: 'erase', scope: 'filter', confirmErase: 'yes' });
      expect(form.status).toBe(403);
    } finally {
      await env.DB.prepare("UPDATE memberships SET role = 'owner' WHERE user_id = ?").bind(merchant.userId).run();
    }
  });
});

describe('bulk actions on a filter, in the background', () => {
  it('tags 10,000 contacts of a filter through the real queue, with progress up to the total', async () => {
    await insertMany(merchant.workspaceId, 'tenk', 10_000, 'tenk');
    // The other workspace's contacts with the same tag are left alone.
    await insertMany(other.workspaceId, 'tenkother', 50, 'tenk');
    const res = await postApi(key, '/contacts/bulk', { action: 'tag', tags: ['Reached'], filter: { tag: 'tenk' } });
    expect(res.status, await res.clone().text()).toBe(202);
    const { job } = await res.json<{ job: BulkJobView }>();
    expect(job).toMatchObject({ action: 'tag', tags: ['Reached'], status: 'running', total: 10_000, done: 0, filter: { tag: 'tenk' } });
    const done = await waitForJob(key, job.id);
    expect(done).toMatchObject({ status: 'done', total: 10_000, done: 10_000 });
    expect((await list(key, 'tag=reached')).total).toBe(10_000);
    expect(await env.DB.prepare("SELECT count(*) AS n FROM contact_tags WHERE workspace_id = ? AND tag = 'Reached'").bind(other.workspaceId).first('n')).toBe(0);
  }, 120_000);

  it('erases every contact of a filter, and a redelivered page changes nothing twice and counts once', async () => {
    const everyone = () => env.DB.prepare('SELECT count(*) AS n FROM contacts WHERE workspace_id = ?').bind(merchant.workspaceId).first<number>('n');
    await insertMany(merchant.workspaceId, 'erase', 1200, 'erase-me');
    // The unfiltered total is the count the database keeps (triggers), not a scan: it follows inserts and erasures.
    expect((await list(key, '')).total).toBe(await everyone());
    const sent: QueueMessage[] = [];
    const held = { sendBatch: async (messages: { body: QueueMessage }[]) => void sent.push(...messages.map((m) => m.body)) } as unknown as Queue<QueueMessage>;
    const queues: Queues = Object.fromEntries((['EVENTS_QUEUE', 'SENDS_QUEUE', 'IMPORTS_QUEUE'] as QueueBinding[]).map((binding) => [binding, held])) as Queues;
    const job = await startBulkJob(tenant, queues, { action: 'erase', tags: [], channels: [] }, { tag: 'erase-me' }, 'api');
    expect(job.total).toBe(1200);
    const first = sent.shift() as Extract<QueueMessage, { type: 'contact-bulk-page' }>;
    expect(first).toEqual({ type: 'contact-bulk-page', workspaceId: merchant.workspaceId, jobId: job.id, afterContactId: null });
    // The same message three times at once, then again: one page done, one next page enqueued.
    await Promise.all([runBulkPage(tenant, queues, job.id, null), runBulkPage(tenant, queues, job.id, null), runBulkPage(tenant, queues, job.id, null)]);
    await runBulkPage(tenant, queues, job.id, null);
    expect(sent).toHaveLength(1);
    const after = await env.DB.prepare('SELECT done, status FROM contact_bulk_jobs WHERE id = ?').bind(job.id).first();
    expect(after).toEqual({ done: 500, status: 'running' });
    expect((await list(key, 'tag=erase-me')).total).toBe(700);
    // The rest, each page delivered twice.
    while (sent.length) {
      const next = sent.shift() as Extract<QueueMessage, { type: 'contact-bulk-page' }>;
      await runBulkPage(tenant, queues, job.id, next.afterContactId);
      await runBulkPage(tenant, queues, job.id, next.afterContactId);
    }
    expect(await env.DB.prepare('SELECT done, total, status FROM contact_bulk_jobs WHERE id = ?').bind(job.id).first()).toEqual({ done: 1200, total: 1200, status: 'done' });
    expect((await list(key, 'tag=erase-me')).total).toBe(0);
    expect(await env.DB.prepare("SELECT count(*) AS n FROM contacts WHERE workspace_id = ? AND email LIKE 'erase-%'").bind(merchant.workspaceId).first('n')).toBe(0);
    expect((await list(key, '')).total).toBe(await everyone());
  }, 60_000);

  it('unsubscribes a whole consent filter, leaving contacts added after the start out of the total', async () => {
    await insertMany(merchant.workspaceId, 'unsub', 30, 'unsub');
    const res = await postApi(key, '/contacts/bulk', { action: 'unsubscribe', channels: ['email'], filter: { tag: 'unsub', emailConsent: 'subscribed' } });
    const { job } = await res.json<{ job: BulkJobView }>();
    expect(job.total).toBe(30);
    const done = await waitForJob(key, job.id);
    expect(done).toMatchObject({ done: 30, total: 30 });
    expect((await list(key, 'tag=unsub&emailConsent=subscribed')).total).toBe(0);
    expect((await list(key, 'tag=unsub&emailConsent=unsubscribed')).total).toBe(30);
  });
});

describe('bulk jobs that stopped moving', () => {
  type PageMessage = Extract<QueueMessage, { type: 'contact-bulk-page' }>;
  const bindings: QueueBinding[] = ['EVENTS_QUEUE', 'SENDS_QUEUE', 'IMPORTS_QUEUE'];
  /** Queues handing every message to `send` instead of a consumer. */
  const queuesOf = (send: (messages: QueueMessage[]) => Promise<void>): Queues => {
    const queue = { sendBatch: async (messages: { body: QueueMessage }[]) => send(messages.map((m) => m.body)) } as unknown as Queue<QueueMessage>;
    return Object.fromEntries(bindings.map((binding) => [binding, queue])) as Queues;
  };
  const lost = queuesOf(async () => {});
  const jobRow = (id: string) => env.DB.prepare('SELECT status, done, total, cursor, progress_at FROM contact_bulk_jobs WHERE id = ?').bind(id).first();
  const tagCount = (workspaceId: string, tag: string) => env.DB.prepare('SELECT count(*) AS n FROM contact_tags WHERE workspace_id = ? AND tag = ?').bind(workspaceId, tag).first<number>('n');
  const redriven = (results: { name: string; handled: number }[]) => results.find((result) => result.name === 'redrive-stalled-bulk-jobs');

  it('finishes through the cron a job whose next page could not be enqueued, and leaves it alone while it moves', async () => {
    await insertMany(merchant.workspaceId, 'stuck', 1200, 'stuck');
    const started = Date.now();
    const job = await startBulkJob(tenant, lost, { action: 'tag', tags: ['Unstuck'], channels: [] }, { tag: 'stuck' }, 'api', started);
    // The first page is done, then sending the next one fails: the consumer would retry the message...
    const refusing = queuesOf(async () => {
      throw new Error('queue unavailable');
    });
    await expect(runBulkPage(tenant, refusing, job.id, null, started)).rejects.toThrow('queue unavailable');
    // ...and the retry finds the cursor moved: it does nothing, and nothing would ever move the job again.
    const sent: QueueMessage[] = [];
    await runBulkPage(
      tenant,
      queuesOf(async (messages) => void sent.push(...messages)),
      job.id,
      null,
    );
    expect(sent).toEqual([]);
    expect(await jobRow(job.id)).toMatchObject({ status: 'running', done: 500, progress_at: started });

    // Within its wait the cron leaves it be.
    expect(redriven(await runCronTick(env, started + STALL_LIMIT - MINUTE))?.handled).toBe(0);
    const later = started + STALL_LIMIT + MINUTE;
    expect(redriven(await runCronTick(env, later))).toEqual({ name: 'redrive-stalled-bulk-jobs', ok: true, handled: 1 });
    const done = await waitForJob(key, job.id);
    expect(done).toMatchObject({ status: 'done', done: 1200, total: 1200 });
    expect(await tagCount(merchant.workspaceId, 'Unstuck')).toBe(1200);
    // Finished: the next ticks find nothing to re-drive.
    expect(redriven(await runCronTick(env, later + STALL_LIMIT + MINUTE))?.handled).toBe(0);
  }, 60_000);

  it('applies a page once when the re-drive duplicates a message that was only late', async () => {
    await insertMany(merchant.workspaceId, 'late', 700, 'late');
    const sent: QueueMessage[] = [];
    const held = queuesOf(async (messages) => void sent.push(...messages));
    const started = Date.now();
    const job = await startBulkJob(tenant, held, { action: 'unsubscribe', tags: [], channels: ['email'] }, { tag: 'late' }, 'api', started);
    const original = sent.shift() as PageMessage;
    expect(await redriveStalledBulkJobs(openDb(env.DB), held, started + STALL_LIMIT + MINUTE)).toBeGreaterThanOrEqual(1);
    const duplicate = sent.find((message) => message.type === 'contact-bulk-page' && message.jobId === job.id) as PageMessage;
    expect(duplicate).toEqual(original);
    sent.length = 0;
    // Both arrive: the page is applied and counted once, and one next page is enqueued.
    await Promise.all([runBulkPage(tenant, held, job.id, original.afterContactId), runBulkPage(tenant, held, job.id, duplicate.afterContactId)]);
    expect(sent).toHaveLength(1);
    expect(await jobRow(job.id)).toMatchObject({ status: 'running', done: 500 });
    const next = sent.shift() as PageMessage;
    await runBulkPage(tenant, held, job.id, next.afterContactId);
    await runBulkPage(tenant, held, job.id, next.afterContactId);
    expect(await jobRow(job.id)).toMatchObject({ status: 'done', done: 700, total: 700 });
    const changes = await env.DB.prepare(
      "SELECT count(*) AS n FROM consent_changes WHERE workspace_id = ? AND source = 'bulk_api' AND contact_id IN (SELECT id FROM contacts WHERE workspace_id = ? AND email LIKE 'late-%')",
    )
      .bind(merchant.workspaceId, merchant.workspaceId)
      .first<number>('n');
    expect(changes).toBe(700);
  }, 60_000);

  it('re-drives each workspace’s stalled job on its own: one that cannot be re-driven neither blocks nor touches another', async () => {
    await insertMany(merchant.workspaceId, 'mineiso', 600, 'iso');
    await insertMany(other.workspaceId, 'theirsiso', 600, 'iso');
    const otherTenant = forWorkspace(openDb(env.DB), other.workspaceId);
    const started = Date.now();
    // Theirs stalled first, so the re-drive reaches it first.
    const theirs = await startBulkJob(otherTenant, lost, { action: 'erase', tags: [], channels: [] }, { tag: 'iso' }, 'api', started - MINUTE);
    const mine = await startBulkJob(tenant, lost, { action: 'tag', tags: ['IsoDone'], channels: [] }, { tag: 'iso' }, 'api', started);
    // Their page cannot be enqueued; everything else reaches the real queue.
    const queues = queuesOf(async (messages) => {
      if (messages.some((message) => 'workspaceId' in message && message.workspaceId === other.workspaceId)) throw new Error('their queue is down');
      await env.IMPORTS_QUEUE.sendBatch(messages.map((body) => ({ body })));
    });
    const later = started + STALL_LIMIT + MINUTE;
    expect(await redriveStalledBulkJobs(openDb(env.DB), queues, later)).toBe(2);
    expect(await waitForJob(key, mine.id)).toMatchObject({ status: 'done', done: 600, total: 600 });
    expect(await tagCount(merchant.workspaceId, 'IsoDone')).toBe(600);
    // Theirs is where it was, waiting for the next re-drive, its contacts all there and untagged.
    expect(await jobRow(theirs.id)).toEqual({ status: 'running', done: 0, total: 600, cursor: null, progress_at: later });
    expect(await env.DB.prepare("SELECT count(*) AS n FROM contacts WHERE workspace_id = ? AND email LIKE 'theirsiso-%'").bind(other.workspaceId).first('n')).toBe(600);
    expect(await tagCount(other.workspaceId, 'IsoDone')).toBe(0);
    // The next re-drive, once it waited again, finishes theirs within their workspace only.
    expect(await redriveStalledBulkJobs(openDb(env.DB), env, later + STALL_LIMIT + MINUTE)).toBe(1);
    expect(await waitForJob(otherKey, theirs.id)).toMatchObject({ status: 'done', done: 600 });
    expect(await env.DB.prepare("SELECT count(*) AS n FROM contacts WHERE workspace_id = ? AND email LIKE 'theirsiso-%'").bind(other.workspaceId).first('n')).toBe(0);
    expect(await env.DB.prepare("SELECT count(*) AS n FROM contacts WHERE workspace_id = ? AND email LIKE 'mineiso-%'").bind(merchant.workspaceId).first('n')).toBe(600);
  }, 60_000);
});

describe('CSV export of a filter', () => {
  it('exports every contact the filter keeps, escaping cells that would run as formulas', async () => {
    const id = await insertContact(merchant.workspaceId, { email: 'formula@export.example', first_name: '=HYPERLINK("http://evil.example","x")', last_name: '+1+1', phone: null });
    await tagContact(merchant.workspaceId, id, '@export', '-minus');
    await tagContact(merchant.workspaceId, await insertContact(merchant.workspaceId, { email: 'plain@export.example', first_name: 'Plain' }), '@export');
    const theirs = await insertContact(other.workspaceId, { email: 'theirs@export.example' });
    await tagContact(other.workspaceId, theirs, '@export');

    const res = await callApi(key, '/contacts/export.csv?tag=%40export');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/csv');
    const text = await res.text();
    const lines = text
      .replace(/^\uFEFF/, '')
      .trimEnd()
      .split('\r\n');
    expect(lines[0]).toBe('id,email,phone,first_name,last_name,email_consent,sms_consent,tags,total_spent,currency,order_count,last_order_at,created_at');
    expect(lines).toHaveLength(3);
    const formula = lines.find((line) => line.includes('formula@export.example'))!;
    expect(formula).toContain(`,"'=HYPERLINK(""http://evil.example"",""x"")",'+1+1,`);
    expect(formula).toContain(",'-minus; @export,");
    expect(text).not.toContain('theirs@export.example');
  });
});
