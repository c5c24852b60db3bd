// Which queue each message type goes to, and the one function that sends them.
// Producers never pick a queue: a bulk import on the events queue would delay
// store webhooks, so the routing is decided here, once.
import type { Env } from '../env';
import { chunk, groupBy } from '../lib/chunk';
import type { QueueBinding, QueueMessage, QueueMessageType } from './messages';

export type { QueueBinding };

/** The queues a producer can send to: it passes its `env`. */
export type Queues = Pick<Env, QueueBinding>;

/**
 * The queue of each message type. Sends and the campaign pages that create them share
 * one queue (they are one pipeline, throttled per workspace); webhooks and imports
 * each have their own, so neither delays the other. A heartbeat names its own queue.
 */
export const QUEUE_OF: Record<Exclude<QueueMessageType, 'queue-heartbeat'>, QueueBinding> = {
  'store-event': 'EVENTS_QUEUE',
  'fan-out-page': 'SENDS_QUEUE',
  'campaign-deliveries-page': 'SENDS_QUEUE',
  'send-delivery': 'SENDS_QUEUE',
  // A flow's steps write its sends: the same pipeline as a campaign's pages.
  'flow-advance': 'SENDS_QUEUE',
  'import-chunk': 'IMPORTS_QUEUE',
  // Bulk work on contacts, like imports, must not delay store webhooks or sends.
  'contact-bulk-page': 'IMPORTS_QUEUE',
};

function queueOf(message: QueueMessage): QueueBinding {
  return message.type === 'queue-heartbeat' ? message.queue : QUEUE_OF[message.type];
}

// Queues take at most 100 messages per sendBatch call.
const MESSAGES_PER_SEND_BATCH = 100;

/**
 * Sends each message to its type's queue, 100 per `sendBatch` call, each with the same
 * options (e.g. a delay). Messages keep their order within a queue.
 */
export async function enqueue(queues: Queues, messages: QueueMessage[], options: QueueSendOptions = {}): Promise<void> {
  for (const [binding, group] of groupBy(messages, queueOf)) {
    for (const slice of chunk(group, MESSAGES_PER_SEND_BATCH)) await queues[binding].sendBatch(slice.map((body) => ({ body, ...options })));
  }
}
