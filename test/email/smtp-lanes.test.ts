// A batch's SMTP lanes opened ahead of its first sends (so the handshakes overlap the
// batch's reads), against servers that count what they see: each lane is opened once, a
// lane the server dropped while it waited is opened again once, and a refused password
// is tried once per lane, not again by the send that finds the lane failed.
import { describe, expect, it } from 'vitest';
import type { OutgoingEmail, SmtpServer } from '../../src/channels/email';
import { openLanes, sendOnLane } from '../../src/email/smtp-lanes';
import { createBatchScope } from '../../src/queues/batch-scope';
import { FAULT_PORTS, faultStats, type Fault } from '../helpers/smtp-faults';

const TIMEOUTS = { connect: 2_000, reply: 2_000, dataEnd: 5_000 };

function serverOf(fault: Fault, credentials: { username: string; password: string } | null = null): SmtpServer {
  return { host: '127.0.0.1', port: FAULT_PORTS[fault], security: 'none', username: credentials?.username ?? null, password: credentials?.password ?? null, timeouts: TIMEOUTS };
}

function email(to: string): OutgoingEmail {
  return { from: { email: 'shop@lanes.example' }, to: { email: to }, subject: 'Hello', html: '<p>Hello</p>', text: 'Hello' };
}

const statsOf = async (fault: Fault) => (await faultStats())[fault];

describe('SMTP lanes opened ahead', () => {
  it('opens each lane once, before any send, and sends on those connections', async () => {
    const before = await statsOf('dropsIdle');
    const scope = createBatchScope();
    const lane = `ahead-${crypto.randomUUID()}`;
    openLanes(
      scope,
      [0, 1, 2].map((n) => `${lane}:${n}`),
      serverOf('dropsIdle'),
    );
    await expect.poll(async () => (await statsOf('dropsIdle')).connections - before.connections).toBe(3);
    const outcomes = await Promise.all([0, 1, 2].map((n) => sendOnLane(scope, `${lane}:${n}`, serverOf('dropsIdle'), email(`lane${n}-${lane}@example.com`))));
    expect(outcomes.map((outcome) => outcome.ok)).toEqual([true, true, true]);
    await scope.closeAll();
    const after = await statsOf('dropsIdle');
    expect(after.connections - before.connections).toBe(3);
    expect(after.delivered.filter((to) => to.endsWith(`-${lane}@example.com`)).sort()).toEqual([0, 1, 2].map((n) => `lane${n}-${lane}@example.com`));
  });

  it('opens again, once, a lane the server hung up on while it waited', async () => {
    const before = await statsOf('dropsIdle');
    const scope = createBatchScope();
    const lane = `idle-${crypto.randomUUID()}`;
    openLanes(scope, [`${lane}:0`], serverOf('dropsIdle'));
    await expect.poll(async () => (await statsOf('dropsIdle')).connections - before.connections).toBe(1);
    // The server drops a connection silent for a second.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const outcome = await sendOnLane(scope, `${lane}:0`, serverOf('dropsIdle'), email(`late-${lane}@example.com`));
    await scope.closeAll();
    expect(outcome).toMatchObject({ ok: true });
    const after = await statsOf('dropsIdle');
    expect(after.connections - before.connections).toBe(2);
    expect(after.delivered.filter((to) => to === `late-${lane}@example.com`)).toHaveLength(1);
  });

  it('tries a refused password once per lane opened ahead, and again only for a later message', async () => {
    const server = serverOf('refusesPassword', { username: 'shop', password: 'wrong-password' });
    const before = await statsOf('refusesPassword');
    const scope = createBatchScope();
    const lane = `password-${crypto.randomUUID()}`;
    openLanes(scope, [`${lane}:0`, `${lane}:1`], server);
    const first = await Promise.all([0, 1].map((n) => sendOnLane(scope, `${lane}:${n}`, server, email(`pw${n}@example.com`))));
    for (const outcome of first) expect(outcome).toMatchObject({ ok: false, kind: 'auth' });
    expect((await statsOf('refusesPassword')).auth - before.auth).toBe(2);
    expect(await sendOnLane(scope, `${lane}:0`, server, email('pw-again@example.com'))).toMatchObject({ ok: false, kind: 'auth' });
    await scope.closeAll();
    const after = await statsOf('refusesPassword');
    expect(after.auth - before.auth).toBe(3);
    expect(after.mail - before.mail).toBe(0);
  });
});
