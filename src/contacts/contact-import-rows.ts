// Reading a contacts CSV: its header, each row, and the plan that cuts a file
// into chunks for the queue. Pure functions; the upload and the chunk job share
// them, so both read every row the same way. Besides our own column names, the
// header may be a store's export: Shopify's customers export ("Accepts Email
// Marketing", "Total Spent", "Tags" separated by commas...), WooCommerce's
// Analytics > Customers export ("Name", "Orders", "Total spend", "Country / Region")
// or the Customer/Order CSV Export plugin's (first_name, billing_phone, total_spent).
import type { ImportIssueSeverity } from '../db/schema';
import { normalizeEmail } from '../lib/email-address';
import { invalidField } from '../lib/errors';
import { MAX_TAG_LENGTH, normalizePhone, readConsentValue, splitTags } from './contact-fields';
import type { ContactUpsert } from './contacts.service';
import { CsvError, type CsvDialect, type CsvRecord, csvLineBreak, detectCsvDialect, forEachCsvRecord, parseCsv } from './csv';
import { exportPhone, oneLine, readExportAmount, readExportCount } from './import-values';

/** The columns an import reads; others are ignored. */
export const IMPORT_COLUMNS = ['email', 'phone', 'first_name', 'last_name', 'name', 'tags', 'email_consent', 'sms_consent', 'total_spent', 'order_count', 'country_code', 'date_registered'] as const;
export type ImportColumn = (typeof IMPORT_COLUMNS)[number];

/** Where each known column is in a row. */
export type ImportHeader = { columns: Partial<Record<ImportColumn, number>>; width: number };

/** A store export's lifetime totals of a contact: spend in minor units and orders. */
export type ImportedTotals = { spentCents: number; orderCount: number };

/** A row read: the contact to upsert with its totals and what was left out of it, or why it was rejected. */
export type ImportRow = { ok: true; contact: ContactUpsert; totals: ImportedTotals | null; warnings: string[] } | { ok: false; reason: string };

/** A reported row, as stored and shown: an error (not imported) or a warning (imported without a bad value). */
export type ImportIssue = { line: number; severity: ImportIssueSeverity; reason: string; raw: string };

/** A slice of the file for one queue message: the header line, then whole records. */
export type ImportChunk = { firstLine: number; csv: string };

/** How an upload is processed: its dialect, its chunks, its row count, and rows only the whole file can reject. */
export type ImportPlan = { dialect: CsvDialect; chunks: ImportChunk[]; totalRows: number; duplicates: ImportIssue[] };

// Other spellings of our columns in store and spreadsheet exports. A column named exactly
// as ours wins over an alias (the plugin's "billing_phone" yields to a "phone" column).
const HEADER_ALIASES: Record<string, ImportColumn> = {
  e_mail: 'email',
  email_address: 'email',
  phone_number: 'phone',
  billing_phone: 'phone',
  firstname: 'first_name',
  lastname: 'last_name',
  // Shopify: "Accepts Email Marketing" and "Accepts SMS Marketing"; older exports "Accepts Marketing".
  accepts_email_marketing: 'email_consent',
  accepts_marketing: 'email_consent',
  accepts_sms_marketing: 'sms_consent',
  // Shopify "Total Spent" / "Total Orders"; WooCommerce "Total spend" / "Orders".
  total_spend: 'total_spent',
  total_orders: 'order_count',
  orders: 'order_count',
  orders_count: 'order_count',
  // The country (ISO code) that phones written without + belong to. Older Shopify exports
  // also have "Country" with the country's name, which is not read.
  default_address_country_code: 'country_code',
  country_region: 'country_code',
  billing_country: 'country_code',
};

/** Data rows per chunk: one queue message imports them well inside a consumer's limits. */
export const ROWS_PER_CHUNK = 500;
// A chunk is one D1 text value: stay far below D1's 2 MB per value whatever the row sizes.
const MAX_CHUNK_CHARS = 256 * 1024;
const MAX_RECORD_CHARS = 64 * 1024;
const MAX_RAW_CHARS = 1000;
const MAX_NAME_LENGTH = 100;
const MAX_TAGS = 50;
// Shopify writes tags as "vip, wholesale"; our own files used ; or |.
const TAG_SEPARATORS = /[,;|]/;
const PHONE_FORMAT = 'use the international format, e.g. +14155550123';

function headerName(field: string): string {
  return field
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
}

/**
 * Finds the known columns of a header record; `invalid_input` naming a missing email column,
 * a repeated one, or one of the two totals columns without the other.
 */
export function readImportHeader(fields: string[]): ImportHeader {
  const columns: ImportHeader['columns'] = {};
  // 0 for a column named exactly as ours, 1 for an alias: the lower one is read.
  const ranks = new Map<ImportColumn, number>();
  fields.forEach((field, index) => {
    const name = headerName(field);
    const exact = (IMPORT_COLUMNS as readonly string[]).includes(name);
    const column = exact ? (name as ImportColumn) : HEADER_ALIASES[name];
    if (!column) return;
    const rank = exact ? 0 : 1;
    const other = ranks.get(column);
    if (other === rank) throw invalidField(column, `The column "${column}" appears twice in the header`);
    if (other !== undefined && other < rank) return;
    columns[column] = index;
    ranks.set(column, rank);
  });
  // The column stays required (rows may leave it empty when they give a phone), so a file
  // whose header lost its email column is refused rather than imported by phone alone.
  if (columns.email === undefined) throw invalidField('email', 'The CSV header has no "email" column (leave it empty on rows that give only a phone)');
  // Totals are one baseline: spend without orders (or the reverse) would make one up.
  if ((columns.total_spent === undefined) !== (columns.order_count === undefined)) {
    const missing = columns.total_spent === undefined ? 'total_spent' : 'order_count';
    throw invalidField(missing, `Totals need both a "total_spent" and an "order_count" column (e.g. "Total Spent" and "Total Orders"); "${missing}" is missing`);
  }
  return { columns, width: fields.length };
}

/** True for a row with nothing in it (spreadsheets export empty rows as ",,,,"). */
export function isBlankRow(fields: string[]): boolean {
  return fields.every((field) => !field.trim());
}

const CONSENT_WORDS = 'use subscribed, unsubscribed, not_subscribed, yes or no';

// "Ann Lee" of a single name column (WooCommerce's "Name"): the first word is the first name.
function splitName(name: string): [string, string] {
  const [first = '', ...rest] = name.split(' ');
  return [first, rest.join(' ')];
}

/** The row's totals, or a warning saying why they were left out; null for none given. */
function readTotals(spent: string, count: string, amountDigits: number): ImportedTotals | string | null {
  if (!spent && !count) return null;
  const spentCents = readExportAmount(spent, amountDigits);
  const orderCount = readExportCount(count);
  if (spentCents === null) return `total_spent "${spent}" is not an amount, so the totals were left out`;
  if (orderCount === null) return `order_count "${count}" is not a number of orders, so the totals were left out`;
  return { spentCents, orderCount };
}

/**
 * Reads one data row into a contact, or says why it cannot be imported. A bad value the
 * contact can do without (a phone beside an email, a total) is left out with a warning;
 * amounts are read with `amountDigits` decimals (the workspace's currency); phones without +
 * in the row's country, else `defaultCountry` (the workspace's, Settings → SMS).
 */
export function readImportRow(fields: string[], header: ImportHeader, amountDigits = 2, defaultCountry: string | null = null): ImportRow {
  const value = (column: ImportColumn) => {
    const index = header.columns[column];
    return index === undefined ? '' : (fields[index] ?? '').trim();
  };
  if (fields.length > header.width && fields.slice(header.width).some((field) => field.trim())) {
    return { ok: false, reason: `has ${fields.length} fields but the header has ${header.width} (is a delimiter missing its quotes?)` };
  }
  const warnings: string[] = [];
  const rawEmail = value('email');
  const rawPhone = exportPhone(value('phone'));
  // A phone alone makes an SMS-only contact.
  if (!rawEmail && !rawPhone) return { ok: false, reason: 'missing email' };
  const email = normalizeEmail(rawEmail);
  if (rawEmail && !email) return { ok: false, reason: `invalid email "${rawEmail}"` };
  const phone = normalizePhone(rawPhone, value('country_code') || defaultCountry);
  if (rawPhone && !phone) {
    if (!email) return { ok: false, reason: `invalid phone "${rawPhone}" (${PHONE_FORMAT})` };
    warnings.push(`invalid phone "${rawPhone}" left out (${PHONE_FORMAT})`);
  }
  const emailConsent = readConsentValue(value('email_consent'));
  if (emailConsent === null) return { ok: false, reason: `invalid email_consent "${value('email_consent')}" (${CONSENT_WORDS})` };
  const smsConsent = readConsentValue(value('sms_consent'));
  if (smsConsent === null) return { ok: false, reason: `invalid sms_consent "${value('sms_consent')}" (${CONSENT_WORDS})` };
  const [nameFirst, nameLast] = splitName(oneLine(value('name')));
  const firstName = oneLine(value('first_name')) || nameFirst;
  const lastName = oneLine(value('last_name')) || (value('first_name') ? '' : nameLast);
  if (firstName.length > MAX_NAME_LENGTH || lastName.length > MAX_NAME_LENGTH) return { ok: false, reason: `a name is longer than ${MAX_NAME_LENGTH} characters` };
  const tags = splitTags(oneLine(value('tags')), TAG_SEPARATORS);
  if (tags.length > MAX_TAGS) return { ok: false, reason: `more than ${MAX_TAGS} tags` };
  if (tags.some((tag) => tag.length > MAX_TAG_LENGTH)) return { ok: false, reason: `a tag is longer than ${MAX_TAG_LENGTH} characters` };
  const totals = readTotals(value('total_spent'), value('order_count'), amountDigits);
  if (typeof totals === 'string') warnings.push(totals);
  return {
    ok: true,
    contact: {
      email,
      phone,
      firstName: firstName || null,
      lastName: lastName || null,
      ...(emailConsent ? { emailConsent } : {}),
      ...(smsConsent ? { smsConsent } : {}),
      // WooCommerce lists guests too; a registration date says the customer has an account.
      ...(value('date_registered') ? { registered: true } : {}),
      tags,
    },
    totals: typeof totals === 'string' ? null : totals,
    warnings,
  };
}

/** The text of a record as it was in the file, cut short for storage. */
export function rawRecord(text: string, record: CsvRecord): string {
  return text.slice(record.start, Math.min(record.end, record.start + MAX_RAW_CHARS));
}

// A file that is not CSV is the upload's fault: 400 naming the file.
function readCsv(read: () => void): void {
  try {
    read();
  } catch (err) {
    if (err instanceof CsvError) throw invalidField('file', err.message);
    throw err;
  }
}

// What names a row's contact: its email, else its phone.
function identityKey(fields: string[], header: ImportHeader): string | null {
  const at = (index: number | undefined) => (index === undefined ? undefined : fields[index]);
  return normalizeEmail(at(header.columns.email)) ?? normalizePhone(exportPhone(at(header.columns.phone) ?? ''), at(header.columns.country_code));
}

/**
 * Checks a whole upload and cuts it into chunks of about ROWS_PER_CHUNK rows, each
 * the header line plus a run of whole records copied from the file, so line numbers
 * and rejected rows stay exactly as the merchant wrote them. The delimiter and line
 * break are found once, here, and kept for the chunks. Repeated emails (or phones, on
 * rows without an email) need the whole file to see, so they are found here: the
 * first row of an email or phone wins.
 */
export function planContactImport(text: string, rowsPerChunk = ROWS_PER_CHUNK): ImportPlan {
  const dialect = detectCsvDialect(text);
  const lineBreak = csvLineBreak(dialect);
  // Set by the first record, inside the callback (where TypeScript does not follow it).
  let header = null as ImportHeader | null;
  let headerText = '';
  const chunks: ImportChunk[] = [];
  const duplicates: ImportIssue[] = [];
  const firstLineOf = new Map<string, number>();
  let totalRows = 0;
  let run: { firstLine: number; start: number; end: number } | null = null;
  let runRows = 0;
  const flush = () => {
    if (!run) return;
    chunks.push({ firstLine: run.firstLine, csv: `${headerText}${lineBreak}${text.slice(run.start, run.end)}` });
    run = null;
    runRows = 0;
  };
  // Records are read one at a time and only offsets are kept: a 20 MB file must fit in a Worker's 128 MB.
  readCsv(() =>
    forEachCsvRecord(text, dialect, (record) => {
      if (record.end - record.start > MAX_RECORD_CHARS) throw invalidField('file', `Line ${record.line} is longer than 64 KB: is this a CSV of contacts?`);
      if (!header) {
        header = readImportHeader(record.fields);
        headerText = text.slice(record.start, record.end);
        return;
      }
      if (isBlankRow(record.fields)) return;
      totalRows += 1;
      const key = identityKey(record.fields, header);
      const seenOn = key ? firstLineOf.get(key) : undefined;
      if (seenOn !== undefined) duplicates.push({ line: record.line, severity: 'error', reason: `duplicate in file: ${key} is already on line ${seenOn}`, raw: rawRecord(text, record) });
      else if (key) firstLineOf.set(key, record.line);
      if (run && (runRows >= rowsPerChunk || record.end - run.start > MAX_CHUNK_CHARS)) flush();
      run ??= { firstLine: record.line, start: record.start, end: record.end };
      run.end = record.end;
      runRows += 1;
    }),
  );
  if (!header) throw invalidField('file', 'The file is empty');
  flush();
  if (!totalRows) throw invalidField('file', 'The file has a header but no rows');
  return { dialect, chunks, totalRows, duplicates };
}

/** The file line of each record of a chunk (the chunk's own header line excluded), read in the file's dialect. */
export function chunkRecords(csv: string, firstLine: number, dialect: CsvDialect): { header: ImportHeader; rows: { line: number; record: CsvRecord }[] } {
  let records: CsvRecord[] = [];
  readCsv(() => {
    records = parseCsv(csv, dialect);
  });
  const [headerRecord, ...rows] = records;
  const header = readImportHeader(headerRecord?.fields ?? []);
  const offset = firstLine - (rows[0]?.line ?? 0);
  return { header, rows: rows.map((record) => ({ line: record.line + offset, record })) };
}
