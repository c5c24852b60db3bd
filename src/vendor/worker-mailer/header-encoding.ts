// Header encoding per RFC 5322 and RFC 2047. Upstream wrapped a whole display name in
// one encoded word inside quotes (which mail clients must not decode), never escaped
// `"` or `\` (a quote in a name added a second address), never split encoded words at
// 75 characters, and passed CR/LF through (a name could write its own headers).
// Here no value reaches the wire with a control character, whatever the caller gave.

const encoder = new TextEncoder();

// An encoded word is at most 75 characters, and a line with one at most 76 (RFC 2047 §2).
// "=?UTF-8?B?" + payload + "?=" is 12 characters; 36 bytes make 48 of base64, so a word
// of 60 fits on the first line after "Reply-To: " and on every folded line after it.
const BYTES_PER_WORD = 36;
// Recommended line length (RFC 5322 §2.1.1); folding keeps headers under it where it can.
const FOLD_AT = 78;
const LONGEST_PLAIN_WORD = 900;

/** Replaces every control character (CR, LF, TAB, DEL, C0, C1) with a space and trims. */
export function singleLine(value: string): string {
  return value.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').trim();
}

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
// RFC 5322 atext plus the space between atoms: such a phrase needs no quotes.
const ATOM_PHRASE = /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~ ]*$/;

/** Splits text into RFC 2047 "B" encoded words of at most 75 characters, never inside a character. */
export function encodedWords(text: string): string[] {
  const words: string[] = [];
  let bytes: number[] = [];
  const flush = () => {
    words.push(`=?UTF-8?B?${btoa(String.fromCharCode(...bytes))}?=`);
    bytes = [];
  };
  for (const char of text) {
    const encoded = encoder.encode(char);
    if (bytes.length + encoded.length > BYTES_PER_WORD) flush();
    bytes.push(...encoded);
  }
  if (bytes.length) flush();
  return words;
}

/** Folds a header line at spaces so that its lines stay near 78 characters (RFC 5322 §2.2.3). */
export function foldHeader(name: string, value: string): string {
  const tokens = value.split(' ');
  const lines: string[] = [];
  let line = `${name}:`;
  for (const token of tokens) {
    if (line.length + 1 + token.length > FOLD_AT && line.trim().length > name.length + 1) {
      lines.push(line);
      line = '';
    }
    line += ` ${token}`;
  }
  lines.push(line);
  return lines.join('\r\n');
}

/** An unstructured header value (Subject): plain when printable ASCII, else encoded words. */
export function encodeUnstructured(value: string): string {
  const text = singleLine(value);
  // A word too long to fold would break the 998-character line limit: encoded words split it.
  if (PRINTABLE_ASCII.test(text) && text.split(' ').every((word) => word.length <= LONGEST_PLAIN_WORD)) return text;
  return encodedWords(text).join(' ');
}

/** A display name as a phrase: an atom phrase, a quoted-string with escapes, or encoded words (never inside quotes). */
export function encodeDisplayName(name: string): string {
  const text = singleLine(name).replace(/\s+/g, ' ');
  // "=?" could read as an encoded word: quoted, a client shows it as typed.
  if (ATOM_PHRASE.test(text) && !text.includes('=?')) return text;
  if (PRINTABLE_ASCII.test(text)) return `"${text.replace(/["\\]/g, (ch) => `\\${ch}`)}"`;
  return encodedWords(text).join(' ');
}

// What an address may contain on our wire: no spaces, quotes, brackets, commas or
// control characters, exactly one @. Quoted local parts are legal but never needed here.
const SAFE_ADDRESS = /^[^\s"<>(),;:\\[\]@\u0000-\u001f\u007f]+@[^\s"<>(),;:\\[\]@\u0000-\u001f\u007f]+$/;

/** Thrown for an address or header that cannot be written safely; nothing was sent. */
export class UnsafeHeaderError extends Error {}

/** The address as the envelope and headers carry it: an internationalized domain in punycode. */
export function wireAddress(address: string): string {
  if (!SAFE_ADDRESS.test(address)) throw new UnsafeHeaderError(`Refusing to write the address ${JSON.stringify(address.slice(0, 80))}`);
  const at = address.lastIndexOf('@');
  const domain = address.slice(at + 1);
  const ascii = PRINTABLE_ASCII.test(domain) ? domain : new URL(`http://${domain}`).hostname;
  return `${address.slice(0, at)}@${ascii}`;
}

/** True when the address needs the SMTPUTF8 extension (a non-ASCII local part). */
export function needsSmtpUtf8(address: string): boolean {
  return !PRINTABLE_ASCII.test(address.slice(0, address.lastIndexOf('@')));
}

/** `Name <address>`, or the bare address without a name. */
export function formatMailbox(mailbox: { name?: string | undefined; email: string }): string {
  const address = wireAddress(mailbox.email);
  const name = mailbox.name ? encodeDisplayName(mailbox.name) : '';
  return name ? `${name} <${address}>` : address;
}

const HEADER_NAME = /^[\x21-\x39\x3b-\x7e]+$/;

/** Checks a caller's extra header: a field name of printable ASCII, a value without control characters. */
export function assertSafeHeader(name: string, value: string): void {
  if (!HEADER_NAME.test(name)) throw new UnsafeHeaderError(`Refusing the header name ${JSON.stringify(name.slice(0, 40))}`);
  if (/[\u0000-\u001f\u007f]/.test(value)) throw new UnsafeHeaderError(`Refusing a control character in the ${name} header`);
}
