import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { enqueue, QUEUE_OF, type QueueBinding, type Queues } from '../../src/queues/enqueue';
import { QueueMessage, queueHeartbeatMessage, sendDeliveryMessage, storeEventMessage } from '../../src/queues/messages';
import { newId } from '../../src/lib/ids';

// The queue each binding names in wrangler.toml.
const QUEUE_NAMES: Record<QueueBinding, string> = { EVENTS_QUEUE: 'marketing-events', SENDS_QUEUE: 'marketing-sends', IMPORTS_QUEUE: 'marketing-imports' };

/** Queues that keep what each `sendBatch` call got, by binding. */
function recordingQueues() {
  const calls: Record<QueueBinding, QueueMessage[][]> = { EVENTS_QUEUE: [], SENDS_QUEUE: [], IMPORTS_QUEUE: [] };
  const queueOf = (binding: QueueBinding) => ({ sendBatch: async (messages: { body: QueueMessage }[]) => void calls[binding].push(messages.map((m) => m.body)) }) as unknown as Queue<QueueMessage>;
  const queues: Queues = { EVENTS_QUEUE: queueOf('EVENTS_QUEUE'), SENDS_QUEUE: queueOf('SENDS_QUEUE'), IMPORTS_QUEUE: queueOf('IMPORTS_QUEUE') };
  return { queues, calls };
}

describe('enqueue', () => {
  it('has a queue for every message type of the union (a heartbeat names its own)', () => {
    const types = QueueMessage.options.map((option) => option.shape.type.value);
    expect([...Object.keys(QUEUE_OF), 'queue-heartbeat'].sort()).toEqual([...types].sort());
  });

  it('sends a heartbeat to the queue it names', async () => {
    const { queues, calls } = recordingQueues();
    const beats = (['EVENTS_QUEUE', 'SENDS_QUEUE', 'IMPORTS_QUEUE'] as const).map((queue) => queueHeartbeatMessage(queue, 1));
    await enqueue(queues, beats);
    expect(calls).toEqual({ EVENTS_QUEUE: [[beats[0]]], SENDS_QUEUE: [[beats[1]]], IMPORTS_QUEUE: [[beats[2]]] });
  });

  it('sends each message to its type’s queue, in order, 100 per sendBatch call', async () => {
    const { queues, calls } = recordingQueues();
    const sends = Array.from({ length: 250 }, (_, i) => sendDeliveryMessage('ws', { id: `d-${i}`, channel: 'email' }));
    const event = storeEventMessage({ workspaceId: 'ws', connectionId: 'c', topic: 'orders/create', dedupeKey: 'k', receivedAt: 1, events: null });
    await enqueue(queues, [sends[0]!, event, ...sends.slice(1)]);
    expect(calls.SENDS_QUEUE.map((batch) => batch.length)).toEqual([100, 100, 50]);
    expect(calls.SENDS_QUEUE.flat()).toEqual(sends);
    expect(calls.EVENTS_QUEUE).toEqual([[event]]);
    expect(calls.IMPORTS_QUEUE).toEqual([]);
  });

  it('routes a batch of mixed types to the real queues', async () => {
    // Bodies with only a type and a workspace are unreadable, so each consumer dead-letters
    // it at once under the queue it came from: that makes the routing observable. Other test
    // files share these queues, so on a loaded CI machine a message can wait behind their
    // batches: the poll allows for that.
    const run = newId();
    const types = Object.keys(QUEUE_OF) as (keyof typeof QUEUE_OF)[];
    await enqueue(
      env,
      types.map((type) => ({ type, workspaceId: `route-${run}-${type}` }) as unknown as QueueMessage),
    );
    for (const type of types) {
      await expect
        .poll(() => env.DB.prepare('SELECT queue FROM dead_letters WHERE workspace_id = ?').bind(`route-${run}-${type}`).first<string>('queue'), { timeout: 45_000, interval: 200 })
        .toBe(QUEUE_NAMES[QUEUE_OF[type]]);
    }
  }, 120_000);
});
