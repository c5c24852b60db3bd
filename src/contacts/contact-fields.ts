// Normalizing what identifies and describes a contact: phones, consent words and
// tags (emails: lib/email-address.ts). Pure functions, shared by webhooks, the API
// and CSV imports.
import { isSupportedCountry, parsePhoneNumberFromString } from 'libphonenumber-js';
import { CONSENT_STATUSES, type ConsentStatus } from '../db/schema';

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
  const word = (raw ?? '')
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
  if (!word) return undefined;
  if ((CONSENT_STATUSES as readonly string[]).includes(word)) return word as ConsentStatus;
  return CONSENT_WORDS[word] ?? null;
}

/** The longest tag kept, in characters. */
export const MAX_TAG_LENGTH = 64;

/**
 * What makes two tags the same tag: their case is ignored (`VIP` is `vip`). ASCII letters
 * only, exactly as SQLite's lower() folds them, since the database compares tags with it.
 */
export function tagKey(tag: string): string {
  return tag.replace(/[A-Z]/g, (letter) => letter.toLowerCase());
}

/** Trimmed, non-empty tags, each once whatever its case, in its first spelling. */
export function uniqueTags(tags: readonly string[]): string[] {
  const byKey = new Map<string, string>();
  for (const tag of tags.map((raw) => raw.trim()).filter(Boolean)) if (!byKey.has(tagKey(tag))) byKey.set(tagKey(tag), tag);
  return [...byKey.values()];
}

/** Tags from a list written as "a; b | c" (or with other `separators`): trimmed, empty ones dropped, each kept once whatever its case. */
export function splitTags(raw: string | null | undefined, separators: RegExp = /[;|]/): string[] {
  return uniqueTags((raw ?? '').split(separators));
}
