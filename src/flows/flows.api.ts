// /api/v1/flows: create from a kind, read, edit (a new version), switch on and off, and
// read the report and the log.
import { Hono } from 'hono';
import { starterContent } from '../email/starter-templates';
import type { AppEnv } from '../env';
import { requirePermission } from '../http/auth';
import { tenantOf } from '../http/tenant';
import { validate } from '../http/validate';
import { getFlowReport, listFlowLogs } from '../reports/flow-report';
import { dayRangeLabels, dayRangeOf, LOG_DEFAULT_DAYS, LogsQuery } from '../reports/reports.schemas';
import { FLOW_KIND_INFO } from './flow-definition';
import { FlowInput, FlowPatch } from './flows.schemas';
import { countEnrollments, createFlow, getFlow, listFlows, setFlowEnabled, updateFlow } from './flows.service';

export const flowApi = new Hono<AppEnv>()
  .get('/', async (c) => c.json({ flows: await listFlows(tenantOf(c)) }))
  .post('/', requirePermission('campaigns:write'), validate('json', FlowInput), async (c) => {
    const input = c.req.valid('json');
    const starter = await starterContent(c.env.ASSETS, c.req.url, FLOW_KIND_INFO[input.kind].starter);
    return c.json({ flow: await createFlow(tenantOf(c), input, starter) }, 201);
  })
  .get('/:id', async (c) => {
    const tenant = tenantOf(c);
    const flow = await getFlow(tenant, c.req.param('id'));
    return c.json({ flow, enrollments: await countEnrollments(tenant, flow) });
  })
  .patch('/:id', requirePermission('campaigns:write'), validate('json', FlowPatch), async (c) => c.json({ flow: await updateFlow(tenantOf(c), c.req.param('id'), c.req.valid('json')) }))
  // Switching on sends messages by itself from then on: the same permission as sending a campaign.
  .post('/:id/enable', requirePermission('campaigns:send'), async (c) => c.json({ flow: await setFlowEnabled(tenantOf(c), c.req.param('id'), true) }))
  .post('/:id/disable', requirePermission('campaigns:send'), async (c) => c.json({ flow: await setFlowEnabled(tenantOf(c), c.req.param('id'), false) }))
  .get('/:id/report', async (c) => c.json(await getFlowReport(tenantOf(c), c.req.param('id'))))
  .get('/:id/logs', validate('query', LogsQuery), async (c) => {
    const query = c.req.valid('query');
    const range = dayRangeOf(query, Date.now(), LOG_DEFAULT_DAYS);
    return c.json({ ...dayRangeLabels(range), ...(await listFlowLogs(tenantOf(c), c.req.param('id'), range, query)) });
  });
