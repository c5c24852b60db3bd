// The HTTP load of the benches: autocannon, a well-kept load generator that keeps
// `concurrency` connections each with one request in flight (closed loop) for
// `durationMs`; reports requests/s and latency percentiles. It costs the client a fraction
// of the CPU a fetch loop does, which matters when the client shares two cores with the
// server it measures.
import autocannon from 'autocannon';
import { QUICK } from './report.mjs';

// Requests before the measured ones, for the JIT and connections to settle (shorter in a quick run).
const WARMUP_MS = QUICK ? 250 : 1_500;

// A request unanswered this long is an error, not a run that never ends (locally, wrangler
// dev has left a few requests of a c=32 run unanswered for good).
const REQUEST_TIMEOUT_MS = 30_000;

/** One autocannon run; every request is made by `makeRequest(i)` and judged by `judge(status, headers, i)`. */
function cannon({ origin, makeRequest, judge, concurrency, durationMs, next }) {
  return autocannon({
    url: origin,
    connections: concurrency,
    pipelining: 1,
    duration: durationMs / 1000,
    timeout: REQUEST_TIMEOUT_MS / 1000,
    requests: [
      {
        setupRequest: (request, context) => {
          const i = next();
          // One request in flight per connection: the answer comes back to this context.
          context.i = i;
          const [url, init = {}] = makeRequest(i);
          const { pathname, search } = new URL(url);
          return { ...request, method: init.method ?? 'GET', path: `${pathname}${search}`, headers: init.headers ?? {}, body: init.body };
        },
        onResponse: (status, _body, context, headers) => judge(status, headers, context.i),
      },
    ],
  });
}

/** `headers.get(name)` over autocannon's headers (named as the server wrote them). */
function headerReader(headers) {
  const byName = new Map(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), String(value)]));
  return { get: (name) => byName.get(name.toLowerCase()) ?? null };
}

/**
 * Runs `makeRequest(i)` (returns [url, init], all on one origin) from each of
 * `concurrency` connections. Without `check`, an answer of 300 or more is an error; with
 * it, `check(res, i)` (res: { status, headers: { get(name) } }) says whether the answer is
 * the right one (a wrong one is an error, counted under "wrong <status>"). `unanswered`
 * counts the requests of the warm-up and the run still in flight when they stopped.
 */
export async function runLoad({ makeRequest, check, concurrency = 16, durationMs = 10_000, warmupMs = WARMUP_MS }) {
  const origin = new URL(makeRequest(0)[0]).origin;
  let counter = 0;
  const next = () => counter++;
  let measuring = false;
  let errors = 0;
  const failures = new Map();
  const fail = (why) => {
    if (!measuring) return;
    errors += 1;
    failures.set(why, (failures.get(why) ?? 0) + 1);
  };
  const judge = (status, headers, i) => {
    const failure = check ? (check({ status, headers: headerReader(headers) }, i) ? null : `wrong ${status}`) : status >= 300 ? status : null;
    if (failure !== null) fail(failure);
  };
  const warmup = await cannon({ origin, makeRequest, judge, concurrency, durationMs: warmupMs, next });
  measuring = true;
  const result = await cannon({ origin, makeRequest, judge, concurrency, durationMs, next });
  // Sent but never answered to us: in flight when a run stopped (the server may still have served them).
  const unanswered = [warmup, result].reduce((sum, run) => sum + run.requests.sent - run.requests.total, 0);
  // Requests that got no answer at all (timed out, or the connection failed).
  for (let i = 0; i < result.errors; i++) fail(i < result.timeouts ? 'timeout' : 'connection');
  const requests = result.requests.total;
  return { requests, unanswered, rps: requests / (durationMs / 1000), p50: result.latency.p50, p99: result.latency.p99, errors, failures: Object.fromEntries(failures) };
}
