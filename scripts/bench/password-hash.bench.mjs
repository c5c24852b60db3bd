// Benchmark (issue 13): what one log-in's password hash costs in workerd. PBKDF2-SHA256
// at 100,000 iterations (what src/lib/crypto.ts uses: workerd refuses more) against
// argon2id from hash-wasm at OWASP's and RFC 9106's settings. A throwaway Worker hashes
// once per request under `wrangler dev`; the time per request, less an empty request's,
// is the hash's cost (the Worker does nothing else and runs one request at a time;
// inside workerd the clock stands still while code runs, so it is measured from here).
//
// hash-wasm as published does not run in workerd: it compiles its WebAssembly from bytes
// at run time, which Workers refuse ("Wasm code generation disallowed by embedder"). The
// Worker here imports the same binaries as Wasm modules (as wrangler bundles them) and
// hands them to hash-wasm in place of the refused compile; the last line checks that
// compiling from bytes is still refused. Target: every hash measured; the figures are for the README.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { argon2id } from 'hash-wasm';
import { ROOT } from './dev-server.mjs';
import { benchResult, QUICK, row } from './report.mjs';

const PORT = Number(process.env.BENCH_PORT ?? 8931);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? (QUICK ? 5 : 15));
const WRANGLER = join(ROOT, 'node_modules', 'wrangler', 'bin', 'wrangler.js');

const CASES = [
  { name: 'PBKDF2-SHA256, 100,000 iterations (today)', path: '/pbkdf2?iterations=100000' },
  { name: 'argon2id m=19 MiB t=2 p=1 (OWASP minimum)', path: '/argon2id?m=19456&t=2' },
  { name: 'argon2id m=46 MiB t=1 p=1 (OWASP alternative)', path: '/argon2id?m=47104&t=1' },
  { name: 'argon2id m=64 MiB t=3 p=1 (RFC 9106 second choice)', path: '/argon2id?m=65536&t=3' },
];

/** The Wasm binaries hash-wasm compiles for argon2id, caught by running it once here in Node. */
async function argon2Binaries() {
  const binaries = [];
  const compile = WebAssembly.compile;
  WebAssembly.compile = (bytes) => {
    binaries.push(new Uint8Array(bytes));
    return compile(bytes);
  };
  try {
    await argon2id({ password: 'x', salt: new Uint8Array(16), parallelism: 1, iterations: 1, memorySize: 8, hashLength: 32 });
  } finally {
    WebAssembly.compile = compile;
  }
  return binaries;
}

function workerSource(binaries) {
  const sha = (bytes) => createHash('sha256').update(bytes).digest('hex');
  const imports = binaries.map((_, i) => `import wasm${i} from './hash-wasm-${i}.wasm';`).join('\n');
  const table = binaries.map((bytes, i) => `['${sha(bytes)}', wasm${i}]`).join(', ');
  return `${imports}
import { argon2id } from ${JSON.stringify(join(ROOT, 'node_modules', 'hash-wasm', 'dist', 'index.esm.js'))};

// The modules wrangler bundled, by the SHA-256 of their bytes: handed over instead of compiling.
const PREBUILT = new Map([${table}]);
const refusedCompile = WebAssembly.compile;
async function prebuiltCompile(bytes) {
  const digest = Array.from(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes)), (b) => b.toString(16).padStart(2, '0')).join('');
  return PREBUILT.get(digest) ?? refusedCompile(bytes);
}
const encoder = new TextEncoder();

export default {
  async fetch(request) {
    const url = new URL(request.url);
    const param = (name, fallback) => Number(url.searchParams.get(name) ?? fallback);
    const salt = crypto.getRandomValues(new Uint8Array(16));
    const password = 'correct horse battery staple';
    try {
      if (url.pathname === '/noop') return new Response('ok');
      if (url.pathname === '/pbkdf2') {
        const key = await crypto.subtle.importKey('raw', encoder.encode(password), 'PBKDF2', false, ['deriveBits']);
        await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations: param('iterations', 100000) }, key, 256);
        return new Response('ok');
      }
      if (url.pathname === '/compile-from-bytes') {
        await refusedCompile(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]));
        return new Response('allowed');
      }
      if (url.pathname === '/argon2id') {
        WebAssembly.compile = prebuiltCompile;
        await argon2id({ password, salt, parallelism: 1, iterations: param('t', 2), memorySize: param('m', 19456), hashLength: 32, outputType: 'hex' });
        return new Response('ok');
      }
      return new Response('not found', { status: 404 });
    } catch (err) {
      return new Response('failed: ' + err, { status: url.pathname === '/compile-from-bytes' ? 200 : 500 });
    }
  },
};
`;
}

async function startWorker(dir) {
  const args = [
    'dev',
    '--config',
    join(dir, 'wrangler.toml'),
    '--port',
    String(PORT),
    '--ip',
    '127.0.0.1',
    '--show-interactive-dev-session=false',
    '--live-reload=false',
    '--inspector-port',
    String(PORT + 1000),
  ];
  const child = spawn(process.execPath, [WRANGLER, ...args], {
    cwd: dir,
    env: { ...process.env, CI: 'true', WRANGLER_SEND_METRICS: 'false', NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let log = '';
  child.stdout.on('data', (d) => (log += d));
  child.stderr.on('data', (d) => (log += d));
  const stop = () => {
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {}
  };
  for (let i = 0; i < 60; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${PORT}/noop`, { signal: AbortSignal.timeout(2000) })).ok) return stop;
    } catch {}
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  stop();
  throw new Error(`the benchmark Worker did not start:\n${log}`);
}

/** Milliseconds per request: [min, median] over ROUNDS sequential requests, after one warm-up. */
async function timeRequests(path) {
  const call = async () => {
    const started = performance.now();
    const res = await fetch(`http://127.0.0.1:${PORT}${path}`);
    const body = await res.text();
    if (!res.ok) throw new Error(`${path}: ${res.status} ${body}`);
    return performance.now() - started;
  };
  await call();
  const times = [];
  for (let i = 0; i < ROUNDS; i++) times.push(await call());
  times.sort((a, b) => a - b);
  return [times[0], times[Math.floor(times.length / 2)]];
}

export async function run() {
  const dir = mkdtempSync(join(tmpdir(), 'bench-password-hash-'));
  const binaries = await argon2Binaries();
  for (const [i, bytes] of binaries.entries()) writeFileSync(join(dir, `hash-wasm-${i}.wasm`), bytes);
  writeFileSync(join(dir, 'worker.mjs'), workerSource(binaries));
  writeFileSync(join(dir, 'wrangler.toml'), 'name = "password-hash-bench"\nmain = "worker.mjs"\ncompatibility_date = "2026-04-01"\n');
  const stop = await startWorker(dir);
  try {
    const rows = [];
    const [noopMin, noopMedian] = await timeRequests('/noop');
    console.log(`empty request: min ${noopMin.toFixed(1)} ms, median ${noopMedian.toFixed(1)} ms (subtracted below)`);
    for (const { name, path } of CASES) {
      const [min, median] = await timeRequests(path);
      console.log(`${name}: min ${(min - noopMin).toFixed(0)} ms, median ${(median - noopMedian).toFixed(0)} ms per hash`);
      rows.push(row({ path: `password hash: ${name}`, figure: `median ${(median - noopMedian).toFixed(0)} ms per hash in workerd` }));
    }
    for (const { name, path } of CASES.filter((c) => c.path.startsWith('/argon2id'))) {
      const params = new URL(path, 'http://x').searchParams;
      const times = [];
      for (let i = 0; i < 5; i++) {
        const started = performance.now();
        await argon2id({
          password: 'correct horse battery staple',
          salt: new Uint8Array(16),
          parallelism: 1,
          iterations: Number(params.get('t')),
          memorySize: Number(params.get('m')),
          hashLength: 32,
        });
        times.push(performance.now() - started);
      }
      console.log(`for comparison, in Node on this machine, ${name}: min ${Math.min(...times).toFixed(0)} ms`);
    }
    const refused = await (await fetch(`http://127.0.0.1:${PORT}/compile-from-bytes`)).text();
    console.log(`compiling WebAssembly from bytes in workerd (what hash-wasm as published does): ${refused}`);
    return benchResult('password-hash', rows);
  } catch (err) {
    console.error(String(err));
    return benchResult('password-hash', [row({ path: 'password hash', figure: `failed: ${String(err)}`, pass: false })]);
  } finally {
    stop();
  }
}
