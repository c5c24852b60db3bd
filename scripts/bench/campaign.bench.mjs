// Benchmark (issue 7): a 100,000-contact campaign end to end in `wrangler dev`, from
// "send now" through the fan-out pages, the sends queue and worker-mailer to a local
// SMTP sink: wall time, sends a second, duplicates and losses (both must be 0), and
// the ratio to nodemailer's pooled blast of the same sink. Target (issue 19): at least 0.8x.
// BENCH_CAMPAIGN sets the number of recipients.
import { nodemailerBaselineCell, runCampaignBench } from './campaign-run.mjs';
import { benchResult, QUICK, row } from './report.mjs';

const CONTACTS = Number(process.env.BENCH_CAMPAIGN ?? (QUICK ? 3_000 : 100_000));
const TARGET_RATIO = 0.8;
// The campaign page's report, like the dashboard pages of the segments bench.
const REPORT_TARGET_MS = 100;

export async function run() {
  const r = await runCampaignBench({ label: 'campaign', contacts: CONTACTS, port: 8813, sinkPort: 2593, timeoutMs: 60 * 60_000 });
  const ok = r.ratio >= TARGET_RATIO && r.duplicates === 0 && r.losses === 0 && r.unsubscribedReached === 0 && r.status === 'sent';
  console.log(
    `campaign: ${CONTACTS.toLocaleString()} recipients, ${r.arrived.toLocaleString()} arrived in ${r.wallSeconds.toFixed(1)} s = ${r.perSecond.toFixed(0)} sends/s ` +
      `(status "${r.status}" after ${r.untilSentSeconds.toFixed(1)} s; progress ${JSON.stringify(r.progress)}); nodemailer ${r.baseline.toFixed(0)}/s: ${r.ratio.toFixed(2)}x (target ${TARGET_RATIO}x); ` +
      `duplicates ${r.duplicates}, losses ${r.losses}, unsubscribed reached ${r.unsubscribedReached} ${ok ? 'PASS' : 'FAIL'}`,
  );
  const reportOk = r.reportMs < REPORT_TARGET_MS;
  console.log(`campaign: report of ${CONTACTS.toLocaleString()} recipients in ${r.reportMs.toFixed(0)} ms (median of 5) ${reportOk ? 'PASS' : 'FAIL'}`);
  return benchResult('campaign', [
    row({
      path: `campaign of ${CONTACTS.toLocaleString()}, send now to sink`,
      figure: `${r.perSecond.toFixed(0)} sends/s (${r.wallSeconds.toFixed(1)} s), ${r.duplicates} duplicates, ${r.losses} losses`,
      baseline: nodemailerBaselineCell(r),
      ratio: r.ratio,
      target: `>= ${TARGET_RATIO}x, 0 duplicates, 0 losses`,
      pass: ok,
    }),
    row({
      path: `campaign report of ${CONTACTS.toLocaleString()} recipients (API)`,
      figure: `${r.reportMs.toFixed(0)} ms (median of 5; ${r.reportTimes.map((t) => t.toFixed(0)).join(', ')})`,
      target: `< ${REPORT_TARGET_MS} ms`,
      pass: reportOk,
    }),
  ]);
}
