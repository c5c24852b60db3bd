// Header encoding (RFC 5322 / RFC 2047) of the vendored SMTP client, as pure functions.
import { describe, expect, it } from 'vitest';
import { encodeDisplayName, encodedWords, encodeUnstructured, foldHeader, formatMailbox, wireAddress } from '../../src/vendor/worker-mailer/header-encoding';
import { buildHeaders, quotedPrintable } from '../../src/vendor/worker-mailer/mime';

const decodeWords = (value: string) =>
  value
    .split(/\s+/)
    .map((word) => /^=\?UTF-8\?B\?([^?]*)\?=$/.exec(word)?.[1])
    .map((payload) => Uint8Array.from(atob(payload!), (c) => c.charCodeAt(0)))
    .reduce((all, bytes) => all + new TextDecoder().decode(bytes), '');

describe('display names', () => {
  it('quotes and escapes a name with quotes or specials, so it cannot add an address', () => {
    expect(encodeDisplayName('Ann "a@b.example", Eve')).toBe('"Ann \\"a@b.example\\", Eve"');
    expect(encodeDisplayName('back\\slash')).toBe('"back\\\\slash"');
    expect(encodeDisplayName('Plain Name')).toBe('Plain Name');
  });

  it('turns CR, LF and other control characters into spaces: they never reach the wire', () => {
    expect(encodeDisplayName('Eve\r\nBcc: victim@x.example')).toBe('"Eve Bcc: victim@x.example"');
    expect(encodeDisplayName('a\u0000b\u0085c\u2028d')).toBe('a b c d');
  });

  it('encodes a non-ASCII name as encoded words outside quotes, each at most 75 characters', () => {
    const name = 'Zoë "Café" Ünïcödé '.repeat(6);
    const encoded = encodeDisplayName(name);
    expect(encoded).not.toContain('"=?');
    for (const word of encoded.split(' ')) expect(word.length).toBeLessThanOrEqual(75);
    expect(decodeWords(encoded)).toBe(name.trim());
  });

  it('never splits a character across encoded words', () => {
    const text = '😀'.repeat(40);
    const words = encodedWords(text);
    expect(words.length).toBeGreaterThan(1);
    expect(decodeWords(words.join(' '))).toBe(text);
  });

  it('quotes a name that looks like an encoded word, so it shows as typed', () => {
    expect(encodeDisplayName('=?UTF-8?B?QQ==?=')).toBe('"=?UTF-8?B?QQ==?="');
  });
});

describe('addresses and headers', () => {
  it('refuses an address that could break out of its header or the envelope', () => {
    for (const bad of ['a@b.example>\r\nRCPT TO:<c@d.example', 'a b@c.example', 'a@b@c.example', '"a"@b.example', 'a@b.example,c@d.example']) expect(() => wireAddress(bad)).toThrow(/Refusing/);
    expect(formatMailbox({ name: 'Ann', email: 'ann@shop.example' })).toBe('Ann <ann@shop.example>');
  });

  it('writes an internationalized domain in punycode', () => {
    expect(wireAddress('jose@exämple.com')).toBe('jose@xn--exmple-cua.com');
  });

  it('encodes a non-ASCII subject and folds long ones under 78 characters a line', () => {
    const subject = 'Ünïcödé sale: ' + 'everything must go '.repeat(8);
    const header = foldHeader('Subject', encodeUnstructured(subject));
    for (const line of header.split('\r\n')) expect(line.length).toBeLessThanOrEqual(78);
    expect(decodeWords(header.replace(/^Subject: /, '').replace(/\r\n /g, ' '))).toBe(subject.trim());
    expect(encodeUnstructured('Line one\r\nBcc: x@y.example')).toBe('Line one Bcc: x@y.example');
  });

  it('refuses an extra header with a control character, and never lets one replace From or To', () => {
    const message = { from: { email: 'news@shop.example' }, to: { email: 'ann@x.example' }, subject: 'Hi', text: 't', html: '<p>h</p>' };
    expect(() => buildHeaders({ ...message, headers: { 'X-Note': 'a\r\nBcc: v@x.example' } })).toThrow(/control character/);
    expect(() => buildHeaders({ ...message, headers: { 'X-Bad: y\r\nBcc': 'v' } })).toThrow(/header name/);
    const headers = buildHeaders({ ...message, headers: { To: 'victim@x.example', 'X-Ok': 'fine' } }).join('\r\n');
    expect(headers).toContain('To: ann@x.example');
    expect(headers).not.toContain('victim');
  });
});

describe('quoted-printable', () => {
  it('keeps lines at 76 characters, escapes "=" and trailing spaces, and keeps UTF-8 bytes whole', () => {
    const encoded = quotedPrintable(`${'x'.repeat(100)} = é \nnext`);
    for (const line of encoded.split('\r\n')) expect(line.length).toBeLessThanOrEqual(76);
    expect(encoded).toContain('=3D');
    expect(encoded).toContain('=C3=A9=20\r\nnext');
  });

  // The definition, byte by byte (what the encoder did before it went a line at a time).
  function byteByByte(text: string, lineLength = 76): string {
    const bytes = new TextEncoder().encode(text.replace(/\r?\n/g, '\n'));
    let out = '';
    let column = 0;
    for (let i = 0; i < bytes.length; i++) {
      const byte = bytes[i]!;
      if (byte === 10) {
        out += '\r\n';
        column = 0;
        continue;
      }
      const blank = byte === 32 || byte === 9;
      const endOfLine = i + 1 >= bytes.length || bytes[i + 1] === 10;
      const literal = (byte >= 33 && byte <= 126 && byte !== 61) || (blank && !endOfLine);
      const token = literal ? String.fromCharCode(byte) : `=${byte.toString(16).toUpperCase().padStart(2, '0')}`;
      if (column + token.length > lineLength - 1) {
        out += '=\r\n';
        column = 0;
      }
      out += token;
      column += token.length;
    }
    return out;
  }

  it('encodes exactly as the byte-by-byte definition: long lines, "=", blanks, CR, control and multi-byte characters', () => {
    const pieces = ['a', 'word ', '=', ' ', '\t', '\r', '\n', '\r\n', 'é', '€', '😀', '\u0000', '\ud800', 'x'.repeat(80), '<a href="https://x.example/?a=1&b=2">'];
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let round = 0; round < 500; round++) {
      const text = Array.from({ length: Math.floor(random() * 60) }, () => pieces[Math.floor(random() * pieces.length)]).join('');
      expect(quotedPrintable(text)).toBe(byteByByte(text));
    }
    expect(quotedPrintable('')).toBe('');
  });
});
