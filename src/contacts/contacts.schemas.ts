// Input of the contacts API and dashboard forms, read at the edge.
import { z } from 'zod';
import { Email } from '../accounts/accounts.schemas';
import { CONSENT_STATUSES } from '../db/schema';
import { MAX_TAG_LENGTH, normalizePhone, splitTags } from './contact-fields';

/** A phone number in international format, stored as E.164. */
export const E164Phone = z.string().transform((value, ctx) => {
  const phone = normalizePhone(value);
  if (!phone) ctx.addIssue({ code: 'custom', message: 'Enter a valid phone number in international format, e.g. +14155550123' });
  return phone ?? z.NEVER;
});

// Digits with the usual separators, as people write a number of their own country.
const NATIONAL_NUMBER = /^\(?\d[\d ().-]{4,24}$/;

/**
 * A contact's phone: E.164 when it names its country; a national number ("(415) 555-0123")
 * is kept as written for the service to read in the workspace's default country.
 */
export const ContactPhone = z.string().transform((value, ctx) => {
  const phone = normalizePhone(value);
  if (phone) return phone;
  if (NATIONAL_NUMBER.test(value.trim())) return value.trim();
  ctx.addIssue({ code: 'custom', message: 'Enter a valid phone number in international format, e.g. +14155550123' });
  return z.NEVER;
});

/** A tag as people type it: trimmed, 1 to 64 characters. */
export const Tag = z
  .string()
  .trim()
  .min(1, { message: 'Enter a tag' })
  .max(MAX_TAG_LENGTH, { message: `Use at most ${MAX_TAG_LENGTH} characters` });

const Tags = z.array(Tag).max(50, { message: 'Use at most 50 tags' });

/** A consent status of one channel. */
export const ConsentInput = z.enum(CONSENT_STATUSES, { message: 'Use subscribed, unsubscribed or not_subscribed' });

// An empty string clears a text field, like null.
const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max, { message: `Use at most ${max} characters` })
    .transform((value) => value || null)
    .nullable()
    .optional();

const ContactFields = z
  .object({
    email: Email.optional(),
    phone: ContactPhone.nullable().optional(),
    firstName: optionalText(100),
    lastName: optionalText(100),
    externalId: optionalText(100),
    registered: z.boolean().optional(),
    emailConsent: ConsentInput.optional(),
    smsConsent: ConsentInput.optional(),
    tags: Tags.optional(),
  })
  .strict();

/** A contact created through the API: identified by an email, a phone, or both. */
export const ContactInput = ContactFields.refine((input) => input.email || input.phone, {
  message: 'Give an email or a phone',
  path: ['email'],
});
export type ContactInput = z.infer<typeof ContactInput>;

/** A change through the API: only the fields sent change; null clears a text field (the phone only while an email remains); `tags` replaces the tags. */
export const ContactPatch = ContactFields.partial().strict();
export type ContactPatch = z.infer<typeof ContactPatch>;

/** Tags to add to a contact. */
export const TagsInput = z.object({ tags: Tags.min(1, { message: 'Send at least one tag' }) }).strict();
export type TagsInput = z.infer<typeof TagsInput>;

// An empty query parameter (a search form sent with a field left blank) means "not set".
const blankAsMissing = <S extends z.ZodType>(schema: S) => z.preprocess((value) => (value === '' ? undefined : value), schema.optional());

/** Filters and keyset page of the contact list. */
export const ContactListQuery = z.object({
  limit: z.coerce.number().int().min(1, { message: 'Use 1 to 100' }).max(100, { message: 'Use 1 to 100' }).default(50),
  // The id of the last contact of the previous page (ids are ULIDs).
  cursor: blankAsMissing(z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, { message: 'Use the nextCursor of the previous page' })),
  q: blankAsMissing(z.string().trim().max(100, { message: 'Use at most 100 characters' })),
  tag: blankAsMissing(Tag),
});
export type ContactListQuery = z.infer<typeof ContactListQuery>;

/** Query of POST /contacts/imports. */
export const ImportFileQuery = z.object({
  fileName: z.string().trim().min(1).max(200, { message: 'Use at most 200 characters' }).optional(),
});

/** Query of GET /contacts/imports/:id: rejections after this line. */
export const ImportReportQuery = z.object({
  afterLine: z.coerce.number().int().min(0, { message: 'Use a line number' }).optional(),
});

/** The dashboard's add-tags field: one or more tags separated by ; or |. */
export const TagForm = z.object({
  tag: z
    .string()
    .default('')
    .transform((raw) => splitTags(raw))
    .pipe(z.array(Tag).min(1, { message: 'Enter a tag' }).max(50, { message: 'Use at most 50 tags' })),
});
