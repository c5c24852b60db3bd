import { describe, expect, it } from 'vitest';
import { createApiKey, patchApi, postApi, signUpMerchant, uniqueEmail } from '../helpers/factories';
import { addMember } from '../helpers/platform-trust';
import { waitForEmail } from '../helpers/smtp-sink';

describe('email designs', () => {
  it('saves a design through the API and previews it for a sample contact', async () => {
    const merchant = await signUpMerchant('Preview Shop');
    const key = await createApiKey(merchant);
    const created = await postApi(key, '/email-designs', { name: 'Hello', subject: 'Hi {{ contact.first_name }}', html: '<p>Hello {{ contact.first_name }} from {{ shop.name }}</p>' });
    expect(created.status).toBe(201);
    const preview = await postApi(key, '/email-designs/preview', { subject: 'Hi {{ contact.first_name }}', preheader: null, html: '<p>{{ shop.name }}</p>' });
    expect(await preview.json()).toMatchObject({ subject: 'Hi Alex', html: '<p>Preview Shop</p>' });
  });

  it('reports a template error when saving, naming the field, instead of at send time', async () => {
    const merchant = await signUpMerchant();
    const key = await createApiKey(merchant);
    const res = await postApi(key, '/email-designs', { name: 'Broken', subject: 'Hi', html: '<p>{% if contact.first_name %}unclosed</p>' });
    expect(res.status).toBe(400);
    const body = await res.json<{ error: { message: string; issues: { path: string }[] } }>();
    expect(body.error.issues[0]!.path).toBe('html');
    expect(body.error.message).toContain('The html template has an error');
  });

  it('creates a design in the dashboard, edits it, previews it and sends a test', async () => {
    const merchant = await signUpMerchant('Dash Shop');
    await merchant.client.get('/app/marketing/designs');
    const created = await merchant.client.post('/app/marketing/designs', { name: 'Newsletter', starter: '' });
    expect(created.status).toBe(303);
    const path = created.headers.get('location')!;
    const editor = await (await merchant.client.get(path)).text();
    expect(editor).toContain('email-editor.js');

    const saved = await merchant.client.post(path, { name: 'Newsletter', subject: 'Spring at {{ shop.name }}', preheader: 'New in', html: '<p>Hi {{ contact.first_name | default: "there" }}</p>' });
    expect(saved.status).toBe(303);
    const preview = await merchant.client.request(`${path}/preview`);
    expect(await preview.text()).toContain('<p>Hi Alex</p>');
    expect(preview.headers.get('content-security-policy')).toContain('sandbox');

    const broken = await merchant.client.post(path, { name: 'Newsletter', subject: 'Hi', html: '{{ contact.first_name | nosuchfilter }}' });
    expect(broken.status).toBe(400);
    expect(await broken.text()).toMatch(/undefined filter: nosuchfilter/);

    // Test sends go only to the workspace's (verified) members: src/email/platform-sender-trust.ts.
    const to = uniqueEmail('designtest');
    await addMember(merchant.workspaceId, to);
    const test = await merchant.client.post(`${path}/test`, { to });
    expect(await test.text()).toContain('accepted the message');
    expect((await waitForEmail(to)).subject).toBe('[Test] Spring at Dash Shop');
  });

  it('previews and test-sends subject, preheader and text as characters, with the store address filled', async () => {
    const merchant = await signUpMerchant('Mug "Co" & Sons');
    const key = await createApiKey(merchant);
    expect((await patchApi(key, '/workspace', { storeUrl: 'https://mugs.example', postalAddress: '1 Quay St' })).status).toBe(200);
    const design = {
      subject: 'News from {{ shop.name }} · {{ contact.first_name }}',
      preheader: '"New" & <noted>',
      html: '<p>{{ shop.name }} &middot; {{ shop.postal_address }}</p><p><a href="{{ shop.url }}">Shop the collection</a></p>',
    };
    const preview = await (await postApi(key, '/email-designs/preview', design)).json<{ subject: string; html: string; text: string }>();
    expect(preview.subject).toBe('News from Mug "Co" & Sons · Alex');
    expect(preview.html).toContain('>&quot;New&quot; &amp; &lt;noted&gt;</div>');
    expect(preview.html).toContain('<a href="https://mugs.example">Shop the collection</a>');
    expect(preview.text).toBe('Mug "Co" & Sons · 1 Quay St\n\nShop the collection (https://mugs.example)');

    const to = uniqueEmail('chars');
    await addMember(merchant.workspaceId, to);
    const created = await postApi(key, '/email-designs', { name: 'Chars', ...design });
    const { design: saved } = await created.json<{ design: { id: string } }>();
    const sent = await merchant.client.post(`/app/marketing/designs/${saved.id}/test`, { to });
    expect(await sent.text()).toContain('accepted the message');
    const email = await waitForEmail(to);
    expect(email.subject).toBe('[Test] News from Mug "Co" & Sons · Alex');
    expect(email.text).toContain('Mug "Co" & Sons · 1 Quay St');
    expect(email.text).toContain('Shop the collection (https://mugs.example)');
  });
});
