// The response headers that keep the dashboard's origin to itself: a Content-Security-Policy
// with a fresh script nonce per response, no framing by other pages, no sniffing, no caching,
// and the stricter policy of responses that are untrusted HTML (email designs).
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Context, MiddlewareHandler } from 'hono';
import { NONCE, secureHeaders } from 'hono/secure-headers';
import type { AppEnv } from '../env';

/**
 * The dashboard's policy. Scripts run only with this response's nonce (no 'self': a script
 * must be named by the page that loads it). Design frames are srcdoc documents, which inherit
 * this policy, so a design's own script needs the nonce it can never know; that is why
 * images, fonts and stylesheets may come from any https host (designs load theirs) and inline
 * styles are allowed (emails are styled inline; our pages never put text into a style).
 */
const DASHBOARD_POLICY = {
  defaultSrc: ["'self'"],
  scriptSrc: [NONCE],
  styleSrc: ["'self'", "'unsafe-inline'", 'https:'],
  imgSrc: ["'self'", 'https:', 'http:', 'data:'],
  fontSrc: ["'self'", 'https:', 'data:'],
  connectSrc: ["'self'"],
  frameSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
};

/**
 * The policy of a response that is untrusted HTML shown in a dashboard frame: `sandbox` gives
 * it an opaque origin and no script even when opened on its own, outside any frame.
 */
export const UNTRUSTED_HTML_POLICY =
  "sandbox; default-src 'none'; img-src https: http: data:; style-src 'unsafe-inline' https:; font-src https: data:; base-uri 'none'; form-action 'none'; frame-ancestors 'self'";

const nonceOfResponse = new AsyncLocalStorage<string>();

/** The script nonce of the response being rendered (undefined outside a request). */
export function currentScriptNonce(): string | undefined {
  return nonceOfResponse.getStore();
}

/** Sets the security headers on every response; a header a route set itself is kept. */
export function securityHeaders(): MiddlewareHandler<AppEnv> {
  const headers = secureHeaders({
    contentSecurityPolicy: DASHBOARD_POLICY,
    xFrameOptions: 'DENY',
    // same-origin, not no-referrer: with no-referrer Chromium sends "Origin: null" on our own
    // form posts, and the CSRF Origin check (src/http/csrf.ts) needs the real origin.
    referrerPolicy: 'same-origin',
    overwrite: false,
  });
  return (c, next) =>
    headers(c, async () => {
      // secureHeaders made the nonce before calling us; pages read it while they render.
      await nonceOfResponse.run(c.get('secureHeadersNonce') ?? '', next);
      // Pages and API answers hold personal data: no browser or proxy keeps a copy.
      if (!c.res.headers.has('Cache-Control')) c.res.headers.set('Cache-Control', 'no-store');
    });
}

/** Answers with untrusted HTML (a design) under UNTRUSTED_HTML_POLICY, for a sandboxed frame. */
export function untrustedHtmlResponse(c: Context<AppEnv>, html: string) {
  c.header('Content-Security-Policy', UNTRUSTED_HTML_POLICY);
  c.header('X-Frame-Options', 'SAMEORIGIN');
  c.header('Referrer-Policy', 'no-referrer');
  return c.html(html);
}
