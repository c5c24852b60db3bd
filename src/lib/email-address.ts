// What a valid email address is, in one place: contacts, imports, store webhooks,
// accounts, senders, suppressions and test sends all read addresses through it.
//
// Internationalized addresses (RFC 6531) are accepted everywhere: letters beyond ASCII
// in the local part and the domain. The domain is kept as typed (lower-cased, Unicode
// NFC), not punycoded: that is how people recognize their address on a page, and the
// SMTP client writes the domain in punycode on the wire (vendor/worker-mailer).

const MAX_EMAIL_LENGTH = 254;
const MAX_LOCAL_PART_LENGTH = 64;
// RFC 5322 atext (real stores' exports do contain o'brien+shop@…), dot-separated, plus
// letters, marks and digits of any script; never spaces, controls or other symbols.
const LOCAL_PART = /^[\p{L}\p{M}\p{N}!#$%&'*+/=?^_`{|}~-]+(\.[\p{L}\p{M}\p{N}!#$%&'*+/=?^_`{|}~-]+)*$/u;
const DOMAIN_LABEL = /^[\p{L}\p{M}\p{N}]([\p{L}\p{M}\p{N}-]{0,61}[\p{L}\p{M}\p{N}])?$/u;
const TOP_LEVEL_DOMAIN = /^(\p{L}[\p{L}\p{M}]+|xn--[a-z0-9-]+)$/u;

/** The address trimmed, lower-cased and in Unicode NFC, or null when it is not a plausible address. */
export function normalizeEmail(raw: string | null | undefined): string | null {
  if (typeof raw !== 'string') return null;
  // NFC: "é" typed as one character or as e + accent is one address.
  const email = raw.trim().normalize('NFC').toLowerCase();
  if (email.length > MAX_EMAIL_LENGTH) return null;
  const at = email.lastIndexOf('@');
  if (at <= 0 || at > MAX_LOCAL_PART_LENGTH) return null;
  const labels = email.slice(at + 1).split('.');
  if (!LOCAL_PART.test(email.slice(0, at)) || labels.length < 2) return null;
  if (!labels.every((label) => DOMAIN_LABEL.test(label))) return null;
  return TOP_LEVEL_DOMAIN.test(labels[labels.length - 1]!) ? email : null;
}
