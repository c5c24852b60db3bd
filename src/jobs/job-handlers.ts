// The jobs this deployment runs, by queue message type. Each capability adds its
// handler here (store events, campaign fan-out pages, walks over a resumed or cancelled
// campaign's deliveries, single deliveries, claimed flow enrollments, import chunks,
// queue heartbeats).
import { runCampaignDeliveriesPageJob } from '../campaigns/campaign-deliveries-job';
import { runFanOutPageJob } from '../campaigns/campaign-fan-out-job';
import { runContactBulkPageJob } from '../contacts/contact-bulk-job';
import { runImportChunkJob } from '../contacts/import-chunk-job';
import { runFlowAdvanceJob } from '../flows/flow-advance-job';
import { openDb } from '../db/client';
import type { ChannelRegistry } from '../deliveries/delivery-channel';
import { runSendDeliveryBatch } from '../deliveries/send-deliveries-job';
import { emailChannel } from '../email/email-channel';
import { recordQueueHeartbeat } from '../health/queue-health';
import { smsChannel } from '../sms/sms-channel';
import { runStoreEventBatch } from '../stores/store-event-job';
import type { JobHandlers } from './queue-consumer';

// The channels deliveries go out on.
const channels: ChannelRegistry = { email: emailChannel, sms: smsChannel };

export const jobHandlers: JobHandlers = {
  'store-event': { batch: (messages, env) => runStoreEventBatch(messages, env) },
  'fan-out-page': runFanOutPageJob,
  'campaign-deliveries-page': runCampaignDeliveriesPageJob,
  'send-delivery': { batch: (messages, env, scope) => runSendDeliveryBatch(messages, env, scope, channels) },
  'flow-advance': runFlowAdvanceJob,
  'import-chunk': runImportChunkJob,
  'contact-bulk-page': runContactBulkPageJob,
  'queue-heartbeat': (message, env) => recordQueueHeartbeat(openDb(env.DB), message),
};
