// The queue consumer: reads each message through the union, runs its job, and
// retries failures with exponential backoff. The queue's own max_retries then
// moves what keeps failing to the dead-letter queue, whose consumer records it.
import { openDb } from '../db/client';
import { failBulkJobs } from '../contacts/contact-bulk.service';
import { failDeadImportChunks } from '../contacts/contact-imports.service';
import { recordDeadLetters } from '../db/system';
import { groupBy } from '../lib/chunk';
import type { Env } from '../env';
import { failDeadDeliveries } from '../deliveries/deliveries.service';
import { rejectDeadStoreEvents } from '../stores/inbound-events';
import { createBatchScope, type BatchJobResult, type BatchScope } from '../queues/batch-scope';
import { QueueMessage, type QueueMessageType } from '../queues/messages';

/** A job for one message: it throws to have the message retried. */
export type MessageJob<M> = (message: M, env: Env, scope: BatchScope) => Promise<void>;

/**
 * A job for all of a batch's messages of its type at once (so it can share queries
 * and connections across them); it returns one result per message, in order.
 */
export type BatchJob<M> = { batch: (messages: M[], env: Env, scope: BatchScope) => Promise<BatchJobResult[]> };

/** The job that handles each message type. A type without a job is retried, then dead-lettered. */
export type JobHandlers = {
  [T in QueueMessageType]?: MessageJob<Extract<QueueMessage, { type: T }>> | BatchJob<Extract<QueueMessage, { type: T }>>;
};

const MAX_DELAY_SECONDS = 3600;

/** Seconds before retry number `attempts` (1-based): 10 s, 20 s, 40 s, ... capped at an hour. */
export function retryDelaySeconds(attempts: number): number {
  return Math.min(MAX_DELAY_SECONDS, 10 * 2 ** Math.max(0, attempts - 1));
}

/** True for our dead-letter queues (named `<queue>-dlq` in wrangler.toml). */
export function isDeadLetterQueue(queue: string): boolean {
  return queue.endsWith('-dlq');
}

/** Runs the job of every message in a batch; acks successes, retries failures. */
export async function consumeQueueBatch(batch: MessageBatch<unknown>, env: Env, handlers: JobHandlers): Promise<void> {
  const unreadable = [];
  const readable: { message: Message<unknown>; body: QueueMessage }[] = [];
  for (const message of batch.messages) {
    const parsed = QueueMessage.safeParse(message.body);
    if (!parsed.success) {
      // Retrying cannot fix a malformed body: keep it for the logs and move on.
      unreadable.push({ queue: batch.queue, messageId: message.id, body: message.body, attempts: message.attempts, reason: `unreadable message: ${parsed.error.message}` });
      message.ack();
      continue;
    }
    readable.push({ message, body: parsed.data });
  }
  const byType = groupBy(readable, ({ body }) => body.type);
  const scope = createBatchScope();
  const settle = (message: Message<unknown>, type: QueueMessageType, result: BatchJobResult) => {
    if (result.ok) return message.ack();
    console.error(JSON.stringify({ level: 'error', queue: batch.queue, messageId: message.id, type, attempts: message.attempts, error: result.error }));
    message.retry({ delaySeconds: retryDelaySeconds(message.attempts) });
  };
  try {
    for (const [type, group] of byType) {
      const handler = handlers[type] as MessageJob<QueueMessage> | BatchJob<QueueMessage> | undefined;
      if (handler && 'batch' in handler) {
        let results: BatchJobResult[];
        try {
          results = await handler.batch(
            group.map((entry) => entry.body),
            env,
            scope,
          );
        } catch (err) {
          results = group.map(() => ({ ok: false, error: String(err) }));
        }
        for (const [i, entry] of group.entries()) settle(entry.message, type, results[i] ?? { ok: false, error: 'no result from the batch job' });
        continue;
      }
      for (const entry of group) {
        try {
          if (!handler) throw new Error(`no job handles "${type}" messages in this deployment`);
          await handler(entry.body, env, scope);
          settle(entry.message, type, { ok: true });
        } catch (err) {
          settle(entry.message, type, { ok: false, error: String(err) });
        }
      }
    }
  } finally {
    await scope.closeAll();
  }
  await recordDeadLetters(openDb(env.DB), unreadable);
}

/**
 * Records every message of a dead-letter queue batch in D1, marks what they were for
 * failed (the deliveries, the imports of the chunks, the bulk jobs of the pages, the store webhooks), then acks them.
 */
export async function consumeDeadLetterBatch(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const db = openDb(env.DB);
  const dead = batch.messages.flatMap((message) => {
    const parsed = QueueMessage.safeParse(message.body);
    return parsed.success ? [parsed.data] : [];
  });
  const ofType = <T extends QueueMessageType>(type: T) => dead.filter((body): body is Extract<QueueMessage, { type: T }> => body.type === type);
  await failDeadDeliveries(db, ofType('send-delivery'));
  await failDeadImportChunks(db, ofType('import-chunk'));
  await failBulkJobs(db, ofType('contact-bulk-page'));
  await rejectDeadStoreEvents(db, ofType('store-event'));
  await recordDeadLetters(
    db,
    batch.messages.map((message) => ({
      queue: batch.queue,
      messageId: message.id,
      body: message.body,
      attempts: message.attempts,
      reason: 'retries exhausted',
    })),
  );
  batch.ackAll();
}
