// One campaign run in `wrangler dev`, shared by the sends and campaign benchmarks:
// seeds a workspace whose own SMTP server is the bench sink, `contacts` subscribed
// contacts (plus unsubscribed ones that must get nothing), sends a campaign with the
// announcement starter through the real API, queues and send path, and measures it
// against nodemailer blasting the same sink with the same HTML in the same run.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sqlLiteral } from '../lib/sql.mjs';
import { apiClient, waitForCampaignSent } from './bench-api.mjs';
import { ROOT, executeSql, startDevServer } from './dev-server.mjs';
import { BENCH_FIRST_NAME_SQL } from './first-names.mjs';
import { measureNodemailerBaseline } from './nodemailer-baseline.mjs';
import { startSmtpSink, tallySink, waitForMessages } from './smtp-sink.mjs';

const WORKSPACE = '01BENCHSENDS00000000000000';
const API_KEY = 'mk_bench-sends-key-0123456789abcdefghijklmnopqrstuvw';
const DESIGN = '01BENCHDESIGN0000000000000';
// One unsubscribed contact per ten recipients, interleaved by id: the campaign must skip every one.
const UNSUBSCRIBED_EVERY = 10;

function seedSql({ contacts, sinkPort, html, now }) {
  const keyHash = createHash('sha256').update(API_KEY).digest('hex');
  const unsubscribed = Math.ceil(contacts / UNSUBSCRIBED_EVERY);
  return `
INSERT INTO workspaces (id, name, time_zone, sender_name, sender_email, created_at, updated_at) VALUES ('${WORKSPACE}', 'Bench Store', 'UTC', 'Bench Store', 'news@bench.example', ${now}, ${now});
INSERT INTO workspace_settings (workspace_id, postal_address, smtp_host, smtp_port, smtp_security, updated_at) VALUES ('${WORKSPACE}', '1 Bench Street', '127.0.0.1', ${sinkPort}, 'none', ${now});
INSERT INTO api_keys (id, workspace_id, name, prefix, key_hash, created_at) VALUES ('01BENCHSENDSKEY00000000000', '${WORKSPACE}', 'bench', 'mk_bench', '${keyHash}', ${now});
INSERT INTO contents (id, workspace_id, channel, name, created_at, updated_at) VALUES ('${DESIGN}', '${WORKSPACE}', 'email', 'Announcement', ${now}, ${now});
INSERT INTO email_contents (id, workspace_id, subject, preheader, html) VALUES ('${DESIGN}', '${WORKSPACE}', 'News from {{ shop.name }}', 'This week only', ${sqlLiteral(html)});
WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < ${contacts})
INSERT INTO contacts (id, workspace_id, email, first_name, email_consent, created_at, updated_at)
SELECT printf('C%024d0', n), '${WORKSPACE}', 'contact' || n || '@bench.example', ${BENCH_FIRST_NAME_SQL}, 'subscribed', ${now}, ${now} FROM seq;
WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < ${unsubscribed})
INSERT INTO contacts (id, workspace_id, email, first_name, email_consent, created_at, updated_at)
SELECT printf('C%024d5', n * ${UNSUBSCRIBED_EVERY}), '${WORKSPACE}', 'optout' || n || '@bench.example', 'Sam', 'unsubscribed', ${now}, ${now} FROM seq;
`;
}

/** The baseline cell of a campaign run's row: the mean nodemailer rate and its two runs. */
export function nodemailerBaselineCell(r) {
  return `nodemailer pooled ${r.baseline.toFixed(0)}/s (mean of ${r.baselineRuns.map((rate) => rate.toFixed(0)).join(' before, ')} after)`;
}

/** Sends one campaign to `contacts` recipients; returns the figures and whether delivery was exact. */
export async function runCampaignBench({ label, contacts, port, sinkPort, timeoutMs }) {
  const html = readFileSync(join(ROOT, 'public', 'templates', 'announcement.html'), 'utf8');
  const sink = await startSmtpSink(sinkPort);
  const baselineCount = Math.min(contacts, 20_000);
  const nodemailerRun = async (when) => {
    const { perSecond } = await measureNodemailerBaseline({ port: sinkPort, count: baselineCount, html });
    console.log(`${label}: nodemailer (pool of 5) sent ${baselineCount.toLocaleString()} to the sink at ${perSecond.toFixed(0)}/s ${when}`);
    return perSecond;
  };
  const before = await nodemailerRun('before the campaign');
  sink.reset();

  const seeded = performance.now();
  const server = await startDevServer({
    port,
    // The planner's statistics in the same call (each wrangler call costs seconds).
    prepare: (state) => executeSql(state, label, `${seedSql({ contacts, sinkPort, html, now: Date.now() })}\nPRAGMA optimize=0x10002;`),
  });
  console.log(
    `${label}: seeded ${contacts.toLocaleString()} recipients (and ${Math.ceil(contacts / UNSUBSCRIBED_EVERY).toLocaleString()} unsubscribed) and started wrangler dev in ${((performance.now() - seeded) / 1000).toFixed(0)} s`,
  );
  const api = apiClient(server, API_KEY, label);
  try {
    const { campaign } = await api('/campaigns', { name: `Bench ${label}`, contentId: DESIGN, audience: { type: 'everyone' }, sendingFilter: 'subscribed' });
    const started = performance.now();
    await api(`/campaigns/${campaign.id}/schedule`, { now: true });
    const arrived = await waitForMessages(sink, contacts, timeoutMs, label);
    const delivered = performance.now();
    if (arrived < contacts) console.log(`${label}: only ${arrived} arrived; the end of wrangler's log:\n${server.log().slice(-3000)}`);
    const status = await waitForCampaignSent(server, api, campaign.id);
    const finished = performance.now();
    const { progress } = (await api(`/campaigns/${campaign.id}`)).campaign;
    // The report of the whole send, as the campaign page reads it: one warm call, then the median of five.
    await api(`/campaigns/${campaign.id}/report`);
    const reportTimes = [];
    for (let i = 0; i < 5; i++) {
      const at = performance.now();
      await api(`/campaigns/${campaign.id}/report`);
      reportTimes.push(performance.now() - at);
    }

    const { duplicates, unsubscribedReached, losses } = tallySink(sink, contacts);
    const wallSeconds = (delivered - started) / 1000;
    const perSecond = arrived / wallSeconds;
    const sinkRate = sink.rate();
    // nodemailer again, with wrangler dev stopped: this machine's speed drifts within
    // minutes (the same baseline read 1,002 to 1,396/s in one day), so the campaign is
    // compared with the mean of a run just before it and one just after.
    server.stop();
    const after = await nodemailerRun('after the campaign');
    const baseline = (before + after) / 2;
    return {
      contacts,
      arrived,
      wallSeconds,
      perSecond,
      sinkRate,
      baseline,
      baselineRuns: [before, after],
      ratio: perSecond / baseline,
      duplicates,
      losses,
      unsubscribedReached,
      status,
      untilSentSeconds: (finished - started) / 1000,
      progress,
      reportTimes,
      reportMs: [...reportTimes].sort((a, b) => a - b)[2],
    };
  } finally {
    server.stop();
    await sink.close();
  }
}
