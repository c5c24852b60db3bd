// The Flows tab and a flow's page, through the dashboard's real routes and forms.
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCronTick } from '../../src/jobs/cron';
import { signUpMerchant, type Merchant } from '../helpers/factories';

let merchant: Merchant;

beforeAll(async () => {
  merchant = await signUpMerchant('Flow Pages');
});

/** A flow of `kind` through the create wizard's last step, with the kind's settings and its starter design. */
async function createFromTab(kind: string): Promise<string> {
  await merchant.client.get(`/app/marketing/flows/new?kind=${kind}`);
  const names: Record<string, string> = { abandoned_cart: 'Abandoned cart', welcome: 'Welcome', retention: 'Customer retention' };
  const res = await merchant.client.post('/app/marketing/flows/new', { kind, goto: 'create', name: names[kind] ?? kind, design: 'starter', subject: 'Hello from the wizard' });
  expect(res.status, await res.clone().text()).toBe(303);
  const location = res.headers.get('location')!;
  expect(location).toMatch(/^\/app\/marketing\/flows\/[A-Za-z0-9]+\?done=created$/);
  return location.split('/').pop()!.split('?')[0]!;
}

describe('the Flows tab', () => {
  it('offers the six kinds, creates one switched off with its starter design, and lists it with its trigger', async () => {
    const tab = await (await merchant.client.get('/app/marketing/flows')).text();
    const labels = ['Create Welcome', 'Create Abandoned cart', 'Create Price drop', 'Create Back in stock', 'Create Win-back', 'Create Customer retention'];
    for (const label of labels) expect(tab).toContain(label);
    // The wizard opened without a kind starts by choosing one; a kind we do not have is named as the bad field.
    const choice = await merchant.client.get('/app/marketing/flows/new');
    expect(choice.status).toBe(200);
    const choiceHtml = await choice.text();
    for (const label of labels) expect(choiceHtml).toContain(label);
    expect(choiceHtml).toContain('href="/app/marketing/flows/new?kind=win_back"');
    const unknown = await merchant.client.get('/app/marketing/flows/new?kind=birthday');
    expect(unknown.status).toBe(400);
    expect(await unknown.text()).toContain('kind');
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

  it('creates a flow in three steps: settings, message, confirm; a bad setting stops at its step with the field named', async () => {
    const first = await (await merchant.client.get('/app/marketing/flows/new?kind=abandoned_cart')).text();
    expect(first).toContain('1. Settings');
    expect(first).toContain('name="steps.0.hours"');
    const stage1 = { kind: 'abandoned_cart', 'steps.0.hours': '2', sendingFilter: 'subscribed', reentryDays: '7', smartSending: 'off', exitOnPurchase: 'on' };
    const bad = await merchant.client.post('/app/marketing/flows/new', { ...stage1, 'steps.0.hours': '-1', goto: '2' });
    expect(bad.status).toBe(400);
    const badPage = await bad.text();
    expect(badPage).toContain('field has-error');
    expect(badPage).toContain('aria-current="step">1. Settings');
    const second = await (await merchant.client.post('/app/marketing/flows/new', { ...stage1, goto: '2' })).text();
    expect(second).toContain('Flow name (only you see it)');
    // The first stage's answers ride along hidden.
    expect(second).toContain('<input type="hidden" name="steps.0.hours" value="2"/>');
    const stage2 = { ...stage1, name: 'Cart nudge', design: 'starter', subject: 'Still thinking it over?' };
    const noSubject = await merchant.client.post('/app/marketing/flows/new', { ...stage2, subject: ' ', goto: '3' });
    expect(noSubject.status).toBe(400);
    expect(await noSubject.text()).toContain('Write a subject line');
    const third = await (await merchant.client.post('/app/marketing/flows/new', { ...stage2, goto: '3' })).text();
    expect(third).toContain('A cart with items and no order after 2 hours');
    expect(third).toContain('Still thinking it over?');
    expect(third).toContain('Create and switch on');
    const before = await env.DB.prepare('SELECT COUNT(*) AS n FROM flows WHERE workspace_id = ?').bind(merchant.workspaceId).first('n');
    const created = await merchant.client.post('/app/marketing/flows/new', { ...stage2, goto: 'create-on' });
    expect(created.status).toBe(303);
    const id = created.headers.get('location')!.split('/').pop()!.split('?')[0]!;
    const row = await env.DB.prepare('SELECT name, enabled, definition FROM flows WHERE id = ?').bind(id).first<{ name: string; enabled: number; definition: string }>();
    expect(row).toMatchObject({ name: 'Cart nudge', enabled: 1 });
    const definition = JSON.parse(row!.definition);
    expect(definition).toMatchObject({ smartSending: false, exitOnPurchase: true, reentryDays: 7, steps: [{ type: 'wait', hours: 2 }, { type: 'email' }] });
    const subject = await env.DB.prepare('SELECT subject FROM email_contents WHERE id = ?').bind(definition.steps[1].contentId).first('subject');
    expect(subject).toBe('Still thinking it over?');
    expect(await env.DB.prepare('SELECT COUNT(*) AS n FROM flows WHERE workspace_id = ?').bind(merchant.workspaceId).first('n')).toBe(Number(before) + 1);
  });

  it('edits the steps: adds a split and an email, moves and removes a step, each a new version shown as a readable sequence', async () => {
    const id = await createFromTab('welcome');
    await merchant.client.get(`/app/marketing/flows/${id}`);
    const base = { name: 'Welcome', sendingFilter: 'subscribed', reentryDays: '', smartSending: 'on' };
    const definition = async () => JSON.parse((await env.DB.prepare('SELECT definition FROM flows WHERE id = ?').bind(id).first<string>('definition'))!);
    expect((await merchant.client.post(`/app/marketing/flows/${id}`, { ...base, op: 'add-wait' })).status).toBe(303);
    expect((await merchant.client.post(`/app/marketing/flows/${id}`, { ...base, 'steps.1.hours': '48', op: 'add-split' })).status).toBe(303);
    expect((await merchant.client.post(`/app/marketing/flows/${id}`, { ...base, op: 'add-email' })).status).toBe(303);
    const steps = (await definition()).steps;
    expect(steps.map((step: { type: string }) => step.type)).toEqual(['email', 'wait', 'split', 'email']);
    expect(steps[1].hours).toBe(48);
    expect(steps[3].contentId).not.toBe(steps[0].contentId);
    const page = await (await merchant.client.get(`/app/marketing/flows/${id}`)).text();
    expect(page).toContain('Wait 2 days');
    expect(page).toContain('If “Has ordered since entering the flow”: leave the flow; otherwise go on to the next step');
    expect(page).toContain('Send email: Welcome: message 2');
    // A split may not lead back: moving it below its own target is refused with the branch named.
    const down = await merchant.client.post(`/app/marketing/flows/${id}`, { ...base, 'steps.2.ifNo': 'email-4', op: 'step-down:2' });
    expect(down.status).toBe(400);
    expect(await down.text()).toContain('Step 4, if no: Lead to next, end, or a later step');
    expect((await merchant.client.post(`/app/marketing/flows/${id}`, { ...base, op: 'remove-step:1' })).status).toBe(303);
    expect((await definition()).steps.map((step: { type: string }) => step.type)).toEqual(['email', 'split', 'email']);
    expect(await env.DB.prepare('SELECT version FROM flows WHERE id = ?').bind(id).first('version')).toBe(5);
    // An added SMS step starts from a new SMS message, listed among the SMS messages and editable from the step.
    expect((await merchant.client.post(`/app/marketing/flows/${id}`, { ...base, op: 'add-sms' })).status).toBe(303);
    const sms = (await definition()).steps[3];
    expect(sms).toMatchObject({ type: 'sms', id: 'sms-4' });
    const withSms = await (await merchant.client.get(`/app/marketing/flows/${id}`)).text();
    expect(withSms).toContain('Send SMS: Welcome: message 3');
    expect(withSms).toContain(`href="/app/marketing/sms/${sms.contentId}"`);
    expect(await (await merchant.client.get('/app/marketing/sms')).text()).toContain('Welcome: message 3');
  });

  it('edits retention rules and shows figures per rule', async () => {
    const id = await createFromTab('retention');
    await merchant.client.get(`/app/marketing/flows/${id}`);
    const base = { name: 'Customer retention', 'trigger.startOn': 'shipped', sendingFilter: 'subscribed', reentryDays: '0', exitOnPurchase: 'on' };
    expect((await merchant.client.post(`/app/marketing/flows/${id}`, { ...base, op: 'add-rule' })).status).toBe(303);
    const rule = { 'trigger.rules.1.name': 'Coffee refill', 'trigger.rules.1.skus': 'BEANS, FILTER', 'trigger.rules.1.match': 'all', 'trigger.rules.1.days': '21' };
    const tooLong = await merchant.client.post(`/app/marketing/flows/${id}`, { ...base, ...rule, 'trigger.rules.1.days': '9999' });
    expect(tooLong.status).toBe(400);
    expect(await tooLong.text()).toContain('At most 730 days');
    expect((await merchant.client.post(`/app/marketing/flows/${id}`, { ...base, ...rule })).status).toBe(303);
    const trigger = JSON.parse((await env.DB.prepare('SELECT definition FROM flows WHERE id = ?').bind(id).first<string>('definition'))!).trigger;
    expect(trigger).toEqual({
      kind: 'retention',
      startOn: 'shipped',
      rules: [
        { id: 'rule-1', name: 'Anything, 30 days', skus: [], match: 'any', days: 30 },
        { id: 'rule-2', name: 'Coffee refill', skus: ['BEANS', 'FILTER'], match: 'all', days: 21 },
      ],
    });
    const page = await (await merchant.client.get(`/app/marketing/flows/${id}`)).text();
    expect(page).toContain('Figures per rule');
    expect(page).toContain('data-rule="rule-2"');
    expect(page).toContain('Has not purchased all of BEANS, FILTER in the last 21 days');
  });
});
