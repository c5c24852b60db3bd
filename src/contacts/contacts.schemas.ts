// Input of the contacts API and dashboard forms, read at the edge.
import { z } from 'zod';
import { Email } from '../accounts/accounts.schemas';
import { BULK_ACTIONS, CONSENT_CHANNELS, CONSENT_STATUSES } from '../db/schema';
import { MAX_TAG_LENGTH, normalizePhone, splitTags } from './contact-fields';
import { CONTACT_SORTS, readContactCursor } from './contact-filter';

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

const consentFilter = blankAsMissing(z.enum(CONSENT_STATUSES, { message: 'Use subscribed, unsubscribed or not_subscribed' }));

/** Which contacts a list, an export or a bulk action is about; see contact-filter.ts. */
export const ContactFilterInput = z.object({
  q: blankAsMissing(z.string().trim().max(100, { message: 'Use at most 100 characters' })),
  tag: blankAsMissing(Tag),
  emailConsent: consentFilter,
  smsConsent: consentFilter,
});
export type ContactFilterInput = z.infer<typeof ContactFilterInput>;

/** Filters, order and keyset page of the contact list. */
export const ContactListQuery = ContactFilterInput.extend({
  limit: z.coerce.number().int().min(1, { message: 'Use 1 to 100' }).max(100, { message: 'Use 1 to 100' }).default(50),
  sort: blankAsMissing(z.enum(CONTACT_SORTS, { message: `Use ${CONTACT_SORTS.join(', ')}` })).default('newest'),
  // The nextCursor of the previous page, made for the same sort.
  cursor: blankAsMissing(z.string().max(400, { message: 'Use the nextCursor of the previous page' })),
}).superRefine((query, ctx) => {
  if (query.cursor && !readContactCursor(query.sort, query.cursor)) ctx.addIssue({ code: 'custom', path: ['cursor'], message: 'Use the nextCursor of the previous page (of the same sort)' });
});
export type ContactListQuery = z.infer<typeof ContactListQuery>;

/** Contacts chosen one by one for a bulk action (at most a page's worth and then some). */
export const MAX_BULK_SELECTION = 500;

/**
 * A bulk action: `tag` and `untag` take `tags`, `unsubscribe` takes `channels`; it applies to
 * the `contactIds` chosen or to every contact of a `filter` (then in the background).
 */
export const BulkActionInput = z
  .object({
    action: z.enum(BULK_ACTIONS, { message: `Use ${BULK_ACTIONS.join(', ')}` }),
    tags: Tags.optional(),
    channels: z
      .array(z.enum(CONSENT_CHANNELS, { message: 'Use email or sms' }))
      .max(2)
      .optional(),
    contactIds: z
      .array(z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, { message: 'Use contact ids' }))
      .min(1, { message: 'Choose at least one contact' })
      .max(MAX_BULK_SELECTION, { message: `Choose at most ${MAX_BULK_SELECTION} contacts, or act on a filter` })
      .optional(),
    filter: ContactFilterInput.strict().optional(),
  })
  .strict()
  .superRefine((input, ctx) => {
    if (!input.contactIds === !input.filter) ctx.addIssue({ code: 'custom', path: ['contactIds'], message: 'Give contactIds or a filter (one of them)' });
    if ((input.action === 'tag' || input.action === 'untag') && !input.tags?.length) ctx.addIssue({ code: 'custom', path: ['tags'], message: 'Enter a tag' });
    if (input.action === 'unsubscribe' && !input.channels?.length) ctx.addIssue({ code: 'custom', path: ['channels'], message: 'Choose email, SMS or both' });
  });
export type BulkActionInput = z.infer<typeof BulkActionInput>;

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

// A form field as a browser sends it: absent, one value, or (repeated) several.
type FormValue = string | File | (string | File)[] | undefined;

function formValues(value: FormValue): string[] {
  return (Array.isArray(value) ? value : value === undefined ? [] : [value]).filter((item): item is string => typeof item === 'string');
}

function formText(value: FormValue): string | undefined {
  const text = formValues(value)[0]?.trim();
  return text ? text : undefined;
}

/**
 * The dashboard's bulk form as BulkActionInput: the ticked contacts (`scope=selected`, the
 * default) or the filter the list shows (`scope=filter`); tags separated by , ; or |.
 */
export function bulkActionOfForm(form: Record<string, FormValue>): unknown {
  const action = formText(form.action);
  const filter = { q: formText(form.q), tag: formText(form.tag), emailConsent: formText(form.emailConsent), smsConsent: formText(form.smsConsent) };
  return {
    action,
    tags: action === 'tag' || action === 'untag' ? splitTags(formText(form.tags), /[,;|]/) : undefined,
    channels: action === 'unsubscribe' ? formValues(form.channels) : undefined,
    ...(formText(form.scope) === 'filter' ? { filter } : { contactIds: formValues(form.ids) }),
  };
}

/** The "I understand" box an erase from the dashboard needs. */
export const EraseConfirmation = z.object({
  confirmErase: z.literal('yes', { message: 'Tick the box to confirm: erased contacts cannot be brought back' }),
});

const checked = (value: FormValue) => formText(value) === 'yes';

/**
 * The dashboard's "Add contact" form read as ContactInput, with the source of the consent
 * given (required when a consent box is ticked, and the channel's address with it).
 */
export const AddContactForm = z
  .preprocess(
    (raw) => {
      const form = raw as Record<string, FormValue>;
      return {
        email: formText(form.email),
        phone: formText(form.phone),
        firstName: formText(form.firstName),
        lastName: formText(form.lastName),
        tags: splitTags(formText(form.tags), /[,;|]/),
        emailConsent: checked(form.emailConsent) ? 'subscribed' : undefined,
        smsConsent: checked(form.smsConsent) ? 'subscribed' : undefined,
        consentSource: formText(form.consentSource),
      };
    },
    ContactFields.extend({ consentSource: z.string().max(100, { message: 'Use at most 100 characters' }).optional() }),
  )
  .superRefine((input, ctx) => {
    if (!input.email && !input.phone) ctx.addIssue({ code: 'custom', path: ['email'], message: 'Enter an email or a phone' });
    if (input.emailConsent && !input.email) ctx.addIssue({ code: 'custom', path: ['email'], message: 'Enter the email they agreed to receive marketing at' });
    if (input.smsConsent && !input.phone) ctx.addIssue({ code: 'custom', path: ['phone'], message: 'Enter the phone they agreed to receive texts at' });
    if ((input.emailConsent || input.smsConsent) && !input.consentSource)
      ctx.addIssue({ code: 'custom', path: ['consentSource'], message: 'Say where they agreed, e.g. "Shop counter sign-up sheet"' });
  });
export type AddContactForm = z.infer<typeof AddContactForm>;
