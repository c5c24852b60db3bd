// HTTP paths against the hello-world route (`/healthz/live`) of the same `wrangler dev`, in
// rounds. On this machine the speed drifts within seconds (one round's hello-world read
// 331 req/s and the paths measured 10 s after it 0.37-0.56x, the next round's paths
// 0.89-1.66x), so each path is compared with hello-world measured just before and just
// after it (the mean of the two): H P1 H P2 H P3 H, the paths' order turning from round
// to round. The figures reported are the medians of the rounds.
import { runLoad } from './load.mjs';
import { QUICK, row } from './report.mjs';

export const ROUNDS = Number(process.env.BENCH_ROUNDS ?? (QUICK ? 1 : 3));
// Per load run, and the concurrencies of the pixel, click and short-link loads. A quick
// run is a smoke test: 1 s runs at 32 connections keep `npm run bench -- --quick` under
// its 3 minutes with hello-world measured around every path.
const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? (QUICK ? 1_000 : 5_000));
export const CONCURRENCIES = QUICK ? [32] : [1, 32];

/** The middle value (the upper one of an even count). */
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** One load run on a log line: rate, latency and what went wrong. */
export const formatLoad = (r) => `${r.rps.toFixed(0).padStart(5)} req/s, p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms, errors ${r.errors}${r.errors ? ` ${JSON.stringify(r.failures)}` : ''}`;

/** The mean of two load runs' rate and p99: hello-world as it was around a path's run. */
const around = (before, after) => ({ rps: (before.rps + after.rps) / 2, p99: (before.p99 + after.p99) / 2 });

/**
 * Measures each of `paths` ({ name, makeRequest, check }, as runLoad takes them) between
 * two runs of hello-world at `concurrency`, `durationMs` per run, in `rounds` rounds.
 * Returns per path its rounds, the medians of its requests/s and p99 and of hello-world's
 * around it, the medians of the per-round ratios (`rate`: requests/s, `tail`: p99), and
 * its wrong answers and requests left in flight summed over the rounds.
 */
export async function againstHello({ base, paths, concurrency, durationMs = DURATION_MS, rounds = ROUNDS, label }) {
  const runs = paths.map(() => []);
  const measureHello = async (round) => {
    const hello = await runLoad({ makeRequest: () => [`${base}/healthz/live`, {}], concurrency, durationMs });
    console.log(`${label}: c=${String(concurrency).padStart(2)} round ${round + 1}/${rounds} hello-world    ${formatLoad(hello)}`);
    return hello;
  };
  for (let round = 0; round < rounds; round++) {
    let before = await measureHello(round);
    for (let k = 0; k < paths.length; k++) {
      const index = (round + k) % paths.length;
      const { name, makeRequest, check } = paths[index];
      const result = await runLoad({ makeRequest, check, concurrency, durationMs });
      const line = `${label}: c=${String(concurrency).padStart(2)} round ${round + 1}/${rounds} ${name.padEnd(14)}`;
      console.log(`${line} ${formatLoad(result)}`);
      const after = await measureHello(round);
      const hello = around(before, after);
      before = after;
      runs[index].push({ result, hello });
      console.log(
        `${line} ${(result.rps / hello.rps).toFixed(2)}x req/s, ${(result.p99 / hello.p99).toFixed(2)}x p99 of hello-world around it (${hello.rps.toFixed(0)} req/s, p99 ${hello.p99.toFixed(1)} ms)`,
      );
    }
  }
  return paths.map(({ name }, index) => {
    const own = runs[index];
    const failures = {};
    for (const { result } of own) for (const [why, n] of Object.entries(result.failures)) failures[why] = (failures[why] ?? 0) + n;
    return {
      name,
      concurrency,
      rates: own.map(({ result, hello }) => result.rps / hello.rps),
      rate: median(own.map(({ result, hello }) => result.rps / hello.rps)),
      tail: median(own.map(({ result, hello }) => result.p99 / hello.p99)),
      rps: median(own.map(({ result }) => result.rps)),
      p99: median(own.map(({ result }) => result.p99)),
      helloRps: median(own.map(({ hello }) => hello.rps)),
      helloP99: median(own.map(({ hello }) => hello.p99)),
      errors: own.reduce((sum, { result }) => sum + result.errors, 0),
      unanswered: own.reduce((sum, { result }) => sum + result.unanswered, 0),
      failures,
    };
  });
}

/** Whether a compared path met its targets: the median ratio, the median p99 ratio (when set), and no wrong answer. */
export const meetsTargets = (compared, minRate, maxTail = null) => compared.rate >= minRate && (maxTail === null || compared.tail <= maxTail) && compared.errors === 0;

/** The table row of a compared path: medians, each round's ratio, and the targets. */
export function againstHelloRow({ path, compared, minRate, maxTail = null, also = '' }) {
  const rounds = compared.rates.length > 1 ? ` (median of ${compared.rates.length} rounds: ${compared.rates.map((rate) => `${rate.toFixed(2)}x`).join(', ')})` : '';
  return row({
    path,
    figure: `${compared.rps.toFixed(0)} req/s, p99 ${compared.p99.toFixed(1)} ms${compared.errors ? `, ${compared.errors} wrong answers` : ''}${rounds}`,
    baseline: `hello-world ${compared.helloRps.toFixed(0)} req/s, p99 ${compared.helloP99.toFixed(1)} ms`,
    ratio: compared.rate,
    target: `>= ${minRate.toFixed(2)}x req/s${maxTail === null ? '' : `, p99 <= ${maxTail}x (${compared.tail.toFixed(2)}x)`}${also}`,
    pass: meetsTargets(compared, minRate, maxTail),
  });
}

/**
 * GET /healthz/d1, one `SELECT 1` through the D1 binding: the floor of any path that must
 * read D1 per request. On this machine's `wrangler dev` it reads 0.68x-0.76x of
 * hello-world by itself (2026-12-06), so no such path can reach the 0.8x the token paths
 * are held to; its own rate is the baseline such a path is judged against.
 */
export const d1RoundTrip = (base) => ({ name: 'D1 round trip', makeRequest: () => [`${base}/healthz/d1`, {}], check: (res) => res.status === 200 });

/** A path's rate as a share of the floor's, round by round (each against the hello-world around it), and the median. */
function shareOfFloor(compared, floor) {
  const shares = compared.rates.map((rate, round) => rate / floor.rates[round]);
  return { shares, share: median(shares), tail: compared.p99 / floor.p99 };
}

/** A path judged against the D1 round trip, on a log line. */
export function formatAgainstFloor(compared, floor) {
  const { share, tail } = shareOfFloor(compared, floor);
  return `median ${compared.rate.toFixed(2)}x req/s of hello-world, ${share.toFixed(2)}x of the D1 round trip (${floor.rate.toFixed(2)}x of hello-world), ${tail.toFixed(2)}x its p99`;
}

/** The table row of the D1 round trip itself: information, the floor the next rows are judged against. */
export const floorRow = ({ path, floor }) => ({ ...againstHelloRow({ path, compared: floor, minRate: 0 }), target: '', pass: null });

/**
 * The table row of a path that reads D1 on every request, held to the token paths'
 * targets with the D1 round trip (measured in the same rounds) in hello-world's place:
 * its requests/s against the round trip's, and its p99 against the round trip's p99
 * (at c=1 the round trip's own p99 read 1.8x-2.0x hello-world's).
 */
export function againstFloorRow({ path, compared, floor, minShare, maxTail, also = '' }) {
  const { shares, share, tail } = shareOfFloor(compared, floor);
  const rounds = shares.length > 1 ? `; of the D1 round trip by round: ${shares.map((s) => `${s.toFixed(2)}x`).join(', ')}` : '';
  return row({
    path,
    figure: `${compared.rps.toFixed(0)} req/s, p99 ${compared.p99.toFixed(1)} ms (${compared.rate.toFixed(2)}x hello-world's ${compared.helloRps.toFixed(0)} req/s)${compared.errors ? `, ${compared.errors} wrong answers` : ''}${rounds}`,
    baseline: `D1 round trip ${floor.rps.toFixed(0)} req/s, p99 ${floor.p99.toFixed(1)} ms (${floor.rate.toFixed(2)}x hello-world's)`,
    ratio: share,
    target: `>= ${minShare.toFixed(2)}x the D1 round trip's req/s, p99 <= ${maxTail}x its p99 (${tail.toFixed(2)}x)${also}`,
    pass: share >= minShare && tail <= maxTail && compared.errors === 0,
  });
}
