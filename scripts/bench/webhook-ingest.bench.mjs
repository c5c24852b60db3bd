// Benchmark (issue 4): signed webhook ingest against a hello-world route, on the
// same `wrangler dev`, in one run. Target: ingest at least 0.6x hello-world req/s.
import { createHmac } from 'node:crypto';
import { connectBenchStore, startDevServer } from './dev-server.mjs';
import { runLoad } from './load.mjs';
import { benchResult, QUICK, row } from './report.mjs';

const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? (QUICK ? 3_000 : 10_000));
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
// More than a run can send: a repeated event id would be a (cheaper) redelivery.
const PRESIGNED = 20_000;

function signedEvent(url, secret, i) {
  const body = JSON.stringify({
    id: `bench-${process.pid}-${i}`,
    type: process.env.BENCH_EVENT_TYPE ?? 'order.placed',
    occurredAt: new Date().toISOString(),
    data: {
      externalId: `o-${i}`,
      customer: { email: `buyer${i % 5000}@example.com`, firstName: 'Bench' },
      currency: 'USD',
      totalCents: 4200,
      items: [{ sku: 'SKU-1', title: 'Thing', quantity: 1, unitPriceCents: 4200 }],
    },
  });
  const t = Math.floor(Date.now() / 1000);
  const v1 = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
  return [url, { method: 'POST', body, headers: { 'content-type': 'application/json', 'x-signature': `t=${t},v1=${v1}` } }];
}

async function measure({ withoutConsumers, port }) {
  const server = await startDevServer({ port, withoutConsumers });
  try {
    const { url, secret } = await connectBenchStore(server.base);
    const hello = await runLoad({ makeRequest: () => [`${server.base}/healthz/live`, {}], concurrency: CONCURRENCY, durationMs: DURATION_MS });
    // Signed before the clock starts, so the load generator's HMAC work is not measured.
    const requests = Array.from({ length: PRESIGNED }, (_, i) => signedEvent(url, secret, i));
    const ingest = await runLoad({ makeRequest: (i) => requests[i % PRESIGNED], concurrency: CONCURRENCY, durationMs: DURATION_MS });
    return { hello, ingest, ratio: ingest.rps / hello.rps };
  } finally {
    server.stop();
  }
}

const fmt = (r) => `${r.rps.toFixed(0)} req/s, p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms, errors ${r.errors}${r.errors ? ` ${JSON.stringify(r.failures)}` : ''}`;

export async function run() {
  // The edge alone (what a store waits for), then with the events consumer applying
  // what arrives on the same local workerd thread (production runs it elsewhere).
  const edge = await measure({ withoutConsumers: true, port: 8799 });
  console.log(`webhook-ingest: edge only    hello-world   ${fmt(edge.hello)}`);
  console.log(`webhook-ingest: edge only    signed ingest ${fmt(edge.ingest)}  -> ${edge.ratio.toFixed(2)}x`);
  const full = await measure({ withoutConsumers: false, port: 8801 });
  console.log(`webhook-ingest: with consumer hello-world   ${fmt(full.hello)}`);
  console.log(`webhook-ingest: with consumer signed ingest ${fmt(full.ingest)}  -> ${full.ratio.toFixed(2)}x`);
  const ok = edge.ratio >= 0.6 && edge.ingest.errors === 0;
  console.log(`webhook-ingest: edge ratio ${edge.ratio.toFixed(2)}x hello-world (target >= 0.60x) ${ok ? 'PASS' : 'FAIL'}`);
  const figure = (r) => `${r.rps.toFixed(0)} req/s, p99 ${r.p99.toFixed(1)} ms${r.errors ? `, ${r.errors} errors` : ''}`;
  return benchResult('webhook-ingest', [
    row({ path: `webhook ingest, edge only, c=${CONCURRENCY}`, figure: figure(edge.ingest), baseline: `hello-world ${figure(edge.hello)}`, ratio: edge.ratio, target: '>= 0.60x', pass: ok }),
    row({ path: `webhook ingest, with consumer, c=${CONCURRENCY}`, figure: figure(full.ingest), baseline: `hello-world ${figure(full.hello)}`, ratio: full.ratio }),
  ]);
}
