// /app/marketing/flows: the Flows tab, creating a flow from a kind, a flow's page with
// its settings, switching it on and off, and its logs.
import { type Context, Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { flowPath, FlowPage, FlowsTab } from '../dashboard/pages/flows-pages';
import { renderSourceLogs } from '../dashboard/render-source-logs';
import { formErrorsOf, readForm } from '../dashboard/forms';
import type { FormErrors } from '../dashboard/components';
import { renderAppPage } from '../dashboard/render';
import { listEmailContents } from '../email/email-contents.service';
import { starterContent } from '../email/starter-templates';
import type { AppEnv } from '../env';
import { requirePermission } from '../http/auth';
import { tenantOf } from '../http/tenant';
import { AppError } from '../lib/errors';
import { parseOrThrow } from '../lib/validation';
import { exportFlowLogs, getFlowReport, listFlowLogs } from '../reports/flow-report';
import { csvResponse, logsCsv } from '../reports/report-csv';
import { DayRangeQuery, dayRangeLabels, dayRangeOf, LOG_DEFAULT_DAYS } from '../reports/reports.schemas';
import { validate } from '../http/validate';
import { readSourceReport } from '../reports/source-report';
import { roleAllows } from '../workspaces/roles';
import { getWorkspace } from '../workspaces/workspaces.service';
import { FLOW_KIND_INFO, type FlowDefinition, triggerKindOf } from './flow-definition';
import { FlowInput, FlowPatch } from './flows.schemas';
import { countEnrollments, createFlow, getFlow, listFlows, listWaitingContacts, setFlowEnabled, triggerFiredSince, updateFlow } from './flows.service';

const NOTICES = new Map([
  ['saved', 'Settings saved.'],
  ['on', 'The flow is on: contacts enter from what happens from now on.'],
  ['off', 'The flow is off: contacts waiting in it left, and nothing more is sent.'],
]);

const numberOrText = (value: string | undefined) => (value === undefined || value.trim() === '' ? value : Number(value));

/** The settings form as a definition: the flow's current one with the form's fields over it. */
function definitionFromForm(current: FlowDefinition, form: Record<string, string>): unknown {
  const trigger: Record<string, unknown> = { ...current.trigger };
  for (const name of ['minDropPercent', 'interestDays'] as const) if (`trigger.${name}` in form) trigger[name] = numberOrText(form[`trigger.${name}`]);
  if ('trigger.startOn' in form) trigger.startOn = form['trigger.startOn'];
  if ('trigger.skus' in form)
    trigger.skus = (form['trigger.skus'] ?? '')
      .split(',')
      .map((sku) => sku.trim())
      .filter(Boolean);
  const steps = current.steps.map((step, index) =>
    step.type === 'wait' ? { ...step, hours: numberOrText(form[`steps.${index}.hours`]) ?? step.hours } : { ...step, contentId: form[`steps.${index}.contentId`] ?? step.contentId },
  );
  const reentry = form.reentryDays?.trim() ?? '';
  return {
    ...current,
    trigger,
    steps,
    sendingFilter: form.sendingFilter ?? current.sendingFilter,
    reentryDays: reentry === '' ? null : Number(reentry),
    smartSending: form.smartSending === 'on',
    exitOnPurchase: form.exitOnPurchase === 'on',
  };
}

async function renderFlowPage(c: Context<AppEnv>, id: string, state: { values?: Record<string, string>; errors?: FormErrors; notice?: string | undefined } = {}, status: ContentfulStatusCode = 200) {
  const tenant = tenantOf(c);
  const flow = await getFlow(tenant, id);
  const [{ report, weeks }, designs, waiting, counts, workspace, triggerFired] = await Promise.all([
    getFlowReport(tenant, id),
    listEmailContents(tenant),
    listWaitingContacts(tenant, id),
    countEnrollments(tenant, flow),
    getWorkspace(tenant),
    flow.enabled && flow.enabledAt !== null && flow.definition ? triggerFiredSince(tenant, triggerKindOf(flow.definition.trigger), flow.enabledAt) : Promise.resolve(false),
  ]);
  const body = (
    <FlowPage
      flow={flow}
      designs={designs}
      report={report}
      weeks={weeks}
      waiting={waiting}
      diagnosis={{ triggerFired, enteredSinceOn: counts.enteredSinceOn }}
      timeZone={workspace.timeZone}
      csrfToken={c.get('csrfToken')}
      canWrite={roleAllows(c.get('role'), 'campaigns:write')}
      canSend={roleAllows(c.get('role'), 'campaigns:send')}
      values={state.values}
      errors={state.errors}
      notice={state.notice}
    />
  );
  return renderAppPage(c, { title: flow.name, section: 'marketing', body }, status);
}

export const flowRoutes = new Hono<AppEnv>()
  .get('/', async (c) => {
    const tenant = tenantOf(c);
    const flows = await listFlows(tenant);
    const items = await Promise.all(flows.map(async (flow) => ({ flow, report: await readSourceReport(tenant, 'flow', flow.id, null), waiting: (await countEnrollments(tenant, flow)).active })));
    const body = <FlowsTab items={items} csrfToken={c.get('csrfToken')} canWrite={roleAllows(c.get('role'), 'campaigns:write')} canSend={roleAllows(c.get('role'), 'campaigns:send')} />;
    return renderAppPage(c, { title: 'Flows', section: 'marketing', body });
  })
  .post('/', requirePermission('campaigns:write'), async (c) => {
    const { kind } = parseOrThrow(FlowInput.pick({ kind: true }), { kind: (await readForm(c)).kind });
    const flow = await createFlow(tenantOf(c), { kind }, await starterContent(c.env.ASSETS, c.req.url, FLOW_KIND_INFO[kind].starter));
    return c.redirect(flowPath(flow.id), 303);
  })
  .get('/:id', (c) => renderFlowPage(c, c.req.param('id'), { notice: NOTICES.get(c.req.query('done') ?? '') }))
  .post('/:id', requirePermission('campaigns:write'), async (c) => {
    const id = c.req.param('id');
    const tenant = tenantOf(c);
    const form = await readForm(c);
    const flow = await getFlow(tenant, id);
    try {
      if (!flow.definition) throw new AppError('conflict', 'This flow’s settings no longer load; save them again through the API');
      const patch = parseOrThrow(FlowPatch, { name: form.name, definition: definitionFromForm(flow.definition, form) });
      await updateFlow(tenant, id, patch);
      return c.redirect(flowPath(id, '?done=saved'), 303);
    } catch (err) {
      return renderFlowPage(c, id, { values: form, errors: formErrorsOf(err) }, 400);
    }
  })
  .post('/:id/enable', requirePermission('campaigns:send'), async (c) => {
    await setFlowEnabled(tenantOf(c), c.req.param('id'), true);
    return c.redirect(flowPath(c.req.param('id'), '?done=on'), 303);
  })
  .post('/:id/disable', requirePermission('campaigns:send'), async (c) => {
    await setFlowEnabled(tenantOf(c), c.req.param('id'), false);
    return c.redirect(flowPath(c.req.param('id'), '?done=off'), 303);
  })
  .get('/:id/logs', (c) => {
    const tenant = tenantOf(c);
    const id = c.req.param('id');
    return renderSourceLogs(c, { reportPath: flowPath(id), logsPath: flowPath(id, '/logs') }, async (range, query) => ({
      name: (await getFlow(tenant, id)).name,
      page: await listFlowLogs(tenant, id, range, query),
    }));
  })
  .get('/:id/logs.csv', validate('query', DayRangeQuery), async (c) => {
    const range = dayRangeOf(c.req.valid('query'), Date.now(), LOG_DEFAULT_DAYS);
    const { flow, pages } = await exportFlowLogs(tenantOf(c), c.req.param('id'), range);
    const days = dayRangeLabels(range);
    return csvResponse(logsCsv(pages), flow.name, `logs-${days.from}-${days.to}`);
  });
