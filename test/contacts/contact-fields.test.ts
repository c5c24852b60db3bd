import { describe, expect, it } from 'vitest';
import { normalizePhone, readConsentValue, splitTags, tagKey, uniqueTags } from '../../src/contacts/contact-fields';

describe('normalizePhone', () => {
  it('writes numbers in E.164', () => {
    expect(normalizePhone('+1 (415) 555-0123')).toBe('+14155550123');
    expect(normalizePhone('+44 7911 123456')).toBe('+447911123456');
    expect(normalizePhone('+33 6 12 34 56 78')).toBe('+33612345678');
  });

  it('uses the default country for numbers written without +', () => {
    expect(normalizePhone('07911 123456', 'GB')).toBe('+447911123456');
    expect(normalizePhone('06 12 34 56 78', 'fr')).toBe('+33612345678');
    expect(normalizePhone('(415) 555-0123', 'US')).toBe('+14155550123');
  });

  it('refuses numbers that cannot be valid, and national numbers without a country', () => {
    expect(normalizePhone('07911 123456')).toBeNull();
    expect(normalizePhone('07911 123456', 'XX')).toBeNull();
    // Ofcom's range for drama: well-formed, but no phone will ever answer.
    expect(normalizePhone('+44 7700 900123')).toBeNull();
    expect(normalizePhone('+1 555')).toBeNull();
    expect(normalizePhone('call me')).toBeNull();
    expect(normalizePhone('')).toBeNull();
    expect(normalizePhone(null)).toBeNull();
  });
});

describe('readConsentValue', () => {
  it('reads status names and yes/no words', () => {
    expect(readConsentValue('subscribed')).toBe('subscribed');
    expect(readConsentValue(' Not Subscribed ')).toBe('not_subscribed');
    expect(readConsentValue('not-subscribed')).toBe('not_subscribed');
    expect(readConsentValue('UNSUBSCRIBED')).toBe('unsubscribed');
    expect(readConsentValue('Yes')).toBe('subscribed');
    expect(readConsentValue('true')).toBe('subscribed');
    expect(readConsentValue('no')).toBe('not_subscribed');
    expect(readConsentValue('FALSE')).toBe('not_subscribed');
  });

  it('tells an empty cell (no change) from an unreadable one', () => {
    expect(readConsentValue('')).toBeUndefined();
    expect(readConsentValue('  ')).toBeUndefined();
    expect(readConsentValue('maybe')).toBeNull();
  });
});

describe('splitTags', () => {
  it('splits on ; and |, trims, and drops empty and repeated tags', () => {
    expect(splitTags(' vip ; wholesale|vip||  ')).toEqual(['vip', 'wholesale']);
    expect(splitTags('')).toEqual([]);
  });
});

describe('uniqueTags', () => {
  it('keeps each tag once whatever its case, in its first spelling, folding ASCII letters as SQLite lower() does', () => {
    expect(uniqueTags([' VIP ', 'vip', 'Newsletter', '', 'NEWSLETTER', 'Ärger', 'ärger'])).toEqual(['VIP', 'Newsletter', 'Ärger', 'ärger']);
    expect(tagKey('VIP-Ärger')).toBe('vip-Ärger');
  });
});
