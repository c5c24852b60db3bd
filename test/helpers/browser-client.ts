// A cookie-keeping client for the dashboard, driving the Worker like a browser:
// it reads the CSRF token from pages and posts forms with it.
import { exports } from 'cloudflare:workers';

export const ORIGIN = 'https://marketing.example.com';

/** Parses Set-Cookie headers into name -> value (a Max-Age of 0 deletes). */
function applySetCookies(jar: Map<string, string>, res: Response): void {
  for (const header of res.headers.getSetCookie()) {
    const [pair, ...attributes] = header.split(';');
    const eq = pair!.indexOf('=');
    const name = pair!.slice(0, eq).trim();
    const value = pair!.slice(eq + 1).trim();
    const expired = attributes.some((attr) => /^\s*max-age=0$/i.test(attr));
    if (expired || value === '') jar.delete(name);
    else jar.set(name, value);
  }
}

/** A browser session against the Worker. */
export class BrowserClient {
  readonly jar = new Map<string, string>();
  csrfToken = '';

  constructor(readonly origin = ORIGIN) {}

  /** Sends a request with the jar's cookies, never following redirects. */
  async request(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.jar.size) headers.set('cookie', [...this.jar].map(([k, v]) => `${k}=${v}`).join('; '));
    const res = await exports.default.fetch(new Request(this.origin + path, { ...init, headers, redirect: 'manual' }));
    applySetCookies(this.jar, res);
    return res;
  }

  /** GETs a page and remembers the CSRF token it carries. */
  async get(path: string): Promise<Response> {
    const res = await this.request(path);
    const html = await res.clone().text();
    const match = /name="_csrf" value="([^"]+)"/.exec(html);
    if (match?.[1]) this.csrfToken = match[1];
    return res;
  }

  /** POSTs a form with the current CSRF token (unless the fields set `_csrf`) and the same Origin. */
  async post(path: string, fields: Record<string, string> = {}, headers: Record<string, string> = {}): Promise<Response> {
    if (!this.csrfToken) await this.get('/login');
    const body = new URLSearchParams({ _csrf: this.csrfToken, ...fields });
    return this.request(path, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: this.origin, ...headers },
    });
  }
}
