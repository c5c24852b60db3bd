// Builds the Hono app: cross-cutting middleware, the error handler, and each area.
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { requestId } from 'hono/request-id';
import { accountAppRoutes, accountRoutes } from './accounts/accounts.routes';
import { apiKeyRoutes } from './api-keys/api-keys.routes';
import { MAX_IMPORT_BYTES } from './contacts/contact-imports.service';
import { contactApi } from './contacts/contacts.api';
import { contactRoutes } from './contacts/contacts.routes';
import { dashboardRoutes } from './dashboard/dashboard.routes';
import { renderErrorPage } from './dashboard/error-page';
import type { AppEnv } from './env';
import { healthRoutes } from './health/health.routes';
import { emailContentApi } from './email/email-contents.api';
import { emailContentRoutes } from './email/email-contents.routes';
import { emailSenderApi } from './email/email-sender.api';
import { emailSenderRoutes } from './email/email-sender.routes';
import { suppressionApi } from './consent/suppressions.api';
import { suppressionRoutes } from './consent/suppressions.routes';
import { unsubscribeRoutes } from './consent/unsubscribe.routes';
import { segmentApi } from './segments/segments.api';
import { smsSenderApi } from './sms/sms-sender.api';
import { smsSenderRoutes } from './sms/sms-sender.routes';
import { segmentRoutes } from './segments/segments.routes';
import { campaignApi } from './campaigns/campaigns.api';
import { flowApi } from './flows/flows.api';
import { flowRoutes } from './flows/flows.routes';
import { checklistRoutes } from './workspaces/checklist.routes';
import { campaignRoutes } from './campaigns/campaigns.routes';
import { reportApi } from './reports/reports.api';
import { productRoutes } from './stores/products.routes';
import { storeConnectionRoutes } from './stores/store-connections.routes';
import { storeReadApi } from './stores/store-reads.api';
import { webhookRoutes } from './stores/webhooks.routes';
import { twilioWebhookRoutes } from './sms/twilio-webhooks.routes';
import { applyErrorHeaders, codeToStatus, errorBody, logUnexpected, toAppError } from './http/errors';
import { requireApiKey, requireSession } from './http/auth';
import { limitBody } from './http/body-limit';
import { csrfProtection, requireFormWorkspace } from './http/csrf';
import { apiRateLimit } from './http/rate-limit';
import { securityHeaders } from './http/security-headers';
import { AppError, type ErrorCode } from './lib/errors';
import { invitationAppRoutes, invitationRoutes } from './workspaces/invitations.routes';
import { memberRoutes } from './workspaces/members.routes';
import { trackingRoutes } from './tracking/tracking.routes';
import { shortLinkRoutes } from './sms/short-links.routes';
import { imageApi } from './images/images.api';
import { imageRoutes } from './images/images.routes';
import { imageServingRoutes } from './images/image-serving.routes';
import { MAX_IMAGE_BYTES } from './images/images.service';
import { smsContentApi } from './sms/sms-contents.api';
import { smsContentRoutes } from './sms/sms-contents.routes';
import { workspaceApi } from './workspaces/workspaces.api';
import { settingsRoutes, workspaceRoutes } from './workspaces/workspaces.routes';

export const MAX_BODY_BYTES = 1024 * 1024;

// Paths answered with JSON errors; everything else is a page a person is looking at.
const MACHINE_PATHS = /^\/(api|webhooks|healthz)(\/|$)/;

// Switching and creating a workspace name the workspace they act on themselves.
const WORKSPACE_CHOOSING_PATHS = new Set(['/app/workspaces', '/app/workspaces/switch']);
const INVITATION_ACCEPT_PATH = /^\/app\/invitations\/[^/]+\/accept$/;

// CSV uploads carry whole files, which the import splits into chunks for the queue.
const IMPORT_PATHS = new Set(['/api/v1/contacts/imports', '/app/contacts/imports']);
// Image uploads: one file, with room for the multipart framing around it.
const IMAGE_UPLOAD_PATHS = new Set(['/api/v1/images', '/app/marketing/images']);

const CODE_BY_STATUS: Record<number, ErrorCode> = { 400: 'invalid_input', 401: 'unauthorized', 403: 'forbidden', 404: 'not_found', 413: 'payload_too_large' };

/** The whole HTTP surface of the Worker. */
export function createApp() {
  const app = new Hono<AppEnv>();

  app.use(requestId());
  app.use(securityHeaders());
  const defaultBodyLimit = limitBody(MAX_BODY_BYTES, 'The request body is larger than 1 MB.');
  // Applied here, before CSRF reads a form body, so an upload is bounded before anything reads it.
  const importBodyLimit = limitBody(MAX_IMPORT_BYTES, `The file is larger than ${MAX_IMPORT_BYTES / 1024 / 1024} MB. Split it into smaller files.`);
  const imageBodyLimit = limitBody(MAX_IMAGE_BYTES + 64 * 1024, `The image is larger than ${MAX_IMAGE_BYTES / 1024 / 1024} MB. Make it smaller and upload it again.`);
  app.use((c, next) => (IMPORT_PATHS.has(c.req.path) ? importBodyLimit(c, next) : IMAGE_UPLOAD_PATHS.has(c.req.path) ? imageBodyLimit(c, next) : defaultBodyLimit(c, next)));

  app.route('/healthz', healthRoutes);
  app.route('/webhooks', webhookRoutes);
  app.route('/webhooks/twilio', twilioWebhookRoutes);
  app.route('/u', unsubscribeRoutes);
  app.route('/', trackingRoutes);
  app.route('/', shortLinkRoutes);
  app.route('/', imageServingRoutes);
  app.route('/', accountRoutes);
  app.route('/invitations', invitationRoutes);
  // The session first, so the CSRF token it issues names the session's current workspace.
  app.use('/app/*', requireSession(), csrfProtection());
  const formWorkspace = requireFormWorkspace();
  app.use('/app/*', (c, next) => (WORKSPACE_CHOOSING_PATHS.has(c.req.path) || INVITATION_ACCEPT_PATH.test(c.req.path) ? next() : formWorkspace(c, next)));
  app.route('/app', dashboardRoutes);
  app.route('/app/account', accountAppRoutes);
  app.route('/app/marketing/designs', emailContentRoutes);
  app.route('/app/marketing/sms', smsContentRoutes);
  app.route('/app/marketing/images', imageRoutes);
  app.route('/app/marketing/campaigns', campaignRoutes);
  app.route('/app/marketing/flows', flowRoutes);
  app.route('/app/marketing/checklist', checklistRoutes);
  app.route('/app/settings', settingsRoutes);
  app.route('/app/settings/api-keys', apiKeyRoutes);
  app.route('/app/settings/stores', storeConnectionRoutes);
  app.route('/app/settings/email', emailSenderRoutes);
  app.route('/app/settings/sms', smsSenderRoutes);
  app.route('/app/settings/suppressions', suppressionRoutes);
  app.route('/app/settings/members', memberRoutes);
  app.route('/app/invitations', invitationAppRoutes);
  app.route('/app/workspaces', workspaceRoutes);
  app.route('/app/contacts', contactRoutes);
  app.route('/app/segments', segmentRoutes);
  app.route('/app/products', productRoutes);

  const api = new Hono<AppEnv>();
  api.use(apiRateLimit(), requireApiKey());
  api.route('/workspace', workspaceApi);
  api.route('/contacts', contactApi);
  api.route('/email-designs', emailContentApi);
  api.route('/sms-messages', smsContentApi);
  api.route('/images', imageApi);
  api.route('/suppressions', suppressionApi);
  api.route('/segments', segmentApi);
  api.route('/campaigns', campaignApi);
  api.route('/flows', flowApi);
  api.route('/reports', reportApi);
  api.route('/email-sender', emailSenderApi);
  api.route('/sms-sender', smsSenderApi);
  api.route('/', storeReadApi);
  app.route('/api/v1', api);

  app.get('/', (c) => c.redirect('/app'));

  app.notFound(() => {
    throw new AppError('not_found', 'There is nothing at this address.');
  });

  app.onError((thrown, c) => {
    const err = thrown instanceof HTTPException && CODE_BY_STATUS[thrown.status] ? new AppError(CODE_BY_STATUS[thrown.status]!, thrown.message || 'Invalid request') : toAppError(thrown);
    if (err.code === 'internal') logUnexpected(c, thrown);
    applyErrorHeaders(c, err);
    // Dashboard scripts ask for JSON too (the segment builder's live preview).
    const wantsJson = MACHINE_PATHS.test(c.req.path) || (c.req.header('accept') ?? '').includes('application/json');
    if (wantsJson) return c.json(errorBody(c, err), codeToStatus(err.code));
    if (err.code === 'unauthorized' && c.req.method === 'GET') {
      return c.redirect(`/login?next=${encodeURIComponent(c.req.path)}`);
    }
    return renderErrorPage(c, err);
  });

  return app;
}
