// `npm start`: the whole product on this machine, with no Cloudflare account.
//
//   1. .dev.vars from .dev.vars.example, when missing
//   2. local D1 migrations (.wrangler/state)
//   3. demo data, once (scripts/seed.mjs: the product's own seed in a one-request Worker)
//   4. the dev mailbox and a local stand-in for Twilio's API, in this process
//      (scripts/dev-mailbox.mjs, scripts/dev-twilio.mjs: texts are logged, never sent)
//   5. `wrangler dev --test-scheduled` on 127.0.0.1:$PORT (8787)
//   6. wait for GET /healthz
//   7. a cron ticker: wrangler does not fire cron triggers locally, so we call
//      /__scheduled every minute, as Cloudflare would run the "* * * * *" trigger
//   8. a banner with the URLs and the demo login
//
// Ctrl-C (or SIGTERM) stops everything it started. If wrangler exits on its own, the
// rest stops too and we exit with wrangler's code.
import { copyFileSync, existsSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { startMailbox } from './dev-mailbox.mjs';
import { startDohServer } from './dev-doh.mjs';
import { startTwilioServer } from './dev-twilio.mjs';
import { applyLocalMigrations, ROOT, spawnWrangler } from './lib/wrangler.mjs';
import { seedDemo } from './seed.mjs';

const HOST = '127.0.0.1';
const PORT = Number(process.env.PORT) || 8787;
const BASE_URL = `http://${HOST}:${PORT}`;
const CRON_URL = `${BASE_URL}/__scheduled?cron=*+*+*+*+*`;
const CRON_EVERY_MS = 60_000;
const READY_TIMEOUT_MS = 120_000;
// How long we keep hoping for a 200 once /healthz answers something else (e.g. a 404
// while the route does not exist yet) before calling the Worker up anyway.
const NON_200_GRACE_MS = 10_000;
const STOP_TIMEOUT_MS = 5_000;
const TWILIO_PORT = Number(process.env.TWILIO_DEV_PORT) || 8030;
const DOH_PORT = Number(process.env.DOH_DEV_PORT) || 8053;

const log = (line) => console.log(`[start] ${line}`);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function ensureDevVars() {
  const devVars = join(ROOT, '.dev.vars');
  if (existsSync(devVars)) return;
  copyFileSync(join(ROOT, '.dev.vars.example'), devVars);
  log('created .dev.vars from .dev.vars.example (local-only secrets)');
}

/** Whether something already accepts connections on the port (another `npm start`?). */
function isPortTaken(port) {
  return new Promise((resolve) => {
    const socket = connect({ host: HOST, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** The seed is a convenience: when it fails, say so loudly but still start the app. Returns the demo login, or null. */
async function seedOrWarn() {
  try {
    return (await seedDemo()).login;
  } catch (err) {
    console.error(`[seed] failed, starting without demo data: ${err.message}`);
    return null;
  }
}

/** Starts the mailbox, or uses one already running (`npm run mailbox` in another terminal). */
async function startOrReuseMailbox() {
  try {
    return await startMailbox();
  } catch (err) {
    if (err.code !== 'EADDRINUSE') throw err;
    const httpPort = Number(process.env.MAILBOX_HTTP_PORT) || 8025;
    const smtpPort = Number(process.env.MAILBOX_SMTP_PORT) || 2525;
    const answer = await fetch(`http://${HOST}:${httpPort}/api/messages`, { signal: AbortSignal.timeout(2000) }).catch(() => null);
    if (!answer?.ok) throw new Error(`port ${err.port} is in use by something other than the dev mailbox`);
    log(`a dev mailbox is already running on ${httpPort}; using it`);
    return { httpPort, smtpPort, close: async () => {} };
  }
}

/** Copies a child's output to ours, one line at a time, with a prefix. */
function pipeWithPrefix(stream, target, prefix) {
  createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => target.write(`${prefix}${line}\n`));
}

/** Runs wrangler dev, its platform sender pointed at the mailbox (whatever MAILBOX_SMTP_PORT chose). */
function startWranglerDev(mailbox, twilio, doh) {
  const child = spawnWrangler([
    'dev',
    '--test-scheduled',
    '--port',
    String(PORT),
    '--ip',
    HOST,
    // Our output is piped, not a terminal: no hotkey menu.
    '--show-interactive-dev-session=false',
    // Links the Worker gives out (unsubscribe, webhook URLs) point at this server.
    '--var',
    `PUBLIC_BASE_URL:http://${HOST}:${PORT}`,
    // Flags outrank .dev.vars, so the mailbox's port wins over the copied default (2525).
    '--var',
    `PLATFORM_SMTP_URL:smtp://dev:dev@${HOST}:${mailbox.smtpPort}`,
    // Texts go to the local Twilio stand-in, whatever Account SID and token are saved.
    '--var',
    `TWILIO_API_BASE:http://${HOST}:${twilio.port}`,
    // The sending-domain check asks a local resolver with canned answers (no network needed).
    '--var',
    `DOH_RESOLVER_URL:http://${HOST}:${doh.port}/dns-query`,
  ]);
  pipeWithPrefix(child.stdout, process.stdout, '[wrangler] ');
  pipeWithPrefix(child.stderr, process.stderr, '[wrangler] ');
  return child;
}

function hasExited(child) {
  return child.exitCode !== null || child.signalCode !== null;
}

function signalGroup(child, signal) {
  try {
    // Negative pid: the whole group (wrangler, workerd, esbuild), started detached for this.
    process.kill(-child.pid, signal);
    return true;
  } catch {
    return false; // the group is already gone
  }
}

/** Stops wrangler's process group: SIGTERM, then SIGKILL for whatever is left after a grace period. */
async function stopProcessGroup(child) {
  if (!hasExited(child)) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    signalGroup(child, 'SIGTERM');
    await Promise.race([exited, sleep(STOP_TIMEOUT_MS)]);
  }
  // wrangler may exit before workerd does; make sure nothing of the group outlives us.
  if (signalGroup(child, 0)) signalGroup(child, 'SIGKILL');
}

/**
 * Resolves once GET /healthz answers 200. Any other HTTP answer also counts after a short
 * grace period (the Worker is up, the route may not be). Rejects if wrangler exits first.
 */
async function waitUntilUp(child, isStopping) {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let firstNon200At = null;
  while (Date.now() < deadline && !isStopping()) {
    if (hasExited(child)) throw new Error('wrangler dev exited before the Worker came up');
    const response = await fetch(`${BASE_URL}/healthz`, { signal: AbortSignal.timeout(5_000) }).catch(() => null);
    if (response) {
      await response.body?.cancel();
      if (response.status === 200) return;
      firstNon200At ??= Date.now();
      if (Date.now() - firstNon200At > NON_200_GRACE_MS) {
        log(`/healthz answers ${response.status}; carrying on, but the Worker may not be healthy`);
        return;
      }
    }
    await sleep(500);
  }
  if (!isStopping()) log(`the Worker did not answer within ${READY_TIMEOUT_MS / 1000} s; carrying on, watch the wrangler output`);
}

/** Calls the cron entry now and then every minute; a tick still running is not doubled up. */
function startCronTicker() {
  let running = false;
  async function tick() {
    if (running) return;
    running = true;
    try {
      const response = await fetch(CRON_URL, { signal: AbortSignal.timeout(CRON_EVERY_MS - 5_000) });
      await response.body?.cancel();
      if (!response.ok) log(`cron tick: /__scheduled answered ${response.status}`);
    } catch (err) {
      log(`cron tick failed: ${err.cause?.code ?? err.message}`);
    } finally {
      running = false;
    }
  }
  void tick();
  const timer = setInterval(tick, CRON_EVERY_MS);
  return { stop: () => clearInterval(timer) };
}

function printBanner({ mailbox, demoLogin }) {
  const login = demoLogin ? `${demoLogin.email} / ${demoLogin.password}` : 'demo data missing (see the seed error above); sign up instead';
  const lines = [
    'Edge Marketing is running locally.',
    '',
    `  Dashboard   ${BASE_URL}/login`,
    `  Log in      ${login}`,
    `  Mailbox     http://${HOST}:${mailbox.httpPort}   (SMTP on ${HOST}:${mailbox.smtpPort})`,
    `  Twilio      http://${HOST}:${TWILIO_PORT}/messages   (texts are logged here, never sent)`,
    `  DNS         http://${HOST}:${DOH_PORT}/dns-query   (canned answers for the sending-domain check)`,
    `  Cron        ${BASE_URL}/__scheduled is called every minute`,
    '',
    'Ctrl-C stops everything.',
  ];
  const rule = '─'.repeat(72);
  console.log(`\n${rule}\n${lines.map((line) => (line ? `  ${line}` : '')).join('\n')}\n${rule}\n`);
}

async function main() {
  if (await isPortTaken(PORT)) {
    throw new Error(`port ${PORT} is already in use (another npm start?). Stop it or set PORT.`);
  }
  ensureDevVars();
  log('applying local D1 migrations');
  applyLocalMigrations();
  const demoLogin = await seedOrWarn();
  const mailbox = await startOrReuseMailbox();
  const twilio = await startTwilioServer({ port: TWILIO_PORT, log: (sms) => console.log(`[twilio] text to ${sms.to}: ${sms.body}`) });
  const doh = await startDohServer({ port: DOH_PORT, host: HOST });
  log('starting wrangler dev');
  const wrangler = startWranglerDev(mailbox, twilio, doh);

  let ticker = null;
  let stopping = false;
  async function stopEverything(exitCode) {
    if (stopping) return;
    stopping = true;
    ticker?.stop();
    await stopProcessGroup(wrangler);
    await mailbox.close();
    await twilio.close();
    await doh.close();
    process.exit(exitCode);
  }
  // Ctrl-C is how one means to stop: exit 0 so npm does not report a failure.
  process.once('SIGINT', () => stopEverything(0));
  process.once('SIGTERM', () => stopEverything(0));
  wrangler.once('exit', (code, signal) => {
    if (stopping) return;
    log(`wrangler dev exited (${signal ?? `code ${code}`}); stopping`);
    void stopEverything(code ?? 1);
  });
  // Last resort if this script dies unexpectedly: never leave an orphaned wrangler behind.
  process.once('exit', () => signalGroup(wrangler, 'SIGKILL'));

  try {
    await waitUntilUp(wrangler, () => stopping);
  } catch (err) {
    // wrangler's own exit handler reports and stops; nothing more to do here.
    if (!stopping) log(err.message);
    return;
  }
  if (stopping) return;
  ticker = startCronTicker();
  printBanner({ mailbox, demoLogin });
}

main().catch((err) => {
  console.error(`[start] ${err.message}`);
  process.exit(1);
});
