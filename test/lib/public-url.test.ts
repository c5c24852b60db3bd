import { describe, expect, it } from 'vitest';
import { publicUrl } from '../../src/lib/public-url';

describe('publicUrl', () => {
  it('puts the path under the configured base URL, with or without its trailing slash', () => {
    expect(publicUrl({ PUBLIC_BASE_URL: 'https://marketing.example.com' }, '/u/abc')).toBe('https://marketing.example.com/u/abc');
    expect(publicUrl({ PUBLIC_BASE_URL: 'https://marketing.example.com/' }, '/u/abc')).toBe('https://marketing.example.com/u/abc');
  });

  it('keeps a base URL that lives under a path', () => {
    expect(publicUrl({ PUBLIC_BASE_URL: 'https://example.com/marketing/' }, '/webhooks/events/c1')).toBe('https://example.com/marketing/webhooks/events/c1');
  });
});
