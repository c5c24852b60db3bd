// Benchmark (issues 16 and 19): flows' enrollment throughput. A workspace whose own SMTP
// server is the bench sink switches its Welcome flow on, then imports `CONTACTS` new
// contacts through the API; each becomes a Welcome trigger. The bench drives the cron
// back to back (wrangler dev's /__scheduled, as the minute cron would) until every
// contact has its Welcome email at the sink, and reports the messages a tick moves and a
// second of back-to-back ticks. Correctness: every contact gets exactly one email.
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDevServer, wranglerSync } from './dev-server.mjs';
import { benchResult, QUICK, row } from './report.mjs';
import { startSmtpSink } from './smtp-sink.mjs';

const CONTACTS = Number(process.env.BENCH_FLOW_CONTACTS ?? (QUICK ? 2_000 : 20_000));
const WORKSPACE = '01BENCHFLOWS00000000000000';
const API_KEY = 'mk_bench-flows-key-0123456789abcdefghijklmnopqrstuvw';
const PORT = 8815;
const SINK_PORT = 2595;
// Production runs one tick a minute: the figure a merchant cares about is what one tick moves.
const TICKS_PER_HOUR = 60;
// A welcome email within an hour of a 20,000-contact import (or of any sign-up burst that size).
const TARGET_PER_HOUR = 20_000;
const MAX_TICKS = Number(process.env.BENCH_FLOW_MAX_TICKS ?? 2_000);

function seedSql(sinkPort, now) {
  const keyHash = createHash('sha256').update(API_KEY).digest('hex');
  return `
INSERT INTO workspaces (id, name, time_zone, sender_name, sender_email, created_at, updated_at) VALUES ('${WORKSPACE}', 'Bench Flows', 'UTC', 'Bench Flows', 'hello@bench.example', ${now}, ${now});
INSERT INTO workspace_settings (workspace_id, postal_address, smtp_host, smtp_port, smtp_security, updated_at) VALUES ('${WORKSPACE}', '1 Bench Street', '127.0.0.1', ${sinkPort}, 'none', ${now});
INSERT INTO api_keys (id, workspace_id, name, prefix, key_hash, created_at) VALUES ('01BENCHFLOWSKEY00000000000', '${WORKSPACE}', 'bench', 'mk_bench', '${keyHash}', ${now});
`;
}

export async function run() {
  const sink = await startSmtpSink(SINK_PORT);
  const server = await startDevServer({
    port: PORT,
    prepare: (state) => {
      const file = join(tmpdir(), `bench-flows-${process.pid}.sql`);
      writeFileSync(file, seedSql(SINK_PORT, Date.now()));
      wranglerSync(['d1', 'execute', 'DB', '--local', '--persist-to', state, '--file', file, '--yes']);
    },
  });
  const api = async (path, init = {}) => {
    const res = await fetch(`${server.base}/api/v1${path}`, { ...init, headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json', ...init.headers } });
    if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return res.json();
  };
  const tick = async () => {
    const res = await fetch(`${server.base}/__scheduled?cron=*+*+*+*+*`);
    if (!res.ok) throw new Error(`cron tick: ${res.status}`);
  };
  try {
    const { flow } = await api('/flows', { method: 'POST', body: JSON.stringify({ kind: 'welcome' }) });
    await api(`/flows/${flow.id}/enable`, { method: 'POST' });
    const csv = `email,first_name,email_consent\n${Array.from({ length: CONTACTS }, (_, i) => `flow${i}@bench.example,Sam,yes`).join('\n')}\n`;
    const { import: started } = await api('/contacts/imports', { method: 'POST', headers: { 'content-type': 'text/csv' }, body: csv });
    const importDeadline = Date.now() + 10 * 60_000;
    for (let status = started.status; status !== 'done'; ) {
      if (status === 'failed' || Date.now() > importDeadline) throw new Error(`the import ended ${status}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
      status = (await api(`/contacts/imports/${started.id}`)).import.status;
    }
    console.log(`flows: imported ${CONTACTS.toLocaleString()} contacts; ticking the cron back to back`);

    const begun = performance.now();
    let ticks = 0;
    let tickMs = 0;
    while (sink.received < CONTACTS && ticks < MAX_TICKS) {
      const at = performance.now();
      await tick();
      tickMs += performance.now() - at;
      ticks += 1;
      // The sends of a tick go through the queue: give them a moment before the next claim.
      await new Promise((resolve) => setTimeout(resolve, 100));
      if (ticks % 10 === 0) console.log(`flows: ${ticks} ticks, ${sink.received.toLocaleString()} at the sink`);
    }
    const settle = Date.now() + 30_000;
    while (sink.received < CONTACTS && Date.now() < settle) await new Promise((resolve) => setTimeout(resolve, 200));
    const seconds = (performance.now() - begun) / 1000;
    // Two more ticks and a moment: a double would show up now.
    await tick();
    await tick();
    await new Promise((resolve) => setTimeout(resolve, 2000));

    let duplicates = 0;
    for (const count of sink.counts.values()) duplicates += count - 1;
    const losses = CONTACTS - sink.counts.size;
    const perTick = CONTACTS / ticks;
    const perHour = perTick * TICKS_PER_HOUR;
    const exact = duplicates === 0 && losses === 0;
    console.log(
      `flows: ${sink.counts.size.toLocaleString()} of ${CONTACTS.toLocaleString()} welcomed in ${ticks} ticks (${perTick.toFixed(0)} a tick, mean tick ${(tickMs / ticks).toFixed(0)} ms), ${seconds.toFixed(1)} s back to back; ${duplicates} duplicates, ${losses} losses`,
    );
    return benchResult('flows', [
      row({
        path: `flow Welcome, ${CONTACTS.toLocaleString()} imported contacts`,
        figure: `${perTick.toFixed(0)} messages a cron tick (${ticks} ticks, mean ${(tickMs / ticks).toFixed(0)} ms); ${(CONTACTS / seconds).toFixed(0)}/s back to back`,
        target: '0 duplicates, 0 losses',
        pass: exact,
      }),
      row({
        path: 'flow Welcome at one cron tick a minute',
        figure: `${Math.round(perHour).toLocaleString()} messages an hour`,
        target: `>= ${TARGET_PER_HOUR.toLocaleString()} an hour`,
        pass: perHour >= TARGET_PER_HOUR,
      }),
    ]);
  } finally {
    server.stop();
    await sink.close();
  }
}
