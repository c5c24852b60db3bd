import { describe, expect, it } from 'vitest';
import { chunkRecords, planContactImport, readImportHeader, readImportRow } from '../../src/contacts/contact-import-rows';
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

describe('readImportRow', () => {
  const header = readImportHeader(['email', 'phone', 'first_name', 'last_name', 'tags', 'email_consent', 'sms_consent']);

  it('reads a full row into a contact', () => {
    expect(readImportRow([' Ann@Example.com ', '+1 415 555 0123', 'Ann', 'Lee', 'vip;wholesale', 'yes', 'unsubscribed'], header)).toEqual({
      ok: true,
      contact: { email: 'ann@example.com', phone: '+14155550123', firstName: 'Ann', lastName: 'Lee', emailConsent: 'subscribed', smsConsent: 'unsubscribed', tags: ['vip', 'wholesale'] },
    });
  });

  it('leaves out consent the row does not give', () => {
    const row = readImportRow(['bo@example.com'], header);
    expect(row).toEqual({ ok: true, contact: { email: 'bo@example.com', phone: null, firstName: null, lastName: null, tags: [] } });
  });

  it('reads a row with only a phone into an SMS-only contact', () => {
    expect(readImportRow(['', '+44 7911 123456', 'Sam', '', '', '', 'yes'], header)).toEqual({
      ok: true,
      contact: { email: null, phone: '+447911123456', firstName: 'Sam', lastName: null, smsConsent: 'subscribed', tags: [] },
    });
  });

  it('says why a row cannot be imported', () => {
    const reason = (fields: string[]) => {
      const row = readImportRow(fields, header);
      return row.ok ? null : row.reason;
    };
    expect(reason(['', ''])).toBe('missing email');
    expect(reason(['', '12'])).toContain('invalid phone "12"');
    expect(reason(['not-an-email'])).toBe('invalid email "not-an-email"');
    expect(reason(['a@example.com', '12'])).toContain('invalid phone "12"');
    expect(reason(['a@example.com', '', '', '', '', 'maybe'])).toContain('invalid email_consent "maybe"');
    expect(reason(['a@example.com', '', '', '', '', '', 'si'])).toContain('invalid sms_consent "si"');
    expect(reason(['a@example.com', '', 'A', 'B', '', '', '', 'extra'])).toContain('has 8 fields but the header has 7');
    expect(reason(['a@example.com', '', 'x'.repeat(101)])).toContain('longer than 100');
  });
});

describe('planContactImport', () => {
  it('cuts a file into chunks of whole records, each with the header, keeping line numbers', () => {
    const lines = ['email,first_name', ...Array.from({ length: 5 }, (_, i) => `p${i}@example.com,"Name\nwith break ${i}"`)];
    const text = `\uFEFF${lines.join('\r\n')}\r\n`;
    const plan = planContactImport(text, 2);
    expect(plan.totalRows).toBe(5);
    expect(plan.chunks.map((chunk) => chunk.firstLine)).toEqual([2, 6, 10]);
    expect(plan.chunks[0]!.csv.startsWith('email,first_name\np0@example.com,"Name\nwith break 0"\r\np1@example.com')).toBe(true);
    const { rows } = chunkRecords(plan.chunks[1]!.csv, plan.chunks[1]!.firstLine);
    expect(rows.map((row) => [row.line, row.record.fields[0]])).toEqual([
      [6, 'p2@example.com'],
      [8, 'p3@example.com'],
    ]);
  });

  it('rejects later rows repeating an email, pointing at the first', () => {
    const plan = planContactImport('email\nann@example.com\nbo@example.com\n ANN@example.com\n\n,\nbad\nbad\n');
    expect(plan.totalRows).toBe(5);
    expect(plan.duplicates).toEqual([{ line: 4, reason: 'duplicate in file: ann@example.com is already on line 2', raw: ' ANN@example.com' }]);
  });

  it('rejects later rows repeating the phone of a row without an email', () => {
    const plan = planContactImport('email,phone\n,+14155550123\nann@example.com,+14155550123\n,+1 415 555 0123\n');
    expect(plan.duplicates).toEqual([{ line: 4, reason: 'duplicate in file: +14155550123 is already on line 2', raw: ',+1 415 555 0123' }]);
  });

  it('refuses a file without rows, without an email column, or with an open quote', () => {
    expect(issuePaths(() => planContactImport(''))).toEqual(['file']);
    expect(issuePaths(() => planContactImport('email\n\n'))).toEqual(['file']);
    expect(issuePaths(() => planContactImport('name,phone\nAnn,+14155550123\n'))).toEqual(['email']);
    expect(issuePaths(() => planContactImport('email\n"ann@example.com\n'))).toEqual(['file']);
  });
});
