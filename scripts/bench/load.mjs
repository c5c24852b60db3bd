// A small closed-loop load generator: `concurrency` workers send requests back to
// back for `durationMs`; reports requests/s and latency percentiles.

/** Runs `makeRequest(i)` (returns [url, init]) in a loop from each worker. */
export async function runLoad({ makeRequest, concurrency = 16, durationMs = 10_000, warmupMs = 1_500 }) {
  const latencies = [];
  let errors = 0;
  const failures = new Map();
  let counter = 0;
  const start = performance.now();
  const measureFrom = start + warmupMs;
  const end = measureFrom + durationMs;
  async function worker() {
    while (performance.now() < end) {
      const [url, init] = makeRequest(counter++);
      const sent = performance.now();
      try {
        const res = await fetch(url, init);
        await res.arrayBuffer();
        if (res.status >= 300) {
          errors += 1;
          failures.set(res.status, (failures.get(res.status) ?? 0) + 1);
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
  return { requests: latencies.length, rps: latencies.length / (durationMs / 1000), p50: pct(50), p99: pct(99), errors, failures: Object.fromEntries(failures) };
}
