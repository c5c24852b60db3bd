// Attacks on the Liquid engine: designs that run (nearly) forever, allocate without
// bound, or read other files. Refused at save; a stored one fails only its own delivery.
import { createMessageBatch } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import worker from '../../src/index';
import { renderEmail, TEMPLATE_LIMITS, validateEmailTemplate } from '../../src/email/render-email';
import { AppError } from '../../src/lib/errors';
import { insertContact } from '../helpers/data';
import { deliveryOf, insertEmailContent, insertQueuedDelivery } from '../helpers/deliveries';
import { apiErrorOf, createApiKey, postApi, signUpMerchant, uniqueEmail, type Merchant } from '../helpers/factories';
import { SMTP_PORT, waitForEmail } from '../helpers/smtp-sink';
import { useOwnSmtpServer } from '../helpers/smtp-settings';

const TEN_MILLION_LOOP = '{% for i in (1..10000000) %}x{% endfor %}';
// One small range, stored once, looped three deep: 64 million turns, no big allocation.
const NESTED_STORED_RANGE = '{% assign r = (1..400) %}{% for a in r %}{% for b in r %}{% for c in r %}{% endfor %}{% endfor %}{% endfor %}';

let merchant: Merchant;
let key: string;

beforeAll(async () => {
  merchant = await signUpMerchant('Liquid Shop');
  key = await createApiKey(merchant);
});

async function refusedAtSave(design: { subject?: string; preheader?: string; html?: string }) {
  const res = await postApi(key, '/email-designs', { name: 'Attack', subject: 'Hi', html: '<p>Hi</p>', ...design });
  expect(res.status).toBe(400);
  return apiErrorOf(res);
}

describe('template limits at save', () => {
  it('a 10-million-iteration loop is refused at save, naming html', async () => {
    const error = await refusedAtSave({ html: TEN_MILLION_LOOP });
    expect(error.issues?.map((issue) => issue.path)).toEqual(['html']);
    expect(error.message).toContain('The html template does too much work');
  });

  it('a loop over a stored range nested three deep is refused at save', async () => {
    expect((await refusedAtSave({ html: NESTED_STORED_RANGE })).issues?.map((issue) => issue.path)).toEqual(['html']);
  });

  it('a runaway loop in the subject or the preheader is refused naming that field', async () => {
    expect((await refusedAtSave({ subject: TEN_MILLION_LOOP })).issues?.map((issue) => issue.path)).toEqual(['subject']);
    expect((await refusedAtSave({ preheader: NESTED_STORED_RANGE })).issues?.map((issue) => issue.path)).toEqual(['preheader']);
  });

  it('output blown up by filters is refused at save (memory limit)', async () => {
    const doubling = `{% assign s = "xxxxxxxxxxxxxxxx" %}${'{% assign s = s | append: s %}'.repeat(20)}{{ s | size }}`;
    expect((await refusedAtSave({ html: doubling })).message).toContain('memory alloc limit exceeded');
  });

  it('a template longer than the parse limit is refused', () => {
    const tooLong = `<p>${'a'.repeat(TEMPLATE_LIMITS.parseLimit)}</p>`;
    expect(() => validateEmailTemplate({ subject: 'Hi', preheader: null, html: tooLong })).toThrow(/parse length limit exceeded/);
  });

  for (const tag of ['include', 'render', 'layout'] as const) {
    it(`{% ${tag} %} is refused at save with a clear error (include/render/layout refused)`, async () => {
      const error = await refusedAtSave({ html: `<p>{% ${tag} 'footer' %}</p>` });
      expect(error.issues?.map((issue) => issue.path)).toEqual(['html']);
      expect(error.message).toContain(`{% ${tag} %} is not available in email designs`);
    });
  }

  it('{% include %} inside a {% liquid %} block is refused too', async () => {
    expect((await refusedAtSave({ html: "{% liquid\ninclude 'footer'\n%}" })).message).toContain('{% include %} is not available');
  });

  it('ordinary designs with loops over their data still save and render', async () => {
    const res = await postApi(key, '/email-designs', { name: 'Fine', subject: 'Hi {{ contact.first_name }}', html: '{% for i in (1..500) %}<p>{{ i }}</p>{% endfor %}' });
    expect(res.status).toBe(201);
    const rendered = renderEmail(
      { subject: 'Hi', preheader: null, html: '{% for item in items %}<li>{{ item }}</li>{% endfor %}' },
      { contact: { first_name: null, last_name: null, email: null }, shop: { name: 'S', postal_address: null, url: null }, unsubscribe_url: 'https://x.example/u', items: ['a', 'b'] },
    );
    expect(rendered.html).toBe('<li>a</li><li>b</li>');
  });
});

describe('a stored design over the limits', () => {
  it('the preview of a stored bad design answers with a clear message, not 500', async () => {
    for (const html of [`<p>{% include 'footer' %}</p>`, TEN_MILLION_LOOP]) {
      const id = await insertEmailContent(merchant.workspaceId, { subject: 'Hi', html });
      const res = await merchant.client.get(`/app/marketing/designs/${id}/preview`);
      expect(res.status).toBe(400);
      expect(await res.text()).toMatch(/is not available in email designs|does too much work/);
    }
  });

  it('renderEmail throws invalid_input naming the field, not a raw engine error', () => {
    const context = { contact: { first_name: null, last_name: null, email: null }, shop: { name: 'S', postal_address: null, url: null }, unsubscribe_url: 'https://x.example/u' };
    let thrown: unknown;
    try {
      renderEmail({ subject: 'Hi', preheader: null, html: NESTED_STORED_RANGE }, context);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(AppError);
    expect((thrown as AppError).details.issues?.[0]?.path).toBe('html');
  });

  it('a design over the render limit fails only its own delivery: the batch still sends the other workspace’s and recipient’s mail over SMTP', async () => {
    const other = await signUpMerchant('Neighbour Shop');
    await useOwnSmtpServer(merchant.workspaceId, { port: SMTP_PORT });
    await useOwnSmtpServer(other.workspaceId, { port: SMTP_PORT });
    const bad = await insertEmailContent(merchant.workspaceId, { subject: 'Loop', html: NESTED_STORED_RANGE });
    const good = await insertEmailContent(merchant.workspaceId, { subject: 'Fine from Liquid Shop', html: '<p>Hello {{ contact.first_name }}</p>' });
    const neighbours = await insertEmailContent(other.workspaceId, { subject: 'Fine from the neighbour', html: '<p>Hello</p>' });

    const victim = await insertContact(merchant.workspaceId, { email: uniqueEmail('loop') });
    const sameShop = uniqueEmail('same-shop');
    const sameShopContact = await insertContact(merchant.workspaceId, { email: sameShop, first_name: 'Bo' });
    const neighbour = uniqueEmail('neighbour');
    const neighbourContact = await insertContact(other.workspaceId, { email: neighbour });
    const messages = [
      { workspaceId: merchant.workspaceId, deliveryId: await insertQueuedDelivery(merchant.workspaceId, victim, bad, 'c-loop') },
      { workspaceId: merchant.workspaceId, deliveryId: await insertQueuedDelivery(merchant.workspaceId, sameShopContact, good, 'c-fine') },
      { workspaceId: other.workspaceId, deliveryId: await insertQueuedDelivery(other.workspaceId, neighbourContact, neighbours, 'c-neighbour') },
    ];
    await worker.queue(
      createMessageBatch(
        'marketing-sends',
        messages.map((body, i) => ({ id: `limits-${i}`, timestamp: new Date(), attempts: 1, body: { type: 'send-delivery', ...body } })),
      ),
      env,
    );

    expect((await waitForEmail(sameShop)).subject).toBe('Fine from Liquid Shop');
    expect((await waitForEmail(neighbour)).subject).toBe('Fine from the neighbour');
    const failed = await deliveryOf(victim, 'c-loop');
    expect(failed).toMatchObject({ status: 'failed', reason_code: 'render_failed' });
    expect(String(failed!.reason)).toMatch(/does too much work/);
  });
});
