import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { insertContact } from '../helpers/data';
import { insertEmailContent } from '../helpers/deliveries';
import { apiErrorOf, createApiKey, postApi, signUpMerchant, type Merchant } from '../helpers/factories';

const CAMPAIGNS = '/app/marketing/campaigns';
const FOOTER = '<p><a href="{{ unsubscribe_url }}">Unsubscribe</a> · {{ shop.postal_address }}</p>';

async function createDraft(merchant: Merchant, channel: 'email' | 'sms' = 'email'): Promise<string> {
  await merchant.client.get(`${CAMPAIGNS}/new`);
  const res = await merchant.client.post(CAMPAIGNS, { name: 'Autumn sale', channel });
  expect(res.status, await res.clone().text()).toBe(303);
  return /\/campaigns\/([0-9A-Z]{26})/.exec(res.headers.get('location')!)![1]!;
}

function contentIdOf(id: string) {
  return env.DB.prepare('SELECT content_id FROM campaigns WHERE id = ?').bind(id).first<string | null>('content_id');
}

function clearPostalAddress(workspaceId: string) {
  return env.DB.prepare('UPDATE workspace_settings SET postal_address = NULL WHERE workspace_id = ?').bind(workspaceId).run();
}

describe('the content step’s "Next: Schedule"', () => {
  it('submits the design picker, so a design picked in the dropdown is saved on the way to the schedule', async () => {
    const merchant = await signUpMerchant();
    const id = await createDraft(merchant);
    const designId = await insertEmailContent(merchant.workspaceId, { subject: 'Hi', html: `<p>Hello</p>${FOOTER}` });

    const page = await (await merchant.client.get(`${CAMPAIGNS}/${id}?step=content`)).text();
    // The button belongs to the picker's form, and skips its "required" check (nothing picked just moves on).
    expect(page).toMatch(/<form[^>]*action="[^"]*\/content"[^>]*id="content-form"/);
    expect(page).toMatch(/<button[^>]*form="content-form"[^>]*name="next"[^>]*value="schedule"[^>]*formnovalidate/);

    const next = await merchant.client.post(`${CAMPAIGNS}/${id}/content`, { contentId: designId, next: 'schedule' });
    expect(next.status).toBe(303);
    expect(next.headers.get('location')).toBe(`${CAMPAIGNS}/${id}?step=schedule&done=content`);
    expect(await contentIdOf(id)).toBe(designId);
  });

  it('moves on without saving when nothing is picked, and "Use this design" still needs a pick', async () => {
    const merchant = await signUpMerchant();
    const id = await createDraft(merchant);
    await insertEmailContent(merchant.workspaceId, { subject: 'Hi', html: '<p>Hello</p>' });
    const next = await merchant.client.post(`${CAMPAIGNS}/${id}/content`, { contentId: '', next: 'schedule' });
    expect(next.headers.get('location')).toBe(`${CAMPAIGNS}/${id}?step=schedule`);
    expect(await contentIdOf(id)).toBeNull();
    const use = await merchant.client.post(`${CAMPAIGNS}/${id}/content`, { contentId: '' });
    expect(use.status).toBe(400);
    expect(await use.text()).toContain('Choose what to send');
  });

  it('refuses another workspace’s design on the way to the schedule, saving nothing', async () => {
    const merchant = await signUpMerchant();
    const other = await signUpMerchant('Other');
    const id = await createDraft(merchant);
    const theirs = await insertEmailContent(other.workspaceId, { subject: 'Theirs', html: '<p>x</p>' });
    const next = await merchant.client.post(`${CAMPAIGNS}/${id}/content`, { contentId: theirs, next: 'schedule' });
    expect(next.status).toBe(400);
    expect(await contentIdOf(id)).toBeNull();
  });

  it('stays a link while there is nothing to pick', async () => {
    const merchant = await signUpMerchant();
    const id = await createDraft(merchant);
    const page = await (await merchant.client.get(`${CAMPAIGNS}/${id}?step=content`)).text();
    expect(page).toMatch(/<a class="button primary" href="[^"]*\?step=schedule">Next: Schedule<\/a>/);
  });
});

describe('the postal address in the footer (CAN-SPAM)', () => {
  it('says so on the content and schedule steps, with a link to Settings, and refuses to schedule or send (400 naming postalAddress)', async () => {
    const merchant = await signUpMerchant();
    await clearPostalAddress(merchant.workspaceId);
    await insertContact(merchant.workspaceId);
    const id = await createDraft(merchant);
    await merchant.client.post(`${CAMPAIGNS}/${id}/starter`, { starter: '' });

    for (const step of ['content', 'schedule', 'review']) {
      const page = await (await merchant.client.get(`${CAMPAIGNS}/${id}?step=${step}&when=later&sendAt=2030-01-15T09:00`)).text();
      expect(page, step).toContain('data-footer-issue="postalAddress"');
      expect(page, step).toContain('href="/app/settings#general-heading"');
    }
    const review = await (await merchant.client.get(`${CAMPAIGNS}/${id}?step=review&when=now`)).text();
    expect(review).not.toContain(`action="${CAMPAIGNS}/${id}/schedule"`);

    for (const form of [{ when: 'later', sendAt: '2030-01-15T09:00' }, { when: 'now' }] as Record<string, string>[]) {
      const res = await merchant.client.post(`${CAMPAIGNS}/${id}/schedule`, form);
      expect(res.status).toBe(400);
      expect(await res.text()).toContain('postal address');
    }
    const key = await createApiKey(merchant);
    const api = await postApi(key, `/campaigns/${id}/schedule`, { now: true });
    expect(api.status).toBe(400);
    expect((await apiErrorOf(api)).issues?.map((issue) => issue.path)).toEqual(['postalAddress']);
    expect(await env.DB.prepare('SELECT status FROM campaigns WHERE id = ?').bind(id).first('status')).toBe('draft');
  });

  it('refuses a design with its own unsubscribe footer that leaves the address out (400 naming contentId)', async () => {
    const merchant = await signUpMerchant();
    const key = await createApiKey(merchant);
    const id = await createDraft(merchant);
    const bare = await insertEmailContent(merchant.workspaceId, { subject: 'Hi', html: '<p>Hi</p><a href="{{ unsubscribe_url }}">Unsubscribe</a>' });
    await merchant.client.post(`${CAMPAIGNS}/${id}/content`, { contentId: bare });
    const page = await (await merchant.client.get(`${CAMPAIGNS}/${id}?step=schedule`)).text();
    expect(page).toContain('data-footer-issue="contentId"');
    const res = await postApi(key, `/campaigns/${id}/schedule`, { sendAt: '2030-01-15T09:00' });
    expect(res.status).toBe(400);
    expect((await apiErrorOf(res)).issues?.map((issue) => issue.path)).toEqual(['contentId']);

    // The footer we add carries the address, so a design without its own unsubscribe link is fine.
    const plain = await insertEmailContent(merchant.workspaceId, { subject: 'Hi', html: '<p>Hi</p>' });
    await merchant.client.post(`${CAMPAIGNS}/${id}/content`, { contentId: plain });
    expect(await (await merchant.client.get(`${CAMPAIGNS}/${id}?step=schedule`)).text()).not.toContain('data-footer-issue');
    expect((await postApi(key, `/campaigns/${id}/schedule`, { sendAt: '2030-01-15T09:00' })).status).toBe(200);
  });

  it('does not hold back SMS campaigns', async () => {
    const merchant = await signUpMerchant();
    await clearPostalAddress(merchant.workspaceId);
    const id = await createDraft(merchant, 'sms');
    const page = await (await merchant.client.get(`${CAMPAIGNS}/${id}?step=schedule`)).text();
    expect(page).not.toContain('data-footer-issue');
  });
});
