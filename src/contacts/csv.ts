// A small RFC 4180 CSV reader: quoted fields (with "" for a quote), commas and
// line breaks inside quotes, CRLF, LF or CR line ends, and a UTF-8 byte order
// mark. Each record keeps its line number and its place in the text, so an
// import can report rows by line and cut a file into chunks without rewriting it.

/** One record (row) of a CSV text. */
export type CsvRecord = {
  fields: string[];
  // 1-based line where the record starts (a quoted line break makes a record span lines).
  line: number;
  // Offsets of the record in the text, without its line break.
  start: number;
  end: number;
};

/** The text is not readable as CSV (an unterminated quote). */
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
const DELIMITER = /[,\r\n]/g;

/** Reads every record of `text`; empty lines are skipped. Throws CsvError on an unterminated quote. */
export function parseCsv(text: string): CsvRecord[] {
  return [...readCsvRecords(text)];
}

/** The records of `text` one at a time, so a large file is never held as rows all at once. */
export function* readCsvRecords(text: string): Generator<CsvRecord> {
  let i = text.startsWith(BOM) ? BOM.length : 0;
  let line = 1;
  while (i < text.length) {
    const start = i;
    const startLine = line;
    const fields: string[] = [];
    for (;;) {
      let field = '';
      if (text[i] === '"') {
        // A quoted field runs to the next quote that is not doubled, line breaks included.
        i += 1;
        for (;;) {
          const close = text.indexOf('"', i);
          if (close === -1) throw new CsvError(`A quoted field starting on line ${startLine} is never closed`, startLine);
          const part = text.slice(i, close);
          field += part;
          line += countLineBreaks(part);
          i = close + 1;
          if (text[i] !== '"') break;
          field += '"';
          i += 1;
        }
      }
      // Unquoted text, or anything after a closing quote (not RFC 4180, but kept rather than lost).
      const next = nextDelimiter(text, i);
      field += text.slice(i, next);
      i = next;
      fields.push(field);
      if (text[i] !== ',') break;
      i += 1;
    }
    const end = i;
    if (text[i] === '\r' && text[i + 1] === '\n') i += 2;
    else if (i < text.length) i += 1;
    if (i > end) line += 1;
    if (end > start) yield { fields, line: startLine, start, end };
  }
}

function nextDelimiter(text: string, from: number): number {
  DELIMITER.lastIndex = from;
  return DELIMITER.exec(text)?.index ?? text.length;
}

function countLineBreaks(part: string): number {
  let count = 0;
  for (let j = 0; j < part.length; j++) {
    if (part[j] === '\n' || (part[j] === '\r' && part[j + 1] !== '\n')) count += 1;
  }
  return count;
}
