// Benchmark (issue 4): signed webhook ingest against a hello-world route, on the
// same `wrangler dev`, in one run. Target: ingest at least 0.6x hello-world req/s.
import { createHmac } from 'node:crypto';
import { connectBenchStore, startDevServer } from './dev-server.mjs';
import { runLoad } from './load.mjs';

const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 10_000);
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

export async function run() {
  const server = await startDevServer({ port: 8799 });
  try {
    const { url, secret } = await connectBenchStore(server.base);
    const hello = await runLoad({ makeRequest: () => [`${server.base}/healthz/live`, {}], concurrency: CONCURRENCY, durationMs: DURATION_MS });
    // Signed before the clock starts, so the load generator's HMAC work is not measured.
    const requests = Array.from({ length: PRESIGNED }, (_, i) => signedEvent(url, secret, i));
    const ingest = await runLoad({ makeRequest: (i) => requests[i % PRESIGNED], concurrency: CONCURRENCY, durationMs: DURATION_MS });
    const ratio = ingest.rps / hello.rps;
    const fmt = (r) => `${r.rps.toFixed(0)} req/s, p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms, errors ${r.errors}`;
    console.log(`webhook-ingest: hello-world   ${fmt(hello)}`);
    console.log(`webhook-ingest: signed ingest ${fmt(ingest)}`);
    console.log(`webhook-ingest: ratio ${ratio.toFixed(2)}x hello-world (target >= 0.60x) ${ratio >= 0.6 ? 'PASS' : 'FAIL'}`);
    return { name: 'webhook-ingest', ok: ratio >= 0.6 && ingest.errors === 0, hello, ingest, ratio };
  } finally {
    server.stop();
  }
}
