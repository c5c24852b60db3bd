// /api/v1/sms-sender: the workspace's Twilio account and SMS settings, for agencies and
// scripts. The auth token is write-only, as on the page. API keys are made by workspace
// owners only, so a key acts with the owner's rights.
import { Hono } from 'hono';
import type { AppEnv } from '../env';
import { testSendRateLimit } from '../http/rate-limit';
import { requirePermission } from '../http/auth';
import { tenantOf } from '../http/tenant';
import { validate } from '../http/validate';
import { SmsSenderInput, TestSmsInput } from './sms-sender.schemas';
import { getSmsSender, removeSmsSender, saveSmsSender, sendTestSms } from './sms-sender.service';
import type { TwilioOutcome } from './twilio-client';

/** A test's outcome: whether Twilio took it, in words, with Twilio's code when it refused. */
function testSmsOutcomeBody(outcome: TwilioOutcome) {
  return { outcome: outcome.ok ? { ok: true, message: outcome.message, sid: outcome.sid, code: null } : { ok: false, message: outcome.message, kind: outcome.kind, code: outcome.code } };
}

export const smsSenderApi = new Hono<AppEnv>()
  .get('/', async (c) => c.json({ sender: await getSmsSender(tenantOf(c), c.env) }))
  .put('/', requirePermission('settings:sender'), validate('json', SmsSenderInput), async (c) => {
    await saveSmsSender(tenantOf(c), c.env, c.req.valid('json'));
    return c.json({ sender: await getSmsSender(tenantOf(c), c.env) });
  })
  .delete('/', requirePermission('settings:sender'), async (c) => {
    await removeSmsSender(tenantOf(c));
    return c.body(null, 204);
  })
  .post('/test-sms', requirePermission('settings:sender'), testSendRateLimit(), validate('json', TestSmsInput), async (c) =>
    c.json(testSmsOutcomeBody(await sendTestSms(tenantOf(c), c.env, c.req.valid('json').to))),
  );
