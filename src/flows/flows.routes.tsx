// /app/marketing/flows: the Flows tab, creating a flow from a kind, a flow's page with
// its settings, switching it on and off, and its logs.
import { type Context, Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { FlowKindChoicePage, flowPath, FlowPage, FlowsTab } from '../dashboard/pages/flows-pages';
import { renderSourceLogs } from '../dashboard/render-source-logs';
import { formErrorsOf, readForm } from '../dashboard/forms';
import type { FormErrors } from '../dashboard/components';
import { renderAppPage } from '../dashboard/render';
import { FlowWizardPage, STARTER_CHOICE, type WizardStage } from '../dashboard/pages/flow-wizard-page';
import type { FlowKind } from '../db/schema';
import { createEmailContent, getEmailContent, listEmailContents } from '../email/email-contents.service';
import { getEmailSender } from '../email/email-sender.service';
import { starterContent } from '../email/starter-templates';
import type { AppEnv } from '../env';
import { requirePermission } from '../http/auth';
import { CSRF_FIELD } from '../http/csrf';
import { tenantOf } from '../http/tenant';
import { AppError, invalidField } from '../lib/errors';
import { parseOrThrow } from '../lib/validation';
import { exportFlowLogs, getFlowReport, listFlowLogs } from '../reports/flow-report';
import { csvResponse, logsCsv } from '../reports/report-csv';
import { DayRangeQuery, dayRangeLabels, dayRangeOf, LOG_DEFAULT_DAYS } from '../reports/reports.schemas';
import { validate } from '../http/validate';
import { readSourceReport } from '../reports/source-report';
import { createSmsContent, listSmsContents } from '../sms/sms-contents.service';
import { roleAllows } from '../workspaces/roles';
import { getWorkspace } from '../workspaces/workspaces.service';
import { defaultDefinition, FLOW_KIND_INFO, isMessageStep, STARTER_SMS_BODY, triggerKindOf } from './flow-definition';
import { definitionFromForm, opExceedsBounds, readStepOp, wizardDefinition } from './flow-form';
import { FlowInput, FlowPatch, WizardMessage } from './flows.schemas';
import { countEnrollments, createFlow, getFlow, listFlows, listWaitingContacts, setFlowEnabled, triggerFiredSince, updateFlow } from './flows.service';

const NOTICES = new Map([
  ['saved', 'Settings saved.'],
  ['created', 'Flow created, switched off: switch it on when you are ready.'],
  ['steps', 'Steps saved. Contacts already in the flow finish the version they entered.'],
  ['on', 'The flow is on: contacts enter from what happens from now on.'],
  ['off', 'The flow is off: contacts waiting in it left, and nothing more is sent.'],
]);

async function renderFlowPage(c: Context<AppEnv>, id: string, state: { values?: Record<string, string>; errors?: FormErrors; notice?: string | undefined } = {}, status: ContentfulStatusCode = 200) {
  const tenant = tenantOf(c);
  const flow = await getFlow(tenant, id);
  const [{ report, weeks, rules }, emails, texts, waiting, counts, workspace, triggerFired] = await Promise.all([
    getFlowReport(tenant, id),
    listEmailContents(tenant),
    listSmsContents(tenant),
    listWaitingContacts(tenant, id),
    countEnrollments(tenant, flow),
    getWorkspace(tenant),
    flow.enabled && flow.enabledAt !== null && flow.definition ? triggerFiredSince(tenant, triggerKindOf(flow.definition.trigger), flow.enabledAt) : Promise.resolve(false),
  ]);
  const body = (
    <FlowPage
      flow={flow}
      designs={[...emails.map(({ id, name }) => ({ id, name, channel: 'email' as const })), ...texts.map(({ id, name }) => ({ id, name, channel: 'sms' as const }))]}
      report={report}
      rules={rules}
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

/** Where an error of the definition is, in the page's words (`definition.steps.3.ifNo` is "Step 4, if no"). */
function placeOf(path: string): string {
  const match = /^definition\.(steps|trigger\.rules)\.(\d+)(?:\.(\w+))?/.exec(path);
  if (!match) return path === 'form' ? 'This change' : path.replace(/^definition\./, '');
  const branch = match[3] === 'ifYes' ? ', if yes' : match[3] === 'ifNo' ? ', if no' : '';
  return `${match[1] === 'steps' ? 'Step' : 'Rule'} ${Number(match[2]) + 1}${branch}`;
}

const WizardKind = FlowInput.pick({ kind: true });
const WizardDefinition = FlowPatch.required({ definition: true }).pick({ definition: true });

async function renderWizard(c: Context<AppEnv>, kind: FlowKind, stage: WizardStage, values: Record<string, string>, errors: FormErrors = {}, status: ContentfulStatusCode = 200) {
  const tenant = tenantOf(c);
  const [designs, workspace, sender, starter] = await Promise.all([
    listEmailContents(tenant),
    getWorkspace(tenant),
    getEmailSender(tenant),
    starterContent(c.env.ASSETS, c.req.url, FLOW_KIND_INFO[kind].starter),
  ]);
  // Shown as it will be sent: the workspace's own sender, or the platform's until it has one.
  const from = { name: workspace.senderName ?? workspace.name, email: sender.configured && sender.fromEmail ? sender.fromEmail : c.env.PLATFORM_SENDER_EMAIL };
  const parsed = WizardDefinition.safeParse({ definition: wizardDefinition(kind, values, STARTER_CHOICE) });
  const body = (
    <FlowWizardPage
      kind={kind}
      stage={stage}
      definition={parsed.success ? parsed.data.definition : defaultDefinition(kind, STARTER_CHOICE)}
      values={values}
      errors={errors}
      designs={designs}
      sender={from}
      starterSubject={starter.subject}
      csrfToken={c.get('csrfToken')}
      canSend={roleAllows(c.get('role'), 'campaigns:send')}
    />
  );
  return renderAppPage(c, { title: `Create a ${FLOW_KIND_INFO[kind].name} flow`, section: 'marketing', body }, status);
}

/** The wizard's move: back or on to a stage (checking the stages before it), or create. */
async function wizardStep(c: Context<AppEnv>) {
  const { [CSRF_FIELD]: _token, goto = '1', ...form } = await readForm(c);
  const { kind } = parseOrThrow(WizardKind, { kind: form.kind });
  if (goto === '1') return renderWizard(c, kind, 1, form);
  const tenant = tenantOf(c);
  let stage: WizardStage = 1;
  try {
    parseOrThrow(WizardDefinition, { definition: wizardDefinition(kind, form, STARTER_CHOICE) });
    if (goto === '2') return renderWizard(c, kind, 2, form);
    stage = 2;
    const message = parseOrThrow(WizardMessage, { name: form.name, design: form.design, subject: form.subject });
    if (message.design !== STARTER_CHOICE) await getEmailContent(tenant, message.design).catch(() => Promise.reject(invalidField('design', 'Choose one of your designs')));
    if (goto === '3') return renderWizard(c, kind, 3, form);
    const starter = await starterContent(c.env.ASSETS, c.req.url, FLOW_KIND_INFO[kind].starter);
    const contentId = message.design === STARTER_CHOICE ? (await createEmailContent(tenant, { name: `${message.name}: message 1`, ...starter, subject: message.subject })).id : message.design;
    const { definition } = parseOrThrow(WizardDefinition, { definition: wizardDefinition(kind, form, contentId) });
    const flow = await createFlow(tenant, { kind, name: message.name, definition }, starter);
    if (goto === 'create-on' && roleAllows(c.get('role'), 'campaigns:send')) {
      await setFlowEnabled(tenant, flow.id, true);
      return c.redirect(flowPath(flow.id, '?done=on'), 303);
    }
    return c.redirect(flowPath(flow.id, '?done=created'), 303);
  } catch (err) {
    return renderWizard(c, kind, stage, form, formErrorsOf(err), 400);
  }
}

export const flowRoutes = new Hono<AppEnv>()
  .get('/', async (c) => {
    const tenant = tenantOf(c);
    const flows = await listFlows(tenant);
    const items = await Promise.all(flows.map(async (flow) => ({ flow, report: await readSourceReport(tenant, 'flow', flow.id, null), waiting: (await countEnrollments(tenant, flow)).active })));
    const body = <FlowsTab items={items} csrfToken={c.get('csrfToken')} canWrite={roleAllows(c.get('role'), 'campaigns:write')} canSend={roleAllows(c.get('role'), 'campaigns:send')} />;
    return renderAppPage(c, { title: 'Flows', section: 'marketing', body });
  })
  .get('/new', requirePermission('campaigns:write'), (c) => {
    const kind = c.req.query('kind');
    // A bookmarked or typed address without a kind starts one step earlier: choosing it.
    if (kind === undefined) return renderAppPage(c, { title: 'Create a flow', section: 'marketing', body: <FlowKindChoicePage /> });
    return renderWizard(c, parseOrThrow(WizardKind, { kind }).kind, 1, {});
  })
  .post('/new', requirePermission('campaigns:write'), wizardStep)
  .get('/:id', (c) => renderFlowPage(c, c.req.param('id'), { notice: NOTICES.get(c.req.query('done') ?? '') }))
  .post('/:id', requirePermission('campaigns:write'), async (c) => {
    const id = c.req.param('id');
    const tenant = tenantOf(c);
    const form = await readForm(c);
    const flow = await getFlow(tenant, id);
    const op = readStepOp(form.op);
    try {
      if (!flow.definition) throw new AppError('conflict', 'This flow’s settings no longer load; save them again through the API');
      const bound = opExceedsBounds(flow.definition, op);
      if (bound) throw invalidField('definition.steps', bound);
      // An added message starts from the kind's starter design, as the flow's first one did;
      // an added text from a short starter the merchant rewrites.
      const messageName = `${form.name || flow.name}: message ${flow.definition.steps.filter(isMessageStep).length + 1}`;
      const design =
        op?.kind === 'add-email'
          ? await createEmailContent(tenant, { name: messageName, ...(await starterContent(c.env.ASSETS, c.req.url, FLOW_KIND_INFO[flow.kind].starter)) })
          : op?.kind === 'add-sms'
            ? await createSmsContent(tenant, { name: messageName, body: STARTER_SMS_BODY })
            : null;
      const patch = parseOrThrow(FlowPatch, { name: form.name, definition: definitionFromForm(flow.definition, form, op, design?.id ?? null) });
      await updateFlow(tenant, id, patch);
      return c.redirect(flowPath(id, op ? '?done=steps#steps-heading' : '?done=saved'), 303);
    } catch (err) {
      const errors = formErrorsOf(err);
      // After an add, a move or a removal the steps no longer sit where the page shows them, so the errors are said above the form.
      return renderFlowPage(
        c,
        id,
        {
          values: form,
          errors: op
            ? {
                form: Object.entries(errors)
                  .map(([path, message]) => `${placeOf(path)}: ${message}`)
                  .join(' '),
              }
            : errors,
        },
        400,
      );
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
