// `npm run bench`: runs every scripts/bench/*.bench.mjs in turn (or those named on the
// command line), then prints one table of all their figures and writes it as JSON and
// Markdown (report.mjs). `--quick` runs a small version of each. Exits 1 when a target
// is missed.
import { readdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
// Set before the benches load: they size themselves from it.
if (args.includes('--quick')) process.env.BENCH_QUICK = '1';
const { benchResult, formatTable, row, writeResults } = await import('./report.mjs');

const dir = dirname(fileURLToPath(import.meta.url));
const wanted = args.filter((arg) => !arg.startsWith('--'));
const files = readdirSync(dir)
  .filter((file) => file.endsWith('.bench.mjs'))
  .filter((file) => !wanted.length || wanted.some((name) => file.startsWith(name)));

const results = [];
const started = Date.now();
for (const file of files) {
  const at = Date.now();
  const bench = await import(`./${file}`);
  // A bench that throws (a server that never answered, a check that could not be made) is
  // a failed row of the table; the benches after it still run.
  const result = await bench.run().catch((err) => {
    console.error(`bench ${file} threw:`, err);
    const name = file.replace('.bench.mjs', '');
    return benchResult(name, [
      row({
        path: `${name}: did not finish`,
        figure: String(err?.message ?? err)
          .split('\n')[0]
          .slice(0, 200),
        target: 'finishes',
        pass: false,
      }),
    ]);
  });
  results.push({ ...result, seconds: (Date.now() - at) / 1000 });
}
console.log(`\n${formatTable(results.flatMap((result) => result.rows))}\n`);
const written = writeResults(results);
console.log(`written to ${written.json} and ${written.markdown}`);
for (const result of results) console.log(`bench ${result.name}: ${result.ok ? 'met its target' : 'MISSED its target'} (${result.seconds.toFixed(0)} s)`);
console.log(`all benches: ${((Date.now() - started) / 1000).toFixed(0)} s`);
process.exit(results.every((result) => result.ok) ? 0 : 1);
