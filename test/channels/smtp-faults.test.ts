// The SMTP client against servers that misbehave as real ones do (test/global/smtp-faults.mjs):
// every fault ends in an outcome that names its cause, the Worker keeps answering while
// it lasts, nothing is sent twice, and one workspace's bad server never holds up another's.
import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test';
import { env, exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import worker from '../../src/index';
import { smtpTimeouts, testSmtpConnection, type SmtpOutcome, type SmtpServer } from '../../src/channels/email';
import type { SmtpSecurity } from '../../src/db/schema';
import { ORIGIN } from '../helpers/browser-client';
import { insertContact } from '../helpers/data';
import { deliveryOf, insertEmailContent, insertQueuedDelivery } from '../helpers/deliveries';
import { signUpMerchant, uniqueEmail } from '../helpers/factories';
import { faultStats, FAULT_PORTS, type Fault } from '../helpers/smtp-faults';
import { useOwnSmtpServer } from '../helpers/smtp-settings';
import { receivedFor, SMTP_PORT } from '../helpers/smtp-sink';

const timeouts = smtpTimeouts(env);

function server(port: number, security: SmtpSecurity = 'none'): SmtpServer {
  return { host: '127.0.0.1', port, security, username: 'test', password: 'test', timeouts };
}

/** Milliseconds /healthz/live takes to answer, measured while `work` runs. */
async function livenessDuring<T>(work: Promise<T>): Promise<{ result: T; slowestMs: number }> {
  let slowestMs = 0;
  let done = false;
  const probes = (async () => {
    // At least one probe, however fast the work ends.
    do {
      const started = Date.now();
      const res = await exports.default.fetch(`${ORIGIN}/healthz/live`);
      expect(await res.text()).toBe('ok');
      slowestMs = Math.max(slowestMs, Date.now() - started);
      await new Promise((resolve) => setTimeout(resolve, 200));
    } while (!done);
  })();
  const result = await work.finally(() => (done = true));
  await probes;
  return { result, slowestMs };
}

async function failedTest(fault: Fault, security: SmtpSecurity = 'none'): Promise<Extract<SmtpOutcome, { ok: false }>> {
  const { result, slowestMs } = await livenessDuring(testSmtpConnection(server(FAULT_PORTS[fault], security)));
  expect(slowestMs).toBeLessThan(1000);
  expect(result.ok).toBe(false);
  return result as Extract<SmtpOutcome, { ok: false }>;
}

describe('Test connection against a faulty server', () => {
  it('reports a server that closes before its greeting, without freezing the Worker', async () => {
    const outcome = await failedTest('closeBeforeGreeting');
    expect(outcome).toMatchObject({ kind: 'closed', permanent: false });
    expect(outcome.message).toContain(`127.0.0.1:${FAULT_PORTS.closeBeforeGreeting} closed the connection`);
  });

  it('reports a server that closes in the middle of a reply', async () => {
    const outcome = await failedTest('closeMidReply');
    expect(outcome).toMatchObject({ kind: 'closed' });
  });

  it('reports a 421 at connect as the server refusing mail for now', async () => {
    const outcome = await failedTest('busyAtConnect');
    expect(outcome).toMatchObject({ kind: 'rejected', permanent: false });
    expect(outcome.message).toContain('421 4.3.2 Service not available');
  });

  it('gives up on a server that never answers, and says what to try', async () => {
    const outcome = await failedTest('silent');
    expect(outcome).toMatchObject({ kind: 'timeout' });
    expect(outcome.message).toMatch(/never greeted within 2 seconds.*choose TLS/);
  });

  it('never downgrades STARTTLS: a server without it gets neither AUTH nor a message', async () => {
    const before = (await faultStats()).noStartTls;
    const outcome = await failedTest('noStartTls', 'starttls');
    expect(outcome).toMatchObject({ kind: 'starttls_missing' });
    expect(outcome.message).toContain('does not offer STARTTLS');
    const after = (await faultStats()).noStartTls;
    expect(after.auth).toBe(before.auth);
    expect(after.mail).toBe(before.mail);
  });

  it('names an untrusted certificate as a TLS failure', async () => {
    const outcome = await failedTest('selfSignedTls', 'tls');
    expect(outcome).toMatchObject({ kind: 'tls' });
    expect(outcome.message).toMatch(/TLS handshake .* failed: the server's certificate is not trusted/);
  });

  it('names implicit TLS against a plain-text port as a TLS failure with the STARTTLS hint', async () => {
    const outcome = await failedTest('noStartTls', 'tls');
    expect(outcome).toMatchObject({ kind: 'tls' });
    expect(outcome.message).toContain('greets in plain text on port');
  });

  it('reports a closed port as a connection failure with the ports to use', async () => {
    // Nothing listens on the port below the faulty servers.
    const outcome = await testSmtpConnection(server(FAULT_PORTS.closeBeforeGreeting - 2));
    expect(outcome).toMatchObject({ ok: false, kind: 'connect' });
    expect((outcome as { message: string }).message).toContain('465 with TLS or 587 with STARTTLS');
  });
});

describe('sending through a faulty server', () => {
  async function workspaceOn(fault: Fault | 'sink', label: string, security: SmtpSecurity = 'none') {
    const merchant = await signUpMerchant(`Faults ${label}`);
    await useOwnSmtpServer(merchant.workspaceId, { port: fault === 'sink' ? SMTP_PORT : FAULT_PORTS[fault], security });
    const design = await insertEmailContent(merchant.workspaceId, { subject: 'Hello {{ contact.first_name }}', html: '<p>Hi</p>' });
    return { workspaceId: merchant.workspaceId, design };
  }

  async function queueFor(workspace: { workspaceId: string; design: string }, label: string, count: number, campaignId = `faults-${label}`) {
    const rows: { to: string; contactId: string; deliveryId: string }[] = [];
    for (let i = 0; i < count; i++) {
      const to = uniqueEmail(label);
      const contactId = await insertContact(workspace.workspaceId, { email: to });
      rows.push({ to, contactId, deliveryId: await insertQueuedDelivery(workspace.workspaceId, contactId, workspace.design, campaignId) });
    }
    return rows;
  }

  function batchOf(workspaceId: string, rows: { deliveryId: string }[], label: string) {
    return rows.map((row, i) => ({ id: `${label}-${i}`, timestamp: new Date(), attempts: 1, body: { type: 'send-delivery' as const, workspaceId, deliveryId: row.deliveryId } }));
  }

  /** Runs one batch of the rows' sends through the Worker's queue entry; what it retried, and the slowest liveness answer meanwhile. */
  async function sendBatch(workspaceId: string, rows: { deliveryId: string }[], label: string) {
    const batch = createMessageBatch('marketing-sends', batchOf(workspaceId, rows, label));
    const ctx = createExecutionContext();
    const { slowestMs } = await livenessDuring(worker.queue(batch, env));
    return { retried: (await getQueueResult(batch, ctx)).retryMessages, slowestMs };
  }

  it('sends each message exactly once through a server that hangs up after every 250', async () => {
    const workspace = await workspaceOn('closeAfterAccept', 'hangup');
    const rows = await queueFor(workspace, 'hangup', 6);
    const { retried, slowestMs } = await sendBatch(workspace.workspaceId, rows, 'hangup');
    expect(slowestMs).toBeLessThan(1000);
    expect(retried).toEqual([]);
    const delivered = (await faultStats()).closeAfterAccept.delivered;
    for (const row of rows) {
      expect(delivered.filter((to) => to === row.to)).toHaveLength(1);
      expect(await deliveryOf(row.contactId, 'faults-hangup')).toMatchObject({ status: 'sent' });
    }
  });

  it('waits for a slow answer to the end of the message instead of sending it again', async () => {
    const workspace = await workspaceOn('slowButInTime', 'slow');
    const [row] = await queueFor(workspace, 'slow', 1);
    const batch = createMessageBatch('marketing-sends', batchOf(workspace.workspaceId, [row!], 'slow'));
    await worker.queue(batch, env);
    expect(await deliveryOf(row!.contactId, 'faults-slow')).toMatchObject({ status: 'sent' });
    expect((await faultStats()).slowButInTime.delivered.filter((to) => to === row!.to)).toHaveLength(1);
  });

  it('records a message the server took but never confirmed as an unknown outcome, and never resends it', async () => {
    const workspace = await workspaceOn('slowDataEnd', 'unknown');
    const [row] = await queueFor(workspace, 'unknown', 1);
    const { retried, slowestMs } = await sendBatch(workspace.workspaceId, [row!], 'unknown');
    expect(slowestMs).toBeLessThan(1000);
    expect(retried).toEqual([]);
    const delivery = await deliveryOf(row!.contactId, 'faults-unknown');
    expect(delivery).toMatchObject({ status: 'unknown' });
    expect(delivery!.reason).toMatch(/never confirmed it.*not resent, to avoid a duplicate/);
    // The same message again (a queue redelivery) finds it final and sends nothing.
    await worker.queue(createMessageBatch('marketing-sends', batchOf(workspace.workspaceId, [row!], 'unknown-again')), env);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await faultStats()).slowDataEnd.delivered.filter((to) => to === row!.to)).toHaveLength(1);
    // It is not the sender's fault: the sender is not marked failing for it.
    const settings = await env.DB.prepare('SELECT sender_error FROM workspace_settings WHERE workspace_id = ?').bind(workspace.workspaceId).first('sender_error');
    expect(settings).toBeNull();
  });

  it("does not let one workspace's silent server hold up another workspace's messages in the same batch", async () => {
    const stalled = await workspaceOn('slowDataEnd', 'stalled');
    const healthy = await workspaceOn('sink', 'healthy');
    const stalledRows = await queueFor(stalled, 'stalled', 2);
    const healthyRows = await queueFor(healthy, 'healthy', 3);
    const batch = createMessageBatch('marketing-sends', [...batchOf(stalled.workspaceId, stalledRows, 'stalled'), ...batchOf(healthy.workspaceId, healthyRows, 'healthy')]);
    const started = Date.now();
    let batchDone = false;
    const running = worker.queue(batch, env).finally(() => (batchDone = true));
    // The healthy workspace's mail arrives while the stalled server is still being waited for.
    await expect.poll(async () => (await Promise.all(healthyRows.map(({ to }) => receivedFor(to)))).every((got) => got.length === 1), { timeout: 4_000, interval: 100 }).toBe(true);
    expect(batchDone).toBe(false);
    expect(Date.now() - started).toBeLessThan(4_000);
    await running;
  });

  it('never sends through a server that does not offer STARTTLS when STARTTLS is set, and says why', async () => {
    const before = (await faultStats()).noStartTls;
    const workspace = await workspaceOn('noStartTls', 'cleartext', 'starttls');
    const rows = await queueFor(workspace, 'cleartext', 2);
    const { retried, slowestMs } = await sendBatch(workspace.workspaceId, rows, 'cleartext');
    expect(slowestMs).toBeLessThan(1000);
    expect(retried).toHaveLength(2);
    const after = (await faultStats()).noStartTls;
    expect([after.auth, after.mail]).toEqual([before.auth, before.mail]);
    for (const row of rows) expect((await deliveryOf(row.contactId, 'faults-cleartext'))!.reason).toContain('does not offer STARTTLS');
    const kind = await env.DB.prepare('SELECT sender_error_kind FROM workspace_settings WHERE workspace_id = ?').bind(workspace.workspaceId).first('sender_error_kind');
    expect(kind).toBe('starttls_missing');
  });

  it('keeps answering while a batch waits on a server that never greets', async () => {
    const workspace = await workspaceOn('silent', 'silent');
    const rows = await queueFor(workspace, 'silent', 3);
    const { retried, slowestMs } = await sendBatch(workspace.workspaceId, rows, 'silent');
    expect(slowestMs).toBeLessThan(1000);
    expect(retried).toHaveLength(3);
    for (const row of rows) expect((await deliveryOf(row.contactId, 'faults-silent'))!.reason).toMatch(/never greeted within 2 seconds/);
  });

  it('stops trying a server that refuses connections after the first failure, and retries the rest later', async () => {
    const workspace = await workspaceOn('busyAtConnect', 'busy');
    const rows = await queueFor(workspace, 'busy', 5);
    const { retried, slowestMs } = await sendBatch(workspace.workspaceId, rows, 'busy');
    expect(slowestMs).toBeLessThan(1000);
    expect(retried).toHaveLength(5);
    for (const row of rows) expect(await deliveryOf(row.contactId, 'faults-busy')).toMatchObject({ status: 'queued' });
    const state = await env.DB.prepare('SELECT sender_error, sender_error_kind, sender_failing_since FROM workspace_settings WHERE workspace_id = ?')
      .bind(workspace.workspaceId)
      .first<Record<string, unknown>>();
    expect(state).toMatchObject({ sender_error_kind: 'rejected' });
    expect(state!.sender_error).toContain('421');
    expect(state!.sender_failing_since).toBeTypeOf('number');
  });
});
