// Writing CSV for download (RFC 4180: quoted where needed, CRLF line ends), safe to
// open in a spreadsheet: a cell that starts like a formula (= + - @, or a tab or
// carriage return that some spreadsheets skip before one) is prefixed with a quote
// mark, so names, subjects and reasons from outside are shown, never evaluated.

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/** One cell: null is empty, numbers as they are, text neutralised and quoted where needed. */
export function csvCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return String(value);
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One line of cells, ending in CRLF. */
export function csvLine(cells: readonly (string | number | null | undefined)[]): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}

/**
 * A CSV body streamed page by page: the header, then each page's lines as `pages` yields
 * them, so a large export is never held whole. Encoded as UTF-8 with a byte order mark,
 * which spreadsheets need to read accents right.
 */
export function csvStream(header: readonly string[], pages: AsyncIterable<(string | number | null)[][]>): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const iterator = pages[Symbol.asyncIterator]();
  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(`\uFEFF${csvLine(header)}`));
    },
    async pull(controller) {
      const next = await iterator.next();
      if (next.done) controller.close();
      else controller.enqueue(encoder.encode(next.value.map(csvLine).join('')));
    },
    async cancel() {
      await iterator.return?.();
    },
  });
}
