// Benchmark (issues 4 and 19): signed webhook ingest against a hello-world route, on the
// same `wrangler dev`, in one run (target: at least 0.6x hello-world req/s at the edge);
// then end to end with the events consumer on: a burst of order webhooks posted as fast as
// the edge takes them, and the time until every one is applied in D1 (target: applied
// events/s at least 0.5x the edge's accepted requests/s in the same run). The end-to-end
// run checks its own result: every webhook processed once, one order each, one contact per buyer.
import { createHmac } from 'node:crypto';
import { connectBenchStore, querySql, startDevServer } from './dev-server.mjs';
import { againstHello, againstHelloRow, meetsTargets } from './against-hello.mjs';
import { benchResult, QUICK, row } from './report.mjs';

const EDGE_MIN_RATE = 0.6;
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
// More than a run can send: a repeated event id would be a (cheaper) redelivery.
const PRESIGNED = 40_000;
// The end-to-end burst, and how many buyers it names (repeat buyers update their totals).
const BURST = Number(process.env.BENCH_EVENTS ?? (QUICK ? 500 : 5_000));
const BUYERS = Math.ceil(BURST / 4);
const APPLY_TIMEOUT_MS = 15 * 60_000;

function signedEvent(url, secret, i, buyers = 5000) {
  const body = JSON.stringify({
    id: `bench-${process.pid}-${i}`,
    type: process.env.BENCH_EVENT_TYPE ?? 'order.placed',
    occurredAt: new Date().toISOString(),
    data: {
      externalId: `o-${i}`,
      customer: { email: `buyer${i % buyers}@example.com`, firstName: 'Bench' },
      currency: 'USD',
      totalCents: 4200,
      items: [{ sku: 'SKU-1', title: 'Thing', quantity: 1, unitPriceCents: 4200 }],
    },
  });
  const t = Math.floor(Date.now() / 1000);
  const v1 = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
  return [url, { method: 'POST', body, headers: { 'content-type': 'application/json', 'x-signature': `t=${t},v1=${v1}` } }];
}

async function measureEdge(port) {
  const server = await startDevServer({ port, withoutConsumers: true });
  try {
    const { url, secret } = await connectBenchStore(server.base);
    // Signed before the clock starts, so the load generator's HMAC work is not measured.
    const requests = Array.from({ length: PRESIGNED }, (_, i) => signedEvent(url, secret, i));
    let sent = 0;
    const [ingest] = await againstHello({
      base: server.base,
      concurrency: CONCURRENCY,
      label: 'webhook-ingest: edge only',
      // Each run counts its requests from 0: one count across the rounds keeps every event new.
      paths: [{ name: 'signed ingest', makeRequest: () => requests[sent++ % PRESIGNED] }],
    });
    return ingest;
  } finally {
    server.stop();
  }
}

/** Posts BURST signed orders at CONCURRENCY, then waits until D1 has applied them all. */
async function measureEndToEnd(port) {
  const server = await startDevServer({ port });
  try {
    const { url, secret } = await connectBenchStore(server.base);
    const requests = Array.from({ length: BURST }, (_, i) => signedEvent(url, secret, i, BUYERS));
    const started = performance.now();
    let next = 0;
    let refused = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < BURST) {
          const [target, init] = requests[next++];
          const res = await fetch(target, { ...init, signal: AbortSignal.timeout(60_000) }).catch(() => null);
          await res?.arrayBuffer();
          if (res?.status !== 202) refused += 1;
        }
      }),
    );
    const postedMs = performance.now() - started;
    let processed = 0;
    while (processed < BURST - refused && performance.now() - started < APPLY_TIMEOUT_MS) {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      processed = querySql(server.state, "SELECT COUNT(*) AS n FROM inbound_events WHERE status = 'processed'")[0].n;
    }
    const appliedMs = performance.now() - started;
    const [counts] = querySql(server.state, "SELECT (SELECT COUNT(*) FROM orders) AS orders, (SELECT COUNT(*) FROM contacts WHERE email LIKE 'buyer%') AS buyers");
    const wrong = [];
    if (refused) wrong.push(`${refused} not accepted`);
    if (processed !== BURST) wrong.push(`${processed} of ${BURST} processed`);
    if (counts.orders !== BURST) wrong.push(`${counts.orders} orders`);
    if (counts.buyers !== BUYERS) wrong.push(`${counts.buyers} buyers, not ${BUYERS}`);
    return { accepted: BURST / (postedMs / 1000), applied: processed / (appliedMs / 1000), postedMs, appliedMs, wrong };
  } finally {
    server.stop();
  }
}

export async function run() {
  // The edge alone (what a store waits for), then the whole path with the events consumer
  // on the same local workerd thread (production runs the consumer in its own invocations).
  const edge = await measureEdge(8799);
  const ok = meetsTargets(edge, EDGE_MIN_RATE);
  console.log(`webhook-ingest: edge ratio ${edge.rate.toFixed(2)}x hello-world, median (target >= ${EDGE_MIN_RATE.toFixed(2)}x) ${ok ? 'PASS' : 'FAIL'}`);
  const full = await measureEndToEnd(8801);
  const ratio = full.applied / full.accepted;
  const e2eOk = ratio >= 0.5 && !full.wrong.length;
  console.log(
    `webhook-ingest: end to end ${BURST} orders: accepted ${full.accepted.toFixed(0)}/s (${(full.postedMs / 1000).toFixed(1)} s), applied ${full.applied.toFixed(0)}/s (all in ${(full.appliedMs / 1000).toFixed(1)} s) -> ${ratio.toFixed(2)}x ${e2eOk ? 'PASS' : 'FAIL'}${full.wrong.length ? ` (${full.wrong.join(', ')})` : ''}`,
  );
  return benchResult('webhook-ingest', [
    againstHelloRow({ path: `webhook ingest, edge only, c=${CONCURRENCY}`, compared: edge, minRate: EDGE_MIN_RATE }),
    row({
      path: `store events end to end (webhook in -> rows in D1), ${BURST.toLocaleString('en-US')} orders, c=${CONCURRENCY}`,
      figure: `${full.applied.toFixed(0)} events/s applied${full.wrong.length ? `; WRONG: ${full.wrong.join(', ')}` : ''}`,
      baseline: `${full.accepted.toFixed(0)} req/s accepted in the same run (edge alone: ${edge.rps.toFixed(0)} req/s)`,
      ratio,
      target: '>= 0.50x',
      pass: e2eOk,
    }),
  ]);
}
