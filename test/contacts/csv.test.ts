import { describe, expect, it } from 'vitest';
import { CsvError, detectCsvDialect, parseCsv } from '../../src/contacts/csv';

const fieldsOf = (text: string) => parseCsv(text).map((record) => record.fields);

describe('parseCsv', () => {
  it('reads plain records with LF, CRLF and CR line ends', () => {
    expect(fieldsOf('a,b,c\n1,2,3\n')).toEqual([
      ['a', 'b', 'c'],
      ['1', '2', '3'],
    ]);
    expect(fieldsOf('a,b\r\n1,2\r\n3,4')).toEqual([
      ['a', 'b'],
      ['1', '2'],
      ['3', '4'],
    ]);
    expect(fieldsOf('a,b\r1,2\r')).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
  });

  it('keeps empty fields, including trailing ones', () => {
    expect(fieldsOf('a,,c,\n,,,\n')).toEqual([
      ['a', '', 'c', ''],
      ['', '', '', ''],
    ]);
  });

  it('reads quoted fields with commas, doubled quotes and line breaks inside', () => {
    const text = 'name,note\n"Lee, Ann","She said ""hi""\nthen left"\n"",x\n';
    expect(fieldsOf(text)).toEqual([
      ['name', 'note'],
      ['Lee, Ann', 'She said "hi"\nthen left'],
      ['', 'x'],
    ]);
  });

  it('strips a UTF-8 byte order mark', () => {
    expect(fieldsOf('\uFEFFemail,phone\nann@example.com,\n')).toEqual([
      ['email', 'phone'],
      ['ann@example.com', ''],
    ]);
  });

  it('skips empty lines', () => {
    expect(fieldsOf('a\n\n\r\nb\n\n')).toEqual([['a'], ['b']]);
  });

  it('gives each record the line it starts on and its place in the text', () => {
    const text = 'h1,h2\r\n"multi\r\nline",x\r\n\r\nlast,y';
    const records = parseCsv(text);
    expect(records.map((record) => record.line)).toEqual([1, 2, 5]);
    expect(records.map((record) => text.slice(record.start, record.end))).toEqual(['h1,h2', '"multi\r\nline",x', 'last,y']);
  });

  it('keeps stray quotes inside unquoted fields', () => {
    expect(fieldsOf('5" screen,x\n')).toEqual([['5" screen', 'x']]);
  });

  it('reports a quoted field never closed, or text after its closing quote, with its line', () => {
    for (const text of ['a,b\n1,"open\n2,3\n', 'a,b\n1,"a"b\n']) {
      expect(() => parseCsv(text)).toThrow(CsvError);
      try {
        parseCsv(text);
      } catch (err) {
        expect((err as CsvError).line).toBe(2);
        expect((err as CsvError).message).toContain('line 2');
      }
    }
  });

  it('keeps every value as text', () => {
    expect(fieldsOf('zip,total\n00123,1e5\n')[1]).toEqual(['00123', '1e5']);
  });
  it('reads an empty text as no records', () => {
    expect(parseCsv('')).toEqual([]);
    expect(parseCsv('\uFEFF')).toEqual([]);
  });
});

describe('detectCsvDialect', () => {
  it('finds commas, semicolons (European spreadsheets) and tabs, and the line break', () => {
    expect(detectCsvDialect('email,first_name\na@example.com,Ann\n')).toEqual({ delimiter: ',', lineBreak: 'lf' });
    expect(detectCsvDialect('email;first_name;tags\r\na@example.com;Ann;"vip, summer"\r\n')).toEqual({ delimiter: ';', lineBreak: 'crlf' });
    expect(detectCsvDialect('\uFEFFemail\tfirst_name\ra@example.com\tAnn, Lee\r')).toEqual({ delimiter: '\t', lineBreak: 'cr' });
  });

  it('reads a one-column file, or commas inside quoted semicolon fields, the right way', () => {
    expect(detectCsvDialect('email\na@example.com\n').delimiter).toBe(',');
    expect(detectCsvDialect('"Name, full";email\n"Lee, Ann";a@example.com\n"Bo, B";b@example.com\n').delimiter).toBe(';');
  });

  it('reads quoted fields with the delimiter and line breaks inside, whatever the delimiter', () => {
    expect(fieldsOf('a;b\n"x;y";"line\nbreak"\n')).toEqual([
      ['a', 'b'],
      ['x;y', 'line\nbreak'],
    ]);
    expect(fieldsOf('a\tb\n"x\ty"\tz\n')).toEqual([
      ['a', 'b'],
      ['x\ty', 'z'],
    ]);
  });
});
