import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it, vi } from 'vitest';
import worker from '../../src/index';
import { consumeQueueBatch, retryDelaySeconds } from '../../src/jobs/queue-consumer';
import type { QueueMessage } from '../../src/queues/messages';

function deadLetterCount(messageId: string) {
  return env.DB.prepare('SELECT count(*) AS n FROM dead_letters WHERE message_id = ?').bind(messageId).first<number>('n');
}

describe('the queue consumer', () => {
  it('runs the job of each message type and acks it', async () => {
    const seen: QueueMessage[] = [];
    const batch = createMessageBatch('marketing-sends', [{ id: 'm-1', timestamp: new Date(), attempts: 1, body: { type: 'send-delivery', workspaceId: 'ws', deliveryId: 'd-1' } }]);
    const ctx = createExecutionContext();
    await consumeQueueBatch(batch, env, {
      'send-delivery': async (message) => {
        seen.push(message);
      },
    });
    const result = await getQueueResult(batch, ctx);
    // A body from before channels were named reads as email.
    expect(seen).toEqual([{ type: 'send-delivery', workspaceId: 'ws', deliveryId: 'd-1', channel: 'email' }]);
    expect(result.explicitAcks).toEqual(['m-1']);
    expect(result.retryMessages).toEqual([]);
  });

  it('retries a failing job with exponential backoff', async () => {
    const batch = createMessageBatch('marketing-sends', [{ id: 'm-2', timestamp: new Date(), attempts: 3, body: { type: 'send-delivery', workspaceId: 'ws', deliveryId: 'd-2' } }]);
    const ctx = createExecutionContext();
    // The test harness does not report delays, so observe the call itself.
    const retry = vi.spyOn(batch.messages[0]!, 'retry');
    await consumeQueueBatch(batch, env, {
      'send-delivery': async () => {
        throw new Error('SMTP 421 try again later');
      },
    });
    const result = await getQueueResult(batch, ctx);
    expect(retry).toHaveBeenCalledWith({ delaySeconds: 40 });
    expect(result.retryMessages).toEqual([{ msgId: 'm-2' }]);
    expect(result.explicitAcks).toEqual([]);
  });

  it('retries a message no job handles yet, rather than dropping it', async () => {
    const batch = createMessageBatch('marketing-sends', [
      { id: 'm-3', timestamp: new Date(), attempts: 1, body: { type: 'fan-out-page', workspaceId: 'ws', campaignId: 'c-1', afterContactId: null } },
    ]);
    const ctx = createExecutionContext();
    await consumeQueueBatch(batch, env, {});
    expect((await getQueueResult(batch, ctx)).retryMessages).toEqual([{ msgId: 'm-3' }]);
  });

  it('keeps an unreadable message as a dead letter instead of retrying it forever', async () => {
    const batch = createMessageBatch('marketing-events', [{ id: 'm-4', timestamp: new Date(), attempts: 1, body: { type: 'mystery', workspaceId: 'ws' } }]);
    const ctx = createExecutionContext();
    await consumeQueueBatch(batch, env, {});
    const result = await getQueueResult(batch, ctx);
    expect(result.explicitAcks).toEqual(['m-4']);
    const row = await env.DB.prepare('SELECT queue, reason FROM dead_letters WHERE message_id = ?').bind('m-4').first<{ queue: string; reason: string }>();
    expect(row!.queue).toBe('marketing-events');
    expect(row!.reason).toContain('unreadable message');
  });

  it('caps the backoff at an hour', () => {
    expect([1, 2, 3, 4].map(retryDelaySeconds)).toEqual([10, 20, 40, 80]);
    expect(retryDelaySeconds(20)).toBe(3600);
  });
});

describe('the Worker queue entry', () => {
  it('records every message of a dead-letter queue once, even when the batch is redelivered', async () => {
    const messages = [
      { id: 'dl-1', timestamp: new Date(), attempts: 9, body: { type: 'send-delivery', workspaceId: 'ws', deliveryId: 'd-9' } },
      { id: 'dl-2', timestamp: new Date(), attempts: 9, body: 'not even an object' },
    ];
    for (let delivery = 0; delivery < 2; delivery++) {
      const batch = createMessageBatch('marketing-sends-dlq', messages);
      const ctx = createExecutionContext();
      await worker.queue(batch, env);
      expect((await getQueueResult(batch, ctx)).ackAll).toBe(true);
    }
    expect(await deadLetterCount('dl-1')).toBe(1);
    expect(await deadLetterCount('dl-2')).toBe(1);
    const row = await env.DB.prepare('SELECT body, attempts, reason FROM dead_letters WHERE message_id = ?').bind('dl-1').first();
    expect(row).toEqual({ body: JSON.stringify(messages[0]!.body), attempts: 9, reason: 'retries exhausted' });
  });

  it('consumes what is sent to the real events queue', async () => {
    // An unreadable body is dead-lettered by the consumer at once, which makes the delivery observable.
    await env.EVENTS_QUEUE.send({ type: 'unknown-kind', workspaceId: null } as never);
    await expect.poll(() => env.DB.prepare("SELECT count(*) AS n FROM dead_letters WHERE queue = 'marketing-events' AND body LIKE '%unknown-kind%'").first<number>('n'), { timeout: 5000 }).toBe(1);
  });
});
