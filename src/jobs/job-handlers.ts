// The jobs this deployment runs, by queue message type. Each capability adds its
// handler here (store events, campaign fan-out pages, walks over a resumed or cancelled
// campaign's deliveries, single deliveries).
import { runCampaignDeliveriesPageJob } from '../campaigns/campaign-deliveries-job';
import { runFanOutPageJob } from '../campaigns/campaign-fan-out-job';
import { runImportChunkJob } from '../contacts/import-chunk-job';
import { runSendDeliveryBatch } from '../messages/send-delivery-job';
import { runStoreEventJob } from '../stores/store-event-job';
import type { JobHandlers } from './queue-consumer';

export const jobHandlers: JobHandlers = {
  'store-event': runStoreEventJob,
  'fan-out-page': runFanOutPageJob,
  'campaign-deliveries-page': runCampaignDeliveriesPageJob,
  'send-delivery': { batch: runSendDeliveryBatch },
  'import-chunk': runImportChunkJob,
};
