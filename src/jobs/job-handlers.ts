// The jobs this deployment runs, by queue message type. Each capability adds its
// handler here (store events, campaign fan-out pages, single deliveries).
import { runFanOutPageJob } from '../campaigns/campaign-fan-out-job';
import { runImportChunkJob } from '../contacts/import-chunk-job';
import { runSendDeliveryBatch } from '../messages/send-delivery-job';
import { runStoreEventJob } from '../stores/store-event-job';
import type { JobHandlers } from './queue-consumer';

export const jobHandlers: JobHandlers = {
  'store-event': runStoreEventJob,
  'fan-out-page': runFanOutPageJob,
  'send-delivery': { batch: runSendDeliveryBatch },
  'import-chunk': runImportChunkJob,
};
