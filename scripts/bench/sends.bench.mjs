// Benchmark (issue 6): deliveries a second from the sends queue to a local SMTP sink,
// through the real send path in `wrangler dev` (claim, consent check, render, SMTP via
// worker-mailer), against nodemailer with pooled connections blasting the same sink
// in the same run. Target: at least 0.5x. BENCH_SENDS sets the number (default 10,000).
import { nodemailerBaselineCell, runCampaignBench } from './campaign-run.mjs';
import { benchResult, QUICK, row } from './report.mjs';

const CONTACTS = Number(process.env.BENCH_SENDS ?? (QUICK ? 1_000 : 10_000));
const TARGET_RATIO = 0.5;

export async function run() {
  const result = await runCampaignBench({ label: 'sends', contacts: CONTACTS, port: 8811, sinkPort: 2591, timeoutMs: 30 * 60_000 });
  const ok = result.sinkRate / result.baseline >= TARGET_RATIO && result.duplicates === 0 && result.losses === 0 && result.unsubscribedReached === 0;
  console.log(
    `sends: ${result.arrived.toLocaleString()} of ${CONTACTS.toLocaleString()} delivered at ${result.sinkRate.toFixed(0)}/s at the sink (${result.perSecond.toFixed(0)}/s from "send now"), ` +
      `nodemailer ${result.baseline.toFixed(0)}/s: ${(result.sinkRate / result.baseline).toFixed(2)}x at the sink, ${result.ratio.toFixed(2)}x end to end (target ${TARGET_RATIO}x); ` +
      `duplicates ${result.duplicates}, losses ${result.losses}, unsubscribed reached ${result.unsubscribedReached} ${ok ? 'PASS' : 'FAIL'}`,
  );
  return benchResult('sends', [
    row({
      path: `sends queue to sink, ${CONTACTS.toLocaleString()} messages`,
      figure: `${result.sinkRate.toFixed(0)} sends/s at the sink, ${result.duplicates} duplicates, ${result.losses} losses`,
      baseline: nodemailerBaselineCell(result),
      ratio: result.sinkRate / result.baseline,
      target: `>= ${TARGET_RATIO}x, 0 duplicates, 0 losses`,
      pass: ok,
    }),
  ]);
}
