// Benchmark: a Welcome flow's enrollments and first emails in `wrangler dev`. A workspace
// whose SMTP server is a local sink switches on the Welcome flow through the API (its
// defaults and starter design), imports N new contacts (plus one unsubscribed per ten,
// enrolled too but never mailed) as a CSV through the API, then ticks the cron, each tick
// once the one before has logged its end and the emails it queued stopped arriving (not a
// minute apart), until every contact is enrolled and every subscribed one's welcome email
// is at the sink. Reports enrollments a second and
// sends a second from the first tick, with duplicates and losses counted per recipient
// at the sink (both must be 0, also after one more tick), against nodemailer with pooled
// connections blasting the same sink with the same HTML in the same run. BENCH_FLOWS
// sets N (default 10,000).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { apiClient } from './bench-api.mjs';
import { ROOT, executeSql, startDevServer } from './dev-server.mjs';
import { benchFirstName } from './first-names.mjs';
import { measureNodemailerBaseline } from './nodemailer-baseline.mjs';
import { benchResult, QUICK, row } from './report.mjs';
import { startSmtpSink, tallySink } from './smtp-sink.mjs';

const CONTACTS = Number(process.env.BENCH_FLOWS ?? (QUICK ? 200 : 10_000));
const PORT = 8817;
const SINK_PORT = 2595;
const UNSUBSCRIBED_EVERY = 10;
// A tick that never logs its end (a crash) is not waited on forever.
const TICK_TIMEOUT_MS = 120_000;
const MAX_TICKS = 60;
// No new email at the sink for this long: the tick's emails are out.
const SENDS_SETTLE_MS = 2_000;
// The flow-advance messages a tick queued take a moment to reach the consumer: the first
// of their emails is waited for this long before the sink counts as settled.
const FIRST_SEND_GRACE_MS = 15_000;

const WORKSPACE = '01BENCHFLOWS00000000000000';
const API_KEY = 'mk_bench-flows-key-0123456789abcdefghijklmnopqrstuvw';

function seedSql(now) {
  const keyHash = createHash('sha256').update(API_KEY).digest('hex');
  return `
INSERT INTO workspaces (id, name, time_zone, sender_name, sender_email, created_at, updated_at) VALUES ('${WORKSPACE}', 'Bench Store', 'UTC', 'Bench Store', 'hello@bench.example', ${now}, ${now});
INSERT INTO workspace_settings (workspace_id, postal_address, smtp_host, smtp_port, smtp_security, updated_at) VALUES ('${WORKSPACE}', '1 Bench Street', '127.0.0.1', ${SINK_PORT}, 'none', ${now});
INSERT INTO api_keys (id, workspace_id, name, prefix, key_hash, created_at) VALUES ('01BENCHFLOWSKEY00000000000', '${WORKSPACE}', 'bench', 'mk_bench', '${keyHash}', ${now});
`;
}

/** The import file: N subscribed contacts, and after every tenth one an unsubscribed one. */
function contactsCsv() {
  const lines = ['email,first_name,email_consent'];
  for (let n = 1; n <= CONTACTS; n++) {
    lines.push(`new${n}@bench.example,${benchFirstName(n)},subscribed`);
    if (n % UNSUBSCRIBED_EVERY === 0) lines.push(`optout${n}@bench.example,Sam,unsubscribed`);
  }
  return `${lines.join('\n')}\n`;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const TICK_LINE = /\{"level":"info","cron":.*\}/g;
const tickEnds = (server) => server.log().match(TICK_LINE)?.length ?? 0;

/** What each cron task handled in the tick that logged the line after the first `skip`. */
function tickHandled(server, skip) {
  const line = server.log().match(TICK_LINE)?.[skip];
  if (!line) return {};
  return Object.fromEntries(JSON.parse(line).results.map((result) => [result.name, result.handled]));
}

export async function run() {
  const html = readFileSync(join(ROOT, 'public', 'templates', 'welcome.html'), 'utf8');
  const sink = await startSmtpSink(SINK_PORT);
  // At least 1,000: fewer measure little more than the pool opening its connections.
  const baselineCount = Math.min(Math.max(CONTACTS, 1_000), 20_000);
  const baseline = await measureNodemailerBaseline({ port: SINK_PORT, count: baselineCount, html });
  console.log(`flows: nodemailer (pool of 5) sent ${baselineCount.toLocaleString()} to the sink at ${baseline.perSecond.toFixed(0)}/s`);
  sink.reset();

  let server;
  try {
    server = await startDevServer({
      port: PORT,
      prepare: (state) => {
        executeSql(state, 'flows', seedSql(Date.now()));
      },
    });
  } catch (err) {
    await sink.close();
    throw err;
  }
  const api = apiClient(server, API_KEY, 'flows');
  const post = (path, body = {}) => api(path, body);
  try {
    const { flow } = await post('/flows', { kind: 'welcome' });
    await post(`/flows/${flow.id}/enable`);

    const csv = contactsCsv();
    const expectedEnrollments = csv.trimEnd().split('\n').length - 1;
    const importStarted = performance.now();
    const { import: created } = await api('/contacts/imports?fileName=bench.csv', csv, { headers: { 'content-type': 'text/csv' } });
    let contactImport = created;
    const importDeadline = Date.now() + 10 * 60_000;
    // Locally the imports consumer shares workerd's one thread: a look while it runs may wait for it.
    while (!['done', 'failed'].includes(contactImport.status) && Date.now() < importDeadline) {
      await sleep(1000);
      contactImport = (await api(`/contacts/imports/${created.id}`)).import;
    }
    const importSeconds = (performance.now() - importStarted) / 1000;
    console.log(
      `flows: imported ${contactImport.importedRows.toLocaleString()} of ${expectedEnrollments.toLocaleString()} contacts in ${importSeconds.toFixed(1)} s (status "${contactImport.status}")`,
    );
    if (contactImport.status !== 'done' || contactImport.importedRows !== expectedEnrollments)
      throw new Error(`flows: the import ended "${contactImport.status}" with ${contactImport.importedRows} rows`);

    const enrolledCount = async () => (await api(`/flows/${flow.id}`)).enrollments.enteredSinceOn;
    // Locally the tick shares workerd's one thread with every request, so nothing is asked while it runs.
    const tick = async () => {
      const before = tickEnds(server);
      await server.nudged(fetch(`${server.base}/__scheduled?cron=*+*+*+*+*`, { signal: AbortSignal.timeout(TICK_TIMEOUT_MS) }));
      const deadline = Date.now() + TICK_TIMEOUT_MS;
      while (tickEnds(server) === before && Date.now() < deadline) await sleep(100);
      return tickHandled(server, before);
    };
    const started = performance.now();
    let enrolled = 0;
    let enrolledAt = null;
    let enrolledTicks = null;
    let ticks = 0;
    while ((enrolled < expectedEnrollments || sink.received < CONTACTS) && ticks < MAX_TICKS) {
      const handled = await tick();
      ticks += 1;
      const tickEndedAt = performance.now();
      // The triggers the tick read, from its own log line (one enrollment each in Welcome):
      // locally a read sent while the sends consumer runs was seen to go unanswered for a
      // minute. The API's count is checked once everything is sent.
      enrolled += Number(handled['enroll-flows'] ?? 0);
      if (enrolledAt === null && enrolled >= expectedEnrollments) {
        enrolledAt = tickEndedAt;
        enrolledTicks = ticks;
      }
      console.log(
        `flows: tick ${ticks} ended ${((tickEndedAt - started) / 1000).toFixed(1)} s in: enrolled ${handled['enroll-flows'] ?? '?'}, queued to advance ${handled['advance-flows'] ?? '?'}; ` +
          `${enrolled.toLocaleString()} in the flow, ${sink.received.toLocaleString()} emails at the sink`,
      );
      // The emails this tick queued go out before the next tick: locally the next one would take
      // the thread the sends consumer needs (deployed, the cron and the consumer run apart, and a
      // tick comes a minute after the last).
      let seen = sink.received;
      let stalledSince = Date.now() + ((handled['advance-flows'] ?? 0) > 0 ? FIRST_SEND_GRACE_MS : 0);
      while (sink.received < CONTACTS && Date.now() - stalledSince < SENDS_SETTLE_MS) {
        if (sink.received !== seen) {
          seen = sink.received;
          stalledSince = Date.now();
        }
        await sleep(100);
      }
    }
    const sendsDone = sink.lastAt ?? performance.now();
    // One more tick, and two seconds: a tick that ran the same enrollments again would show here.
    await tick();
    await sleep(2000);
    const enrolledFinally = await enrolledCount();
    if (sink.received < CONTACTS) console.log(`flows: only ${sink.received} arrived after ${ticks} ticks; the end of wrangler's log:\n${server.log().slice(-3000)}`);

    const { duplicates, unsubscribedReached, reached, losses } = tallySink(sink, CONTACTS);
    const enrollSeconds = ((enrolledAt ?? performance.now()) - started) / 1000;
    const sendSeconds = (sendsDone - started) / 1000;
    const enrollRate = enrolledFinally / enrollSeconds;
    const sendRate = reached / sendSeconds;
    const ratio = sendRate / baseline.perSecond;
    const exact = enrolledFinally === expectedEnrollments && duplicates === 0 && losses === 0 && unsubscribedReached === 0;
    console.log(
      `flows: ${enrolledFinally.toLocaleString()} of ${expectedEnrollments.toLocaleString()} enrolled in ${enrollSeconds.toFixed(1)} s = ${enrollRate.toFixed(0)} enrollments/s; ` +
        `${sink.received.toLocaleString()} of ${CONTACTS.toLocaleString()} welcome emails at the sink in ${sendSeconds.toFixed(1)} s = ${sendRate.toFixed(0)} sends/s over ${ticks} ticks; ` +
        `nodemailer ${baseline.perSecond.toFixed(0)}/s: ${ratio.toFixed(2)}x; duplicates ${duplicates}, losses ${losses}, unsubscribed reached ${unsubscribedReached} ${exact ? 'PASS' : 'FAIL'}`,
    );
    return benchResult('flows', [
      row({
        path: `Welcome flow, import of ${CONTACTS.toLocaleString()} to enrolled`,
        figure: `${enrollRate.toFixed(0)} enrollments/s (${enrolledFinally.toLocaleString()} by the end of tick ${enrolledTicks ?? '-'}, ${enrollSeconds.toFixed(1)} s)`,
        target: `all ${expectedEnrollments.toLocaleString()} enrolled once`,
        pass: enrolledFinally === expectedEnrollments,
      }),
      row({
        path: `Welcome flow, import of ${CONTACTS.toLocaleString()} to sink`,
        figure: `${sendRate.toFixed(0)} sends/s (${sendSeconds.toFixed(1)} s, ${ticks} ticks), ${duplicates} duplicates, ${losses} losses`,
        baseline: `nodemailer pooled ${baseline.perSecond.toFixed(0)}/s`,
        ratio,
        target: '0 duplicates, 0 losses, no unsubscribed (ratio: no target yet)',
        pass: exact,
      }),
    ]);
  } catch (err) {
    console.log(`flows: failed; the end of wrangler's log:\n${server.log().slice(-4000)}`);
    throw err;
  } finally {
    server.stop();
    await sink.close();
  }
}
