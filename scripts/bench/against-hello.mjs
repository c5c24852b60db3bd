// HTTP paths against the hello-world route (`/healthz/live`) of the same `wrangler dev`, in
// rounds: each round measures hello-world, then every path (their order turning from round
// to round), and each path is judged by its ratio to that round's hello-world. On this
// machine one path measured once swung by a third between runs (the machine's own speed
// drifts within minutes), so a ratio of two runs minutes apart said as much about the
// drift as about the path. The figures reported are the medians of the rounds.
import { runLoad } from './load.mjs';
import { QUICK, row } from './report.mjs';

export const ROUNDS = Number(process.env.BENCH_ROUNDS ?? (QUICK ? 1 : 3));

/** The middle value (the upper one of an even count). */
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** One load run on a log line: rate, latency and what went wrong. */
export const formatLoad = (r) => `${r.rps.toFixed(0).padStart(5)} req/s, p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms, errors ${r.errors}${r.errors ? ` ${JSON.stringify(r.failures)}` : ''}`;

/**
 * Measures hello-world and each of `paths` ({ name, makeRequest, check }, as runLoad takes
 * them) at `concurrency`, `durationMs` per run, in `rounds` rounds. Returns per path its
 * rounds, the medians of its requests/s and p99 and of hello-world's, the medians of the
 * per-round ratios (`rate`: requests/s, `tail`: p99), and its wrong answers and requests
 * left in flight summed over the rounds.
 */
export async function againstHello({ base, paths, concurrency, durationMs, rounds = ROUNDS, label }) {
  const runs = paths.map(() => []);
  for (let round = 0; round < rounds; round++) {
    const hello = await runLoad({ makeRequest: () => [`${base}/healthz/live`, {}], concurrency, durationMs });
    console.log(`${label}: c=${String(concurrency).padStart(2)} round ${round + 1}/${rounds} hello-world    ${formatLoad(hello)}`);
    for (let k = 0; k < paths.length; k++) {
      const index = (round + k) % paths.length;
      const { name, makeRequest, check } = paths[index];
      const result = await runLoad({ makeRequest, check, concurrency, durationMs });
      runs[index].push({ result, hello });
      console.log(
        `${label}: c=${String(concurrency).padStart(2)} round ${round + 1}/${rounds} ${name.padEnd(14)} ${formatLoad(result)}  -> ${(result.rps / hello.rps).toFixed(2)}x req/s, ${(result.p99 / hello.p99).toFixed(2)}x p99`,
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
