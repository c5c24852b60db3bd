// The Flows tab and a flow's page, through the dashboard's real routes and forms.
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCronTick } from '../../src/jobs/cron';
import { signUpMerchant, type Merchant } from '../helpers/factories';

let merchant: Merchant;

beforeAll(async () => {
  merchant = await signUpMerchant('Flow Pages');
});

async function createFromTab(kind: string): Promise<string> {
  await merchant.client.get('/app/marketing/flows');
  const res = await merchant.client.post('/app/marketing/flows', { kind });
  expect(res.status).toBe(303);
  const location = res.headers.get('location')!;
  expect(location).toMatch(/^\/app\/marketing\/flows\/[A-Za-z0-9]+$/);
  return location.split('/').pop()!;
}

describe('the Flows tab', () => {
  it('offers the six kinds, creates one switched off with its starter design, and lists it with its trigger', async () => {
    const tab = await (await merchant.client.get('/app/marketing/flows')).text();
    for (const label of ['Create Welcome', 'Create Abandoned cart', 'Create Price drop', 'Create Back in stock', 'Create Win-back', 'Create Customer retention']) expect(tab).toContain(label);
    const id = await createFromTab('abandoned_cart');
    const page = await (await merchant.client.get(`/app/marketing/flows/${id}`)).text();
    expect(page).toContain('This flow is off');
    expect(page).toContain('Wait 4 hours');
    expect(page).toContain('Send email: Abandoned cart: message 1');
    const design = await env.DB.prepare("SELECT e.html FROM contents c JOIN email_contents e ON e.id = c.id WHERE c.workspace_id = ? AND c.name = 'Abandoned cart: message 1'")
      .bind(merchant.workspaceId)
      .first<string>('html');
    expect(design).toContain('{% for item in cart.items %}');
    const list = await (await merchant.client.get('/app/marketing/flows')).text();
    expect(list).toContain(`data-flow="${id}"`);
    expect(list).toContain('A cart with items and no order after 4 hours');
  });

  it('saves settings as a new version, and refuses a bad wait with the field named and nothing saved', async () => {
    const id = await createFromTab('abandoned_cart');
    await merchant.client.get(`/app/marketing/flows/${id}`);
    const form = { name: 'Cart reminder', 'steps.0.hours': '2', sendingFilter: 'all', reentryDays: '', smartSending: 'on', exitOnPurchase: 'on' };
    const bad = await merchant.client.post(`/app/marketing/flows/${id}`, { ...form, 'steps.0.hours': '-3' });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('field has-error');
    expect(await env.DB.prepare('SELECT version, name FROM flows WHERE id = ?').bind(id).first()).toEqual({ version: 1, name: 'Abandoned cart' });
    const saved = await merchant.client.post(`/app/marketing/flows/${id}`, form);
    expect(saved.status).toBe(303);
    const row = await env.DB.prepare('SELECT version, name, definition FROM flows WHERE id = ?').bind(id).first<{ version: number; name: string; definition: string }>();
    expect(row).toMatchObject({ version: 2, name: 'Cart reminder' });
    expect(JSON.parse(row!.definition)).toMatchObject({ sendingFilter: 'all', reentryDays: null, smartSending: true, steps: [{ type: 'wait', hours: 2 }, { type: 'email' }] });
    expect(await env.DB.prepare('SELECT COUNT(*) AS n FROM flow_versions WHERE flow_id = ?').bind(id).first('n')).toBe(2);
  });

  it('switches a flow on and says why it has not sent yet, then off', async () => {
    const id = await createFromTab('welcome');
    await merchant.client.get(`/app/marketing/flows/${id}`);
    expect((await merchant.client.post(`/app/marketing/flows/${id}/enable`)).status).toBe(303);
    await runCronTick(env, Date.now());
    const page = await (await merchant.client.get(`/app/marketing/flows/${id}?done=on`)).text();
    expect(page).toContain('The flow is on');
    expect(page).toContain('The trigger has not fired since the flow was switched on.');
    expect(page).toContain('Switch off');
    expect((await merchant.client.post(`/app/marketing/flows/${id}/disable`)).status).toBe(303);
    expect(await env.DB.prepare('SELECT enabled FROM flows WHERE id = ?').bind(id).first('enabled')).toBe(0);
  });

  it("gives another workspace's member a 404 for a flow's page, settings and switch", async () => {
    const id = await createFromTab('welcome');
    const other = await signUpMerchant('Other flow pages');
    await other.client.get('/app/marketing/flows');
    expect((await other.client.get(`/app/marketing/flows/${id}`)).status).toBe(404);
    expect((await other.client.post(`/app/marketing/flows/${id}/enable`)).status).toBe(404);
    expect((await other.client.post(`/app/marketing/flows/${id}`, { name: 'Mine now' })).status).toBe(404);
    expect(await env.DB.prepare('SELECT enabled, name FROM flows WHERE id = ?').bind(id).first()).toEqual({ enabled: 0, name: 'Welcome' });
  });
});
