// The benchmark table: every bench returns rows (path, figure, baseline, ratio, target,
// pass), and `npm run bench` prints them as one table, writes them as JSON
// (scripts/bench/results/, not committed) and as a Markdown block for the README's
// Performance section, with the machine they were measured on.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const RESULTS = join(dirname(fileURLToPath(import.meta.url)), 'results');
const COLUMNS = [
  ['path', 'Path'],
  ['figure', 'Figure'],
  ['baseline', 'Baseline'],
  ['ratio', 'Ratio'],
  ['target', 'Target'],
  ['result', 'Result'],
];

/** Whether `npm run bench -- --quick` asked for the small version of each bench. */
export const QUICK = process.env.BENCH_QUICK === '1';

/** One line of the table; `pass: null` is a figure reported without a target. */
export function row({ path, figure, baseline = '', ratio = null, target = '', pass = null }) {
  return { path, figure, baseline, ratio, target, pass };
}

/** What a bench returns: its rows, and whether all the ones with a target met it. */
export function benchResult(name, rows) {
  return { name, ok: rows.every((r) => r.pass !== false), rows };
}

function cells(r) {
  return { ...r, ratio: r.ratio === null ? '' : `${r.ratio.toFixed(2)}x`, result: r.pass === null ? 'info' : r.pass ? 'PASS' : 'FAIL' };
}

/** The machine the figures were measured on. */
export function machine() {
  const cpu = cpus();
  return { cpu: cpu[0]?.model.trim() ?? 'unknown', cores: cpu.length, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version, platform: process.platform };
}

export function formatTable(rows) {
  const shown = rows.map(cells);
  const widths = COLUMNS.map(([key, title]) => Math.max(title.length, ...shown.map((r) => String(r[key]).length)));
  const line = (values) =>
    values
      .map((value, i) => String(value).padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return [line(COLUMNS.map(([, title]) => title)), line(widths.map((w) => '-'.repeat(w))), ...shown.map((r) => line(COLUMNS.map(([key]) => r[key])))].join('\n');
}

export function formatMarkdown(rows, measuredOn, at) {
  const cell = (value) => String(value).replaceAll('|', '\\|');
  const header = `| ${COLUMNS.map(([, title]) => title).join(' | ')} |\n|${COLUMNS.map(() => '---').join('|')}|`;
  const body = rows.map(cells).map((r) => `| ${COLUMNS.map(([key]) => cell(r[key])).join(' | ')} |`);
  const where = `Measured ${at.slice(0, 10)} on ${measuredOn.cores} cores (${measuredOn.cpu}), ${measuredOn.memoryGiB} GiB, Node ${measuredOn.node}${QUICK ? ', quick run' : ''}.`;
  return `${header}\n${body.join('\n')}\n\n${where}\n`;
}

/** Writes the run's table as JSON and Markdown; returns where. */
export function writeResults(results) {
  const at = new Date().toISOString();
  const measuredOn = machine();
  const rows = results.flatMap((result) => result.rows.map((r) => ({ bench: result.name, ...r })));
  mkdirSync(RESULTS, { recursive: true });
  const json = join(RESULTS, 'latest.json');
  const markdown = join(RESULTS, 'latest.md');
  writeFileSync(json, `${JSON.stringify({ at, quick: QUICK, machine: measuredOn, rows }, null, 2)}\n`);
  writeFileSync(markdown, formatMarkdown(rows, measuredOn, at));
  return { json, markdown };
}
