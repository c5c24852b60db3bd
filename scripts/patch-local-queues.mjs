// Makes local queues (miniflare, under `wrangler dev` and the test pool) survive a failed
// log line. miniflare's queue broker logs each batch's outcome to wrangler over a
// loopback HTTP connection before it clears its "flush pending" mark; when that write
// fails (seen here after a long batch: `kj ... disconnected: ::write(...): Broken pipe`),
// the mark is never cleared and the queue delivers nothing more until wrangler restarts.
// A 10,000-row import did that to the imports queue, and every bulk action after it
// waited forever. Production queues are not miniflare, so only local runs need this.
// Run by `npm install` (postinstall); it changes nothing when already applied, and only
// warns when a newer miniflare no longer has the code it expects.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const FILE = join(ROOT, 'node_modules', 'miniflare', 'dist', 'src', 'workers', 'shared', 'index.worker.js');

// The end of `logWithLevel`'s loopback fetch, unpatched and patched.
const UNPATCHED = /(async logWithLevel\(level, message\) \{\n\s*await this\.env\[SharedBindings\.MAYBE_SERVICE_LOOPBACK\]\?\.fetch\([\s\S]*?body: message\n\s*\}\n\s*\));/;
const PATCHED = /async logWithLevel\(level, message\) \{\n\s*await this\.env\[SharedBindings\.MAYBE_SERVICE_LOOPBACK\]\?\.fetch\([\s\S]*?body: message\n\s*\}\n\s*\)\.catch\(\(\) => \{\}\);/;

let source;
try {
  source = readFileSync(FILE, 'utf8');
} catch {
  process.exit(0); // miniflare not installed (a production-only install): nothing to patch
}
if (PATCHED.test(source)) process.exit(0);
if (!UNPATCHED.test(source)) {
  console.warn(`patch-local-queues: ${FILE} no longer has the expected logWithLevel; check whether miniflare fixed it upstream.`);
  process.exit(0);
}
writeFileSync(FILE, source.replace(UNPATCHED, '$1.catch(() => {});'));
console.log('patch-local-queues: a failed log line no longer stops local queues');
