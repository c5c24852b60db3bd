// `npm run bench`: runs every scripts/bench/*.bench.mjs in turn (or those named on
// the command line) and prints one summary line each. Exits 1 when a target is missed.
import { readdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const files = readdirSync(dir)
  .filter((file) => file.endsWith('.bench.mjs'))
  .filter((file) => !wanted.length || wanted.some((name) => file.startsWith(name)));

const results = [];
for (const file of files) {
  const bench = await import(`./${file}`);
  results.push(await bench.run());
}
for (const result of results) console.log(`bench ${result.name}: ${result.ok ? 'met its target' : 'MISSED its target'}`);
process.exit(results.every((result) => result.ok) ? 0 : 1);
