// Normalizing what identifies and describes a contact: emails, phones, consent
// words and tags. Pure functions, shared by webhooks, the API and CSV imports.
import { isSupportedCountry, parsePhoneNumberFromString } from 'libphonenumber-js';
import { CONSENT_STATUSES, type ConsentStatus } from '../db/schema';

const MAX_EMAIL_LENGTH = 254;
const MAX_LOCAL_PART_LENGTH = 64;
// RFC 5322 atext (which real stores' exports do contain, e.g. o'brien+shop@…), dot-separated;
// letters beyond ASCII too, as internationalized mail (RFC 6531) allows.
const LOCAL_PART = /^[a-z0-9!#$%&'*+/=?^_`{|}~\u00a1-\uffff-]+(\.[a-z0-9!#$%&'*+/=?^_`{|}~\u00a1-\uffff-]+)*$/;
// Letters beyond ASCII are allowed: internationalized domains arrive unencoded from forms.
const DOMAIN_LABEL = /^[a-z0-9\u00a1-\uffff]([a-z0-9\u00a1-\uffff-]{0,61}[a-z0-9\u00a1-\uffff])?$/;
const TOP_LEVEL_DOMAIN = /^([a-z\u00a1-\uffff]{2,}|xn--[a-z0-9-]+)$/;

/** Normalized email (trimmed, lower-cased) or null when not a plausible address. */
export function normalizeEmail(raw: string | null | undefined): string | null {
  if (typeof raw !== 'string') return null;
  const email = raw.trim().toLowerCase();
  if (email.length > MAX_EMAIL_LENGTH) return null;
  const at = email.lastIndexOf('@');
  if (at <= 0 || at > MAX_LOCAL_PART_LENGTH) return null;
  const local = email.slice(0, at);
  const labels = email.slice(at + 1).split('.');
  if (!LOCAL_PART.test(local) || labels.length < 2) return null;
  if (!labels.every((label) => DOMAIN_LABEL.test(label))) return null;
  return TOP_LEVEL_DOMAIN.test(labels[labels.length - 1]!) ? email : null;
}

/** E.164 phone or null; `defaultCountry` (ISO 3166 alpha-2) helps numbers written without +. */
export function normalizePhone(raw: string | null | undefined, defaultCountry?: string | null): string | null {
  if (typeof raw !== 'string' || !raw.trim()) return null;
  const country = defaultCountry?.trim().toUpperCase();
  const phone = parsePhoneNumberFromString(raw.trim(), country && isSupportedCountry(country) ? country : undefined);
  // A number that cannot be valid anywhere would only bounce at Twilio later.
  return phone?.isValid() ? phone.number : null;
}

// What spreadsheets and store exports write in a consent column.
const CONSENT_WORDS: Record<string, ConsentStatus> = {
  yes: 'subscribed',
  true: 'subscribed',
  y: 'subscribed',
  '1': 'subscribed',
  // "No" says the person never agreed, not that they opted out (Shopify's export writes "no" for both).
  no: 'not_subscribed',
  false: 'not_subscribed',
  n: 'not_subscribed',
  '0': 'not_subscribed',
};

/** A consent status from a status name or a yes/no word; undefined when empty, null when unreadable. */
export function readConsentValue(raw: string | null | undefined): ConsentStatus | null | undefined {
  const word = (raw ?? '').trim().toLowerCase().replace(/[\s-]+/g, '_');
  if (!word) return undefined;
  if ((CONSENT_STATUSES as readonly string[]).includes(word)) return word as ConsentStatus;
  return CONSENT_WORDS[word] ?? null;
}

/** The longest tag kept, in characters. */
export const MAX_TAG_LENGTH = 64;

/** Tags from a list written as "a; b | c": trimmed, empty ones dropped, each kept once. */
export function splitTags(raw: string | null | undefined): string[] {
  return [...new Set((raw ?? '').split(/[;|]/).map((tag) => tag.trim()).filter(Boolean))];
}
