import { exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/app';
import { callApi, createApiKey, patchApi, signUpMerchant } from '../helpers/factories';
import { env } from 'cloudflare:workers';

type ErrorBody = { error: { code: string; message: string; requestId: string; issues?: { path: string; message: string }[] } };

describe('the API error shape', () => {
  it('answers unknown API paths with 404 in the one shape', async () => {
    const merchant = await signUpMerchant();
    const key = await createApiKey(merchant);
    const res = await callApi(key, '/nothing-here');
    expect(res.status).toBe(404);
    const body = await res.json<ErrorBody>();
    expect(body.error.code).toBe('not_found');
    expect(body.error.requestId).toBe(res.headers.get('x-request-id'));
  });

  it('answers invalid input with 400 naming every bad field, and changes nothing', async () => {
    const merchant = await signUpMerchant('Unchanged');
    const key = await createApiKey(merchant);
    const res = await patchApi(key, '/workspace', { name: 'New name', timeZone: 'Nowhere/Special', senderEmail: 'nope' });
    expect(res.status).toBe(400);
    const body = await res.json<ErrorBody>();
    expect(body.error.code).toBe('invalid_input');
    expect(body.error.issues!.map((issue) => issue.path).sort()).toEqual(['senderEmail', 'timeZone']);
    expect(body.error.message).toContain('timeZone');
    const after = await (await callApi(key, '/workspace')).json<{ workspace: { name: string } }>();
    expect(after.workspace.name).toBe('Unchanged');
  });

  it('rejects unknown fields instead of ignoring them', async () => {
    const merchant = await signUpMerchant();
    const key = await createApiKey(merchant);
    const res = await patchApi(key, '/workspace', { nmae: 'typo' });
    expect(res.status).toBe(400);
  });

  it('answers malformed JSON and a missing content type with 400', async () => {
    const merchant = await signUpMerchant();
    const key = await createApiKey(merchant);
    const malformed = await callApi(key, '/workspace', { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: '{"name":' });
    expect(malformed.status).toBe(400);
    expect((await malformed.json<ErrorBody>()).error.code).toBe('invalid_input');
    const untyped = await callApi(key, '/workspace', { method: 'PATCH', body: '{"name":"x"}' });
    expect(untyped.status).toBe(400);
    expect((await untyped.json<ErrorBody>()).error.message).toContain('Content-Type: application/json');
  });

  it('rejects bodies over 1 MB with 413', async () => {
    const merchant = await signUpMerchant();
    const key = await createApiKey(merchant);
    const res = await patchApi(key, '/workspace', { name: 'x'.repeat(1024 * 1024 + 10) });
    expect(res.status).toBe(413);
    expect((await res.json<ErrorBody>()).error.code).toBe('payload_too_large');
  });

  it('answers an unexpected failure with 500 and no internals', async () => {
    const app = createApp();
    app.get('/api/explode', () => {
      throw new Error('secret connection string postgres://admin:hunter2@db');
    });
    const res = await app.request('/api/explode', {}, env);
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(text).not.toContain('hunter2');
    expect(JSON.parse(text).error.code).toBe('internal');
  });

  it('renders errors of dashboard pages as pages, not JSON', async () => {
    const res = await exports.default.fetch('https://marketing.example.com/no-such-page');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toContain('text/html');
  });
});
