// Imports of real store exports (issue 14): Shopify's customers export, WooCommerce's
// Analytics customers download and the Customer/Order CSV Export extension's customers,
// European semicolon files and tab files, through the API and the real imports queue.
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ContactImportView } from '../../src/contacts/contact-imports.service';
import { upsertContact } from '../../src/contacts/contacts.service';
import { openDb } from '../../src/db/client';
import { forWorkspace } from '../../src/db/tenant';
import semicolonCsv from '../fixtures/imports/semicolon-customers.csv?raw';
import shopifyCsv from '../fixtures/imports/shopify-customers.csv?raw';
import tabCsv from '../fixtures/imports/tab-customers.tsv?raw';
import wooAnalyticsCsv from '../fixtures/imports/woocommerce-analytics-customers.csv?raw';
import wooExportCsv from '../fixtures/imports/woocommerce-customer-export.csv?raw';
import { callApi, createApiKey, type Merchant, signUpMerchant } from '../helpers/factories';
import { connectStore, sendCustomEvent, waitForProcessed } from '../helpers/store-webhooks';

type Issue = { line: number; severity: 'error' | 'warning'; reason: string; raw: string };
type ImportReport = { import: ContactImportView; rejections: Issue[]; warnings: Issue[]; nextAfterLine: number | null };

let merchant: Merchant;
let key: string;

beforeAll(async () => {
  merchant = await signUpMerchant('Export Import Store');
  key = await createApiKey(merchant);
});

async function importFile(csv: string, fileName: string): Promise<ImportReport> {
  const res = await callApi(key, `/contacts/imports?fileName=${fileName}`, { method: 'POST', headers: { 'content-type': 'text/csv; charset=utf-8' }, body: csv });
  expect(res.status, await res.clone().text()).toBe(202);
  const { id } = (await res.json<{ import: ContactImportView }>()).import;
  await expect.poll(() => env.DB.prepare('SELECT status FROM contact_imports WHERE id = ?').bind(id).first<string>('status'), { timeout: 20_000, interval: 100 }).toBe('done');
  return (await callApi(key, `/contacts/imports/${id}`)).json<ImportReport>();
}

function contactRow(email: string) {
  return env.DB.prepare('SELECT * FROM contacts WHERE workspace_id = ? AND email = ?').bind(merchant.workspaceId, email).first<Record<string, unknown>>();
}

async function tagsOf(email: string): Promise<string[]> {
  const rows = await env.DB.prepare('SELECT t.tag FROM contact_tags t JOIN contacts c ON c.id = t.contact_id WHERE c.workspace_id = ? AND c.email = ? ORDER BY t.tag')
    .bind(merchant.workspaceId, email)
    .all<{ tag: string }>();
  return rows.results.map((row) => row.tag);
}

describe("Shopify's customers export", () => {
  // Imported by the first test that needs it (expect.poll runs only inside a test).
  let imported: Promise<ImportReport> | undefined;
  const shopifyImport = () => {
    imported ??= importFile(shopifyCsv, 'customers_export.csv');
    return imported;
  };

  it('imports every customer, warning about the bad phone instead of dropping its contact', async () => {
    const report = await shopifyImport();
    expect(report.import).toMatchObject({ totalRows: 6, importedRows: 6, rejectedRows: 0, warnedRows: 1 });
    expect(report.rejections).toEqual([]);
    expect(report.warnings.map(({ line, severity, reason }) => ({ line, severity, reason }))).toEqual([
      { line: 5, severity: 'warning', reason: 'invalid phone "12345" left out (use the international format, e.g. +14155550123)' },
    ]);
  });

  it('keeps email and SMS consent apart', async () => {
    await shopifyImport();
    expect(await contactRow('ann.lee@example.com')).toMatchObject({ email_consent: 'subscribed', sms_consent: 'subscribed', email_consent_source: 'import', sms_consent_source: 'import' });
    expect(await contactRow('bo.berg@example.com')).toMatchObject({ email_consent: 'subscribed', sms_consent: 'not_subscribed' });
    expect(await contactRow('cy.cole@example.com')).toMatchObject({ email_consent: 'not_subscribed', sms_consent: 'subscribed', phone: '+447911123456' });
  });

  it('reads the phone column (not the address phone), apostrophes and numbers written without +', async () => {
    await shopifyImport();
    expect(await contactRow('ann.lee@example.com')).toMatchObject({ first_name: 'Ann', last_name: 'Lee', phone: '+16135550135' });
    expect(await contactRow('ed.eze@example.com')).toMatchObject({ phone: '+16135550199' });
    expect(await contactRow('di.dunn@example.com')).toMatchObject({ phone: null, email_consent: 'subscribed' });
  });

  it('splits the comma-separated tags', async () => {
    await shopifyImport();
    expect(await tagsOf('ann.lee@example.com')).toEqual(['VIP', 'wholesale']);
    expect(await tagsOf('di.dunn@example.com')).toEqual(['returning', 'summer sale']);
    expect(await tagsOf('bo.berg@example.com')).toEqual([]);
  });

  it('keeps the totals as a baseline taken at the upload', async () => {
    const report = await shopifyImport();
    const ann = await contactRow('ann.lee@example.com');
    expect(ann).toMatchObject({ total_spent_cents: 120450, order_count: 12, imported_spent_cents: 120450, imported_order_count: 12, imported_totals_at: report.import.createdAt });
    expect(await contactRow('bo.berg@example.com')).toMatchObject({ total_spent_cents: 0, order_count: 0, imported_totals_at: report.import.createdAt });
  });

  it('writes a multi-line name on one line and keeps a formula-looking name as text', async () => {
    await shopifyImport();
    expect(await contactRow('fay@example.com')).toMatchObject({ first_name: '=HYPERLINK("http://evil.example","x")', last_name: 'Fay Bcc: x@example.com' });
  });

  it("adds the store's later orders to the baseline and never counts an earlier one twice", async () => {
    const report = await shopifyImport();
    const store = await connectStore(merchant.workspaceId, 'custom');
    const customer = { email: 'ann.lee@example.com' };
    // Placed before the upload: already in Shopify's "Total Spent".
    const before = new Date(report.import.createdAt - 86_400_000).toISOString();
    await waitForProcessed(await sendCustomEvent(store, { type: 'order.completed', data: { externalId: 'old-1', customer, currency: 'USD', totalCents: 5000, placedAt: before } }));
    expect(await contactRow('ann.lee@example.com')).toMatchObject({ total_spent_cents: 120450, order_count: 12 });
    const after = new Date(report.import.createdAt + 60_000).toISOString();
    await waitForProcessed(await sendCustomEvent(store, { type: 'order.completed', data: { externalId: 'new-1', customer, currency: 'USD', totalCents: 2500, placedAt: after } }));
    expect(await contactRow('ann.lee@example.com')).toMatchObject({ total_spent_cents: 122950, order_count: 13 });
  });
});

describe("WooCommerce's customer exports", () => {
  it('imports the Analytics > Customers download with names, accounts and totals', async () => {
    const report = await importFile(wooAnalyticsCsv, 'wc-customer-report-export.csv');
    expect(report.import).toMatchObject({ totalRows: 3, importedRows: 3, rejectedRows: 0, warnedRows: 0 });
    expect(await contactRow('gus.green@example.com')).toMatchObject({ first_name: 'Gus', last_name: 'Green', registered: 1, total_spent_cents: 123450, order_count: 3 });
    expect(await contactRow('hana.ito@example.com')).toMatchObject({ first_name: 'Hana', last_name: 'Ito', registered: 0, total_spent_cents: 8970, order_count: 1 });
    expect(await contactRow('ivo@example.com')).toMatchObject({ first_name: 'Ivo', last_name: 'van der Berg', total_spent_cents: 0, order_count: 0 });
  });

  it("imports the CSV Export extension's customers, reading billing phones in the billing country", async () => {
    const report = await importFile(wooExportCsv, 'customers-export.csv');
    expect(report.import).toMatchObject({ totalRows: 2, importedRows: 2, rejectedRows: 0, warnedRows: 1 });
    expect(report.warnings.map(({ line, reason }) => ({ line, reason }))).toEqual([{ line: 3, reason: 'invalid phone "not a phone" left out (use the international format, e.g. +14155550123)' }]);
    expect(await contactRow('jo.kim@example.com')).toMatchObject({ first_name: 'Jo', last_name: 'Kim', phone: '+15035550142', registered: 1, total_spent_cents: 25000, order_count: 4 });
    expect(await contactRow('lia.moss@example.com')).toMatchObject({ phone: null, total_spent_cents: 9999, order_count: 1 });
  });
});

describe('other delimiters', () => {
  it('imports a semicolon file from a European spreadsheet, with decimal commas and quoted semicolons and line breaks', async () => {
    const report = await importFile(semicolonCsv, 'kunden.csv');
    expect(report.import).toMatchObject({ totalRows: 2, importedRows: 2, rejectedRows: 0 });
    expect(await contactRow('lena.schmidt@example.com')).toMatchObject({ first_name: 'Lena', email_consent: 'subscribed', total_spent_cents: 123450, order_count: 7 });
    expect(await tagsOf('lena.schmidt@example.com')).toEqual(['Stammkunde', 'VIP']);
    expect(await contactRow('max.mueller@example.com')).toMatchObject({ last_name: 'Müller; jun.', email_consent: 'not_subscribed', total_spent_cents: 1990 });
  });

  it('imports a tab-separated file with quoted tabs and commas', async () => {
    const report = await importFile(tabCsv, 'customers.tsv');
    expect(report.import).toMatchObject({ totalRows: 2, importedRows: 2, rejectedRows: 0 });
    expect(await contactRow('noa@example.com')).toMatchObject({ last_name: 'Bar Lev', phone: '+972525550123', sms_consent: 'subscribed' });
    // Tags ignore case and keep the workspace's first spelling, which another file here may have brought ("VIP").
    expect((await tagsOf('noa@example.com')).map((tag) => tag.toLowerCase()).sort()).toEqual(['tlv', 'vip']);
    expect(await contactRow('oli@example.com')).toMatchObject({ last_name: 'Quoted, with comma', sms_consent: 'not_subscribed' });
  });
});

describe('imported totals', () => {
  it("moves a phone-only contact's baseline over when the contact of its email absorbs it", async () => {
    const tenant = forWorkspace(openDb(env.DB), merchant.workspaceId);
    await upsertContact(tenant, { email: 'pia@example.com' }, 'api');
    const report = await importFile('email,phone,total_spent,order_count\n,+14155550177,40.00,2\n', 'phones.csv');
    expect(report.import).toMatchObject({ importedRows: 1, warnedRows: 0 });
    await upsertContact(tenant, { email: 'pia@example.com', phone: '+14155550177' }, 'api');
    expect(await contactRow('pia@example.com')).toMatchObject({
      phone: '+14155550177',
      total_spent_cents: 4000,
      order_count: 2,
      imported_spent_cents: 4000,
      imported_order_count: 2,
      imported_totals_at: report.import.createdAt,
    });
  });

  it('leaves the totals of a row with an unreadable one as they were, with a warning', async () => {
    const report = await importFile('email,Total Spent,Total Orders\nquinn@example.com,a lot,3\n', 'bad-totals.csv');
    expect(report.import).toMatchObject({ importedRows: 1, warnedRows: 1 });
    expect(report.warnings[0]).toMatchObject({ line: 2, reason: 'total_spent "a lot" is not an amount, so the totals were left out' });
    expect(await contactRow('quinn@example.com')).toMatchObject({ total_spent_cents: 0, order_count: 0, imported_totals_at: null });
  });
});
