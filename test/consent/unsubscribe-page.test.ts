// The /u/:token page against cross-site forms: its own actions need the form token it
// renders and this origin; the RFC 8058 one-click POST stays token-only.
import { env, exports } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { unsubscribeToken } from '../../src/consent/unsubscribe-tokens';
import { ORIGIN } from '../helpers/browser-client';
import { insertContact } from '../helpers/data';
import { insertEmailContent, insertQueuedDelivery } from '../helpers/deliveries';
import { signUpMerchant, uniqueEmail } from '../helpers/factories';

let workspaceId: string;
let contentId: string;

beforeAll(async () => {
  workspaceId = (await signUpMerchant('Consent Shop')).workspaceId;
  contentId = await insertEmailContent(workspaceId, { subject: 'Hi', html: '<p>Hi</p>' });
});

/** A contact with a delivery, and the path of its unsubscribe link. */
async function linkFor(label: string) {
  const contactId = await insertContact(workspaceId, { email: uniqueEmail(label) });
  const deliveryId = await insertQueuedDelivery(workspaceId, contactId, contentId, `c-${label}`);
  return { contactId, path: `/u/${await unsubscribeToken(env.APP_SECRET, deliveryId)}` };
}

function consentOf(contactId: string) {
  return env.DB.prepare('SELECT email_consent FROM contacts WHERE id = ?').bind(contactId).first('email_consent');
}

function postForm(path: string, fields: Record<string, string>, origin?: string) {
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (origin) headers.origin = origin;
  return exports.default.fetch(new Request(`${ORIGIN}${path}`, { method: 'POST', body: new URLSearchParams(fields), headers }));
}

function oneClick(path: string, origin?: string) {
  const form = new FormData();
  form.set('List-Unsubscribe', 'One-Click');
  return exports.default.fetch(new Request(`${ORIGIN}${path}`, { method: 'POST', body: form, headers: origin ? { origin } : {} }));
}

/** The form token the page renders for an action. */
async function formTokenOnPage(path: string, action: string): Promise<string> {
  const page = await (await exports.default.fetch(`${ORIGIN}${path}`)).text();
  const token = new RegExp(`name="action" value="${action}"/><input type="hidden" name="formToken" value="([^"]+)"`).exec(page)?.[1];
  expect(token, `the page offers ${action}`).toBeDefined();
  return token!;
}

describe('/u/:token against cross-site forms', () => {
  it('one-click unsubscribe still works (RFC 8058: the token alone, from any origin or none)', async () => {
    const { contactId, path } = await linkFor('oneclick');
    const res = await oneClick(path);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('You are unsubscribed');
    expect(await consentOf(contactId)).toBe('unsubscribed');
    const again = await linkFor('oneclick-origin');
    expect((await oneClick(again.path, 'https://mail.provider.example')).status).toBe(200);
    expect(await consentOf(again.contactId)).toBe('unsubscribed');
  });

  it('cross-site resubscribe is refused: a form on another site posting action=resubscribe-email', async () => {
    const { contactId, path } = await linkFor('csrf');
    await oneClick(path);
    const forged = await postForm(path, { action: 'resubscribe-email' }, 'https://evil.example');
    expect(forged.status).toBe(403);
    expect(await consentOf(contactId)).toBe('unsubscribed');
  });

  it('cross-site resubscribe is refused even with a form token read from the page', async () => {
    const { contactId, path } = await linkFor('csrf-token');
    await oneClick(path);
    const formToken = await formTokenOnPage(path, 'resubscribe-email');
    expect((await postForm(path, { action: 'resubscribe-email', formToken }, 'https://evil.example')).status).toBe(403);
    expect(await consentOf(contactId)).toBe('unsubscribed');
  });

  it('a resubscribe without its form token, or with another action’s, is refused', async () => {
    const { contactId, path } = await linkFor('no-token');
    await oneClick(path);
    expect((await postForm(path, { action: 'resubscribe-email' })).status).toBe(403);
    const otherActions = await formTokenOnPage((await linkFor('other')).path, 'unsubscribe-email');
    expect((await postForm(path, { action: 'resubscribe-email', formToken: otherActions }, ORIGIN)).status).toBe(403);
    expect(await consentOf(contactId)).toBe('unsubscribed');
  });

  it("the page's own resubscribe form works from this origin", async () => {
    const { contactId, path } = await linkFor('own-form');
    await oneClick(path);
    const res = await postForm(path, { action: 'resubscribe-email', formToken: await formTokenOnPage(path, 'resubscribe-email') }, ORIGIN);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('You are subscribed again');
    expect(await consentOf(contactId)).toBe('subscribed');
  });
});
