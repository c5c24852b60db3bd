// Marketing → Campaigns (mounted at /app/marketing/campaigns): the new-campaign form,
// the builder's steps as plain form posts, and JSON for /campaign-builder.js (the live
// audience count, and a sending campaign's progress).
import { Hono, type Context } from 'hono';
import type { Child } from 'hono/jsx';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { FormErrors } from '../dashboard/components';
import { formErrorsOf, readForm } from '../dashboard/forms';
import {
  CAMPAIGN_STEPS,
  CampaignBuilder,
  CampaignDetails,
  NewCampaignPage,
  type CampaignPageProps,
  type CampaignStep,
  type StepProps,
  type TestSendResult,
} from '../dashboard/pages/campaign-builder-pages';
import { campaignPath } from '../dashboard/pages/campaign-parts';
import { renderAppPage } from '../dashboard/render';
import type { Tenant } from '../db/tenant';
import type { AppEnv } from '../env';
import { testSendRateLimit } from '../http/rate-limit';
import { requirePermission } from '../http/auth';
import { roleAllows } from '../workspaces/roles';
import { tenantOf } from '../http/tenant';
import { parseOrThrow, validate } from '../http/validate';
import { AppError, invalidField } from '../lib/errors';
import { DAY, utcToZonedLocal } from '../lib/time';
import { loadStarters, starterContent } from '../email/starter-templates';
import { EmailContentInput } from '../email/email-contents.schemas';
import { footerAddressIssue } from '../email/footer-compliance';
import { sendingDomainWarning } from '../email/sending-domain';
import { createEmailContent, listEmailContents } from '../email/email-contents.service';
import { listSegments } from '../segments/segments.service';
import { listSmsContents } from '../sms/sms-contents.service';
import { getWorkspace } from '../workspaces/workspaces.service';
import { assertCampaignMove, canMoveCampaign } from './campaign-status';
import { AudienceCountInput, CampaignInput, CampaignPatch, CampaignTestSendInput, ScheduleInput } from './campaigns.schemas';
import {
  cancelCampaign,
  countCampaignAudience,
  createCampaign,
  getCampaign,
  pauseCampaign,
  resumeCampaign,
  scheduleCampaign,
  testSendCampaign,
  unscheduleCampaign,
  updateCampaign,
  type CampaignView,
} from './campaigns.service';
import { getPlatformSenderStatus } from '../email/platform-sender-status';
import { getSenderHealth } from '../email/sender-health';
import type { RecipientLinks } from '../dashboard/pages/source-report-parts';
import { renderSourceLogs } from '../dashboard/render-source-logs';
import { exportCampaignLogs, exportCampaignRecipients, listCampaignLogs } from '../reports/campaign-report';
import { csvResponse, logsCsv, recipientsCsv } from '../reports/report-csv';
import { DayRangeQuery, dayRangeLabels, dayRangeOf, LOG_DEFAULT_DAYS, RecipientsQuery } from '../reports/reports.schemas';
import { listSourceRecipients } from '../reports/source-recipients';
import { readSourceReport } from '../reports/source-report';

// What the page says after an action, by the `done` the action redirects with.
const DONE_NOTICES = new Map([
  ['audience', 'Audience saved.'],
  ['content', 'Design chosen.'],
  ['starter', 'A new design was made from the template. Edit it in the editor, or send yourself a test.'],
  ['scheduled', 'Campaign scheduled.'],
  ['sending', 'Sending has started.'],
  ['unscheduled', 'Taken off the schedule: the campaign is a draft again.'],
  ['cancelled', 'Campaign cancelled.'],
  ['paused', 'Campaign paused. Messages already on their way still finish.'],
  ['resumed', 'Resumed: sending continues where it stopped, and no one gets it twice.'],
]);

// The step holding each field, so a refused post opens the step where it can be fixed.
const STEP_OF_FIELD: [string, CampaignStep][] = [
  ['audience', 'audience'],
  ['sendingFilter', 'audience'],
  ['contentId', 'content'],
  ['channel', 'content'],
  ['to', 'content'],
  ['sendAt', 'schedule'],
  ['postalAddress', 'schedule'],
];

function stepOfErrors(errors: FormErrors, fallback: CampaignStep): CampaignStep {
  for (const path of Object.keys(errors)) {
    const match = STEP_OF_FIELD.find(([field]) => path === field || path.startsWith(`${field}.`));
    if (match) return match[1];
  }
  return fallback;
}

/** The audience step's form as a CampaignPatch (inline rules arrive as JSON text). */
function readAudienceForm(form: Record<string, string>): CampaignPatch {
  let audience: unknown = { type: form.audience };
  if (form.audience === 'segment') audience = { type: 'segment', segmentId: form.segmentId ?? '' };
  if (form.audience === 'rules') {
    try {
      audience = { type: 'rules', definition: JSON.parse(form.definition ?? '') };
    } catch {
      throw invalidField('audience.definition', 'The rules are not valid JSON');
    }
  }
  return parseOrThrow(CampaignPatch, { audience, sendingFilter: form.sendingFilter });
}

/** The schedule step's choice (now, or a wall time in the workspace's zone) as ScheduleInput. */
function readScheduleForm(form: Record<string, string>): ScheduleInput {
  if (form.when === 'now') return { now: true };
  if (!form.sendAt) throw invalidField('sendAt', 'Choose the date and hour to send');
  return parseOrThrow(ScheduleInput, { sendAt: form.sendAt });
}

/** "a@shop.com, b@shop.com" as the addresses of a test send; an error names the bad address. */
function readTestSendForm(form: Record<string, string>): string[] {
  const to = (form.to ?? '').split(/[\s,;]+/).filter(Boolean);
  const result = CampaignTestSendInput.safeParse({ to });
  if (result.success) return result.data.to;
  const issue = result.error.issues[0]!;
  const index = issue.path[1];
  throw invalidField('to', typeof index === 'number' ? `${to[index]}: ${issue.message}` : issue.message);
}

async function openStep(c: Context<AppEnv>, tenant: Tenant, campaign: CampaignView, timeZone: string, step: CampaignStep, testResults: TestSendResult[]): Promise<StepProps> {
  switch (step) {
    case 'audience':
      return { step, audienceCount: await countCampaignAudience(tenant, campaign) };
    case 'review': {
      // The platform sender is an email sender: a text does not wait for its trust or caps.
      // The domain warning reads the last stored DNS check: no DNS is asked on a page view.
      const email = campaign.channel === 'email';
      const [audienceCount, platformSender, domainWarning] = await Promise.all([
        countCampaignAudience(tenant, campaign),
        email ? getPlatformSenderStatus(tenant, c.env) : null,
        email ? sendingDomainWarning(tenant, c.env) : null,
      ]);
      return { step, audienceCount, platformSender, domainWarning };
    }
    case 'content':
      return { step, starters: await loadStarters(c.env.ASSETS, c.req.url), testResults };
    case 'schedule': {
      const now = Date.now();
      // Tomorrow at 09:00 in the workspace's zone is a sensible first suggestion.
      const suggested = `${utcToZonedLocal(now + DAY, timeZone).slice(0, 10)}T09:00`;
      return { step, defaultSendAt: campaign.scheduledLocal ?? suggested, minSendAt: utcToZonedLocal(now, timeZone) };
    }
  }
}

/** Where the report's recipients card links to. */
function recipientLinks(id: string): RecipientLinks {
  const withQuery = (path: string, query: Record<string, string | undefined>, hash = '') => {
    const params = new URLSearchParams(Object.entries(query).filter((entry): entry is [string, string] => Boolean(entry[1])));
    return campaignPath(id, `${path}${params.size ? `?${params}` : ''}${hash}`);
  };
  return {
    page: (query) => withQuery('', query, '#recipients'),
    csv: (filter) => withQuery('/recipients.csv', { filter }),
    logs: campaignPath(id, '/logs'),
  };
}

/** What a render of the campaign page shows besides the campaign. */
type PageState = {
  step?: CampaignStep | undefined;
  notice?: string | undefined;
  problem?: string;
  values?: Record<string, string>;
  errors?: FormErrors;
  testResults?: TestSendResult[];
  // The recipients' filter and page (`filter`, `cursor` in the query), once it went out.
  recipients?: Record<string, string>;
};

/** The builder while the campaign can change; its read-only page once it is sending, sent or cancelled. */
async function renderCampaignPage(c: Context<AppEnv>, id: string, state: PageState = {}, status: ContentfulStatusCode = 200) {
  const tenant = tenantOf(c);
  const campaign = await getCampaign(tenant, id);
  const sms = campaign.channel === 'sms';
  const [workspace, segments, designs, smsMessages] = await Promise.all([getWorkspace(tenant), listSegments(tenant), sms ? [] : listEmailContents(tenant), sms ? listSmsContents(tenant) : []]);
  const props: CampaignPageProps = {
    csrfToken: c.get('csrfToken'),
    canSend: roleAllows(c.get('role'), 'campaigns:send'),
    campaign,
    timeZone: workspace.timeZone,
    segments,
    designs,
    smsMessages,
    notice: state.notice,
    // The read-only page has no fields: a refused action (resuming without a postal address) says why at the top.
    problem: state.problem ?? (state.errors && !canMoveCampaign(campaign.status, 'edit') ? Object.values(state.errors).join(' ') : undefined),
    footerIssue: sms ? null : footerAddressIssue(workspace.postalAddress, designs.find((design) => design.id === campaign.contentId)?.html ?? null),
  };
  const render = (body: Child) => renderAppPage(c, { title: campaign.name, section: 'marketing', body }, status);
  if (!canMoveCampaign(campaign.status, 'edit')) {
    // A bad filter or cursor in the address shows the first page of every recipient.
    const parsed = RecipientsQuery.safeParse({ filter: state.recipients?.filter || undefined, cursor: state.recipients?.cursor || undefined });
    const query: RecipientsQuery = parsed.success ? parsed.data : { limit: 50 };
    const waiting = campaign.status === 'sending' || campaign.status === 'paused';
    const started = campaign.startedAt !== null;
    const [report, recipients, senderHealth, platformSender] = await Promise.all([
      started ? readSourceReport(tenant, 'campaign', id, campaign.startedAt) : null,
      started ? listSourceRecipients(tenant, 'campaign', id, query) : null,
      waiting && !sms ? getSenderHealth(tenant) : null,
      waiting && !sms ? getPlatformSenderStatus(tenant, c.env) : null,
    ]);
    return render(
      <CampaignDetails
        props={props}
        report={report}
        recipients={recipients}
        recipientFilter={query.filter}
        recipientLinks={recipientLinks(id)}
        senderHealth={senderHealth}
        platformSender={platformSender}
      />,
    );
  }
  const step = state.step ?? (campaign.status === 'scheduled' ? 'review' : 'audience');
  const open = await openStep(c, tenant, campaign, workspace.timeZone, step, state.testResults ?? []);
  return render(<CampaignBuilder props={props} open={open} values={state.values} errors={state.errors} />);
}

/**
 * Runs a builder action and redirects to the page query it returns. A refusal by the
 * lifecycle re-renders the page saying why (409); bad input re-renders the step that
 * can fix it with the messages (400), having saved nothing.
 */
async function runAction(c: Context<AppEnv>, id: string, step: CampaignStep, action: (tenant: Tenant, id: string, form: Record<string, string>) => Promise<string>) {
  const form = await readForm(c);
  try {
    return c.redirect(campaignPath(id, await action(tenantOf(c), id, form)), 303);
  } catch (err) {
    if (err instanceof AppError && err.code === 'conflict') return renderCampaignPage(c, id, { step, problem: err.message }, 409);
    const errors = formErrorsOf(err);
    return renderCampaignPage(c, id, { step: stepOfErrors(errors, step), values: form, errors }, 400);
  }
}

function renderNewCampaign(c: Context<AppEnv>, props: { values?: Record<string, string>; errors?: FormErrors } = {}, status: ContentfulStatusCode = 200) {
  return renderAppPage(c, { title: 'New campaign', section: 'marketing', body: <NewCampaignPage csrfToken={c.get('csrfToken')} {...props} /> }, status);
}

export const campaignRoutes = new Hono<AppEnv>()
  .get('/new', (c) => renderNewCampaign(c))
  .post('/', requirePermission('campaigns:write'), async (c) => {
    const form = await readForm(c);
    try {
      const campaign = await createCampaign(tenantOf(c), parseOrThrow(CampaignInput, { name: form.name, channel: form.channel || undefined }));
      return c.redirect(campaignPath(campaign.id, '?step=audience'), 303);
    } catch (err) {
      return renderNewCampaign(c, { values: form, errors: formErrorsOf(err) }, 400);
    }
  })
  .post('/audience-count', validate('json', AudienceCountInput), async (c) => c.json({ count: await countCampaignAudience(tenantOf(c), c.req.valid('json')) }))
  .get('/:id', async (c) => {
    const id = c.req.param('id');
    const query = c.req.query();
    const step = CAMPAIGN_STEPS.find((name) => name === query.step);
    // The schedule step's choice comes to the review in the query; a bad one goes back to be fixed.
    if (step === 'review' && query.when) {
      try {
        readScheduleForm(query);
      } catch (err) {
        return renderCampaignPage(c, id, { step: 'schedule', values: query, errors: formErrorsOf(err) }, 400);
      }
    }
    return renderCampaignPage(c, id, { step, values: query, notice: DONE_NOTICES.get(query.done ?? ''), recipients: query });
  })
  .get('/:id/recipients.csv', validate('query', RecipientsQuery.pick({ filter: true })), async (c) => {
    const { campaign, pages } = await exportCampaignRecipients(tenantOf(c), c.req.param('id'), c.req.valid('query').filter);
    return csvResponse(recipientsCsv(pages), campaign.name, 'recipients');
  })
  .get('/:id/logs', (c) => {
    const tenant = tenantOf(c);
    const id = c.req.param('id');
    return renderSourceLogs(c, { reportPath: campaignPath(id), logsPath: campaignPath(id, '/logs') }, async (range, query) => ({
      name: (await getCampaign(tenant, id)).name,
      page: await listCampaignLogs(tenant, id, range, query),
    }));
  })
  .get('/:id/logs.csv', validate('query', DayRangeQuery), async (c) => {
    const range = dayRangeOf(c.req.valid('query'), Date.now(), LOG_DEFAULT_DAYS);
    const { campaign, pages } = await exportCampaignLogs(tenantOf(c), c.req.param('id'), range);
    return csvResponse(logsCsv(pages), campaign.name, `logs-${dayRangeLabels(range).from}-${dayRangeLabels(range).to}`);
  })
  .get('/:id/progress', async (c) => {
    const campaign = await getCampaign(tenantOf(c), c.req.param('id'));
    return c.json({ status: campaign.status, progress: campaign.progress });
  })
  .post('/:id/audience', requirePermission('campaigns:write'), (c) =>
    runAction(c, c.req.param('id'), 'audience', async (tenant, id, form) => {
      await updateCampaign(tenant, id, readAudienceForm(form));
      return '?step=content&done=audience';
    }),
  )
  .post('/:id/content', requirePermission('campaigns:write'), (c) =>
    runAction(c, c.req.param('id'), 'content', async (tenant, id, form) => {
      // "Next: Schedule" submits this form too: what was picked is saved on the way, and nothing picked just moves on.
      const next = form.next === 'schedule';
      if (!form.contentId && !next) throw invalidField('contentId', 'Choose what to send');
      if (form.contentId) await updateCampaign(tenant, id, { contentId: form.contentId });
      if (next) return form.contentId ? '?step=schedule&done=content' : '?step=schedule';
      return '?step=content&done=content';
    }),
  )
  .post('/:id/starter', requirePermission('campaigns:write'), (c) =>
    runAction(c, c.req.param('id'), 'content', async (tenant, id, form) => {
      const campaign = await getCampaign(tenant, id);
      // Checked before the design is made, so a locked campaign (or a text) leaves no stray design behind.
      assertCampaignMove(campaign.status, 'edit');
      if (campaign.channel !== 'email') throw invalidField('contentId', 'Templates are email designs: choose an SMS message');
      const content = await starterContent(c.env.ASSETS, c.req.url, form.starter);
      const design = await createEmailContent(tenant, parseOrThrow(EmailContentInput, { name: campaign.name.slice(0, 100), ...content }));
      await updateCampaign(tenant, campaign.id, { contentId: design.id });
      return '?step=content&done=starter';
    }),
  )
  // Not a redirect: the answers of the mail servers are shown once, on the page.
  .post('/:id/test-send', requirePermission('campaigns:write'), testSendRateLimit(), async (c) => {
    const id = c.req.param('id');
    const form = await readForm(c);
    try {
      const results = await testSendCampaign(tenantOf(c), c.env, id, readTestSendForm(form), () => 'to');
      const testResults = results.map(({ to, outcome }) => ({ to, ok: outcome.ok, message: outcome.message }));
      return renderCampaignPage(c, id, { step: 'content', values: form, testResults });
    } catch (err) {
      const errors = formErrorsOf(err);
      return renderCampaignPage(c, id, { step: stepOfErrors(errors, 'content'), values: form, errors }, 400);
    }
  })
  .post('/:id/schedule', requirePermission('campaigns:send'), (c) =>
    runAction(c, c.req.param('id'), 'review', async (tenant, id, form) => {
      const campaign = await scheduleCampaign(tenant, c.env, id, readScheduleForm(form));
      return `?done=${campaign.status}`;
    }),
  )
  .post('/:id/unschedule', requirePermission('campaigns:send'), (c) =>
    runAction(c, c.req.param('id'), 'schedule', async (tenant, id) => {
      await unscheduleCampaign(tenant, id);
      return '?step=schedule&done=unscheduled';
    }),
  )
  .post('/:id/pause', requirePermission('campaigns:send'), (c) =>
    runAction(c, c.req.param('id'), 'review', async (tenant, id) => {
      await pauseCampaign(tenant, id);
      return '?done=paused';
    }),
  )
  .post('/:id/resume', requirePermission('campaigns:send'), (c) =>
    runAction(c, c.req.param('id'), 'review', async (tenant, id) => {
      await resumeCampaign(tenant, c.env, id);
      return '?done=resumed';
    }),
  )
  .post('/:id/cancel', requirePermission('campaigns:send'), (c) =>
    runAction(c, c.req.param('id'), 'review', async (tenant, id) => {
      await cancelCampaign(tenant, c.env, id);
      return '?done=cancelled';
    }),
  );
