// Three fixes to the local runtime (`wrangler dev` and the test pool); production runs
// neither miniflare nor wrangler's dev proxies, so only local runs need them. Run by
// `npm install` (postinstall); each changes nothing when already applied, and only warns
// when a newer version no longer has the code it expects.
//
// 1. miniflare's queue broker logs each batch's outcome to wrangler over a loopback HTTP
//    connection before it clears its "flush pending" mark; when that write fails (seen
//    after a long batch: `kj ... disconnected: ::write(...): Broken pipe`), the mark is
//    never cleared and the queue delivers nothing more until wrangler restarts. A
//    10,000-row import did that to the imports queue, and every bulk action after it
//    waited forever. The patch lets a lost log line be lost.
// 2. wrangler's inspector proxy (a worker inside `wrangler dev`) sends every message the
//    runtime's inspector emits to wrangler as a "debug-log" HTTP request over loopback,
//    one connection each. It enables the Network domain, so every D1 call, queue send
//    and Durable Object call is a few such messages: a flows burst opened 19,338 of them
//    in a minute, left up to 20,000 sockets in CLOSE-WAIT (the process's limit: "Too many
//    open files"), and every request to the dev server stalled or hung meanwhile. Those
//    lines are only printed with WRANGLER_LOG=debug; the patch stops sending them.
// 3. The same proxy enables the runtime's Network domain as soon as it connects, with or
//    without DevTools, and keeps every message the runtime sends until DevTools attaches:
//    the runtime writes a few events for each D1 call, Durable Object call and fetch of
//    the Worker, on the thread that serves requests, and the proxy holds them all for as
//    long as `wrangler dev` runs. The patch enables the domain only when DevTools is
//    attached, as the proxy already does for the Debugger domain (DevTools enables the
//    Network domain itself when it attaches).
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

const PATCHES = [
  {
    name: 'a failed log line no longer stops local queues',
    file: join(ROOT, 'node_modules', 'miniflare', 'dist', 'src', 'workers', 'shared', 'index.worker.js'),
    unpatched: /(async logWithLevel\(level, message\) \{\n\s*await this\.env\[SharedBindings\.MAYBE_SERVICE_LOOPBACK\]\?\.fetch\([\s\S]*?body: message\n\s*\}\n\s*\));/,
    patched: /async logWithLevel\(level, message\) \{\n\s*await this\.env\[SharedBindings\.MAYBE_SERVICE_LOOPBACK\]\?\.fetch\([\s\S]*?body: message\n\s*\}\n\s*\)\.catch\(\(\) => \{\}\);/,
    replacement: '$1.catch(() => {});',
  },
  {
    name: "wrangler dev's inspector proxy no longer opens a connection per runtime message",
    file: join(ROOT, 'node_modules', 'wrangler', 'wrangler-dist', 'InspectorProxyWorker.js'),
    unpatched: /( {2}sendDebugLog = \(\.\.\.args\) => \{\n)( {4}this\.sendProxyControllerRequest\(\{ type: "debug-log", args \}\);\n)/,
    patched: / {2}sendDebugLog = \(\.\.\.args\) => \{\n {4}\/\/ patched \(scripts\/patch-local-dev\.mjs\): not sent\n/,
    replacement: '$1    // patched (scripts/patch-local-dev.mjs): not sent\n',
  },
  {
    name: "wrangler dev's inspector proxy enables the runtime's Network domain only for DevTools",
    file: join(ROOT, 'node_modules', 'wrangler', 'wrangler-dist', 'InspectorProxyWorker.js'),
    unpatched: /( {4})this\.sendRuntimeMessage\(\n {6}\{ method: "Network\.enable", id: this\.nextCounter\(\) \},\n {6}runtime\n {4}\);\n/,
    patched: / {4}\/\/ patched \(scripts\/patch-local-dev\.mjs\): only with DevTools attached\n/,
    replacement:
      '$1// patched (scripts/patch-local-dev.mjs): only with DevTools attached\n$1if (this.websockets.devtools !== void 0) {\n$1  this.sendRuntimeMessage({ method: "Network.enable", id: this.nextCounter() }, runtime);\n$1}\n',
  },
];

for (const patch of PATCHES) {
  let source;
  try {
    source = readFileSync(patch.file, 'utf8');
  } catch {
    continue; // not installed (a production-only install): nothing to patch
  }
  if (patch.patched.test(source)) continue;
  if (!patch.unpatched.test(source)) {
    console.warn(`patch-local-dev: ${patch.file} no longer has the code this patch expects (${patch.name}); check whether it was fixed upstream.`);
    continue;
  }
  writeFileSync(patch.file, source.replace(patch.unpatched, patch.replacement));
  console.log(`patch-local-dev: ${patch.name}`);
}
