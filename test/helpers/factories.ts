// Small factories for tests: accounts, workspaces and API keys made through the
// real HTTP routes, so every test starts from states the product can reach.
import { env, exports } from 'cloudflare:workers';
import { expect } from 'vitest';
import { BrowserClient, ORIGIN } from './browser-client';

let counter = 0;

/** A unique email for this test file run. */
export function uniqueEmail(label = 'merchant'): string {
  counter += 1;
  return `${label}-${Date.now().toString(36)}-${counter}@shop.example`;
}

export const PASSWORD = 'correct horse battery staple';

/** The postal address every signed-up test workspace starts with. */
export const TEST_POSTAL_ADDRESS = '1 Test Street, Testville';

/** A signed-up merchant with a logged-in browser and their first workspace. */
export type Merchant = { client: BrowserClient; email: string; userId: string; workspaceId: string };

/** Signs up through /signup, logs in through /login and returns the logged-in merchant. */
export async function signUpMerchant(workspaceName = 'Test Store', email = uniqueEmail()): Promise<Merchant> {
  const client = new BrowserClient();
  await client.get('/signup');
  const res = await client.post('/signup', { email, password: PASSWORD, workspaceName, timeZone: 'Europe/Paris' });
  expect(res.status, await res.clone().text()).toBe(303);
  // Sign-up does not sign in (its answer must not tell whether the address had an account).
  const logIn = await client.post('/login', { email, password: PASSWORD });
  expect(logIn.status, await logIn.clone().text()).toBe(303);
  const user = await env.DB.prepare('SELECT id FROM users WHERE email = ?').bind(email).first<{ id: string }>();
  const membership = await env.DB.prepare('SELECT workspace_id FROM memberships WHERE user_id = ?').bind(user!.id).first<{ workspace_id: string }>();
  // Email campaigns need a postal address for their footer (CAN-SPAM); the tests of that rule clear it.
  await env.DB.prepare('UPDATE workspace_settings SET postal_address = ? WHERE workspace_id = ?').bind(TEST_POSTAL_ADDRESS, membership!.workspace_id).run();
  await client.get('/app/settings');
  return { client, email, userId: user!.id, workspaceId: membership!.workspace_id };
}

/** Creates an API key through Settings and returns it in clear. */
export async function createApiKey(merchant: Merchant, name = 'Test key'): Promise<string> {
  const res = await merchant.client.post('/app/settings/api-keys', { name });
  const html = await res.text();
  expect(res.status, html).toBe(201);
  const key = /value="(mk_[^"]+)"/.exec(html)?.[1];
  expect(key).toBeDefined();
  return key!;
}

/** Calls /api/v1 with a key. */
export function callApi(key: string, path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set('authorization', `Bearer ${key}`);
  return exports.default.fetch(new Request(`${ORIGIN}/api/v1${path}`, { ...init, headers }));
}

/** POSTs JSON (an empty object by default) to an API path. */
export function postApi(key: string, path: string, body: unknown = {}): Promise<Response> {
  return callApi(key, path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

/** PATCHes JSON to an API path. */
export function patchApi(key: string, path: string, body: unknown): Promise<Response> {
  return callApi(key, path, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

/** The `error` of an API error response (code, message and the fields named). */
export async function apiErrorOf(res: Response) {
  return (await res.json<{ error: { code: string; message: string; issues?: { path: string }[] } }>()).error;
}
