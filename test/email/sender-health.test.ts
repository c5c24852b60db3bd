import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { openDb, runBatch } from '../../src/db/client';
import { forWorkspace } from '../../src/db/tenant';
import { newId } from '../../src/lib/ids';
import { MINUTE } from '../../src/lib/time';
import { AUTH_FAILURES_BEFORE_PAUSE, describeSenderHealth, getSenderHealth, recordSenderAttempts, recordSenderTest, type SenderAttempts } from '../../src/email/sender-health';
import { SenderStatusNotice } from '../../src/dashboard/pages/sender-status';
import { createWorkspace } from '../../src/workspaces/workspaces.service';
import { insertContact } from '../helpers/data';
import { insertEmailContent, insertQueuedDelivery } from '../helpers/deliveries';
import { signUpMerchant } from '../helpers/factories';

const db = openDb(env.DB);
const T0 = Date.UTC(2026, 2, 12, 9, 42);
const AUTH: SenderAttempts = { succeeded: 0, failure: { kind: 'auth', message: 'The server at smtp.example.com:587 refused the username or password (535 5.7.8 Authentication failed).' } };
const SUCCESS: SenderAttempts = { succeeded: 5, failure: null };

let ownerId: string;

beforeAll(async () => {
  ownerId = (await signUpMerchant('Sender Health Owner')).userId;
});

/** A new workspace (in Europe/Paris) with a tenant handle. */
async function newWorkspace() {
  const workspaceId = await createWorkspace(db, ownerId, { name: 'Health Shop', timeZone: 'Europe/Paris' });
  return forWorkspace(db, workspaceId);
}

async function insertCampaign(workspaceId: string, status: string): Promise<string> {
  const id = newId();
  await env.DB.prepare("INSERT INTO campaigns (id, workspace_id, name, channel, status, created_at, updated_at) VALUES (?, ?, 'Spring sale', 'email', ?, ?, ?)")
    .bind(id, workspaceId, status, T0, T0)
    .run();
  return id;
}

function campaignOf(id: string) {
  return env.DB.prepare('SELECT status, paused_at, pause_reason FROM campaigns WHERE id = ?').bind(id).first<{ status: string; paused_at: number | null; pause_reason: string | null }>();
}

function settingsOf(workspaceId: string) {
  return env.DB.prepare('SELECT sender_error, sender_error_kind, sender_failing_since, sender_checked_at, sender_auth_failures FROM workspace_settings WHERE workspace_id = ?')
    .bind(workspaceId)
    .first<Record<string, string | number | null>>();
}

async function record(tenant: ReturnType<typeof forWorkspace>, attempts: SenderAttempts, now: number) {
  await runBatch(db, recordSenderAttempts(tenant, attempts, now));
}

describe('recordSenderAttempts', () => {
  it('writes nothing when nothing was attempted', async () => {
    const tenant = await newWorkspace();
    expect(recordSenderAttempts(tenant, { succeeded: 0, failure: null }, T0)).toEqual([]);
    expect((await getSenderHealth(tenant)).state).toBe('untested');
  });

  it('marks the sender failing since the first failure of a run, and working again after a success', async () => {
    const tenant = await newWorkspace();
    await record(tenant, { succeeded: 2, failure: { kind: 'connect', message: 'Could not connect to smtp.example.com:587.' } }, T0);
    await record(tenant, { succeeded: 0, failure: { kind: 'timeout', message: 'smtp.example.com:587 did not answer in 15 seconds.' } }, T0 + MINUTE);
    expect(await settingsOf(tenant.workspaceId)).toEqual({
      sender_error: 'smtp.example.com:587 did not answer in 15 seconds.',
      sender_error_kind: 'timeout',
      sender_failing_since: T0,
      sender_checked_at: T0 + MINUTE,
      sender_auth_failures: 0,
    });
    expect((await getSenderHealth(tenant)).state).toBe('failing');

    await record(tenant, SUCCESS, T0 + 2 * MINUTE);
    expect(await settingsOf(tenant.workspaceId)).toEqual({ sender_error: null, sender_error_kind: null, sender_failing_since: null, sender_checked_at: T0 + 2 * MINUTE, sender_auth_failures: 0 });
    expect((await getSenderHealth(tenant)).state).toBe('ok');
  });

  it(`pauses the workspace's sending campaigns at exactly the ${AUTH_FAILURES_BEFORE_PAUSE}rd password refusal in a row, and nothing else`, async () => {
    const tenant = await newWorkspace();
    const other = await newWorkspace();
    const sending = await insertCampaign(tenant.workspaceId, 'sending');
    const alsoSending = await insertCampaign(tenant.workspaceId, 'sending');
    const scheduled = await insertCampaign(tenant.workspaceId, 'scheduled');
    const othersSending = await insertCampaign(other.workspaceId, 'sending');

    await record(tenant, AUTH, T0);
    await record(tenant, AUTH, T0 + MINUTE);
    expect((await campaignOf(sending))!.status).toBe('sending');
    expect((await settingsOf(tenant.workspaceId))!.sender_auth_failures).toBe(2);

    await record(tenant, AUTH, T0 + 2 * MINUTE);
    for (const id of [sending, alsoSending]) {
      expect(await campaignOf(id)).toEqual({
        status: 'paused',
        paused_at: T0 + 2 * MINUTE,
        pause_reason:
          'Paused automatically: your SMTP server refused the password 3 times in a row (last answer: The server at smtp.example.com:587 refused the username or password (535 5.7.8 Authentication failed)). Fix the password in Settings → Email sender, then resume.',
      });
    }
    expect((await campaignOf(scheduled))!.status).toBe('scheduled');
    // Another workspace's campaign and sender are untouched.
    expect((await campaignOf(othersSending))!.status).toBe('sending');
    expect((await settingsOf(other.workspaceId))!.sender_auth_failures).toBe(0);
    expect((await settingsOf(tenant.workspaceId))!.sender_failing_since).toBe(T0);
    expect(describeSenderHealth(await getSenderHealth(tenant), 'UTC')).toContain('Campaigns that were sending are paused: resume them once it is fixed.');
  });

  it('starts the count over after a success or another kind of failure', async () => {
    const tenant = await newWorkspace();
    const sending = await insertCampaign(tenant.workspaceId, 'sending');
    await record(tenant, AUTH, T0);
    await record(tenant, AUTH, T0 + 1);
    await record(tenant, SUCCESS, T0 + 2);
    await record(tenant, AUTH, T0 + 3);
    await record(tenant, AUTH, T0 + 4);
    await record(tenant, { succeeded: 0, failure: { kind: 'closed', message: 'The server closed the connection.' } }, T0 + 5);
    await record(tenant, AUTH, T0 + 6);
    await record(tenant, AUTH, T0 + 7);
    expect((await campaignOf(sending))!.status).toBe('sending');
    expect((await settingsOf(tenant.workspaceId))!.sender_auth_failures).toBe(2);
    await record(tenant, AUTH, T0 + 8);
    expect((await campaignOf(sending))!.status).toBe('paused');
  });

  it('pauses a campaign resumed without a fix at the next refusal', async () => {
    const tenant = await newWorkspace();
    const sending = await insertCampaign(tenant.workspaceId, 'sending');
    for (let i = 0; i < AUTH_FAILURES_BEFORE_PAUSE; i += 1) await record(tenant, AUTH, T0 + i);
    await env.DB.prepare("UPDATE campaigns SET status = 'sending', paused_at = NULL, pause_reason = NULL WHERE id = ?").bind(sending).run();
    await record(tenant, AUTH, T0 + 10);
    expect((await campaignOf(sending))!.status).toBe('paused');
  });
});

describe('recordSenderTest', () => {
  it('records a failed test without counting it toward the pause, and a successful one clears the failure', async () => {
    const tenant = await newWorkspace();
    const sending = await insertCampaign(tenant.workspaceId, 'sending');
    await record(tenant, AUTH, T0);
    for (let i = 1; i <= AUTH_FAILURES_BEFORE_PAUSE; i += 1) {
      await runBatch(db, recordSenderTest(tenant, { ok: false, message: 'refused (535)', permanent: false, hardBounce: false, kind: 'auth' }, T0 + i));
    }
    expect(await settingsOf(tenant.workspaceId)).toMatchObject({
      sender_error: 'refused (535)',
      sender_checked_at: T0 + AUTH_FAILURES_BEFORE_PAUSE,
      sender_failing_since: T0,
      sender_auth_failures: 1,
    });
    expect((await campaignOf(sending))!.status).toBe('sending');

    // A recipient's refusal says nothing about the sender.
    expect(recordSenderTest(tenant, { ok: false, message: 'user unknown', permanent: true, hardBounce: true, kind: 'recipient' }, T0)).toEqual([]);

    await runBatch(db, recordSenderTest(tenant, { ok: true, message: 'Connected.' }, T0 + 10));
    expect(await settingsOf(tenant.workspaceId)).toMatchObject({ sender_error: null, sender_failing_since: null, sender_auth_failures: 0 });
  });
});

describe('getSenderHealth and its sentence', () => {
  it('counts the emails still waiting and says what failed, since when and what to fix', async () => {
    const tenant = await newWorkspace();
    const contentId = await insertEmailContent(tenant.workspaceId, { subject: 'Hi', html: '<p>Hi</p>' });
    for (let i = 0; i < 2; i += 1) await insertQueuedDelivery(tenant.workspaceId, await insertContact(tenant.workspaceId), contentId, 'c-1');
    await record(tenant, AUTH, T0);

    const health = await getSenderHealth(tenant);
    expect(health).toEqual({ state: 'failing', error: AUTH.failure!.message, kind: 'auth', failingSince: T0, checkedAt: T0, authFailures: 1, waiting: 2 });
    expect(describeSenderHealth(health, 'Europe/Paris')).toBe(
      'The server at smtp.example.com:587 refused the username or password (535 5.7.8 Authentication failed). Failing since 12 Mar 2026, 10:42; 2 messages waiting. Sending campaigns pause after 3 refusals in a row (1 so far). Fix: check the username and password in Settings → Email sender.',
    );
    await record(tenant, { succeeded: 1, failure: null }, T0 + MINUTE);
    expect(describeSenderHealth(await getSenderHealth(tenant), 'Europe/Paris')).toBe('Working: the last attempt succeeded on 12 Mar 2026, 10:43; 2 messages waiting.');
  });
});

describe('SenderStatusNotice', () => {
  const failing = { state: 'failing', error: 'Refused (535).', kind: 'auth', failingSince: T0, checkedAt: T0, authFailures: 3, waiting: 120 } as const;

  it('says what failed, since when, how many wait and links to the settings; nothing before any attempt', async () => {
    const html = String(await SenderStatusNotice({ health: failing, timeZone: 'Europe/Paris' })!.toString());
    expect(html).toContain('notice-error');
    expect(html).toContain('Refused (535). Failing since 12 Mar 2026, 10:42; 120 messages waiting.');
    expect(html).toContain('href="/app/settings/email"');
    expect(SenderStatusNotice({ health: { ...failing, state: 'untested', error: null, kind: null, failingSince: null, checkedAt: null }, timeZone: 'UTC' })).toBeNull();
  });
});
