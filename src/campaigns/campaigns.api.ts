// /api/v1/campaigns: build, schedule, pause, resume, cancel, test-send, and read
// progress and results recipient by recipient, the report and the log.
import { Hono } from 'hono';
import type { AppEnv } from '../env';
import { testSendRateLimit } from '../http/rate-limit';
import { requirePermission } from '../http/auth';
import { tenantOf } from '../http/tenant';
import { validate } from '../http/validate';
import { getCampaignReport, listCampaignLogs, listCampaignRecipients } from '../reports/campaign-report';
import { dayRangeLabels, dayRangeOf, LOG_DEFAULT_DAYS, LogsQuery, RecipientsQuery } from '../reports/reports.schemas';
import { AudienceCountInput, CampaignInput, CampaignPatch, CampaignResultsQuery, CampaignTestSendInput, ScheduleInput } from './campaigns.schemas';
import {
  cancelCampaign,
  countCampaignAudience,
  createCampaign,
  getCampaign,
  getCampaignResults,
  listCampaigns,
  pauseCampaign,
  resumeCampaign,
  scheduleCampaign,
  testSendCampaign,
  unscheduleCampaign,
  updateCampaign,
} from './campaigns.service';

export const campaignApi = new Hono<AppEnv>()
  .get('/', async (c) => c.json({ campaigns: await listCampaigns(tenantOf(c)) }))
  .post('/', requirePermission('campaigns:write'), validate('json', CampaignInput), async (c) => c.json({ campaign: await createCampaign(tenantOf(c), c.req.valid('json')) }, 201))
  // The builder's live count: who would receive it if it went out now.
  .post('/audience-count', validate('json', AudienceCountInput), async (c) => c.json({ count: await countCampaignAudience(tenantOf(c), c.req.valid('json')) }))
  .get('/:id', async (c) => c.json({ campaign: await getCampaign(tenantOf(c), c.req.param('id')) }))
  .patch('/:id', requirePermission('campaigns:write'), validate('json', CampaignPatch), async (c) => c.json({ campaign: await updateCampaign(tenantOf(c), c.req.param('id'), c.req.valid('json')) }))
  .post('/:id/schedule', requirePermission('campaigns:send'), validate('json', ScheduleInput), async (c) =>
    c.json({ campaign: await scheduleCampaign(tenantOf(c), c.env, c.req.param('id'), c.req.valid('json')) }),
  )
  .post('/:id/unschedule', requirePermission('campaigns:send'), async (c) => c.json({ campaign: await unscheduleCampaign(tenantOf(c), c.req.param('id')) }))
  .post('/:id/pause', requirePermission('campaigns:send'), async (c) => c.json({ campaign: await pauseCampaign(tenantOf(c), c.req.param('id')) }))
  .post('/:id/resume', requirePermission('campaigns:send'), async (c) => c.json({ campaign: await resumeCampaign(tenantOf(c), c.env, c.req.param('id')) }))
  .post('/:id/cancel', requirePermission('campaigns:send'), async (c) => c.json({ campaign: await cancelCampaign(tenantOf(c), c.env, c.req.param('id')) }))
  // Failed, skipped, unknown-outcome and cancelled recipients with their reasons, a keyset page at a time.
  .get('/:id/deliveries', validate('query', CampaignResultsQuery), async (c) => c.json(await getCampaignResults(tenantOf(c), c.req.param('id'), c.req.valid('query'))))
  // The report: deliveries, opens, clicks, unsubscribes, conversions, the first 48 hours, links.
  .get('/:id/report', async (c) => c.json(await getCampaignReport(tenantOf(c), c.req.param('id'))))
  .get('/:id/recipients', validate('query', RecipientsQuery), async (c) => c.json(await listCampaignRecipients(tenantOf(c), c.req.param('id'), c.req.valid('query'))))
  .get('/:id/logs', validate('query', LogsQuery), async (c) => {
    const query = c.req.valid('query');
    const range = dayRangeOf(query, Date.now(), LOG_DEFAULT_DAYS);
    return c.json({ ...dayRangeLabels(range), ...(await listCampaignLogs(tenantOf(c), c.req.param('id'), range, query)) });
  })
  .post('/:id/test-send', requirePermission('campaigns:write'), testSendRateLimit(), validate('json', CampaignTestSendInput), async (c) => {
    const results = await testSendCampaign(tenantOf(c), c.env, c.req.param('id'), c.req.valid('json').to);
    return c.json({ results: results.map(({ to, outcome }) => ({ to, ok: outcome.ok, message: outcome.message })) });
  });
