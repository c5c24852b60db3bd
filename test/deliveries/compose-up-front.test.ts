import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import type { ChannelRegistry } from '../../src/deliveries/delivery-channel';
import { runSendDeliveryBatch } from '../../src/deliveries/send-deliveries-job';
import { createBatchScope } from '../../src/queues/batch-scope';
import { insertContact } from '../helpers/data';
import { deliveryOf, insertEmailContent, insertQueuedDelivery } from '../helpers/deliveries';
import { signUpMerchant } from '../helpers/factories';

/** A channel that records when each message is composed and sent; each send takes a few milliseconds. */
type Sender = { composeUpFront: boolean; perSecond: number | null; lanes: number };

function recordingChannel(events: string[], sender: Sender): ChannelRegistry {
  return {
    email: {
      openSender: async () => ({
        perSecond: sender.perSecond,
        lanes: sender.lanes,
        composeUpFront: sender.composeUpFront,
        compose: async (delivery) => {
          events.push(`compose ${delivery.id}`);
          return { message: delivery.id };
        },
        send: async (id) => {
          events.push(`send ${id}`);
          await new Promise((resolve) => setTimeout(resolve, 5));
          return { status: 'sent', providerId: `provider-${String(id)}` };
        },
        recordAttempts: () => [],
      }),
    },
  };
}

/** A workspace of its own (its own send rate limiter) with `count` queued deliveries, in slot order. */
async function queued(count: number) {
  const { workspaceId } = await signUpMerchant('Batch Shop');
  const contentId = await insertEmailContent(workspaceId, { subject: 'Hi', html: '<p>Hi</p>' });
  const contacts: string[] = [];
  for (let i = 0; i < count; i++) contacts.push(await insertContact(workspaceId));
  const ids = [];
  for (const contactId of contacts) ids.push(await insertQueuedDelivery(workspaceId, contactId, contentId, 'camp-up-front'));
  return { workspaceId, contacts, ids };
}

async function sendBatch(count: number, sender: Sender) {
  const { workspaceId, contacts, ids } = await queued(count);
  const events: string[] = [];
  const scope = createBatchScope();
  const results = await runSendDeliveryBatch(
    ids.map((deliveryId) => ({ type: 'send-delivery' as const, workspaceId, deliveryId, channel: 'email' as const })),
    env,
    scope,
    recordingChannel(events, sender),
  );
  await scope.closeAll();
  expect(results.every((result) => result.ok)).toBe(true);
  for (const contactId of contacts) expect((await deliveryOf(contactId, 'camp-up-front'))?.status).toBe('sent');
  return { ids, events };
}

describe('composing a batch up front', () => {
  it('composes every message before the first send when the sender asks for it', async () => {
    const { ids, events } = await sendBatch(8, { composeUpFront: true, perSecond: null, lanes: 2 });
    expect(events.slice(0, 8)).toEqual(ids.map((id) => `compose ${id}`));
    expect(events.slice(8).sort()).toEqual(ids.map((id) => `send ${id}`).sort());
  });

  it('otherwise composes each lane one message ahead of its send', async () => {
    const { ids, events } = await sendBatch(8, { composeUpFront: false, perSecond: null, lanes: 2 });
    expect(events.indexOf(`send ${ids[0]}`)).toBeLessThan(events.indexOf(`compose ${ids[7]}`));
  });

  it('composes up front only what is due within a second, so a paced message is checked close to its send', async () => {
    // Two a second on one lane: slots at 0, 0.5, 1, 1.5 and 2 s. The lane renders its next
    // message while it sends, so the fourth is composed once the first has gone.
    const { ids, events } = await sendBatch(5, { composeUpFront: true, perSecond: 2, lanes: 1 });
    expect(events.slice(0, 3)).toEqual(ids.slice(0, 3).map((id) => `compose ${id}`));
    expect(events.indexOf(`send ${ids[0]}`)).toBeLessThan(events.indexOf(`compose ${ids[3]}`));
    expect(events.indexOf(`send ${ids[1]}`)).toBeLessThan(events.indexOf(`compose ${ids[4]}`));
  });
});
