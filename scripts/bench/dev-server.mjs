// Starts `wrangler dev` on a fresh local state (migrations applied) for a benchmark,
// and signs up a merchant through the real pages, keeping cookies and CSRF tokens.
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const WRANGLER = join(ROOT, 'node_modules', 'wrangler', 'bin', 'wrangler.js');
const childEnv = { ...process.env, CI: 'true', WRANGLER_SEND_METRICS: 'false', NO_COLOR: '1' };

/** Runs a wrangler command against a state directory; throws with its output on failure. */
export function wranglerSync(args) {
  const run = spawnSync(process.execPath, [WRANGLER, ...args], { cwd: ROOT, env: childEnv, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (run.status !== 0) throw new Error(`wrangler ${args.slice(0, 3).join(' ')} failed:\n${run.stdout}${run.stderr}`);
  return run.stdout;
}

/** Runs SQL on a state directory's local D1, through a temp file (named after `label`) removed afterwards. */
export function executeSql(state, label, sql) {
  const file = join(tmpdir(), `bench-${label}-${process.pid}.sql`);
  writeFileSync(file, sql);
  try {
    wranglerSync(['d1', 'execute', 'DB', '--local', '--persist-to', state, '--file', file, '--yes']);
  } finally {
    rmSync(file, { force: true });
  }
}

/** The rows a query returns from a state directory's local D1 (read while wrangler dev runs on it). */
export function querySql(state, query) {
  return JSON.parse(wranglerSync(['d1', 'execute', 'DB', '--local', '--persist-to', state, '--json', '--command', query]))[0].results;
}

// A local state with every migration applied, made by the first bench of a run and copied
// for each one after it. The migrations run in order as one SQL file: `wrangler d1
// migrations apply` takes about 16 s for 30-odd of them (one call each), one file about 3 s.
let migratedTemplate = null;

/** A new state directory (named after `label`) with the migrations applied; the caller removes it. */
export function migratedState(label = 'state') {
  if (!migratedTemplate) {
    migratedTemplate = mkdtempSync(join(tmpdir(), 'bench-migrated-'));
    const dir = join(ROOT, 'migrations');
    const files = readdirSync(dir)
      .filter((file) => file.endsWith('.sql'))
      .sort();
    executeSql(migratedTemplate, 'migrations', files.map((file) => readFileSync(join(dir, file), 'utf8')).join('\n'));
    process.on('exit', () => rmSync(migratedTemplate, { recursive: true, force: true }));
  }
  const state = mkdtempSync(join(tmpdir(), `bench-${label}-`));
  cpSync(migratedTemplate, state, { recursive: true });
  return state;
}

/**
 * Starts wrangler dev on `port` with its own state directory (migrations applied,
 * then `prepare(stateDir)` for seeding); resolves once /healthz answers. `vars` are
 * more `--var NAME:value` settings (where texts go, for one).
 */
// Locally, a request that arrived while a queue batch held workerd's thread was seen to
// wait, with the runtime idle, until another request came (README, "A request that
// `wrangler dev` never answers"). A bench awaiting one sends a request that touches
// nothing every few seconds until it is answered.
const NUDGE_EVERY_MS = 3_000;

async function nudged(base, pending) {
  let answered = false;
  const nudge = async () => {
    while (!answered) {
      await new Promise((resolve) => setTimeout(resolve, NUDGE_EVERY_MS));
      if (!answered) await fetch(`${base}/healthz/live`).catch(() => undefined);
    }
  };
  nudge();
  try {
    return await pending;
  } finally {
    answered = true;
  }
}

export async function startDevServer({ port = 8799, prepare, withoutConsumers = false, vars = {} } = {}) {
  if (!existsSync(join(ROOT, '.dev.vars'))) copyFileSync(join(ROOT, '.dev.vars.example'), join(ROOT, '.dev.vars'));
  // BENCH_STATE keeps a seeded state between runs (handy while tuning queries).
  const kept = process.env.BENCH_STATE;
  const reuse = kept && existsSync(join(kept, 'v3'));
  const state = kept ?? migratedState();
  // A kept state may predate the newest migrations.
  if (kept) wranglerSync(['d1', 'migrations', 'apply', 'DB', '--local', '--persist-to', state]);
  if (prepare && !reuse) await prepare(state);
  const config = withoutConsumers ? writeConfigWithoutConsumers() : join(ROOT, 'wrangler.toml');
  const args = [
    'dev',
    '--config',
    config,
    '--local',
    '--persist-to',
    state,
    '--port',
    String(port),
    '--ip',
    '127.0.0.1',
    '--show-interactive-dev-session=false',
    '--live-reload=false',
    '--test-scheduled',
    '--inspector-port',
    String(port + 1000),
    '--var',
    `PUBLIC_BASE_URL:http://127.0.0.1:${port}`,
    // The benches' SMTP sinks listen on 2590-2599 (smtp-sink.mjs), outside the ports workspaces may use.
    '--var',
    'SMTP_ALLOWED_PORTS:465,587,2525,2590-2599',
    ...Object.entries(vars).flatMap(([name, value]) => ['--var', `${name}:${value}`]),
  ];
  const child = spawn(process.execPath, [WRANGLER, ...args], { cwd: ROOT, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let log = '';
  child.stdout.on('data', (d) => (log += d));
  child.stderr.on('data', (d) => (log += d));
  const base = `http://127.0.0.1:${port}`;
  const stop = () => {
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {}
    if (!kept) rmSync(state, { recursive: true, force: true });
  };
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited:\n${log}`);
    try {
      if ((await fetch(`${base}/healthz`)).status === 200) return { base, state, stop, log: () => log, nudged: (pending) => nudged(base, pending) };
    } catch {}
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  stop();
  throw new Error(`wrangler dev did not start in 90 s:\n${log}`);
}

/**
 * wrangler.toml without its queue consumers, written beside it (in .wrangler/), so a
 * benchmark can measure the edge alone: locally the consumer shares workerd's thread.
 */
function writeConfigWithoutConsumers() {
  const toml = readFileSync(join(ROOT, 'wrangler.toml'), 'utf8')
    .replace(/\[\[queues\.consumers\]\][^[]*/g, '')
    .replace(/^main = "(.*)"$/m, 'main = "../$1"')
    .replace(/^directory = "(.*)"$/m, 'directory = "../$1"')
    .replace(/^migrations_dir = "(.*)"$/m, 'migrations_dir = "../$1"');
  const file = join(ROOT, '.wrangler', 'bench-without-consumers.toml');
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, toml);
  // wrangler reads .dev.vars beside the config.
  copyFileSync(join(ROOT, '.dev.vars'), join(dirname(file), '.dev.vars'));
  return file;
}

/** A tiny cookie-keeping browser: GET pages for their CSRF token, POST forms. */
export function browserSession(base) {
  const jar = new Map();
  let csrf = '';
  async function request(path, init = {}) {
    const headers = new Headers(init.headers);
    headers.set('cookie', [...jar].map(([k, v]) => `${k}=${v}`).join('; '));
    const res = await fetch(base + path, { ...init, headers, redirect: 'manual' });
    for (const cookie of res.headers.getSetCookie()) {
      const [pair] = cookie.split(';');
      const [name, ...value] = pair.split('=');
      jar.set(name.trim(), value.join('='));
    }
    const text = await res.text();
    csrf = /name="_csrf" value="([^"]+)"/.exec(text)?.[1] ?? csrf;
    return { res, text };
  }
  return {
    get: (path) => request(path),
    post: (path, fields) =>
      request(path, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: base },
        body: new URLSearchParams({ _csrf: csrf, ...fields }),
      }),
  };
}

/** Signs up a merchant and connects a store of `platform`; returns its webhook URL and secret. */
export async function connectBenchStore(base, platform = 'custom') {
  const browser = browserSession(base);
  await browser.get('/signup');
  const email = `bench-${Date.now()}@example.com`;
  const signup = await browser.post('/signup', { email, password: 'bench-password-123', workspaceName: 'Bench Store', timeZone: 'UTC' });
  if (signup.res.status !== 303) throw new Error(`sign-up failed: ${signup.res.status}`);
  // Sign-up does not sign in (its answer must not tell whether the address had an account).
  const login = await browser.post('/login', { email, password: 'bench-password-123' });
  if (login.res.status !== 303) throw new Error(`log-in failed: ${login.res.status}`);
  await browser.get('/app/settings/stores');
  const created = await browser.post('/app/settings/stores', { platform, name: 'Bench', currency: 'USD' });
  const page = await browser.get(created.res.headers.get('location'));
  const url = /value="(http[^"]+\/webhooks\/[^"]+)"/.exec(page.text)?.[1];
  const secret = /value="(whsec_[^"]+)"/.exec(page.text)?.[1];
  if (!url || !secret) throw new Error('could not read the webhook URL and secret from Settings');
  return { url, secret };
}
