// Reads what a page's security rests on: its CSP, its <script> tags and its frames, parsed
// by workerd's HTMLRewriter (the way a browser tokenizes it, not by regex).
import { expect } from 'vitest';

/** A page's elements of one tag, as attribute maps. */
export async function elementsOf(html: string, tag: string): Promise<Record<string, string>[]> {
  const found: Record<string, string>[] = [];
  const rewriter = new HTMLRewriter().on(tag, {
    element(element) {
      found.push(Object.fromEntries(element.attributes));
    },
  });
  await rewriter.transform(new Response(html)).text();
  return found;
}

/** The directives of a Content-Security-Policy header: name -> sources. */
export function cspDirectives(header: string | null): Map<string, string[]> {
  const directives = new Map<string, string[]>();
  for (const part of (header ?? '').split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name) directives.set(name.toLowerCase(), sources);
  }
  return directives;
}

/** The nonce a dashboard page's CSP allows scripts with; fails unless the policy is strict. */
export function expectStrictDashboardPolicy(res: Response): string {
  const csp = cspDirectives(res.headers.get('content-security-policy'));
  const scriptSources = csp.get('script-src') ?? csp.get('default-src') ?? [];
  const nonces = scriptSources.filter((source) => /^'nonce-[A-Za-z0-9+/=_-]{16,}'$/.test(source));
  expect(nonces, 'one script nonce').toHaveLength(1);
  expect(scriptSources, 'scripts only by nonce').toEqual(nonces);
  expect(csp.get('object-src')).toEqual(["'none'"]);
  expect(csp.get('base-uri')).toEqual(["'none'"]);
  expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
  expect(csp.get('form-action')).toEqual(["'self'"]);
  expect(csp.get('default-src')).toEqual(["'self'"]);
  return nonces[0]!.slice("'nonce-".length, -1);
}

/** Headers every dashboard response carries besides the CSP. */
export function expectDashboardHeaders(res: Response) {
  expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  // same-origin by default (the CSRF check reads the Origin of our own form posts); pages with
  // a token in their URL send no-referrer, stricter still, and rely on the form token.
  expect(['same-origin', 'no-referrer']).toContain(res.headers.get('referrer-policy'));
  expect(res.headers.get('x-frame-options')).toBe('DENY');
  expect(res.headers.get('cache-control')).toBe('no-store');
}

/** Every script of the page carries the response's nonce; every frame is a sandbox without script. */
export async function expectScriptsAndFramesLocked(html: string, nonce: string) {
  for (const script of await elementsOf(html, 'script')) expect(script, 'a script with the nonce').toMatchObject({ nonce });
  for (const tag of ['iframe', 'frame', 'object', 'embed']) {
    for (const frame of await elementsOf(html, tag)) {
      expect(tag, 'only iframes').toBe('iframe');
      expect(frame, 'a sandboxed frame').toHaveProperty('sandbox');
      expect(frame.sandbox!.split(/\s+/).filter(Boolean), 'a sandbox with no keyword').toEqual([]);
      expect(frame, 'no srcdoc in the page itself').not.toHaveProperty('srcdoc');
    }
  }
}

/** The policy of a response that is untrusted HTML: a sandbox without script, framed only by us. */
export function expectUntrustedHtmlPolicy(res: Response) {
  const csp = cspDirectives(res.headers.get('content-security-policy'));
  expect(csp.get('sandbox'), 'sandboxed with no keyword').toEqual([]);
  expect(csp.get('default-src')).toEqual(["'none'"]);
  expect(csp.has('script-src')).toBe(false);
  expect(csp.get('frame-ancestors')).toEqual(["'self'"]);
  expect(res.headers.get('x-content-type-options')).toBe('nosniff');
}
