// /api/v1/reports: the workspace's marketing overview (the figures and weekly activity of /app/marketing).
import { Hono } from 'hono';
import type { AppEnv } from '../env';
import { tenantOf } from '../http/tenant';
import { validate } from '../http/validate';
import { readChannelFigures, readOverviewFigures, readWeeklyActivity } from './marketing-overview';
import { dayRangeLabels, dayRangeOf, OVERVIEW_DEFAULT_DAYS, DayRangeQuery } from './reports.schemas';

/** Mounted at /api/v1/reports. */
export const reportApi = new Hono<AppEnv>().get('/overview', validate('query', DayRangeQuery), async (c) => {
  const tenant = tenantOf(c);
  const range = dayRangeOf(c.req.valid('query'), Date.now(), OVERVIEW_DEFAULT_DAYS);
  const [figures, channels, weeks] = await Promise.all([readOverviewFigures(tenant, range), readChannelFigures(tenant, range), readWeeklyActivity(tenant, range)]);
  return c.json({ ...dayRangeLabels(range), figures, channels, weeks });
});
