// GET /healthz: readiness (a D1 round trip), for uptime checks; GET /healthz/live:
// liveness only (the Worker answers), which also serves as the benchmarks' baseline.
import { Hono } from 'hono';
import type { AppEnv } from '../env';

export const healthRoutes = new Hono<AppEnv>()
  .get('/live', (c) => c.text('ok'))
  .get('/', async (c) => {
    const started = Date.now();
    try {
      await c.env.DB.prepare('SELECT 1').first();
      return c.json({ status: 'ok', checks: { d1: { status: 'ok', latencyMs: Date.now() - started } } });
    } catch (err) {
      console.error(JSON.stringify({ level: 'error', check: 'd1', error: String(err) }));
      return c.json({ status: 'degraded', checks: { d1: { status: 'failing' } } }, 503);
    }
  });
