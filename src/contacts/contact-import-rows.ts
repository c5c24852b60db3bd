// Reading a contacts CSV: its header, each row, and the plan that cuts a file
// into chunks for the queue. Pure functions; the upload and the chunk job share
// them, so both read every row the same way.
import { normalizeEmail } from '../lib/email-address';
import { invalidField } from '../lib/errors';
import { normalizePhone, readConsentValue, splitTags, MAX_TAG_LENGTH } from './contact-fields';
import type { ContactUpsert } from './contacts.service';
import { CsvError, parseCsv, readCsvRecords, type CsvRecord } from './csv';

/** The columns an import reads; others are ignored. */
export const IMPORT_COLUMNS = ['email', 'phone', 'first_name', 'last_name', 'tags', 'email_consent', 'sms_consent'] as const;
export type ImportColumn = (typeof IMPORT_COLUMNS)[number];

/** Where each known column is in a row. */
export type ImportHeader = { columns: Partial<Record<ImportColumn, number>>; width: number };

/** A row read: the contact to upsert, or why it was rejected. */
export type ImportRow = { ok: true; contact: ContactUpsert } | { ok: false; reason: string };

/** A rejected row, as stored and reported. */
export type ImportRejection = { line: number; reason: string; raw: string };

/** A slice of the file for one queue message: the header line, then whole records. */
export type ImportChunk = { firstLine: number; csv: string };

/** How an upload is processed: its chunks, its row count, and rows only the whole file can reject. */
export type ImportPlan = { chunks: ImportChunk[]; totalRows: number; duplicates: ImportRejection[] };

// Common spellings in store and spreadsheet exports.
const HEADER_ALIASES: Record<string, ImportColumn> = {
  e_mail: 'email',
  email_address: 'email',
  phone_number: 'phone',
  firstname: 'first_name',
  lastname: 'last_name',
};

/** Data rows per chunk: one queue message imports them well inside a consumer's limits. */
export const ROWS_PER_CHUNK = 500;
// A chunk is one D1 text value: stay far below D1's 2 MB per value whatever the row sizes.
const MAX_CHUNK_CHARS = 256 * 1024;
const MAX_RECORD_CHARS = 64 * 1024;
const MAX_RAW_CHARS = 1000;
const MAX_NAME_LENGTH = 100;
const MAX_TAGS = 50;

function headerName(field: string): string {
  const name = field
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
  return HEADER_ALIASES[name] ?? name;
}

/** Finds the known columns of a header record; `invalid_input` naming a missing email column or a repeated one. */
export function readImportHeader(fields: string[]): ImportHeader {
  const columns: ImportHeader['columns'] = {};
  fields.forEach((field, index) => {
    const name = headerName(field);
    if (!(IMPORT_COLUMNS as readonly string[]).includes(name)) return;
    if (columns[name as ImportColumn] !== undefined) throw invalidField(name, `The column "${name}" appears twice in the header`);
    columns[name as ImportColumn] = index;
  });
  // The column stays required (rows may leave it empty when they give a phone), so a file
  // whose header lost its email column is refused rather than imported by phone alone.
  if (columns.email === undefined) throw invalidField('email', 'The CSV header has no "email" column (leave it empty on rows that give only a phone)');
  return { columns, width: fields.length };
}

/** True for a row with nothing in it (spreadsheets export empty rows as ",,,,"). */
export function isBlankRow(fields: string[]): boolean {
  return fields.every((field) => !field.trim());
}

/** Reads one data row into a contact, or says why it cannot be imported. */
export function readImportRow(fields: string[], header: ImportHeader): ImportRow {
  const value = (column: ImportColumn) => {
    const index = header.columns[column];
    return index === undefined ? '' : (fields[index] ?? '').trim();
  };
  if (fields.length > header.width && fields.slice(header.width).some((field) => field.trim())) {
    return { ok: false, reason: `has ${fields.length} fields but the header has ${header.width} (is a comma missing its quotes?)` };
  }
  const rawEmail = value('email');
  const rawPhone = value('phone');
  // A phone alone makes an SMS-only contact.
  if (!rawEmail && !rawPhone) return { ok: false, reason: 'missing email' };
  const email = normalizeEmail(rawEmail);
  if (rawEmail && !email) return { ok: false, reason: `invalid email "${rawEmail}"` };
  const phone = normalizePhone(rawPhone);
  if (rawPhone && !phone) return { ok: false, reason: `invalid phone "${rawPhone}" (use the international format, e.g. +14155550123)` };
  const emailConsent = readConsentValue(value('email_consent'));
  if (emailConsent === null) return { ok: false, reason: `invalid email_consent "${value('email_consent')}" (use subscribed, unsubscribed, not_subscribed, yes or no)` };
  const smsConsent = readConsentValue(value('sms_consent'));
  if (smsConsent === null) return { ok: false, reason: `invalid sms_consent "${value('sms_consent')}" (use subscribed, unsubscribed, not_subscribed, yes or no)` };
  const firstName = value('first_name');
  const lastName = value('last_name');
  if (firstName.length > MAX_NAME_LENGTH || lastName.length > MAX_NAME_LENGTH) return { ok: false, reason: `a name is longer than ${MAX_NAME_LENGTH} characters` };
  const tags = splitTags(value('tags'));
  if (tags.length > MAX_TAGS) return { ok: false, reason: `more than ${MAX_TAGS} tags` };
  if (tags.some((tag) => tag.length > MAX_TAG_LENGTH)) return { ok: false, reason: `a tag is longer than ${MAX_TAG_LENGTH} characters` };
  return {
    ok: true,
    contact: {
      email,
      phone,
      firstName: firstName || null,
      lastName: lastName || null,
      ...(emailConsent ? { emailConsent } : {}),
      ...(smsConsent ? { smsConsent } : {}),
      tags,
    },
  };
}

/** The text of a record as it was in the file, cut short for storage. */
export function rawRecord(text: string, record: CsvRecord): string {
  return text.slice(record.start, Math.min(record.end, record.start + MAX_RAW_CHARS));
}

function* readCsv(text: string): Generator<CsvRecord> {
  try {
    yield* readCsvRecords(text);
  } catch (err) {
    if (err instanceof CsvError) throw invalidField('file', err.message);
    throw err;
  }
}

// What names a row's contact: its email, else its phone.
function identityKey(fields: string[], header: ImportHeader): string | null {
  const at = (index: number | undefined) => (index === undefined ? undefined : fields[index]);
  return normalizeEmail(at(header.columns.email)) ?? normalizePhone(at(header.columns.phone));
}

/**
 * Checks a whole upload and cuts it into chunks of about ROWS_PER_CHUNK rows, each
 * the header line plus a run of whole records copied from the file, so line numbers
 * and rejected rows stay exactly as the merchant wrote them. Repeated emails (or
 * phones, on rows without an email) need the whole file to see, so they are found
 * here: the first row of an email or phone wins.
 */
export function planContactImport(text: string, rowsPerChunk = ROWS_PER_CHUNK): ImportPlan {
  // Records are read one at a time and only offsets are kept: a 20 MB file must fit in a Worker's 128 MB.
  const records = readCsv(text);
  const headerRecord = records.next().value;
  if (!headerRecord) throw invalidField('file', 'The file is empty');
  const header = readImportHeader(headerRecord.fields);
  const headerText = text.slice(headerRecord.start, headerRecord.end);
  const chunks: ImportChunk[] = [];
  const duplicates: ImportRejection[] = [];
  const firstLineOf = new Map<string, number>();
  let totalRows = 0;
  let run: { firstLine: number; start: number; end: number } | null = null;
  let runRows = 0;
  const flush = () => {
    if (!run) return;
    chunks.push({ firstLine: run.firstLine, csv: `${headerText}\n${text.slice(run.start, run.end)}` });
    run = null;
    runRows = 0;
  };
  for (const record of records) {
    if (record.end - record.start > MAX_RECORD_CHARS) throw invalidField('file', `Line ${record.line} is longer than 64 KB: is this a CSV of contacts?`);
    if (isBlankRow(record.fields)) continue;
    totalRows += 1;
    const key = identityKey(record.fields, header);
    const seenOn = key ? firstLineOf.get(key) : undefined;
    if (seenOn !== undefined) duplicates.push({ line: record.line, reason: `duplicate in file: ${key} is already on line ${seenOn}`, raw: rawRecord(text, record) });
    else if (key) firstLineOf.set(key, record.line);
    if (run && (runRows >= rowsPerChunk || record.end - run.start > MAX_CHUNK_CHARS)) flush();
    run ??= { firstLine: record.line, start: record.start, end: record.end };
    run.end = record.end;
    runRows += 1;
  }
  flush();
  if (!totalRows) throw invalidField('file', 'The file has a header but no rows');
  return { chunks, totalRows, duplicates };
}

/** The file line of each record of a chunk (the chunk's own header line excluded). */
export function chunkRecords(csv: string, firstLine: number): { header: ImportHeader; rows: { line: number; record: CsvRecord }[] } {
  const [headerRecord, ...records] = parseCsv(csv);
  const header = readImportHeader(headerRecord?.fields ?? []);
  const offset = firstLine - (records[0]?.line ?? 0);
  return { header, rows: records.map((record) => ({ line: record.line + offset, record })) };
}
