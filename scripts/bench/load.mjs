// A small closed-loop load generator: `concurrency` workers send requests back to
// back for `durationMs`; reports requests/s and latency percentiles.

import { QUICK } from './report.mjs';

// Requests before the measured ones, for the JIT and connections to settle (shorter in a quick run).
const WARMUP_MS = QUICK ? 500 : 1_500;

// A request unanswered this long is an error, not a run that never ends (locally, wrangler
// dev has left a few requests of a c=32 run unanswered for good).
const REQUEST_TIMEOUT_MS = 30_000;

/**
 * Runs `makeRequest(i)` (returns [url, init]) in a loop from each worker. Without
 * `check`, an answer of 300 or more is an error; with it, `check(res, i)` says whether
 * the answer is the right one (a wrong one is an error, counted under "wrong <status>").
 * `total` counts every request answered, warm-up included.
 */
export async function runLoad({ makeRequest, check, concurrency = 16, durationMs = 10_000, warmupMs = WARMUP_MS }) {
  const latencies = [];
  let errors = 0;
  const failures = new Map();
  let counter = 0;
  const start = performance.now();
  const measureFrom = start + warmupMs;
  const end = measureFrom + durationMs;
  async function worker() {
    while (performance.now() < end) {
      const i = counter++;
      const [url, init] = makeRequest(i);
      const sent = performance.now();
      try {
        const res = await fetch(url, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS), ...init });
        await res.arrayBuffer();
        const failure = check ? (check(res, i) ? null : `wrong ${res.status}`) : res.status >= 300 ? res.status : null;
        if (failure !== null) {
          errors += 1;
          failures.set(failure, (failures.get(failure) ?? 0) + 1);
        }
      } catch (err) {
        errors += 1;
        failures.set(err.cause?.code ?? err.name, (failures.get(err.cause?.code ?? err.name) ?? 0) + 1);
      }
      if (sent >= measureFrom) latencies.push(performance.now() - sent);
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker));
  latencies.sort((a, b) => a - b);
  const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? NaN;
  return { requests: latencies.length, total: counter, rps: latencies.length / (durationMs / 1000), p50: pct(50), p99: pct(99), errors, failures: Object.fromEntries(failures) };
}
