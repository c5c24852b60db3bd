import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { planContactImport } from '../../src/contacts/contact-import-rows';
import { createContactImport, type ContactImportView } from '../../src/contacts/contact-imports.service';
import { runImportChunkJob } from '../../src/contacts/import-chunk-job';
import worker from '../../src/index';
import { openDb } from '../../src/db/client';
import { forWorkspace } from '../../src/db/tenant';
import { newId } from '../../src/lib/ids';
import type { QueueBinding, Queues } from '../../src/queues/enqueue';
import type { QueueMessage } from '../../src/queues/messages';
import { callApi, createApiKey, signUpMerchant, type Merchant } from '../helpers/factories';

let merchant: Merchant;
let key: string;

beforeAll(async () => {
  merchant = await signUpMerchant('Import Store');
  key = await createApiKey(merchant);
});

type ReportedRow = { line: number; severity: 'error' | 'warning'; reason: string; raw: string };
type ImportReport = { import: ContactImportView; rejections: ReportedRow[]; warnings: ReportedRow[]; nextAfterLine: number | null };

function uploadCsv(csv: string, query = '?fileName=customers.csv', contentType = 'text/csv; charset=utf-8') {
  return callApi(key, `/contacts/imports${query}`, { method: 'POST', headers: { 'content-type': contentType }, body: csv });
}

async function startImport(csv: string): Promise<ContactImportView> {
  const res = await uploadCsv(csv);
  expect(res.status, await res.clone().text()).toBe(202);
  return (await res.json<{ import: ContactImportView }>()).import;
}

/** Waits until the real queue has imported every chunk, then returns the report. */
async function waitForImport(id: string, timeout = 20_000): Promise<ImportReport> {
  await expect.poll(() => env.DB.prepare('SELECT status FROM contact_imports WHERE id = ?').bind(id).first<string>('status'), { timeout, interval: 100 }).toBe('done');
  const res = await callApi(key, `/contacts/imports/${id}`);
  expect(res.status).toBe(200);
  return res.json<ImportReport>();
}

function contactRow(email: string) {
  return env.DB.prepare('SELECT * FROM contacts WHERE workspace_id = ? AND email = ?').bind(merchant.workspaceId, email).first<Record<string, unknown>>();
}

async function issuePaths(res: Response): Promise<string[]> {
  expect(res.status).toBe(400);
  return (await res.json<{ error: { issues?: { path: string }[] } }>()).error.issues?.map((issue) => issue.path) ?? [];
}

describe('CSV import through the API and the queue', () => {
  it('imports valid rows and reports every rejected row and every warning with its line and reason', async () => {
    const csv = [
      '\uFEFFEmail,First Name,last_name,Phone,TAGS,email_consent,sms_consent,notes',
      'ann@example.com,Ann,Lee,+1 415 555 0101,vip;summer,yes,subscribed,"likes mugs, and tea"',
      '"Bo@Example.com",Bo,"O""Neil",,wholesale | vip,unsubscribed,,"line one',
      'line two"',
      'not-an-email,Nope,,,,,,',
      ',No,Email,,,,,',
      'cy@example.com,Cy,,12,,,,',
      'di@example.com,Di,,,,maybe,,',
      ',,,,,,,',
      'ANN@example.com,Ann again,,,,,,',
      'ed@example.com,Ed,,,,,,,surplus',
    ].join('\r\n');
    const started = await startImport(csv);
    // The blank row is not a row; the repeated email is caught at upload, the rest by the job.
    expect(started).toMatchObject({ fileName: 'customers.csv', status: 'queued', totalChunks: 1, totalRows: 8, importedRows: 0, rejectedRows: 1 });

    const report = await waitForImport(started.id);
    expect(report.import).toMatchObject({ status: 'done', doneChunks: 1, totalRows: 8, importedRows: 3, rejectedRows: 5, warnedRows: 1 });
    expect(report.import.finishedAt).toBeGreaterThanOrEqual(started.createdAt);
    expect(report.rejections.map(({ line, reason }) => ({ line, reason }))).toEqual([
      { line: 5, reason: 'invalid email "not-an-email"' },
      { line: 6, reason: 'missing email' },
      { line: 8, reason: 'invalid email_consent "maybe" (use subscribed, unsubscribed, not_subscribed, yes or no)' },
      { line: 10, reason: 'duplicate in file: ann@example.com is already on line 2' },
      { line: 11, reason: 'has 9 fields but the header has 8 (is a delimiter missing its quotes?)' },
    ]);
    expect(report.rejections.every((row) => row.severity === 'error')).toBe(true);
    // A bad phone beside a good email keeps the contact, without the phone.
    expect(report.warnings).toEqual([{ line: 7, severity: 'warning', reason: 'invalid phone "12" left out (use the international format, e.g. +14155550123)', raw: 'cy@example.com,Cy,,12,,,,' }]);
    expect(report.rejections[0]!.raw).toBe('not-an-email,Nope,,,,,,');

    expect(await contactRow('ann@example.com')).toMatchObject({
      first_name: 'Ann',
      last_name: 'Lee',
      phone: '+14155550101',
      email_consent: 'subscribed',
      email_consent_source: 'import',
      sms_consent: 'subscribed',
    });
    expect(await contactRow('bo@example.com')).toMatchObject({ last_name: 'O"Neil', email_consent: 'unsubscribed', sms_consent: 'not_subscribed' });
    const tags = await env.DB.prepare('SELECT t.tag FROM contact_tags t JOIN contacts c ON c.id = t.contact_id WHERE c.workspace_id = ? AND c.email = ? ORDER BY t.tag')
      .bind(merchant.workspaceId, 'bo@example.com')
      .all<{ tag: string }>();
    expect(tags.results.map((row) => row.tag)).toEqual(['vip', 'wholesale']);
    expect(await contactRow('cy@example.com')).toMatchObject({ first_name: 'Cy', phone: null });
  });

  it('reports a clean file as fully imported', async () => {
    const res = await uploadCsv('email\nfine@example.com\n');
    const report = await waitForImport((await res.json<{ import: ContactImportView }>()).import.id);
    expect(report.import).toMatchObject({ totalRows: 1, importedRows: 1, rejectedRows: 0, warnedRows: 0 });
    expect(report.rejections).toEqual([]);
    expect(report.warnings).toEqual([]);
  });

  it('imports a file of several chunks in the background', async () => {
    const rows = Array.from({ length: 1_050 }, (_, i) => `bulk-${i}@example.com,Bulk ${i},bulk`);
    const started = await startImport(['email,first_name,tags', ...rows].join('\n'));
    expect(started.totalChunks).toBe(3);
    const report = await waitForImport(started.id, 30_000);
    expect(report.import).toMatchObject({ doneChunks: 3, totalRows: 1_050, importedRows: 1_050, rejectedRows: 0 });
    const count = await env.DB.prepare("SELECT count(*) AS n FROM contacts WHERE workspace_id = ? AND email LIKE 'bulk-%'").bind(merchant.workspaceId).first<number>('n');
    expect(count).toBe(1_050);
    // A chunk's CSV is dropped once imported: it is personal data nobody needs any more.
    const leftovers = await env.DB.prepare("SELECT count(*) AS n FROM contact_import_chunks WHERE import_id = ? AND csv <> ''").bind(started.id).first<number>('n');
    expect(leftovers).toBe(0);
  });

  it('does nothing twice when a chunk message is delivered again', async () => {
    const started = await startImport('email,email_consent\nagain-1@example.com,yes\nagain-2@example.com,maybe\n');
    const before = await waitForImport(started.id);
    const message = { type: 'import-chunk', workspaceId: merchant.workspaceId, importId: started.id, chunkIndex: 0 };
    const batch = createMessageBatch('marketing-imports', [
      { id: 'redelivery-1', timestamp: new Date(), attempts: 2, body: message },
      { id: 'redelivery-2', timestamp: new Date(), attempts: 1, body: message },
    ]);
    const ctx = createExecutionContext();
    await worker.queue(batch, env);
    expect((await getQueueResult(batch, ctx)).explicitAcks).toEqual(['redelivery-1', 'redelivery-2']);
    const after = await callApi(key, `/contacts/imports/${started.id}`);
    expect(await after.json()).toEqual(before);
    const consent = await env.DB.prepare('SELECT count(*) AS n FROM consent_changes c JOIN contacts p ON p.id = c.contact_id WHERE p.email = ?').bind('again-1@example.com').first<number>('n');
    expect(consent).toBe(1);
  });

  it('counts a chunk once when two deliveries of it run at the same time', async () => {
    // An import stored as the upload stores it, but not enqueued: the test is the only deliverer.
    const plan = planContactImport('email,first_name\nrace-1@example.com,One\nrace-2@example.com,Two\nbad,Three\n');
    const id = newId();
    const now = Date.now();
    await env.DB.batch([
      env.DB.prepare("INSERT INTO contact_imports (id, workspace_id, file_name, status, total_chunks, total_rows, created_at) VALUES (?, ?, 'race.csv', 'queued', 1, ?, ?)").bind(
        id,
        merchant.workspaceId,
        plan.totalRows,
        now,
      ),
      env.DB.prepare('INSERT INTO contact_import_chunks (import_id, chunk_index, workspace_id, first_line, csv) VALUES (?, 0, ?, ?, ?)').bind(
        id,
        merchant.workspaceId,
        plan.chunks[0]!.firstLine,
        plan.chunks[0]!.csv,
      ),
    ]);
    const message = { type: 'import-chunk' as const, workspaceId: merchant.workspaceId, importId: id, chunkIndex: 0 };
    await Promise.all([runImportChunkJob(message, env), runImportChunkJob(message, env), runImportChunkJob(message, env)]);
    await runImportChunkJob(message, env);
    const row = await env.DB.prepare('SELECT status, done_chunks, imported_rows, rejected_rows FROM contact_imports WHERE id = ?').bind(id).first();
    expect(row).toEqual({ status: 'done', done_chunks: 1, imported_rows: 2, rejected_rows: 1 });
    const rejections = await env.DB.prepare('SELECT line, reason FROM contact_import_rejections WHERE import_id = ?').bind(id).all();
    expect(rejections.results).toEqual([{ line: 4, reason: 'invalid email "bad"' }]);
  });

  it('takes files over the 1 MB body limit, up to 20 MB', async () => {
    const notes = 'n'.repeat(1_500);
    const rows = Array.from({ length: 1_000 }, (_, i) => `big-${i}@example.com,${notes}`);
    const csv = ['email,notes', ...rows].join('\n');
    expect(csv.length).toBeGreaterThan(1024 * 1024);
    const started = await startImport(csv);
    expect(started.totalChunks).toBeGreaterThan(2);
    const report = await waitForImport(started.id, 30_000);
    expect(report.import).toMatchObject({ importedRows: 1_000, rejectedRows: 0 });

    const tooBig = await uploadCsv(`email\n${'x'.repeat(20 * 1024 * 1024)}`);
    expect(tooBig.status).toBe(413);
    expect((await tooBig.json<{ error: { code: string } }>()).error.code).toBe('payload_too_large');
    // Other API routes keep the 1 MB limit.
    const json = await callApi(key, '/contacts', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'a@example.com', firstName: 'x'.repeat(1024 * 1024) }),
    });
    expect(json.status).toBe(413);
  });
});

/** Queues that only keep what is sent to each, so the test alone delivers the messages. */
function heldQueues() {
  const sent: Record<QueueBinding, QueueMessage[]> = { EVENTS_QUEUE: [], SENDS_QUEUE: [], IMPORTS_QUEUE: [] };
  const queueOf = (binding: QueueBinding) => ({ sendBatch: async (messages: { body: QueueMessage }[]) => void sent[binding].push(...messages.map((m) => m.body)) }) as unknown as Queue<QueueMessage>;
  const queues: Queues = { EVENTS_QUEUE: queueOf('EVENTS_QUEUE'), SENDS_QUEUE: queueOf('SENDS_QUEUE'), IMPORTS_QUEUE: queueOf('IMPORTS_QUEUE') };
  return { queues, sent };
}

describe('CSV import on its own queue', () => {
  it('puts its chunks on the imports queue, never on the store events queue', async () => {
    const { queues, sent } = heldQueues();
    const tenant = forWorkspace(openDb(env.DB), merchant.workspaceId);
    const started = await createContactImport(tenant, queues, { fileName: 'own-queue.csv', csv: 'email\nown-queue@example.com\n' });
    expect(sent.IMPORTS_QUEUE).toEqual([{ type: 'import-chunk', workspaceId: merchant.workspaceId, importId: started.id, chunkIndex: 0 }]);
    expect(sent.EVENTS_QUEUE).toEqual([]);
    expect(sent.SENDS_QUEUE).toEqual([]);
  });

  it('marks the import failed, saying why, when a chunk exhausts its retries', async () => {
    const { queues, sent } = heldQueues();
    const tenant = forWorkspace(openDb(env.DB), merchant.workspaceId);
    const started = await createContactImport(tenant, queues, { fileName: 'dead.csv', csv: 'email\ndead-1@example.com\ndead-2@example.com\n' });
    const batch = createMessageBatch('marketing-imports-dlq', [{ id: `dead-chunk-${started.id}`, timestamp: new Date(), attempts: 1, body: sent.IMPORTS_QUEUE[0] }]);
    const ctx = createExecutionContext();
    await worker.queue(batch, env);
    expect((await getQueueResult(batch, ctx)).ackAll).toBe(true);

    const res = await callApi(key, `/contacts/imports/${started.id}`);
    const report = await res.json<ImportReport>();
    expect(report.import.status).toBe('failed');
    expect(report.import.failureReason).toBe(
      'Part 1 of 1 (from line 2) still failed after repeated attempts, so the import stopped. Contacts imported before that are kept; upload the file again to import the rest (contacts already imported are updated, not duplicated).',
    );
    // The import's page says so too.
    const page = await (await merchant.client.get(`/app/contacts/imports/${started.id}`)).text();
    expect(page).toContain('Part 1 of 1 (from line 2) still failed after repeated attempts, so the import stopped.');
    // A late delivery of the chunk finds the import given up and imports nothing.
    await runImportChunkJob(sent.IMPORTS_QUEUE[0] as Extract<QueueMessage, { type: 'import-chunk' }>, env);
    expect(await contactRow('dead-1@example.com')).toBeNull();
  });

  it('says the file could not be queued when enqueueing its chunks failed', async () => {
    const failing = { sendBatch: async () => Promise.reject(new Error('queue unavailable')) } as unknown as Queue<QueueMessage>;
    const tenant = forWorkspace(openDb(env.DB), merchant.workspaceId);
    await expect(
      createContactImport(tenant, { EVENTS_QUEUE: failing, SENDS_QUEUE: failing, IMPORTS_QUEUE: failing }, { fileName: 'unqueued.csv', csv: 'email\nunqueued@example.com\n' }),
    ).rejects.toThrow('queue unavailable');
    const id = await env.DB.prepare("SELECT id FROM contact_imports WHERE workspace_id = ? AND file_name = 'unqueued.csv'").bind(merchant.workspaceId).first<string>('id');
    const report = await (await callApi(key, `/contacts/imports/${id}`)).json<ImportReport>();
    expect(report.import).toMatchObject({ status: 'failed', failureReason: 'The file could not be queued for import. Upload it again.' });
  });
});

describe('CSV import errors', () => {
  it('names the missing email column', async () => {
    const res = await uploadCsv('name,phone\nAnn,+14155550101\n');
    expect(await issuePaths(res)).toEqual(['email']);
  });

  it('refuses an empty file, a header without rows and an unterminated quote, naming the file', async () => {
    expect(await issuePaths(await uploadCsv(''))).toEqual(['file']);
    expect(await issuePaths(await uploadCsv('email\n'))).toEqual(['file']);
    const res = await uploadCsv('email,first_name\nann@example.com,"Ann\n');
    expect(await issuePaths(res.clone())).toEqual(['file']);
    expect((await res.json<{ error: { message: string } }>()).error.message).toContain('line 2');
  });

  it('wants text/csv', async () => {
    const res = await uploadCsv('email\nann@example.com\n', '', 'application/json');
    expect(res.status).toBe(400);
    expect((await res.json<{ error: { message: string } }>()).error.message).toContain('text/csv');
  });

  it('answers 404 for an unknown import', async () => {
    expect((await callApi(key, '/contacts/imports/01J0000000000000000000000Z')).status).toBe(404);
  });

  it('names a file name that is too long', async () => {
    expect(await issuePaths(await uploadCsv('email\na@example.com\n', `?fileName=${'f'.repeat(201)}`))).toEqual(['fileName']);
  });
});
