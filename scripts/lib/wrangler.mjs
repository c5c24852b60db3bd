// Running the project's own wrangler from the local dev scripts (start; seed takes ROOT).
// We call node_modules/wrangler/bin/wrangler.js with this Node rather than `npx wrangler`:
// it is the version pinned in package.json, starts faster, and there is no npm wrapper
// process between us and wrangler, so signals sent to its process group reach it.
import { spawn, spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const WRANGLER_BIN = join(ROOT, 'node_modules', 'wrangler', 'bin', 'wrangler.js');

/** The environment for a wrangler child: ours, without metrics prompts, plus `extra`. */
export function wranglerEnv(extra = {}) {
  return { ...process.env, WRANGLER_SEND_METRICS: 'false', ...extra };
}

/** Runs a wrangler command to completion, its output shown live; throws when it fails. */
export function runWrangler(args, { env = {} } = {}) {
  const result = spawnSync(process.execPath, [WRANGLER_BIN, ...args], { cwd: ROOT, env: wranglerEnv(env), stdio: 'inherit' });
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`wrangler ${args.join(' ')} exited with ${result.status}`);
}

/** Applies pending D1 migrations to the local database (.wrangler/state), without prompting. */
export function applyLocalMigrations() {
  // CI=true makes wrangler skip its "apply these migrations?" confirmation.
  runWrangler(['d1', 'migrations', 'apply', 'DB', '--local'], { env: { CI: 'true' } });
}

/**
 * Starts a long-running wrangler command (dev) in its own process group, so that the whole
 * group (wrangler, workerd, esbuild) can be stopped together with `process.kill(-pid)`.
 */
export function spawnWrangler(args, { env = {} } = {}) {
  return spawn(process.execPath, [WRANGLER_BIN, ...args], {
    cwd: ROOT,
    env: wranglerEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
}
