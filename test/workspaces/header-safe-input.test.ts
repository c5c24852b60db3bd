// Everything that can reach an email header (names above all) is refused at input when
// it carries CR, LF or another control character, with a 400 naming the field.
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { BrowserClient } from '../helpers/browser-client';
import { callApi, createApiKey, patchApi, PASSWORD, signUpMerchant, uniqueEmail } from '../helpers/factories';

type ApiError = { error: { code: string; message: string; requestId: string; issues: { path: string; message: string }[] } };

const HOSTILE_LINES = ['Shop\r\nBcc: evil@example.com', 'Shop\nX-Injected: 1', 'Shop\rTo: other@example.com', 'Shop\u0000', 'Shop\tName', 'Shop\u007f', 'Shop\u0085', 'Shop\u2028Next'];

async function workspaceRow(workspaceId: string) {
  return env.DB.prepare(
    'SELECT w.name, w.sender_name, w.sender_email, s.reply_to_email, s.postal_address, s.store_url FROM workspaces w JOIN workspace_settings s ON s.workspace_id = w.id WHERE w.id = ?',
  )
    .bind(workspaceId)
    .first<Record<string, string | null>>();
}

async function expectFieldRefused(res: Response, field: string) {
  expect(res.status).toBe(400);
  const body = await res.json<ApiError>();
  expect(body.error.code).toBe('invalid_input');
  expect(body.error.requestId).toBeTruthy();
  expect(body.error.issues.map((issue) => issue.path)).toEqual([field]);
  expect(body.error.message).toContain(field);
}

describe('PATCH /api/v1/workspace refuses header-breaking input', () => {
  it('refuses CR, LF and every other control character in the sender and workspace names, changing nothing', async () => {
    const merchant = await signUpMerchant('Clean Shop');
    const key = await createApiKey(merchant);
    const before = await workspaceRow(merchant.workspaceId);
    for (const field of ['senderName', 'name'] as const) {
      for (const value of HOSTILE_LINES) {
        // A valid field beside the bad one: nothing of the request is written.
        const res = await patchApi(key, '/workspace', { postalAddress: '9 Elsewhere Rd', [field]: value });
        await expectFieldRefused(res, field);
      }
    }
    expect(await workspaceRow(merchant.workspaceId)).toEqual(before);
  });

  it('refuses line breaks in the sender and reply-to addresses', async () => {
    const merchant = await signUpMerchant();
    const key = await createApiKey(merchant);
    await expectFieldRefused(await patchApi(key, '/workspace', { replyToEmail: 'shop@example.com\r\nBcc: evil@example.com' }), 'replyToEmail');
    await expectFieldRefused(await patchApi(key, '/workspace', { senderEmail: 'shop@example.com\nBcc:evil@example.com' }), 'senderEmail');
    await expectFieldRefused(await patchApi(key, '/workspace', { replyToEmail: '"a"@example.com, evil@example.com' }), 'replyToEmail');
  });

  it('keeps quotes and non-ASCII in names: they are encoded in the header, not refused', async () => {
    const merchant = await signUpMerchant();
    const key = await createApiKey(merchant);
    const res = await patchApi(key, '/workspace', { senderName: '  Mug "Co", Ltd · Café <shop@x.example>  ' });
    expect(res.status).toBe(200);
    expect((await res.json<{ workspace: { senderName: string } }>()).workspace.senderName).toBe('Mug "Co", Ltd · Café <shop@x.example>');
  });

  it('refuses an oversize sender name', async () => {
    const merchant = await signUpMerchant();
    const key = await createApiKey(merchant);
    await expectFieldRefused(await patchApi(key, '/workspace', { senderName: 'x'.repeat(81) }), 'senderName');
    expect((await patchApi(key, '/workspace', { senderName: 'x'.repeat(80) })).status).toBe(200);
  });

  it('joins a multi-line postal address with commas and refuses other control characters in it', async () => {
    const merchant = await signUpMerchant();
    const key = await createApiKey(merchant);
    const res = await patchApi(key, '/workspace', { postalAddress: '\n 1 Harbour Street \r\n\r\nBristol\rBS1 5TT\n' });
    expect(res.status).toBe(200);
    expect((await res.json<{ workspace: { postalAddress: string } }>()).workspace.postalAddress).toBe('1 Harbour Street, Bristol, BS1 5TT');
    for (const value of ['1 Harbour St\u0000', '1 Harbour\tSt', '1 Harbour St\u001b[31m', '1 Harbour St\u2029Bristol']) {
      await expectFieldRefused(await patchApi(key, '/workspace', { postalAddress: value }), 'postalAddress');
    }
    await expectFieldRefused(await patchApi(key, '/workspace', { postalAddress: 'x'.repeat(301) }), 'postalAddress');
    expect((await workspaceRow(merchant.workspaceId))!.postal_address).toBe('1 Harbour Street, Bristol, BS1 5TT');
  });
});

describe('the store address setting', () => {
  it('is saved through the API, read back in the workspace, and cleared with an empty value', async () => {
    const merchant = await signUpMerchant();
    const key = await createApiKey(merchant);
    expect((await (await callApi(key, '/workspace')).json<{ workspace: { storeUrl: string | null } }>()).workspace.storeUrl).toBeNull();
    const res = await patchApi(key, '/workspace', { storeUrl: ' https://mugs.example/shop?ref=mail ' });
    expect(res.status).toBe(200);
    expect((await res.json<{ workspace: { storeUrl: string } }>()).workspace.storeUrl).toBe('https://mugs.example/shop?ref=mail');
    expect((await (await callApi(key, '/workspace')).json<{ workspace: { storeUrl: string } }>()).workspace.storeUrl).toBe('https://mugs.example/shop?ref=mail');
    const cleared = await patchApi(key, '/workspace', { storeUrl: '' });
    expect((await cleared.json<{ workspace: { storeUrl: string | null } }>()).workspace.storeUrl).toBeNull();
  });

  it('refuses anything but an http or https address of a domain, naming the field', async () => {
    const merchant = await signUpMerchant();
    const key = await createApiKey(merchant);
    const refused = [
      'mugs.example',
      'ftp://mugs.example',
      'javascript:alert(1)',
      'data:text/html,<script>alert(1)</script>',
      'https://localhost',
      'https://mugs.example/a b',
      'https://mugs.example/\r\nX-Injected: 1',
      '"https://mugs.example"',
      `https://mugs.example/${'a'.repeat(500)}`,
      42,
    ];
    for (const storeUrl of refused) await expectFieldRefused(await patchApi(key, '/workspace', { storeUrl }), 'storeUrl');
    expect((await workspaceRow(merchant.workspaceId))!.store_url).toBeNull();
  });

  it('is set on the Settings page, which names the field when it is wrong', async () => {
    const merchant = await signUpMerchant('Form Shop');
    const fields = { name: 'Form Shop', timeZone: 'UTC', senderName: '', senderEmail: '', replyToEmail: '', postalAddress: '' };
    const bad = await merchant.client.post('/app/settings', { ...fields, storeUrl: 'mugs.example' });
    expect(bad.status).toBe(400);
    const page = await bad.text();
    expect(page).toContain('Enter your store’s address, starting with https://');
    expect(page).toContain('value="mugs.example"');
    expect(await merchant.client.post('/app/settings', { ...fields, storeUrl: 'https://mugs.example' })).toHaveProperty('status', 303);
    expect(await (await merchant.client.get('/app/settings')).text()).toContain('value="https://mugs.example"');
  });
});

describe('the dashboard forms refuse header-breaking names', () => {
  it('Settings → Workspace re-renders with the sender name named and saves nothing', async () => {
    const merchant = await signUpMerchant('Form Guard');
    const before = await workspaceRow(merchant.workspaceId);
    const res = await merchant.client.post('/app/settings', { name: 'Changed', timeZone: 'UTC', senderName: 'Guard\r\nBcc: evil@example.com', postalAddress: '2 Quay St' });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('Use one line of text, without line breaks or control characters');
    expect(await workspaceRow(merchant.workspaceId)).toEqual(before);
  });

  it('Settings → Email sender refuses a From name with a line break and saves nothing', async () => {
    const merchant = await signUpMerchant();
    const res = await merchant.client.post('/app/settings/email', {
      host: 'smtp.mugs.example',
      port: '587',
      security: 'starttls',
      fromName: 'Mugs\nBcc: evil@example.com',
      fromEmail: 'news@mugs.example',
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('Use one line of text, without line breaks or control characters');
    const settings = await env.DB.prepare('SELECT smtp_host FROM workspace_settings WHERE workspace_id = ?').bind(merchant.workspaceId).first('smtp_host');
    expect(settings).toBeNull();
    expect(await workspaceRow(merchant.workspaceId)).toMatchObject({ sender_name: null, sender_email: null });
  });

  it('a new workspace or a sign-up with a line break in its name is refused', async () => {
    const merchant = await signUpMerchant();
    const created = await merchant.client.post('/app/workspaces', { name: 'Second\r\nBcc: evil@example.com', timeZone: 'UTC' });
    expect(created.status).toBe(400);
    const count = await env.DB.prepare('SELECT COUNT(*) AS n FROM memberships WHERE user_id = ?').bind(merchant.userId).first('n');
    expect(count).toBe(1);

    const client = new BrowserClient();
    await client.get('/signup');
    const email = uniqueEmail('crlf');
    const signUp = await client.post('/signup', { email, password: PASSWORD, workspaceName: 'Shop\nX-Injected: 1', timeZone: 'UTC' });
    expect(signUp.status).toBe(400);
    expect(await env.DB.prepare('SELECT id FROM users WHERE email = ?').bind(email).first()).toBeNull();
  });
});
