// GET /healthz: readiness for uptime checks: a D1 round trip, and whether work moves (the
// cron ticks, every queue's consumer keeps up, imports and bulk jobs progress; see queue-health.ts);
// 503 when any of them does not. GET /healthz/d1: the D1 round trip alone, for checks
// polled often from many places that should not run the work queries each time; it is
// also the benchmarks' floor for a path that reads D1. GET /healthz/live: liveness only
// (the Worker answers), which also serves as the benchmarks' baseline.
import { Hono } from 'hono';
import { openDb } from '../db/client';
import type { AppEnv } from '../env';
import { readWorkHealth } from './queue-health';

type D1Check = { status: 'ok'; latencyMs: number } | { status: 'failing' };

/** One trivial query: whether D1 answers, and how long it took. */
async function checkD1(d1: D1Database): Promise<D1Check> {
  const started = Date.now();
  try {
    await d1.prepare('SELECT 1').first();
    return { status: 'ok', latencyMs: Date.now() - started };
  } catch (err) {
    console.error(JSON.stringify({ level: 'error', check: 'd1', error: String(err) }));
    return { status: 'failing' };
  }
}

const degraded = (d1: D1Check) => ({ status: 'degraded', checks: { d1 } });

export const healthRoutes = new Hono<AppEnv>()
  .get('/live', (c) => c.text('ok'))
  .get('/d1', async (c) => {
    const d1 = await checkD1(c.env.DB);
    return d1.status === 'ok' ? c.json({ status: 'ok', checks: { d1 } }) : c.json(degraded(d1), 503);
  })
  .get('/', async (c) => {
    const d1 = await checkD1(c.env.DB);
    if (d1.status !== 'ok') return c.json(degraded(d1), 503);
    try {
      const work = await readWorkHealth(openDb(c.env.DB), Date.now());
      const checks = { d1, cron: work.cron, queues: work.queues, imports: work.imports, bulkJobs: work.bulkJobs };
      return c.json({ status: work.ok ? 'ok' : 'degraded', checks }, work.ok ? 200 : 503);
    } catch (err) {
      console.error(JSON.stringify({ level: 'error', check: 'work', error: String(err) }));
      return c.json(degraded({ status: 'failing' }), 503);
    }
  });
