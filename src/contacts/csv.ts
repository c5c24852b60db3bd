// Reading CSV text with papaparse (RFC 4180: quoted fields with "" for a quote,
// delimiters and line breaks inside quotes), which runs in workerd as plain
// JavaScript. What papaparse does not give, this adds: the dialect guessed once
// for a whole file (comma, semicolon from European spreadsheets, or tab), and each
// record's line number and place in the text, so an import can report rows by
// line and cut a file into chunks without rewriting it.
import Papa from 'papaparse';
import { CSV_DELIMITERS, type CsvDelimiter, type CsvLineBreak } from '../db/schema';

// The line break of each name (a name stores well in a column). Delimiters other than
// CSV_DELIMITERS (pipes) are left to be field content.
const CSV_LINE_BREAKS = { lf: '\n', crlf: '\r\n', cr: '\r' } as const satisfies Record<CsvLineBreak, string>;

/** How a file writes its records: detected once, then used for every chunk of it. */
export type CsvDialect = { delimiter: CsvDelimiter; lineBreak: CsvLineBreak };

/** One record (row) of a CSV text. */
export type CsvRecord = {
  fields: string[];
  // 1-based line where the record starts (a quoted line break makes a record span lines).
  line: number;
  // Offsets of the record in the text, without its line break.
  start: number;
  end: number;
};

/** The text is not readable as CSV (a quote never closed, or text after a closing quote). */
export class CsvError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
    this.name = 'CsvError';
  }
}

const BOM = '\uFEFF';
const LINE_BREAK = /\r\n|\r|\n/g;
// What the delimiter is guessed from: a header and a few rows.
const GUESS_SAMPLE_CHARS = 64 * 1024;
const GUESS_ROWS = 10;

function withoutBom(text: string): { body: string; base: number } {
  return text.startsWith(BOM) ? { body: text.slice(BOM.length), base: BOM.length } : { body: text, base: 0 };
}

function lineBreakName(lineBreak: string): CsvLineBreak {
  return (Object.keys(CSV_LINE_BREAKS) as CsvLineBreak[]).find((name) => CSV_LINE_BREAKS[name] === lineBreak) ?? 'lf';
}

// How well `delimiter` reads the sample: rows of the header's width, read without a quote
// error; null when it makes a single column of the header. (Papaparse's own guess, by
// consistent field counts alone, takes "a, b";c for commas.)
function delimiterFit(sample: string, delimiter: CsvDelimiter, lineBreak: CsvLineBreak): { consistent: number; width: number } | null {
  const { data, errors } = Papa.parse<string[]>(sample, { delimiter, newline: CSV_LINE_BREAKS[lineBreak], preview: GUESS_ROWS });
  const rows = data.filter((row) => row.some((field) => field.trim()));
  const width = rows[0]?.length ?? 0;
  if (width < 2 || errors.length) return null;
  return { consistent: rows.filter((row) => row.length === width).length / rows.length, width };
}

/**
 * The delimiter and line break of a file, from its first rows: the delimiter that reads them
 * without quote errors and with the most rows as wide as the header (then the widest header)
 * wins; a file of one column reads as comma separated.
 */
export function detectCsvDialect(text: string): CsvDialect {
  const sample = withoutBom(text).body.slice(0, GUESS_SAMPLE_CHARS);
  const lineBreak = lineBreakName(Papa.parse<string[]>(sample, { preview: 1 }).meta.linebreak);
  let best: { delimiter: CsvDelimiter; consistent: number; width: number } = { delimiter: ',', consistent: 0, width: 0 };
  for (const delimiter of CSV_DELIMITERS) {
    const fit = delimiterFit(sample, delimiter, lineBreak);
    if (fit && (fit.consistent > best.consistent || (fit.consistent === best.consistent && fit.width > best.width))) best = { delimiter, ...fit };
  }
  return { delimiter: best.delimiter, lineBreak };
}

/** The text of a dialect's line break. */
export function csvLineBreak(dialect: CsvDialect): (typeof CSV_LINE_BREAKS)[CsvLineBreak] {
  return CSV_LINE_BREAKS[dialect.lineBreak];
}

function countLineBreaks(text: string, from: number, to: number): number {
  return text.slice(from, to).match(LINE_BREAK)?.length ?? 0;
}

/**
 * Calls `visit` with each record of `text` in order, one at a time, so a large file is
 * never held as rows all at once; empty lines are skipped. Throws CsvError naming the
 * line of a malformed quoted field.
 */
export function forEachCsvRecord(text: string, dialect: CsvDialect, visit: (record: CsvRecord) => void): void {
  const { body, base } = withoutBom(text);
  const lineBreak = csvLineBreak(dialect);
  let start = 0;
  let line = 1;
  Papa.parse<string[]>(body, {
    delimiter: dialect.delimiter,
    newline: lineBreak,
    // Every field stays text: "00123" or "1e5" must not become numbers.
    dynamicTyping: false,
    step: (results) => {
      const next = results.meta.cursor;
      const error = results.errors[0];
      if (error) throw new CsvError(`A quoted field on line ${line} is not closed properly (a quote inside a field is written "")`, line);
      const endsWithBreak = next - lineBreak.length >= start && body.startsWith(lineBreak, next - lineBreak.length);
      const end = endsWithBreak ? next - lineBreak.length : next;
      // A line of nothing but spaces (or the CR of a stray CRLF in a LF file) is an empty line too.
      const empty = end === start || (results.data.length === 1 && !results.data[0]!.trim());
      if (!empty) visit({ fields: results.data, line, start: start + base, end: end + base });
      line += countLineBreaks(body, start, next);
      start = next;
    },
  });
}

/** Reads every record of `text` (a chunk, or a test's text); see forEachCsvRecord. */
export function parseCsv(text: string, dialect: CsvDialect = detectCsvDialect(text)): CsvRecord[] {
  const records: CsvRecord[] = [];
  forEachCsvRecord(text, dialect, (record) => records.push(record));
  return records;
}
