// CSV imports of contacts. The upload checks the file, cuts it into chunks stored
// in D1 and enqueues one message per chunk; the chunk job upserts each valid row
// and records each rejected one (an error) and each row imported without a bad
// value (a warning). A chunk is counted once however often its message is
// delivered: the count and the chunk's processed mark change in one transaction.
//
// Totals from a store export (Shopify's "Total Spent"/"Total Orders", WooCommerce's
// "Total spend"/"Orders") become the contact's imported baseline, taken at the
// upload's time: the contact's figures are the baseline, and the store's own orders
// placed after it add to it (orders.service.ts), so an order is never counted twice.
import { and, asc, desc, eq, gt, gte, inArray, isNull, lte, sql } from 'drizzle-orm';
import { runBatch, type Db, type Statement } from '../db/client';
import { contactImportChunks, contactImportRejections, contactImports, contacts, deadLetters, type ImportStatus } from '../db/schema';
import { forWorkspace, type Tenant } from '../db/tenant';
import { redriveStalledWork } from '../health/stalled-work';
import { enqueue, type Queues } from '../queues/enqueue';
import { ImportChunkMessage, importChunkMessage } from '../queues/messages';
import { chunk } from '../lib/chunk';
import { minorUnitDigits } from '../lib/money';
import { notFound } from '../lib/errors';
import { newId } from '../lib/ids';
import { keysetLimit, keysetPage } from '../lib/keyset-page';
import { findMainCurrency } from './contact-activity.service';
import { chunkRecords, type ImportedTotals, type ImportIssue, isBlankRow, planContactImport, rawRecord, readImportRow } from './contact-import-rows';
import { type ContactUpsert, upsertContactStatements, workspacePhoneCountry } from './contacts.service';

/** An import as the API and dashboard show it. */
export type ContactImportView = {
  id: string;
  fileName: string;
  status: ImportStatus;
  totalChunks: number;
  doneChunks: number;
  totalRows: number;
  importedRows: number;
  rejectedRows: number;
  // Imported rows that left out a bad value, each with a warning.
  warnedRows: number;
  createdAt: number;
  finishedAt: number | null;
  // When a part was last processed (or the import created or restarted).
  progressAt: number | null;
  // Why a failed import stopped, in words; null unless failed.
  failureReason: string | null;
};

/** A page of an import's reported rows (errors and warnings), by line; `nextAfterLine` is null on the last page. */
export type ImportIssuePage = { issues: ImportIssue[]; nextAfterLine: number | null };

const viewColumns = {
  id: contactImports.id,
  fileName: contactImports.fileName,
  status: contactImports.status,
  totalChunks: contactImports.totalChunks,
  doneChunks: contactImports.doneChunks,
  totalRows: contactImports.totalRows,
  importedRows: contactImports.importedRows,
  rejectedRows: contactImports.rejectedRows,
  warnedRows: contactImports.warnedRows,
  createdAt: contactImports.createdAt,
  finishedAt: contactImports.finishedAt,
  progressAt: contactImports.progressAt,
};

/** The largest CSV file an upload takes (the app's body limit for the import routes). */
export const MAX_IMPORT_BYTES = 20 * 1024 * 1024;

// 6 columns a reported row: 16 rows stay under D1's 100 bound parameters per statement.
const ISSUES_PER_INSERT = 16;
// Statements per D1 round trip when storing an upload (chunks can be 256 KB each).
const CHUNKS_PER_BATCH = 8;
const STATEMENTS_PER_BATCH = 50;
// Rows upserted per D1 round trip by the chunk job (a row is up to six statements).
const ROWS_PER_BATCH = 100;

function issueStatements(tenant: Tenant, importId: string, issues: ImportIssue[]): Statement[] {
  return chunk(issues, ISSUES_PER_INSERT).map((slice) =>
    tenant.db
      .insert(contactImportRejections)
      .values(slice.map((issue) => tenant.row({ importId, ...issue })))
      // A redelivered chunk finds its rejections already there.
      .onConflictDoNothing(),
  );
}

async function runInBatches(tenant: Tenant, statements: Statement[], size: number): Promise<void> {
  for (const slice of chunk(statements, size)) await runBatch(tenant.db, slice);
}

/**
 * Checks a CSV upload (`invalid_input` naming a missing column or an unreadable file),
 * stores it as chunks and enqueues them. Rows repeating an email already in the file
 * are rejected now, as only the whole file shows them; the rest is done by the queue.
 */
export async function createContactImport(tenant: Tenant, queues: Queues, file: { fileName: string; csv: string }, now = Date.now()): Promise<ContactImportView> {
  const plan = planContactImport(file.csv);
  const id = newId(now);
  const row: Omit<ContactImportView, 'failureReason'> = {
    id,
    fileName: file.fileName,
    status: 'queued',
    totalChunks: plan.chunks.length,
    doneChunks: 0,
    totalRows: plan.totalRows,
    importedRows: 0,
    rejectedRows: plan.duplicates.length,
    warnedRows: 0,
    createdAt: now,
    finishedAt: null,
    progressAt: now,
  };
  await tenant.db.insert(contactImports).values(tenant.row({ ...row, ...plan.dialect }));
  const chunkRows = plan.chunks.map((slice, chunkIndex) => tenant.db.insert(contactImportChunks).values(tenant.row({ importId: id, chunkIndex, ...slice })));
  await runInBatches(tenant, chunkRows, CHUNKS_PER_BATCH);
  await runInBatches(tenant, issueStatements(tenant, id, plan.duplicates), STATEMENTS_PER_BATCH);
  const messages = plan.chunks.map((_, chunkIndex) => importChunkMessage(tenant.workspaceId, id, chunkIndex));
  try {
    await enqueue(queues, messages);
  } catch (err) {
    // Chunks never enqueued would leave it "queued" forever: say it failed, so it can be uploaded again.
    await tenant.db
      .update(contactImports)
      .set({ status: 'failed', finishedAt: Date.now() })
      .where(tenant.where(contactImports, eq(contactImports.id, id)));
    throw err;
  }
  return { ...row, failureReason: null };
}

/**
 * Marks failed the imports of chunks whose messages exhausted their retries (from the
 * dead-letter queue), each within its message's workspace. The chunks not yet imported
 * then do nothing; the reason is read back from the dead letter (`failureReasonOf`).
 */
export async function failDeadImportChunks(db: Db, dead: { workspaceId: string; importId: string }[], now = Date.now()): Promise<void> {
  await runBatch(
    db,
    dead.map(({ workspaceId, importId }) =>
      db
        .update(contactImports)
        .set({ status: 'failed', finishedAt: now })
        .where(forWorkspace(db, workspaceId).where(contactImports, eq(contactImports.id, importId), inArray(contactImports.status, ['queued', 'processing']))),
    ),
  );
}

/** Why an import failed: the first of its chunks that was dead-lettered, or else its chunks could not be enqueued. */
async function failureReasonOf(tenant: Tenant, row: Omit<ContactImportView, 'failureReason'>): Promise<string | null> {
  if (row.status !== 'failed') return null;
  const [dead] = await tenant.db
    .select({ body: deadLetters.body })
    .from(deadLetters)
    .where(tenant.where(deadLetters, sql`json_extract(${deadLetters.body}, '$.type') = 'import-chunk'`, sql`json_extract(${deadLetters.body}, '$.importId') = ${row.id}`))
    .orderBy(asc(deadLetters.recordedAt))
    .limit(1);
  const message = dead && ImportChunkMessage.safeParse(JSON.parse(dead.body));
  if (!message?.success) return 'The file could not be queued for import. Upload it again.';
  const [stored] = await tenant.db
    .select({ firstLine: contactImportChunks.firstLine })
    .from(contactImportChunks)
    .where(tenant.where(contactImportChunks, eq(contactImportChunks.importId, row.id), eq(contactImportChunks.chunkIndex, message.data.chunkIndex)))
    .limit(1);
  const from = stored ? ` (from line ${stored.firstLine})` : '';
  return `Part ${message.data.chunkIndex + 1} of ${row.totalChunks}${from} still failed after repeated attempts, so the import stopped. Contacts imported before that are kept; upload the file again to import the rest (contacts already imported are updated, not duplicated).`;
}

/** One import; 404 for an id of another workspace. */
export async function getContactImport(tenant: Tenant, id: string): Promise<ContactImportView> {
  const [row] = await tenant.db
    .select(viewColumns)
    .from(contactImports)
    .where(tenant.where(contactImports, eq(contactImports.id, id)))
    .limit(1);
  if (!row) throw notFound('Import');
  return { ...row, failureReason: await failureReasonOf(tenant, row) };
}

/** An import's reported rows (errors and warnings) in line order, after `afterLine`. */
export async function listImportIssues(tenant: Tenant, importId: string, afterLine = 0, limit = 1000): Promise<ImportIssuePage> {
  const rows = await tenant.db
    .select({ line: contactImportRejections.line, severity: contactImportRejections.severity, reason: contactImportRejections.reason, raw: contactImportRejections.raw })
    .from(contactImportRejections)
    .where(tenant.where(contactImportRejections, eq(contactImportRejections.importId, importId), gt(contactImportRejections.line, afterLine)))
    .orderBy(asc(contactImportRejections.line))
    .limit(keysetLimit(limit));
  const page = keysetPage(rows, limit, (row) => row.line);
  return { issues: page.rows, nextAfterLine: page.nextCursor };
}

/** The latest imports of the workspace, newest first. */
export async function listContactImports(tenant: Tenant, limit = 5): Promise<ContactImportView[]> {
  const rows = await tenant.db.select(viewColumns).from(contactImports).where(tenant.where(contactImports)).orderBy(desc(contactImports.createdAt), desc(contactImports.id)).limit(limit);
  return Promise.all(rows.map(async (row) => ({ ...row, failureReason: await failureReasonOf(tenant, row) })));
}

/**
 * Sets a contact's imported baseline (taken at `takenAt`) and its figures to it: the
 * store's orders placed until then are in the export's totals already.
 */
function importedTotalsStatement(tenant: Tenant, contact: ContactUpsert, totals: ImportedTotals, takenAt: number, now: number): Statement {
  const match = contact.email ? eq(contacts.email, contact.email) : eq(contacts.phone, contact.phone!);
  return tenant.db
    .update(contacts)
    .set({
      importedSpentCents: totals.spentCents,
      importedOrderCount: totals.orderCount,
      importedTotalsAt: takenAt,
      totalSpentCents: totals.spentCents,
      orderCount: totals.orderCount,
      updatedAt: now,
    })
    .where(tenant.where(contacts, match));
}

/**
 * Imports one chunk: upserts its valid rows (source 'import') with their totals, records
 * its rejected rows and its warnings, then counts it, all idempotently. The last chunk
 * counted marks the import done.
 */
export async function importContactChunk(tenant: Tenant, importId: string, chunkIndex: number, now = Date.now()): Promise<void> {
  const [stored] = await tenant.db
    .select({
      firstLine: contactImportChunks.firstLine,
      csv: contactImportChunks.csv,
      processedAt: contactImportChunks.processedAt,
      status: contactImports.status,
      createdAt: contactImports.createdAt,
      delimiter: contactImports.delimiter,
      lineBreak: contactImports.lineBreak,
    })
    .from(contactImportChunks)
    .innerJoin(contactImports, eq(contactImports.id, contactImportChunks.importId))
    .where(tenant.where(contactImportChunks, eq(contactImportChunks.importId, importId), eq(contactImportChunks.chunkIndex, chunkIndex)))
    .limit(1);
  // Already counted (a redelivery), or the import was given up (enqueueing failed, or another chunk was dead-lettered).
  if (!stored || stored.processedAt !== null || stored.status === 'failed') return;

  const { header, rows } = chunkRecords(stored.csv, stored.firstLine, stored);
  const lastLine = rows.length ? rows[rows.length - 1]!.line : stored.firstLine;
  const rejectedAtUpload = await tenant.db
    .select({ line: contactImportRejections.line })
    .from(contactImportRejections)
    .where(
      tenant.where(
        contactImportRejections,
        eq(contactImportRejections.importId, importId),
        eq(contactImportRejections.severity, 'error'),
        gte(contactImportRejections.line, stored.firstLine),
        lte(contactImportRejections.line, lastLine),
      ),
    );
  const skip = new Set(rejectedAtUpload.map((row) => row.line));
  // Exports carry no currency: amounts are read in the currency of the workspace's orders.
  const amountDigits = minorUnitDigits((await findMainCurrency(tenant)) ?? 'USD');
  const phoneCountry = await workspacePhoneCountry(tenant);

  const upserts: Statement[][] = [];
  const issues: ImportIssue[] = [];
  let rejected = 0;
  let warned = 0;
  for (const { line, record } of rows) {
    if (skip.has(line) || isBlankRow(record.fields)) continue;
    const row = readImportRow(record.fields, header, amountDigits, phoneCountry);
    const raw = rawRecord(stored.csv, record);
    if (!row.ok) {
      rejected += 1;
      issues.push({ line, severity: 'error', reason: row.reason, raw });
      continue;
    }
    const totals = row.totals ? [importedTotalsStatement(tenant, row.contact, row.totals, stored.createdAt, now)] : [];
    upserts.push([...upsertContactStatements(tenant, row.contact, 'import', now), ...totals]);
    if (row.warnings.length) {
      warned += 1;
      issues.push({ line, severity: 'warning', reason: row.warnings.join('; '), raw });
    }
  }

  const importWhere = tenant.where(contactImports, eq(contactImports.id, importId));
  const chunkWhere = tenant.where(contactImportChunks, eq(contactImportChunks.importId, importId), eq(contactImportChunks.chunkIndex, chunkIndex));
  const unprocessed = tenant.db
    .select({ one: sql`1` })
    .from(contactImportChunks)
    .where(and(chunkWhere, isNull(contactImportChunks.processedAt)));
  const finish: Statement[] = [
    ...issueStatements(tenant, importId, issues),
    // Counted only while the chunk is unprocessed; marking it comes next in the same transaction.
    tenant.db
      .update(contactImports)
      .set({
        doneChunks: sql`${contactImports.doneChunks} + 1`,
        importedRows: sql`${contactImports.importedRows} + ${upserts.length}`,
        rejectedRows: sql`${contactImports.rejectedRows} + ${rejected}`,
        warnedRows: sql`${contactImports.warnedRows} + ${warned}`,
        progressAt: now,
      })
      .where(and(importWhere, sql`EXISTS ${unprocessed}`)),
    // The CSV is no longer needed once counted: keeping it would keep personal data for nothing.
    tenant.db
      .update(contactImportChunks)
      .set({ processedAt: now, csv: '' })
      .where(and(chunkWhere, isNull(contactImportChunks.processedAt))),
    tenant.db
      .update(contactImports)
      .set({ status: 'done', finishedAt: now })
      .where(and(importWhere, sql`${contactImports.doneChunks} >= ${contactImports.totalChunks}`, sql`${contactImports.status} <> 'done'`)),
  ];
  const started = tenant.db
    .update(contactImports)
    .set({ status: 'processing' })
    .where(and(importWhere, eq(contactImports.status, 'queued')));
  const batches = chunk(upserts, ROWS_PER_BATCH).map((slice) => slice.flat());
  if (!batches.length) batches.push([]);
  batches[0]!.unshift(started);
  batches[batches.length - 1]!.push(...finish);
  for (const statements of batches) await runBatch(tenant.db, statements);
}

// Imports re-driven per tick, and chunks re-enqueued per import (a 20 MB file is at most
// a few hundred chunks); the next re-drive, STALL_LIMIT later, takes the rest.
const REDRIVE_IMPORTS_PER_TICK = 20;
const REDRIVE_CHUNKS_PER_IMPORT = 1_000;

/**
 * Re-enqueues the chunks not yet counted of imports that stopped moving (their messages
 * were lost, or a consumer stalled). Safe however often it runs: a chunk counts once.
 */
export async function redriveStalledImports(db: Db, queues: Queues, now: number): Promise<number> {
  return redriveStalledWork(db, queues, 'imports', now, REDRIVE_IMPORTS_PER_TICK, async (tenant, id) => {
    const pending = await tenant.db
      .select({ chunkIndex: contactImportChunks.chunkIndex })
      .from(contactImportChunks)
      .where(tenant.where(contactImportChunks, eq(contactImportChunks.importId, id), isNull(contactImportChunks.processedAt)))
      .orderBy(asc(contactImportChunks.chunkIndex))
      .limit(REDRIVE_CHUNKS_PER_IMPORT);
    return pending.map(({ chunkIndex }) => importChunkMessage(tenant.workspaceId, id, chunkIndex));
  });
}
