// The Worker: everything it runs, wired in one place. No logic lives here.
import { createApp } from './app';
import type { Env } from './env';
import { runCronTick } from './jobs/cron';
import { jobHandlers } from './jobs/job-handlers';
import { consumeDeadLetterBatch, consumeQueueBatch, isDeadLetterQueue } from './jobs/queue-consumer';
import { receiveUnsubscribeMail } from './consent/unsubscribe-mailbox';

export { SendRateLimiter } from './deliveries/send-rate-limiter';
export { CampaignTracker } from './tracking/campaign-tracker';

const app = createApp();

export default {
  fetch: app.fetch,

  async queue(batch, env) {
    if (isDeadLetterQueue(batch.queue)) await consumeDeadLetterBatch(batch, env);
    else await consumeQueueBatch(batch, env, jobHandlers);
  },

  // Cloudflare Email Routing delivers mail to UNSUBSCRIBE_MAILBOX here (the List-Unsubscribe mailto).
  async email(message, env) {
    await receiveUnsubscribeMail(message, env);
  },

  async scheduled(controller, env, ctx) {
    ctx.waitUntil(runCronTick(env, controller.scheduledTime));
  },
} satisfies ExportedHandler<Env, unknown>;
