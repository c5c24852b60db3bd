import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { openDb } from '../../src/db/client';
import { forWorkspace } from '../../src/db/tenant';
import { newId } from '../../src/lib/ids';
import { readFirstRunChecklist } from '../../src/workspaces/first-run-checklist';
import { insertContact } from '../helpers/data';
import { signUpMerchant } from '../helpers/factories';
import { useOwnSmtpServer } from '../helpers/smtp-settings';
import { connectStore } from '../helpers/store-webhooks';

function checklistOf(workspaceId: string) {
  return readFirstRunChecklist(forWorkspace(openDb(env.DB), workspaceId));
}

async function insertFlow(workspaceId: string, kind: string, enabled: boolean): Promise<void> {
  const now = Date.now();
  await env.DB.prepare('INSERT INTO flows (id, workspace_id, kind, name, definition, enabled, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
    .bind(newId(), workspaceId, kind, kind, '{}', enabled ? 1 : 0, now, now)
    .run();
}

async function insertCampaign(workspaceId: string, status: string): Promise<void> {
  const now = Date.now();
  await env.DB.prepare("INSERT INTO campaigns (id, workspace_id, name, channel, status, sending_filter, created_at, updated_at) VALUES (?, ?, 'C', 'email', ?, 'subscribed', ?, ?)")
    .bind(newId(), workspaceId, status, now, now)
    .run();
}

function progressOn(html: string): string | undefined {
  return /data-checklist-progress[^>]*>([^<]+)</.exec(html)?.[1];
}

describe('the first-run checklist', () => {
  it('ticks each step from the workspace’s own data, one by one', async () => {
    const merchant = await signUpMerchant();
    const { workspaceId } = merchant;
    expect(await checklistOf(workspaceId)).toMatchObject({ doneCount: 0, total: 5, complete: false, hidden: false });
    expect(progressOn(await (await merchant.client.get('/app/marketing')).text())).toBe('0 of 5 done');

    await connectStore(workspaceId, 'shopify');
    expect((await checklistOf(workspaceId)).done).toEqual({ store: true, sender: false, contacts: false, welcome: false, campaign: false });
    await useOwnSmtpServer(workspaceId, { port: 2525 });
    await insertContact(workspaceId);
    expect((await checklistOf(workspaceId)).doneCount).toBe(3);

    // Only an enabled Welcome flow counts, and only a campaign that went out.
    await insertFlow(workspaceId, 'welcome', false);
    await insertFlow(workspaceId, 'win_back', true);
    await insertCampaign(workspaceId, 'scheduled');
    await insertCampaign(workspaceId, 'draft');
    expect((await checklistOf(workspaceId)).doneCount).toBe(3);
    await insertFlow(workspaceId, 'welcome', true);
    await insertCampaign(workspaceId, 'sent');
    const done = await checklistOf(workspaceId);
    expect(done).toMatchObject({ doneCount: 5, complete: true });

    const page = await (await merchant.client.get('/app/marketing')).text();
    expect(progressOn(page)).toBe('5 of 5 done');
    expect(page).toContain('You are all set');
    expect(page).toContain('Dismiss the checklist');
  });

  it('links each step to the page that does it', async () => {
    const merchant = await signUpMerchant();
    const page = await (await merchant.client.get('/app/marketing')).text();
    for (const href of ['/app/settings/stores', '/app/settings/email', '/app/contacts#import', '/app/marketing/flows', '/app/marketing/campaigns/new']) expect(page).toContain(`href="${href}"`);
    expect(page).toContain('data-checklist-item="store" data-done="false"');
  });

  it('counts nothing of another workspace', async () => {
    const merchant = await signUpMerchant();
    const other = await signUpMerchant('Busy Shop');
    await connectStore(other.workspaceId, 'shopify');
    await useOwnSmtpServer(other.workspaceId, { port: 2525 });
    await insertContact(other.workspaceId);
    await insertFlow(other.workspaceId, 'welcome', true);
    await insertCampaign(other.workspaceId, 'sent');
    expect((await checklistOf(other.workspaceId)).doneCount).toBe(5);
    expect((await checklistOf(merchant.workspaceId)).doneCount).toBe(0);
  });

  it('can be hidden and shown again, by those who may change the workspace settings', async () => {
    const merchant = await signUpMerchant();
    const hide = await merchant.client.post('/app/marketing/checklist', { hidden: 'true' });
    expect(hide.status).toBe(303);
    let page = await (await merchant.client.get('/app/marketing')).text();
    expect(page).not.toContain('id="first-run-checklist"');
    expect(page).toContain('Show the getting-started checklist (0 of 5 done)');

    const bad = await merchant.client.post('/app/marketing/checklist', { hidden: 'maybe' });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('hidden');

    await merchant.client.post('/app/marketing/checklist', { hidden: 'false' });
    page = await (await merchant.client.get('/app/marketing')).text();
    expect(page).toContain('id="first-run-checklist"');

    await env.DB.prepare("UPDATE memberships SET role = 'editor' WHERE workspace_id = ?").bind(merchant.workspaceId).run();
    expect((await merchant.client.post('/app/marketing/checklist', { hidden: 'true' })).status).toBe(403);
    expect(await (await merchant.client.get('/app/marketing')).text()).not.toContain('Hide for now');
  });
});
