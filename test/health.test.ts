import { exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';

describe('GET /healthz', () => {
  it('answers 200 after a D1 round trip', async () => {
    const res = await exports.default.fetch('http://example.com/healthz');
    expect(res.status).toBe(200);
    const body = await res.json<{ status: string; checks: { d1: { status: string } } }>();
    expect(body.status).toBe('ok');
    expect(body.checks.d1.status).toBe('ok');
  });
});
