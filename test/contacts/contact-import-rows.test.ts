import { describe, expect, it } from 'vitest';
import { chunkRecords, planContactImport, readImportHeader, readImportRow } from '../../src/contacts/contact-import-rows';
import { readExportAmount, readExportCount } from '../../src/contacts/import-values';
import { AppError } from '../../src/lib/errors';

function issuePaths(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    return ((err as AppError).details.issues ?? []).map((issue) => issue.path);
  }
  throw new Error('expected an error');
}

describe('readImportHeader', () => {
  it('finds columns by name, whatever the case, spacing or order', () => {
    const header = readImportHeader(['First Name', ' EMAIL ', 'notes', 'sms-consent', 'Tags']);
    expect(header.columns).toEqual({ first_name: 0, email: 1, sms_consent: 3, tags: 4 });
    expect(header.width).toBe(5);
  });

  it('names the missing email column and a repeated one', () => {
    expect(issuePaths(() => readImportHeader(['phone', 'first_name']))).toEqual(['email']);
    expect(issuePaths(() => readImportHeader(['email', 'Email']))).toEqual(['email']);
  });
});

describe('readImportHeader of store exports', () => {
  it("reads Shopify's customers export", () => {
    const header = readImportHeader([
      'Customer ID',
      'First Name',
      'Last Name',
      'Email',
      'Accepts Email Marketing',
      'Default Address Company',
      'Default Address Country Code',
      'Default Address Phone',
      'Phone',
      'Accepts SMS Marketing',
      'Total Spent',
      'Total Orders',
      'Note',
      'Tax Exempt',
      'Tags',
    ]);
    expect(header.columns).toEqual({ first_name: 1, last_name: 2, email: 3, email_consent: 4, country_code: 6, phone: 8, sms_consent: 9, total_spent: 10, order_count: 11, tags: 14 });
  });

  it("reads WooCommerce's Analytics customers export and the Customer/Order CSV Export plugin's", () => {
    const analytics = readImportHeader(['Name', 'Username', 'Last active', 'Date registered', 'Email', 'Orders', 'Total spend', 'AOV', 'Country / Region', 'City', 'Region', 'Postal code']);
    expect(analytics.columns).toEqual({ name: 0, date_registered: 3, email: 4, order_count: 5, total_spent: 6, country_code: 8 });
    const plugin = readImportHeader(['customer_id', 'first_name', 'last_name', 'email', 'date_registered', 'billing_phone', 'billing_country', 'total_spent', 'order_count']);
    expect(plugin.columns).toEqual({ first_name: 1, last_name: 2, email: 3, date_registered: 4, phone: 5, country_code: 6, total_spent: 7, order_count: 8 });
  });

  it('reads a column named as ours before an alias of it, wherever each is', () => {
    expect(readImportHeader(['billing_phone', 'email', 'phone']).columns.phone).toBe(2);
    expect(readImportHeader(['phone', 'email', 'billing_phone']).columns.phone).toBe(0);
  });

  it('names the other totals column when only one is there', () => {
    expect(issuePaths(() => readImportHeader(['email', 'Total Spent']))).toEqual(['order_count']);
    expect(issuePaths(() => readImportHeader(['email', 'Orders']))).toEqual(['total_spent']);
  });
});

describe('readImportRow', () => {
  const header = readImportHeader(['email', 'phone', 'first_name', 'last_name', 'tags', 'email_consent', 'sms_consent']);

  it('reads a full row into a contact', () => {
    expect(readImportRow([' Ann@Example.com ', '+1 415 555 0123', 'Ann', 'Lee', 'vip;wholesale', 'yes', 'unsubscribed'], header)).toEqual({
      ok: true,
      contact: { email: 'ann@example.com', phone: '+14155550123', firstName: 'Ann', lastName: 'Lee', emailConsent: 'subscribed', smsConsent: 'unsubscribed', tags: ['vip', 'wholesale'] },
      totals: null,
      warnings: [],
    });
  });

  it('leaves out consent the row does not give', () => {
    const row = readImportRow(['bo@example.com'], header);
    expect(row).toEqual({ ok: true, contact: { email: 'bo@example.com', phone: null, firstName: null, lastName: null, tags: [] }, totals: null, warnings: [] });
  });

  it('reads a row with only a phone into an SMS-only contact', () => {
    expect(readImportRow(['', '+44 7911 123456', 'Sam', '', '', '', 'yes'], header)).toEqual({
      ok: true,
      contact: { email: null, phone: '+447911123456', firstName: 'Sam', lastName: null, smsConsent: 'subscribed', tags: [] },
      totals: null,
      warnings: [],
    });
  });

  it("reads a phone written without + in the row's country, else the workspace's default country", () => {
    const phoneOf = (fields: string[], country: string | null) => {
      const row = readImportRow(fields, header, 2, country);
      return row.ok ? row.contact.phone : row.reason;
    };
    expect(phoneOf(['', '(415) 555-0123', 'Sam', '', '', '', 'yes'], 'US')).toBe('+14155550123');
    expect(phoneOf(['', '07911 123456', 'Sam', '', '', '', 'yes'], 'GB')).toBe('+447911123456');
    // Without a default country a national number cannot be placed.
    expect(phoneOf(['', '(415) 555-0123', 'Sam', '', '', '', 'yes'], null)).toBe('invalid phone "(415) 555-0123" (use the international format, e.g. +14155550123)');
  });

  it('says why a row cannot be imported', () => {
    const reason = (fields: string[]) => {
      const row = readImportRow(fields, header);
      return row.ok ? null : row.reason;
    };
    expect(reason(['', ''])).toBe('missing email');
    expect(reason(['', '12'])).toContain('invalid phone "12"');
    expect(reason(['not-an-email'])).toBe('invalid email "not-an-email"');
    expect(reason(['a@example.com', '', '', '', '', 'maybe'])).toContain('invalid email_consent "maybe"');
    expect(reason(['a@example.com', '', '', '', '', '', 'si'])).toContain('invalid sms_consent "si"');
    expect(reason(['a@example.com', '', 'A', 'B', '', '', '', 'extra'])).toContain('has 8 fields but the header has 7 (is a delimiter missing its quotes?)');
    expect(reason(['a@example.com', '', 'x'.repeat(101)])).toContain('longer than 100');
  });
});

describe('readImportRow of store exports', () => {
  const shopify = readImportHeader([
    'First Name',
    'Last Name',
    'Email',
    'Accepts Email Marketing',
    'Default Address Country Code',
    'Phone',
    'Accepts SMS Marketing',
    'Total Spent',
    'Total Orders',
    'Tags',
  ]);

  it('reads consent per channel, comma-separated tags, totals and an apostrophe-prefixed phone', () => {
    const row = readImportRow(['Ann', 'Lee', 'ann@example.com', 'yes', 'CA', "'+16135550135", 'no', '1,204.50', '12', 'vip, wholesale ,Summer Sale'], shopify);
    expect(row).toEqual({
      ok: true,
      contact: {
        email: 'ann@example.com',
        phone: '+16135550135',
        firstName: 'Ann',
        lastName: 'Lee',
        emailConsent: 'subscribed',
        smsConsent: 'not_subscribed',
        tags: ['vip', 'wholesale', 'Summer Sale'],
      },
      totals: { spentCents: 120450, orderCount: 12 },
      warnings: [],
    });
  });

  it('reads a phone without + in the country of the address', () => {
    const row = readImportRow(['Bo', '', 'bo@example.com', 'no', 'GB', '07911 123456', 'yes', '0.00', '0', ''], shopify);
    expect(row.ok && row.contact.phone).toBe('+447911123456');
  });

  it('keeps the contact without a bad phone, with a warning', () => {
    const row = readImportRow(['Cy', '', 'cy@example.com', 'yes', '', '12345', 'yes', '10.00', '1', ''], shopify);
    expect(row).toMatchObject({
      ok: true,
      contact: { email: 'cy@example.com', phone: null, smsConsent: 'subscribed' },
      warnings: ['invalid phone "12345" left out (use the international format, e.g. +14155550123)'],
    });
  });

  it('leaves out unreadable totals with a warning, and a pair with one half missing', () => {
    const row = readImportRow(['Di', '', 'di@example.com', '', '', '', '', 'lots', '3', ''], shopify);
    expect(row).toMatchObject({ ok: true, totals: null, warnings: ['total_spent "lots" is not an amount, so the totals were left out'] });
    const half = readImportRow(['Di', '', 'di@example.com', '', '', '', '', '12.00', '', ''], shopify);
    expect(half).toMatchObject({ ok: true, totals: null, warnings: ['order_count "" is not a number of orders, so the totals were left out'] });
  });

  it('reads amounts in the currency of the workspace (no decimals for yen)', () => {
    const row = readImportRow(['', '', 'yen@example.com', '', '', '', '', '12,000', '2', ''], shopify, 0);
    expect(row.ok && row.totals).toEqual({ spentCents: 12000, orderCount: 2 });
  });

  it('splits a WooCommerce "Name" and takes a registration date as an account', () => {
    const header = readImportHeader(['Name', 'Username', 'Date registered', 'Email', 'Orders', 'Total spend', 'Country / Region']);
    const row = readImportRow(['Ann Marie Lee', 'annlee', '2024-03-01 10:12:00', 'ann@example.com', '3', '89.7', 'US'], header);
    expect(row).toMatchObject({ ok: true, contact: { firstName: 'Ann', lastName: 'Marie Lee', registered: true }, totals: { spentCents: 8970, orderCount: 3 } });
    const guest = readImportRow(['Bo', '', '', 'bo@example.com', '1', '5', 'US'], header);
    expect(guest.ok && guest.contact).not.toHaveProperty('registered');
  });

  it('writes a name with line breaks or tabs on one line', () => {
    const header = readImportHeader(['email', 'first_name', 'last_name']);
    const row = readImportRow(['ann@example.com', 'Ann\r\nBcc: x@example.com', '\tLee\u2028Smith'], header);
    expect(row.ok && [row.contact.firstName, row.contact.lastName]).toEqual(['Ann Bcc: x@example.com', 'Lee Smith']);
  });

  it('keeps a name that looks like a spreadsheet formula as text (exports escape it)', () => {
    const header = readImportHeader(['email', 'first_name']);
    const row = readImportRow(['ann@example.com', '=HYPERLINK("http://evil.example","x")'], header);
    expect(row.ok && row.contact.firstName).toBe('=HYPERLINK("http://evil.example","x")');
  });
});

describe('readExportAmount and readExportCount', () => {
  it('reads amounts as stores and spreadsheets write them', () => {
    const cents = (raw: string) => readExportAmount(raw, 2);
    expect(['12', '12.5', '12.50', '$12.50', '12,50 €', '1,234.56', '1.234,56', "1'234.56", 'USD 1 234.56', '.5', '0.005'].map(cents)).toEqual([
      1200, 1250, 1250, 1250, 1250, 123456, 123456, 123456, 123456, 50, 1,
    ]);
    expect(['', 'abc', '-5.00', '1.2.3,4,5', '1,234,56', '12,34.5', '1e5', '9999999999999'].map(cents)).toEqual([null, null, null, null, null, null, null, null]);
  });

  it('reads counts of orders', () => {
    expect(['0', '12', '1,204', '3.0'].map(readExportCount)).toEqual([0, 12, 1204, 3]);
    expect(['', '-1', '2.5', 'many'].map(readExportCount)).toEqual([null, null, null, null]);
  });
});

describe('planContactImport', () => {
  it('cuts a file into chunks of whole records, each with the header, keeping line numbers', () => {
    const lines = ['email,first_name', ...Array.from({ length: 5 }, (_, i) => `p${i}@example.com,"Name\nwith break ${i}"`)];
    const text = `\uFEFF${lines.join('\r\n')}\r\n`;
    const plan = planContactImport(text, 2);
    expect(plan.totalRows).toBe(5);
    expect(plan.chunks.map((chunk) => chunk.firstLine)).toEqual([2, 6, 10]);
    expect(plan.dialect).toEqual({ delimiter: ',', lineBreak: 'crlf' });
    expect(plan.chunks[0]!.csv.startsWith('email,first_name\r\np0@example.com,"Name\nwith break 0"\r\np1@example.com')).toBe(true);
    const { rows } = chunkRecords(plan.chunks[1]!.csv, plan.chunks[1]!.firstLine, plan.dialect);
    expect(rows.map((row) => [row.line, row.record.fields[0]])).toEqual([
      [6, 'p2@example.com'],
      [8, 'p3@example.com'],
    ]);
  });

  it('rejects later rows repeating an email, pointing at the first', () => {
    const plan = planContactImport('email\nann@example.com\nbo@example.com\n ANN@example.com\n\n,\nbad\nbad\n');
    expect(plan.totalRows).toBe(5);
    expect(plan.duplicates).toEqual([{ line: 4, severity: 'error', reason: 'duplicate in file: ann@example.com is already on line 2', raw: ' ANN@example.com' }]);
  });

  it('rejects later rows repeating the phone of a row without an email', () => {
    const plan = planContactImport('email,phone\n,+14155550123\nann@example.com,+14155550123\n,+1 415 555 0123\n');
    expect(plan.duplicates).toEqual([{ line: 4, severity: 'error', reason: 'duplicate in file: +14155550123 is already on line 2', raw: ',+1 415 555 0123' }]);
  });

  it('cuts semicolon and tab files, keeping their delimiter for the chunks', () => {
    for (const [delimiter, text, firstName] of [
      [';', 'email;first_name;tags\nann@example.com;"Lee; Ann";"vip, summer"\nbo@example.com;Bo;\n', 'Lee; Ann'],
      // A tab inside a name is a quoted delimiter, then one space.
      ['\t', 'email\tfirst_name\ttags\nann@example.com\t"Lee\tAnn"\tvip, summer\nbo@example.com\tBo\t\n', 'Lee Ann'],
    ] as const) {
      const plan = planContactImport(text, 1);
      expect(plan.dialect.delimiter).toBe(delimiter);
      expect(plan.chunks).toHaveLength(2);
      const { header, rows } = chunkRecords(plan.chunks[0]!.csv, plan.chunks[0]!.firstLine, plan.dialect);
      expect(readImportRow(rows[0]!.record.fields, header)).toMatchObject({ ok: true, contact: { email: 'ann@example.com', firstName, tags: ['vip', 'summer'] } });
    }
  });

  it('refuses a file without rows, without an email column, or with an open quote', () => {
    expect(issuePaths(() => planContactImport(''))).toEqual(['file']);
    expect(issuePaths(() => planContactImport('email\n\n'))).toEqual(['file']);
    expect(issuePaths(() => planContactImport('name,phone\nAnn,+14155550123\n'))).toEqual(['email']);
    expect(issuePaths(() => planContactImport('email\n"ann@example.com\n'))).toEqual(['file']);
  });
});
