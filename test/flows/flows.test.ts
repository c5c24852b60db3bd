// Flows end to end on the real runtime: signed store events -> triggers -> the cron's
// enrollment and advance (with an injected clock) -> deliveries -> real mail at the
// local SMTP server. Each test uses its own contacts; flows are per workspace.
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { openDb } from '../../src/db/client';
import { forWorkspace } from '../../src/db/tenant';
import { saveSmsSender } from '../../src/sms/sms-sender.service';
import { queueDueEnrollments } from '../../src/flows/flow-advance';
import { runFlowAdvanceJob } from '../../src/flows/flow-advance-job';
import { createBatchScope } from '../../src/queues/batch-scope';
import { type FlowAdvanceMessage, flowAdvanceMessage } from '../../src/queues/messages';
import { claimDueEnrollments } from '../../src/db/system';
import { enrollFromTriggers } from '../../src/flows/flow-enrollment';
import type { FlowDefinition } from '../../src/flows/flow-definition';
import { runCronTick } from '../../src/jobs/cron';
import { HOUR } from '../../src/lib/time';
import { readTrackingToken } from '../../src/tracking/tracking-tokens';
import { apiErrorOf, callApi, createApiKey, patchApi, postApi, signUpMerchant, uniqueEmail } from '../helpers/factories';
import { trustWorkspace } from '../helpers/platform-trust';
import { receivedFor, waitForEmail } from '../helpers/smtp-sink';
import { TWILIO_TEST_ACCOUNT_SID, TWILIO_TEST_AUTH_TOKEN, twilioNumber, waitForSms } from '../helpers/twilio-server';
import { connectStore, sendCustomEvent, type TestConnection, waitForProcessed } from '../helpers/store-webhooks';

type Flow = { id: string; kind: string; version: number; enabled: boolean; definition: FlowDefinition };

let key: string;
let workspaceId: string;
let store: TestConnection;

beforeAll(async () => {
  const merchant = await signUpMerchant('Flow Mugs');
  workspaceId = merchant.workspaceId;
  await trustWorkspace(workspaceId);
  key = await createApiKey(merchant, 'flows');
  store = await connectStore(workspaceId, 'custom', 'USD');
});

async function createFlow(kind: string, patch?: (definition: FlowDefinition) => FlowDefinition): Promise<Flow> {
  const res = await postApi(key, '/flows', { kind });
  expect(res.status, await res.clone().text()).toBe(201);
  let { flow } = await res.json<{ flow: Flow }>();
  if (patch) {
    const patched = await patchApi(key, `/flows/${flow.id}`, { definition: patch(flow.definition) });
    expect(patched.status, await patched.clone().text()).toBe(200);
    flow = (await patched.json<{ flow: Flow }>()).flow;
  }
  expect((await postApi(key, `/flows/${flow.id}/enable`)).status).toBe(200);
  return flow;
}

async function disable(flow: Flow) {
  expect((await postApi(key, `/flows/${flow.id}/disable`)).status).toBe(200);
}

/** Waits until the flow-advance messages queued so far have run: no enrollment of the workspace is still claimed. */
async function flowMessagesRun() {
  await vi.waitFor(
    async () => {
      const claimed = await env.DB.prepare('SELECT COUNT(*) AS n FROM flow_enrollments WHERE workspace_id = ? AND claimed_until IS NOT NULL').bind(workspaceId).first<number>('n');
      if (claimed) throw new Error(`${claimed} enrollments still claimed`);
    },
    { timeout: 15_000, interval: 50 },
  );
}

/** One cron tick at `now` (the real tick's tasks, in order), and the flow steps it queued run. */
async function tick(now: number) {
  const results = await runCronTick(env, now);
  await flowMessagesRun();
  return results;
}

async function enrollmentsOf(flowId: string) {
  return (
    await env.DB.prepare('SELECT contact_id, occurrence_key, status, step_index, next_run_at, reason, version FROM flow_enrollments WHERE flow_id = ? ORDER BY enrolled_at')
      .bind(flowId)
      .all<{ contact_id: string; occurrence_key: string; status: string; step_index: number; next_run_at: number | null; reason: string | null; version: number }>()
  ).results;
}

async function flowDeliveries(flowId: string) {
  return (
    await env.DB.prepare("SELECT contact_id, step_key, status, reason_code FROM deliveries WHERE source_type = 'flow' AND source_id = ?")
      .bind(flowId)
      .all<{ contact_id: string; step_key: string; status: string; reason_code: string | null }>()
  ).results;
}

const contactOf = (email: string) => env.DB.prepare('SELECT id FROM contacts WHERE workspace_id = ? AND email = ?').bind(workspaceId, email).first<string>('id');

const customer = (email: string) => ({ email, firstName: 'Ida' });

const cartIdOf = (externalId: string) => env.DB.prepare('SELECT id FROM carts WHERE workspace_id = ? AND external_id = ?').bind(workspaceId, externalId).first<string>('id');

/** A store customer who opted in to email. */
async function subscribed(email: string) {
  await waitForProcessed(await sendCustomEvent(store, { type: 'customer.upserted', data: { ...customer(email), emailConsent: 'subscribed' } }));
}

async function cartFor(email: string, cartId: string) {
  await subscribed(email);
  await waitForProcessed(
    await sendCustomEvent(store, {
      type: 'cart.updated',
      data: {
        externalId: cartId,
        customer: customer(email),
        currency: 'USD',
        valueCents: 2400,
        recoveryUrl: `https://mugs.example/cart/${cartId}?t=1`,
        items: [{ sku: 'MUG-BLUE', title: 'Blue <Mug>', quantity: 2, unitPriceCents: 1200, imageUrl: 'https://mugs.example/blue.png' }],
      },
    }),
  );
}

describe('the Welcome flow', () => {
  it('greets a contact created through the API once, with the starter design', async () => {
    const flow = await createFlow('welcome');
    const email = uniqueEmail('welcome');
    expect((await postApi(key, '/contacts', { email, firstName: 'Wes', emailConsent: 'subscribed' })).status).toBe(201);
    await tick(Date.now());
    const received = await waitForEmail(email);
    expect(received.subject).toBe('Welcome to Flow Mugs, Wes');
    // Replayed ticks enroll and send nothing more.
    await tick(Date.now() + 1000);
    await tick(Date.now() + 2000);
    expect(await enrollmentsOf(flow.id)).toHaveLength(1);
    expect(await flowDeliveries(flow.id)).toHaveLength(1);
    // Its report counts the message, and the weekly chart has its weeks.
    const report = await (await callApi(key, `/flows/${flow.id}/report`)).json<{ report: { deliveries: { recipients: number } }; weeks: unknown[] }>();
    expect(report.report.deliveries.recipients).toBe(1);
    expect(report.weeks).toHaveLength(12);
    await disable(flow);
  });

  it('greets with smart sending off and no audience, a message step that needs no read at all', async () => {
    const flow = await createFlow('welcome', (definition) => ({ ...definition, smartSending: false, audience: null }));
    const email = uniqueEmail('no-reads');
    expect((await postApi(key, '/contacts', { email, firstName: 'Nora', emailConsent: 'subscribed' })).status).toBe(201);
    await tick(Date.now());
    await waitForEmail(email);
    expect(await enrollmentsOf(flow.id)).toMatchObject([{ status: 'done' }]);
    await disable(flow);
  });

  it('skips a contact outside the audience rules at the message, saying why, and greets one who meets them', async () => {
    const flow = await createFlow('welcome', (definition) => ({ ...definition, audience: { match: 'all', children: [{ field: 'tags', op: 'hasAny', tags: ['vip'] }] } }));
    const vip = uniqueEmail('audience-vip');
    const other = uniqueEmail('audience-other');
    for (const [email, tags] of [
      [vip, ['vip']],
      [other, ['wholesale']],
    ] as const) {
      expect((await postApi(key, '/contacts', { email, firstName: 'Aud', emailConsent: 'subscribed', tags })).status).toBe(201);
    }
    await tick(Date.now());
    await waitForEmail(vip);
    const byContact = new Map((await flowDeliveries(flow.id)).map((row) => [row.contact_id, row]));
    expect(byContact.get((await contactOf(vip))!)).toMatchObject({ status: expect.stringMatching(/^(queued|sending|sent)$/) });
    expect(byContact.get((await contactOf(other))!)).toMatchObject({ status: 'skipped', reason_code: 'not_in_audience' });
    expect(await receivedFor(other)).toHaveLength(0);
    await disable(flow);
  });
});

describe('the Abandoned cart flow', () => {
  it('waits 4 hours, then sends the cart as it is with its items, prices and tracked recovery link', async () => {
    const flow = await createFlow('abandoned_cart');
    const email = uniqueEmail('cart');
    const t0 = Date.now();
    await cartFor(email, `cart-${t0}`);
    // The same cart updated again is the same occurrence.
    await cartFor(email, `cart-${t0}`);
    await tick(t0);
    const [enrolled] = await enrollmentsOf(flow.id);
    expect(enrolled).toMatchObject({ status: 'active', step_index: 1, occurrence_key: `cart:${enrolled!.occurrence_key.slice(5)}` });
    expect(enrolled!.next_run_at).toBeGreaterThanOrEqual(t0 + 4 * HOUR);
    await tick(t0 + HOUR);
    expect(await flowDeliveries(flow.id)).toHaveLength(0);

    await tick(t0 + 4 * HOUR + 60_000);
    const received = await waitForEmail(email);
    expect(received.html).toContain('Blue &lt;Mug&gt;');
    expect(received.html).toContain('$12.00');
    expect(received.html).toContain('$24.00');
    const links = [...received.html!.matchAll(/href="https:\/\/marketing\.example\.com\/c\/([^"]+)"/g)].map((match) => match[1]!);
    const targets = await Promise.all(links.map(async (token) => (await readTrackingToken(env.APP_SECRET, 'click', token))?.link));
    expect(targets).toContain(`https://mugs.example/cart/cart-${t0}?t=1`);
    expect(await enrollmentsOf(flow.id)).toMatchObject([{ status: 'done' }]);
    await disable(flow);
  });

  it('enrolls a contact with two carts read in one tick once, as re-entry asks, and another contact in the same page too', async () => {
    const flow = await createFlow('abandoned_cart');
    const twice = uniqueEmail('two-carts');
    const other = uniqueEmail('one-cart');
    const t0 = Date.now();
    await cartFor(twice, `cart-2a-${t0}`);
    await cartFor(other, `cart-1-${t0}`);
    await cartFor(twice, `cart-2b-${t0}`);
    await tick(t0);
    const enrolled = await enrollmentsOf(flow.id);
    expect(enrolled.map((row) => row.occurrence_key).sort()).toEqual([`cart:${await cartIdOf(`cart-1-${t0}`)}`, `cart:${await cartIdOf(`cart-2a-${t0}`)}`].sort());
    await disable(flow);
  });

  it('lets a contact who orders during the wait leave without a message', async () => {
    const flow = await createFlow('abandoned_cart');
    const email = uniqueEmail('ordered');
    const t0 = Date.now();
    await cartFor(email, `cart-o-${t0}`);
    await tick(t0);
    await waitForProcessed(
      await sendCustomEvent(store, {
        type: 'order.completed',
        data: {
          externalId: `o-${t0}`,
          customer: customer(email),
          currency: 'USD',
          totalCents: 2400,
          cartId: `cart-o-${t0}`,
          items: [{ sku: 'MUG-BLUE', title: 'Blue Mug', quantity: 2, unitPriceCents: 1200 }],
        },
      }),
    );
    await tick(t0 + 5 * HOUR);
    expect(await enrollmentsOf(flow.id)).toMatchObject([{ status: 'exited', reason: 'The cart was ordered' }]);
    expect(await flowDeliveries(flow.id)).toHaveLength(0);
    expect(await receivedFor(email)).toHaveLength(0);
    await disable(flow);
  });

  it('sends nothing more once switched off mid-wait, and the contact leaves saying why', async () => {
    const flow = await createFlow('abandoned_cart');
    const email = uniqueEmail('off');
    const t0 = Date.now();
    await cartFor(email, `cart-off-${t0}`);
    await tick(t0);
    await disable(flow);
    await tick(t0 + 5 * HOUR);
    expect(await enrollmentsOf(flow.id)).toMatchObject([{ status: 'exited', reason: 'The flow was switched off' }]);
    expect(await flowDeliveries(flow.id)).toHaveLength(0);
  });

  it('keeps a contact already waiting on the version they entered when the live flow is edited', async () => {
    const flow = await createFlow('abandoned_cart');
    const email = uniqueEmail('edited');
    const t0 = Date.now();
    await cartFor(email, `cart-e-${t0}`);
    await tick(t0);
    const edited = await patchApi(key, `/flows/${flow.id}`, {
      definition: {
        ...flow.definition,
        steps: [
          { id: 'wait-short', type: 'wait', hours: 1 },
          ...flow.definition.steps.filter((step) => step.type === 'email'),
          { id: 'email-2', type: 'email', contentId: (flow.definition.steps[1] as { contentId: string }).contentId },
        ],
      },
    });
    expect(edited.status).toBe(200);
    expect((await edited.json<{ flow: Flow }>()).flow.version).toBe(flow.version + 1);
    await tick(t0 + 2 * HOUR);
    expect(await flowDeliveries(flow.id)).toHaveLength(0);
    await tick(t0 + 4 * HOUR + 60_000);
    await waitForEmail(email);
    expect(await flowDeliveries(flow.id)).toMatchObject([{ step_key: 'email-1', status: expect.any(String) }]);
    expect(await enrollmentsOf(flow.id)).toMatchObject([{ status: 'done', version: flow.version }]);
    await disable(flow);
  });

  it('sends one message when two ticks overlap on the same due contacts', async () => {
    const flow = await createFlow('abandoned_cart');
    const emails = [uniqueEmail('overlap-a'), uniqueEmail('overlap-b'), uniqueEmail('overlap-c')];
    const t0 = Date.now();
    for (const [i, email] of emails.entries()) await cartFor(email, `cart-ov-${t0}-${i}`);
    const db = openDb(env.DB);
    await enrollFromTriggers(db, t0);
    await Promise.all([enrollFromTriggers(db, t0), enrollFromTriggers(db, t0)]);
    await queueDueEnrollments(db, env, t0);
    await flowMessagesRun();
    const claims = await Promise.all([queueDueEnrollments(db, env, t0 + 5 * HOUR), queueDueEnrollments(db, env, t0 + 5 * HOUR), queueDueEnrollments(db, env, t0 + 5 * HOUR)]);
    expect(claims.reduce((sum, n) => sum + n, 0)).toBe(3);
    await flowMessagesRun();
    expect(await enrollmentsOf(flow.id)).toHaveLength(3);
    expect(await flowDeliveries(flow.id)).toHaveLength(3);
    for (const email of emails) await waitForEmail(email);
    for (const email of emails) expect(await receivedFor(email)).toHaveLength(1);
    await disable(flow);
  });
});

describe('the flow-advance messages a tick queues', () => {
  /** A Welcome enrollment for a new contact, enrolled and claimed at `now` as a tick would, but not yet run. */
  async function claimedWelcome(now: number) {
    const flow = await createFlow('welcome');
    const email = uniqueEmail('claimed');
    expect((await postApi(key, '/contacts', { email, firstName: 'Cleo', emailConsent: 'subscribed' })).status).toBe(201);
    const db = openDb(env.DB);
    await enrollFromTriggers(db, now);
    const claimedUntil = now + 60_000;
    const claimed = await claimDueEnrollments(db, now, claimedUntil, 100);
    expect(claimed).toHaveLength(1);
    return { flow, email, message: flowAdvanceMessage(workspaceId, [claimed[0]!.id], { claimedUntil, now }) };
  }

  it('sends one message when the same flow-advance message runs twice at once', async () => {
    const { flow, email, message } = await claimedWelcome(Date.now());
    await Promise.all([runFlowAdvanceJob(message, env, createBatchScope()), runFlowAdvanceJob(message, env, createBatchScope())]);
    await flowMessagesRun();
    await waitForEmail(email);
    expect(await receivedFor(email)).toHaveLength(1);
    expect(await flowDeliveries(flow.id)).toHaveLength(1);
    expect(await enrollmentsOf(flow.id)).toMatchObject([{ status: 'done' }]);
    await disable(flow);
  });

  it('runs nothing from a message whose claim lapsed and a later tick took, nor from one naming another workspace', async () => {
    const t0 = Date.now();
    const { flow, email, message } = await claimedWelcome(t0);
    const other = await signUpMerchant('Other Mugs');
    await runFlowAdvanceJob({ ...message, workspaceId: other.workspaceId }, env, createBatchScope());
    expect(await flowDeliveries(flow.id)).toHaveLength(0);
    // The claim lapses (its message was lost, or waits in a long queue) and a later tick claims the enrollment again.
    const later = t0 + 2 * 60_000;
    expect(await claimDueEnrollments(openDb(env.DB), later, later + 60_000, 100)).toHaveLength(1);
    await runFlowAdvanceJob(message, env, createBatchScope());
    expect(await flowDeliveries(flow.id)).toHaveLength(0);
    expect(await enrollmentsOf(flow.id)).toMatchObject([{ status: 'active' }]);
    // The later claim's own message sends the welcome.
    await runFlowAdvanceJob({ ...message, claimedUntil: later + 60_000, now: later }, env, createBatchScope());
    await waitForEmail(email);
    expect(await flowDeliveries(flow.id)).toHaveLength(1);
    expect(await enrollmentsOf(flow.id)).toMatchObject([{ status: 'done' }]);
    await disable(flow);
  });

  it('writes the rest of a message when one enrollment cannot be written, and leaves that one claimed', async () => {
    const now = Date.now();
    const { flow, email, message } = await claimedWelcome(now);
    // A second version of the flow, which the next contact enters.
    const edited = await patchApi(key, `/flows/${flow.id}`, { definition: { ...flow.definition, smartSending: false } });
    expect(edited.status, await edited.clone().text()).toBe(200);
    const stuck = uniqueEmail('stuck');
    expect((await postApi(key, '/contacts', { email: stuck, firstName: 'Stu', emailConsent: 'subscribed' })).status).toBe(201);
    const db = openDb(env.DB);
    await enrollFromTriggers(db, now);
    const [second] = await claimDueEnrollments(db, now, message.claimedUntil, 100);
    // Past the delete guard (a design a flow sends cannot be deleted): that version names a design that is gone.
    await env.DB.prepare("UPDATE flow_versions SET definition = replace(definition, json_extract(definition, '$.steps[0].contentId'), 'gone-design') WHERE flow_id = ? AND version = 2")
      .bind(flow.id)
      .run();
    await runFlowAdvanceJob({ ...message, enrollmentIds: [...message.enrollmentIds, second!.id] }, env, createBatchScope());
    await waitForEmail(email);
    expect(await enrollmentsOf(flow.id)).toMatchObject([
      { version: 1, status: 'done' },
      { version: 2, status: 'active' },
    ]);
    expect(await flowDeliveries(flow.id)).toHaveLength(1);
    expect(await receivedFor(stuck)).toHaveLength(0);
    // Alone in its message, nothing of it can be written: the job throws, so the queue retries the message.
    await expect(runFlowAdvanceJob({ ...message, enrollmentIds: [second!.id] }, env, createBatchScope())).rejects.toThrow(/FOREIGN KEY/);
    await env.DB.prepare("UPDATE flow_enrollments SET claimed_until = NULL, status = 'exited' WHERE flow_id = ?").bind(flow.id).run();
    await disable(flow);
  });

  it('queues a burst as messages of at most 50 enrollments of one workspace, and every contact gets one welcome', async () => {
    const flow = await createFlow('welcome');
    const emails = Array.from({ length: 60 }, (_, i) => uniqueEmail(`burst-${i}`));
    const imported = await callApi(key, '/contacts/imports?fileName=burst.csv', {
      method: 'POST',
      body: `email,email_consent\n${emails.map((email) => `${email},subscribed`).join('\n')}\n`,
      headers: { 'content-type': 'text/csv' },
    });
    expect(imported.status, await imported.clone().text()).toBe(202);
    await vi.waitFor(
      async () => {
        const done = await env.DB.prepare("SELECT COUNT(*) AS n FROM contact_imports WHERE workspace_id = ? AND status = 'done' AND imported_rows = 60").bind(workspaceId).first<number>('n');
        if (!done) throw new Error('import not done');
      },
      { timeout: 15_000, interval: 100 },
    );
    const db = openDb(env.DB);
    const now = Date.now();
    await enrollFromTriggers(db, now);
    const sent: FlowAdvanceMessage[] = [];
    const recording = { ...env, SENDS_QUEUE: { sendBatch: async (batch: { body: FlowAdvanceMessage }[]) => void sent.push(...batch.map((m) => m.body)) } } as unknown as typeof env;
    expect(await queueDueEnrollments(db, recording, now)).toBe(60);
    expect(sent.map((message) => message.enrollmentIds.length).sort()).toEqual([10, 50]);
    expect(new Set(sent.map((message) => message.workspaceId))).toEqual(new Set([workspaceId]));
    for (const message of sent) await runFlowAdvanceJob(message, env, createBatchScope());
    for (const email of emails) await waitForEmail(email);
    expect(await flowDeliveries(flow.id)).toHaveLength(60);
    expect((await enrollmentsOf(flow.id)).every((row) => row.status === 'done')).toBe(true);
    await disable(flow);
  });
});

describe('the Price drop and Back-in-stock flows', () => {
  it('tells a shopper who viewed a product its old and new price, and skips one messaged within the smart-sending hours', async () => {
    const flow = await createFlow('price_drop');
    const t0 = Date.now();
    const sku = `VASE-${t0}`;
    const viewer = uniqueEmail('viewer');
    const recent = uniqueEmail('recent');
    await waitForProcessed(
      await sendCustomEvent(store, { type: 'product.updated', data: { externalId: `p-${t0}`, sku, title: 'Tall Vase', url: 'https://mugs.example/vase', priceCents: 4000, inventory: 3 } }),
    );
    for (const email of [viewer, recent]) await subscribed(email);
    for (const email of [viewer, recent]) await waitForProcessed(await sendCustomEvent(store, { type: 'product.viewed', data: { customer: customer(email), sku } }));
    const recentId = (await env.DB.prepare('SELECT id FROM contacts WHERE workspace_id = ? AND email = ?').bind(workspaceId, recent).first<string>('id'))!;
    const content = (flow.definition.steps[0] as { contentId: string }).contentId;
    await env.DB.prepare(
      "INSERT INTO deliveries (id, workspace_id, contact_id, channel, source_type, source_id, step_key, occurrence_key, content_id, status, requires_opt_in, queued_at, sent_at, updated_at, attempts) VALUES (?, ?, ?, 'email', 'campaign', 'earlier', '', '', ?, 'sent', 1, ?, ?, ?, 1)",
    )
      .bind(`d-${t0}`, workspaceId, recentId, content, t0 - HOUR, t0 - HOUR, t0 - HOUR)
      .run();
    await waitForProcessed(
      await sendCustomEvent(store, { type: 'product.updated', data: { externalId: `p-${t0}`, sku, title: 'Tall Vase', url: 'https://mugs.example/vase', priceCents: 3000, inventory: 3 } }),
    );
    await tick(Date.now());
    const received = await waitForEmail(viewer);
    expect(received.html).toContain('$40.00');
    expect(received.html).toContain('$30.00');
    const rows = await flowDeliveries(flow.id);
    expect(rows.find((row) => row.contact_id === recentId)).toMatchObject({ status: 'skipped', reason_code: 'smart_sending' });
    expect(await receivedFor(recent)).toHaveLength(0);
    await disable(flow);
  });

  it('tells a subscriber once when the product comes back, not again at the next restock', async () => {
    const flow = await createFlow('back_in_stock');
    const t0 = Date.now();
    const sku = `JUG-${t0}`;
    const subscriber = uniqueEmail('stock');
    const product = (inventory: number) => sendCustomEvent(store, { type: 'product.updated', data: { externalId: `j-${t0}`, sku, title: 'Milk Jug', priceCents: 2000, inventory } });
    await waitForProcessed(await product(0));
    await subscribed(subscriber);
    await waitForProcessed(await sendCustomEvent(store, { type: 'back_in_stock.subscribed', data: { customer: customer(subscriber), sku } }));
    await waitForProcessed(await product(4));
    await tick(Date.now());
    expect((await waitForEmail(subscriber)).html).toContain('Milk Jug');
    await waitForProcessed(await product(0));
    await waitForProcessed(await product(2));
    await tick(Date.now() + 1000);
    expect(await flowDeliveries(flow.id)).toHaveLength(1);
    await disable(flow);
  });
});

describe('the Win-back flow', () => {
  it('waits out the lapse after each purchase, and the next purchase restarts it', async () => {
    const flow = await createFlow('win_back', (definition) => ({ ...definition, steps: [{ id: 'wait-1', type: 'wait', hours: 24 }, ...definition.steps.slice(1)] }));
    const email = uniqueEmail('lapsed');
    const order = (id: string) =>
      sendCustomEvent(store, {
        type: 'order.completed',
        data: { externalId: id, customer: customer(email), currency: 'USD', totalCents: 1500, items: [{ sku: 'MUG-BLUE', title: 'Blue Mug', quantity: 1, unitPriceCents: 1500 }] },
      });
    const t0 = Date.now();
    await subscribed(email);
    await waitForProcessed(await order(`wb-1-${t0}`));
    await tick(t0);
    await waitForProcessed(await order(`wb-2-${t0}`));
    await tick(t0 + 60_000);
    await tick(t0 + 25 * HOUR);
    const enrollments = await enrollmentsOf(flow.id);
    expect(enrollments.map((row) => row.status).sort()).toEqual(['done', 'exited']);
    expect(enrollments.find((row) => row.status === 'exited')!.reason).toBe('Ordered since entering the flow');
    expect(await flowDeliveries(flow.id)).toHaveLength(1);
    await waitForEmail(email);
    await disable(flow);
  });
});

describe('smart sending hours', () => {
  it('are a workspace setting of 0 to 168 whole hours, 16 by default', async () => {
    expect((await (await callApi(key, '/workspace')).json<{ workspace: { smartSendingHours: number } }>()).workspace.smartSendingHours).toBe(16);
    for (const bad of [169, -1, 1.5, 'soon']) {
      const res = await patchApi(key, '/workspace', { smartSendingHours: bad });
      expect(res.status, String(bad)).toBe(400);
      expect((await apiErrorOf(res)).issues!.map((issue) => issue.path)).toEqual(['smartSendingHours']);
    }
    const res = await patchApi(key, '/workspace', { smartSendingHours: 24 });
    expect((await res.json<{ workspace: { smartSendingHours: number } }>()).workspace.smartSendingHours).toBe(24);
    await patchApi(key, '/workspace', { smartSendingHours: 16 });
  });
});

describe('the flows API', () => {
  it('refuses bad input with 400 naming the field, and another workspace gets 404', async () => {
    const bad = await postApi(key, '/flows', { kind: 'birthday' });
    expect(bad.status).toBe(400);
    expect((await apiErrorOf(bad)).issues!.map((issue) => issue.path)).toEqual(['kind']);
    const flow = (await (await postApi(key, '/flows', { kind: 'welcome' })).json<{ flow: Flow }>()).flow;
    const noMessage = await patchApi(key, `/flows/${flow.id}`, { definition: { ...flow.definition, steps: [{ id: 'wait-1', type: 'wait', hours: 1 }] } });
    expect(noMessage.status).toBe(400);
    expect((await apiErrorOf(noMessage)).issues!.map((issue) => issue.path)).toEqual(['definition.steps']);
    const foreignDesign = await patchApi(key, `/flows/${flow.id}`, { definition: { ...flow.definition, steps: [{ id: 'email-1', type: 'email', contentId: 'not-ours' }] } });
    expect(foreignDesign.status).toBe(400);
    expect((await apiErrorOf(foreignDesign)).issues!.map((issue) => issue.path)).toEqual(['definition.steps.0.contentId']);
    const otherKind = await patchApi(key, `/flows/${flow.id}`, { definition: { ...flow.definition, trigger: { kind: 'win_back' } } });
    expect(otherKind.status).toBe(400);
    const other = await createApiKey(await signUpMerchant('Other flows'));
    expect((await callApi(other, `/flows/${flow.id}`)).status).toBe(404);
    expect((await postApi(other, `/flows/${flow.id}/enable`)).status).toBe(404);
    expect((await callApi(other, `/flows/${flow.id}/report`)).status).toBe(404);
    const stored = await env.DB.prepare('SELECT version, enabled FROM flows WHERE id = ?').bind(flow.id).first();
    expect(stored).toEqual({ version: 1, enabled: 0 });
  });
});

describe('the Customer retention flow', () => {
  it('keeps one clock per rule, restarted by a purchase of the rule’s products, with figures per rule that outlive a deleted rule', async () => {
    const rules = [
      { id: 'rule-1', name: 'Anything, 30 days', skus: [], match: 'any' as const, days: 30 },
      { id: 'beans', name: 'Beans and filters, 10 days', skus: ['BEANS', 'FILTER'], match: 'all' as const, days: 10 },
    ];
    const flow = await createFlow('retention', (definition) => ({ ...definition, trigger: { kind: 'retention', startOn: 'completed', rules } }));
    const [ann, ben] = [uniqueEmail('ret-ann'), uniqueEmail('ret-ben')];
    const order = (email: string, id: string, skus: string[]) =>
      sendCustomEvent(store, {
        type: 'order.completed',
        data: { externalId: id, customer: customer(email), currency: 'USD', totalCents: 900 * skus.length, items: skus.map((sku) => ({ sku, title: sku, quantity: 1, unitPriceCents: 900 })) },
      });
    const t0 = Date.now();
    await subscribed(ann);
    await subscribed(ben);
    await waitForProcessed(await order(ann, `ret-a1-${t0}`, ['BEANS']));
    await waitForProcessed(await order(ben, `ret-b1-${t0}`, ['BEANS']));
    // Ben buys both products: his first clocks stop, and his second order starts new ones.
    await waitForProcessed(await order(ben, `ret-b2-${t0}`, ['BEANS', 'FILTER']));
    await tick(t0);
    const entered = await enrollmentsOf(flow.id);
    expect(entered.map((row) => row.occurrence_key.replace(/^order:[^:]+/, '')).sort()).toEqual([':rule:beans', ':rule:beans', ':rule:beans', ':rule:rule-1', ':rule:rule-1', ':rule:rule-1']);
    // Each clock is the rule's own: due its days after the order.
    for (const row of entered) expect(row.next_run_at! - t0).toBeGreaterThan((row.occurrence_key.endsWith('beans') ? 10 : 30) * 24 * HOUR - 60_000);
    await tick(t0 + 11 * 24 * HOUR);
    await tick(t0 + 31 * 24 * HOUR);
    const after = await enrollmentsOf(flow.id);
    expect(
      after
        .filter((row) => row.status === 'exited')
        .map((row) => row.reason)
        .sort(),
    ).toEqual(['Bought the rule’s products again', 'Ordered since entering the flow']);
    const sent = await flowDeliveries(flow.id);
    expect(sent).toHaveLength(4);
    // Ann: one message per rule; Ben: one per rule, for his second order.
    const [annId, benId] = [await contactOf(ann), await contactOf(ben)];
    expect(sent.filter((row) => row.contact_id === annId)).toHaveLength(2);
    expect(sent.filter((row) => row.contact_id === benId)).toHaveLength(2);
    type RuleRow = { ruleId: string; name: string; current: boolean; pending: number; sent: number };
    const figures = async () => (await (await callApi(key, `/flows/${flow.id}/report`)).json<{ rules: RuleRow[] }>()).rules;
    expect((await figures()).map((rule) => [rule.ruleId, rule.current, rule.pending + rule.sent])).toEqual([
      ['rule-1', true, 2],
      ['beans', true, 2],
    ]);
    // Deleting a rule keeps its figures, under its last name.
    const current = (await (await callApi(key, `/flows/${flow.id}`)).json<{ flow: Flow }>()).flow;
    const patched = await patchApi(key, `/flows/${flow.id}`, { definition: { ...current.definition, trigger: { kind: 'retention', startOn: 'completed', rules: [rules[0]] } } });
    expect(patched.status).toBe(200);
    expect((await figures()).map((rule) => [rule.name, rule.current, rule.pending + rule.sent])).toEqual([
      ['Anything, 30 days', true, 2],
      ['Beans and filters, 10 days', false, 2],
    ]);
    await disable(flow);
  });
});

describe('condition splits', () => {
  it('send the second message only to contacts who have not ordered since entering', async () => {
    const flow = await createFlow('welcome', (definition) => {
      const email = definition.steps[0]!;
      return {
        ...definition,
        steps: [email, { id: 'wait-1', type: 'wait', hours: 24 }, { id: 'split-1', type: 'split', condition: 'ordered_since_start', ifYes: 'end', ifNo: 'next' }, { ...email, id: 'email-2' }],
      };
    });
    const [buyer, browser] = [uniqueEmail('split-buyer'), uniqueEmail('split-browser')];
    for (const email of [buyer, browser]) expect((await postApi(key, '/contacts', { email, emailConsent: 'subscribed' })).status).toBe(201);
    const t0 = Date.now();
    await tick(t0);
    await waitForProcessed(
      await sendCustomEvent(store, {
        type: 'order.completed',
        data: { externalId: `split-o-${t0}`, customer: customer(buyer), currency: 'USD', totalCents: 1500, items: [{ sku: 'MUG-BLUE', title: 'Blue Mug', quantity: 1, unitPriceCents: 1500 }] },
      }),
    );
    await tick(t0 + 25 * HOUR);
    const [buyerId, browserId] = [await contactOf(buyer), await contactOf(browser)];
    const steps = await flowDeliveries(flow.id);
    expect(steps.filter((row) => row.contact_id === buyerId).map((row) => row.step_key)).toEqual(['email-1']);
    expect(
      steps
        .filter((row) => row.contact_id === browserId)
        .map((row) => row.step_key)
        .sort(),
    ).toEqual(['email-1', 'email-2']);
    expect((await enrollmentsOf(flow.id)).map((row) => row.status)).toEqual(['done', 'done']);
    await disable(flow);
  });

  it('refuse a branch that leads back or nowhere, naming the branch', async () => {
    const flow = (await (await postApi(key, '/flows', { kind: 'welcome' })).json<{ flow: Flow }>()).flow;
    const email = flow.definition.steps[0]!;
    for (const target of ['email-1', 'split-1', 'nowhere']) {
      const res = await patchApi(key, `/flows/${flow.id}`, {
        definition: { ...flow.definition, steps: [email, { id: 'split-1', type: 'split', condition: 'clicked_flow_message', ifYes: 'next', ifNo: target }] },
      });
      expect(res.status, target).toBe(400);
      expect((await apiErrorOf(res)).issues!.map((issue) => issue.path)).toEqual(['definition.steps.1.ifNo']);
    }
    expect(await env.DB.prepare('SELECT version FROM flows WHERE id = ?').bind(flow.id).first('version')).toBe(1);
  });
});

describe('an SMS step', () => {
  it('texts the contact through the workspace’s Twilio account after the welcome email, and takes only an SMS message', async () => {
    await saveSmsSender(forWorkspace(openDb(env.DB), workspaceId), env, {
      accountSid: TWILIO_TEST_ACCOUNT_SID,
      authToken: TWILIO_TEST_AUTH_TOKEN,
      fromNumber: '+14155550142',
      quietHoursStart: null,
      quietHoursEnd: null,
      clickWindowDays: 5,
    });
    const created = await postApi(key, '/sms-messages', { name: 'Welcome text', body: 'Hi {{ contact.first_name }}, 10% off your first {{ shop.name }} order: https://mugs.example/first' });
    expect(created.status, await created.clone().text()).toBe(201);
    const { message } = await created.json<{ message: { id: string } }>();
    // An SMS step that names an email design is refused, naming the step's field.
    const welcome = await createFlow('welcome');
    const emailStep = welcome.definition.steps[0]!;
    const wrong = await patchApi(key, `/flows/${welcome.id}`, {
      definition: { ...welcome.definition, steps: [emailStep, { id: 'sms-1', type: 'sms', contentId: 'contentId' in emailStep ? emailStep.contentId : '' }] },
    });
    expect(wrong.status).toBe(400);
    expect((await apiErrorOf(wrong)).issues).toEqual([expect.objectContaining({ path: 'definition.steps.1.contentId', message: 'Choose one of your SMS messages' })]);
    const patched = await patchApi(key, `/flows/${welcome.id}`, { definition: { ...welcome.definition, steps: [emailStep, { id: 'sms-1', type: 'sms', contentId: message.id }] } });
    expect(patched.status, await patched.clone().text()).toBe(200);

    const email = uniqueEmail('texted');
    const phone = twilioNumber('ok');
    expect((await postApi(key, '/contacts', { email, phone, firstName: 'Tia', emailConsent: 'subscribed', smsConsent: 'subscribed' })).status).toBe(201);
    await tick(Date.now());
    await waitForEmail(email);
    const text = await waitForSms(phone);
    expect(text.body).toMatch(/^Hi Tia, 10% off your first Flow Mugs order: https:\/\/marketing\.example\.com\/s\/[0-9A-Za-z]{10}\nReply STOP to opt out$/);
    const contactId = await contactOf(email);
    const rows = (await flowDeliveries(welcome.id)).filter((row) => row.contact_id === contactId);
    await expect.poll(async () => (await flowDeliveries(welcome.id)).filter((row) => row.contact_id === contactId && row.status === 'sent').length).toBe(2);
    expect(rows.map((row) => row.step_key).sort()).toEqual(['email-1', 'sms-1']);
    await disable(welcome);
  });
});
