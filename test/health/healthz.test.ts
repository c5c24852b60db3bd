// /healthz says whether work moves, not only whether D1 answers: a queue whose consumer
// stopped, a cron that stopped, or an import or bulk job that stopped moving makes it 503
// with the reason, and the cron re-drives an import or bulk job whose messages were lost.
import { env, exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { startBulkJob } from '../../src/contacts/contact-bulk.service';
import { createContactImport } from '../../src/contacts/contact-imports.service';
import { openDb } from '../../src/db/client';
import { forWorkspace } from '../../src/db/tenant';
import { QUEUE_LAG_LIMIT } from '../../src/health/queue-health';
import { STALL_LIMIT } from '../../src/health/stalled-work';
import { runCronTick } from '../../src/jobs/cron';
import type { Queues } from '../../src/queues/enqueue';
import { MINUTE } from '../../src/lib/time';
import { signUpMerchant } from '../helpers/factories';

type Health = {
  status: string;
  checks: {
    d1: { status: string };
    cron: { status: string; lastTickAt: number | null };
    queues: Record<string, { status: string; lagMs: number | null }>;
    imports: { stalled: number };
    bulkJobs: { stalled: number };
  };
};

async function health(): Promise<{ code: number; body: Health }> {
  const res = await exports.default.fetch('http://example.com/healthz');
  return { code: res.status, body: await res.json<Health>() };
}

const allConsumed = () => env.DB.prepare('SELECT count(*) AS n FROM queue_heartbeats WHERE consumed_at IS NOT NULL').first<number>('n');

// Queues that accept every message and deliver none: messages lost between the upload and the consumer.
const losingQueues = { sendBatch: async () => {}, send: async () => {} } as unknown as Queue;
const lost: Queues = { EVENTS_QUEUE: losingQueues, SENDS_QUEUE: losingQueues, IMPORTS_QUEUE: losingQueues };

/** Makes one import or bulk job look stalled (its last progress past the limit) while the queues' heartbeats stay fresh. */
async function markStalled(table: 'contact_imports' | 'contact_bulk_jobs', id: string, started: number) {
  await env.DB.prepare('UPDATE queue_heartbeats SET sent_at = ?, consumed_sent_at = ?').bind(Date.now(), Date.now()).run();
  await env.DB.prepare(`UPDATE ${table} SET progress_at = ? WHERE id = ?`)
    .bind(started - STALL_LIMIT - MINUTE, id)
    .run();
}

describe('GET /healthz', () => {
  it('answers 200 before any cron tick, with the cron and queues unknown', async () => {
    const { code, body } = await health();
    expect(code).toBe(200);
    expect(body.status).toBe('ok');
    expect(body.checks.d1.status).toBe('ok');
    expect(body.checks.cron.status).toBe('unknown');
    expect(body.checks.queues.EVENTS_QUEUE).toEqual({ status: 'unknown', lagMs: null });
  });

  it('is ok once every queue consumed the tick’s heartbeat, and degraded when a consumer falls behind or the cron stops', async () => {
    const now = Date.now();
    await runCronTick(env, now);
    await expect.poll(allConsumed, { timeout: 10_000, interval: 100 }).toBe(3);
    let { code, body } = await health();
    expect(code).toBe(200);
    expect(body.checks.cron).toEqual({ status: 'ok', lastTickAt: now });
    for (const queue of ['EVENTS_QUEUE', 'SENDS_QUEUE', 'IMPORTS_QUEUE']) expect(body.checks.queues[queue]).toEqual({ status: 'ok', lagMs: 0 });

    // The events consumer stopped: the heartbeats sent since were never read.
    await env.DB.prepare("UPDATE queue_heartbeats SET consumed_sent_at = sent_at - ? WHERE queue = 'EVENTS_QUEUE'")
      .bind(QUEUE_LAG_LIMIT + MINUTE)
      .run();
    ({ code, body } = await health());
    expect(code).toBe(503);
    expect(body.status).toBe('degraded');
    expect(body.checks.queues.EVENTS_QUEUE).toEqual({ status: 'behind', lagMs: QUEUE_LAG_LIMIT + MINUTE });
    expect(body.checks.queues.SENDS_QUEUE!.status).toBe('ok');

    // The next heartbeat read catches it up.
    await runCronTick(env, now + MINUTE);
    await expect.poll(async () => (await health()).code, { timeout: 10_000, interval: 100 }).toBe(200);

    // No tick for six minutes: the cron stopped.
    await env.DB.prepare('UPDATE queue_heartbeats SET sent_at = ?, consumed_sent_at = ?')
      .bind(Date.now() - 6 * MINUTE, Date.now() - 6 * MINUTE)
      .run();
    ({ code, body } = await health());
    expect(code).toBe(503);
    expect(body.checks.cron.status).toBe('silent');
  });

  it('shows an import whose chunk messages were lost, and the cron re-drives it to the end', async () => {
    const { workspaceId } = await signUpMerchant('Lost chunks');
    const tenant = forWorkspace(openDb(env.DB), workspaceId);
    const rows = Array.from({ length: 1_200 }, (_, i) => `lost-${i}@example.com,Lost ${i}`);
    const started = Date.now();
    const upload = await createContactImport(tenant, lost, { fileName: 'lost.csv', csv: ['email,first_name', ...rows].join('\n') }, started);
    expect(upload.totalChunks).toBeGreaterThan(1);

    // Still within its wait: not stalled, and the cron leaves it alone.
    expect((await health()).body.checks.imports.stalled).toBe(0);
    const later = started + STALL_LIMIT + MINUTE;
    await markStalled('contact_imports', upload.id, started);
    const { code, body } = await health();
    expect(code).toBe(503);
    expect(body.checks.imports.stalled).toBe(1);

    const results = await runCronTick(env, later);
    expect(results.find((result) => result.name === 'redrive-stalled-imports')).toEqual({ name: 'redrive-stalled-imports', ok: true, handled: 1 });
    await expect.poll(() => env.DB.prepare('SELECT status FROM contact_imports WHERE id = ?').bind(upload.id).first<string>('status'), { timeout: 20_000, interval: 200 }).toBe('done');
    const imported = await env.DB.prepare("SELECT count(*) AS n FROM contacts WHERE workspace_id = ? AND email LIKE 'lost-%'").bind(workspaceId).first<number>('n');
    expect(imported).toBe(1_200);
    // Re-driven once: the next tick finds nothing stalled.
    const again = await runCronTick(env, later + MINUTE);
    expect(again.find((result) => result.name === 'redrive-stalled-imports')?.handled).toBe(0);
  });

  it('shows a bulk job whose next page was lost, and the cron re-drives it to the end', async () => {
    const { workspaceId } = await signUpMerchant('Lost pages');
    const tenant = forWorkspace(openDb(env.DB), workspaceId);
    await env.DB.prepare(
      `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 700)
       INSERT INTO contacts (id, workspace_id, email, email_consent, sms_consent, registered, total_spent_cents, order_count, created_at, updated_at)
       SELECT printf('01KLOSTPAGE0000%011d', i), ?, printf('page-%d@lost.example', i), 'subscribed', 'not_subscribed', 0, 0, 0, 0, 0 FROM n`,
    )
      .bind(workspaceId)
      .run();
    const started = Date.now();
    const job = await startBulkJob(tenant, lost, { action: 'tag', tags: ['found'], channels: [] }, {}, 'api', started);
    expect(job.total).toBe(700);

    // Still within its wait: not stalled, and the cron leaves it alone.
    expect((await health()).body.checks.bulkJobs.stalled).toBe(0);
    await markStalled('contact_bulk_jobs', job.id, started);
    const { code, body } = await health();
    expect(code).toBe(503);
    expect(body.status).toBe('degraded');
    expect(body.checks.bulkJobs.stalled).toBe(1);

    const later = started + MINUTE;
    const results = await runCronTick(env, later);
    expect(results.find((result) => result.name === 'redrive-stalled-bulk-jobs')).toEqual({ name: 'redrive-stalled-bulk-jobs', ok: true, handled: 1 });
    await expect.poll(() => env.DB.prepare('SELECT status FROM contact_bulk_jobs WHERE id = ?').bind(job.id).first<string>('status'), { timeout: 30_000, interval: 200 }).toBe('done');
    expect(await env.DB.prepare("SELECT count(*) AS n FROM contact_tags WHERE workspace_id = ? AND tag = 'found'").bind(workspaceId).first<number>('n')).toBe(700);
    expect((await health()).body.checks.bulkJobs.stalled).toBe(0);
  });

  it('tells merchants on the store connections page when store events are applied late', async () => {
    const merchant = await signUpMerchant('Late events');
    // A day ahead, so a heartbeat of an earlier test's tick read meanwhile cannot catch it up.
    const now = Date.now() + 86_400_000;
    await env.DB.prepare(
      "INSERT INTO queue_heartbeats (queue, sent_at, consumed_sent_at) VALUES ('EVENTS_QUEUE', ?, ?) ON CONFLICT DO UPDATE SET sent_at = excluded.sent_at, consumed_sent_at = excluded.consumed_sent_at",
    )
      .bind(now, now - 20 * MINUTE)
      .run();
    const late = await (await merchant.client.get('/app/settings/stores')).text();
    expect(late).toContain('Store events are being applied late: the platform is about 20 minutes behind.');
    await env.DB.prepare("UPDATE queue_heartbeats SET consumed_sent_at = sent_at WHERE queue = 'EVENTS_QUEUE'").run();
    expect(await (await merchant.client.get('/app/settings/stores')).text()).not.toContain('applied late');
  });
});

describe('GET /healthz/d1', () => {
  it('answers from one D1 round trip, without the work checks that make /healthz 503', async () => {
    // The events consumer behind: /healthz is degraded, but D1 itself answers.
    const now = Date.now();
    await env.DB.prepare(
      "INSERT INTO queue_heartbeats (queue, sent_at, consumed_sent_at) VALUES ('EVENTS_QUEUE', ?, ?) ON CONFLICT DO UPDATE SET sent_at = excluded.sent_at, consumed_sent_at = excluded.consumed_sent_at",
    )
      .bind(now, now - QUEUE_LAG_LIMIT - MINUTE)
      .run();
    expect((await health()).code).toBe(503);

    const res = await exports.default.fetch('http://example.com/healthz/d1');
    expect(res.status).toBe(200);
    const body = await res.json<{ status: string; checks: Record<string, { status: string; latencyMs: number }> }>();
    expect(body.status).toBe('ok');
    expect(Object.keys(body.checks)).toEqual(['d1']);
    expect(body.checks.d1!.status).toBe('ok');
    expect(body.checks.d1!.latencyMs).toBeGreaterThanOrEqual(0);
  });
});
