// Twilio's webhooks for a workspace's SMS: incoming texts (keywords) and status callbacks.
// Each request is read only once its X-Twilio-Signature verifies under the workspace's own
// Auth Token; before that, nothing is written and every refusal is the same 403.
import { Hono, type Context } from 'hono';
import { openDb } from '../db/client';
import { forWorkspace, type Tenant } from '../db/tenant';
import type { AppEnv } from '../env';
import { limitBody } from '../http/body-limit';
import { AppError } from '../lib/errors';
import { publicUrl } from '../lib/public-url';
import { parseOrThrow } from '../lib/validation';
import { InboundSms, receiveSms } from './sms-inbound.service';
import { recordSmsStatus, SmsStatusCallback } from './sms-status.service';
import { type TwilioWebhookAccount, loadTwilioWebhookAccount } from './twilio-webhook-account';
import { verifyTwilioSignature } from './twilio-signature';
import { twimlReply } from './twiml';

/** The largest Twilio request read: its form fields are a few kilobytes, a text at most 1,600 characters. */
export const MAX_TWILIO_BODY_BYTES = 64 * 1024;

const FORM_TYPE = /^application\/x-www-form-urlencoded\s*(;|$)/i;

/** The workspace, its Twilio account and the request's parameters, once the signature verifies; 403 otherwise. */
async function readSignedRequest(c: Context<AppEnv>): Promise<{ tenant: Tenant; account: TwilioWebhookAccount; params: URLSearchParams }> {
  if (!FORM_TYPE.test(c.req.header('content-type') ?? '')) {
    throw new AppError('unsupported_media_type', 'Twilio posts application/x-www-form-urlencoded; this request is not.');
  }
  // Decoded by hand: Twilio sends UTF-8, and the runtime warns on text() of a form body.
  const params = new URLSearchParams(new TextDecoder().decode(await c.req.arrayBuffer()));
  const tenant = forWorkspace(openDb(c.env.DB), c.req.param('workspaceId') ?? '');
  const account = await loadTwilioWebhookAccount(tenant, c.env.ENCRYPTION_KEY);
  // Twilio signed the address the merchant pasted, under the public base URL, not the one this Worker sees.
  const { pathname, search } = new URL(c.req.url);
  const signed = account !== null && (await verifyTwilioSignature(account.authToken, publicUrl(c.env, `${pathname}${search}` as `/${string}`), params, c.req.header('x-twilio-signature')));
  // One answer for an unknown workspace, one without Twilio, and a bad signature: the URL reveals nothing.
  if (!signed) throw new AppError('forbidden', 'The request is not signed by the Twilio account of this address.');
  return { tenant, account, params };
}

export const twilioWebhookRoutes = new Hono<AppEnv>()
  .use(limitBody(MAX_TWILIO_BODY_BYTES, `The request body is larger than ${MAX_TWILIO_BODY_BYTES / 1024} KB.`))

  .post('/:workspaceId/sms', async (c) => {
    const { tenant, account, params } = await readSignedRequest(c);
    const reply = await receiveSms(tenant, account, parseOrThrow(InboundSms, Object.fromEntries(params)));
    return c.body(twimlReply(reply), 200, { 'content-type': 'text/xml' });
  })

  .post('/:workspaceId/status', async (c) => {
    const { tenant, params } = await readSignedRequest(c);
    // A message id we do not know is answered 200 all the same: Twilio would only retry it.
    await recordSmsStatus(tenant, parseOrThrow(SmsStatusCallback, Object.fromEntries(params)));
    return c.body(null, 200);
  });
