// Input of Settings → SMS and /api/v1/sms-sender: the workspace's Twilio account, its
// sender, quiet hours and SMS click window. The same schema reads the form and JSON.
import { isSupportedCountry } from 'libphonenumber-js';
import { z } from 'zod';
import { E164Phone } from '../contacts/contacts.schemas';
import { blankAsMissing as blank, SendRatePerSecond } from '../deliveries/send-rate.schemas';

/** A number in E.164 as typed: "+" and digits only, nothing to guess. */
const E164 = z
  .string()
  .trim()
  .regex(/^\+[1-9]\d{6,14}$/, { message: 'Enter the number in international format (E.164), e.g. +14155550123' });

/** A time of day "HH:MM" as minutes after midnight, or null for "off" (blank, "off", or null in JSON). */
const TimeOfDay = z.preprocess(
  (value) => (value === null || (typeof value === 'string' && ['', 'off'].includes(value.trim().toLowerCase())) ? null : value),
  z
    .string({ message: 'Enter a time as HH:MM (e.g. 21:00), or null for none' })
    .trim()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/, { message: 'Enter a time as HH:MM (e.g. 21:00), or leave empty for none' })
    .transform((value) => Number(value.slice(0, 2)) * 60 + Number(value.slice(3, 5)))
    .nullable(),
);

export const SmsSenderInput = z
  .object({
    accountSid: z
      .string()
      .trim()
      .regex(/^AC[0-9a-fA-F]{32}$/, { message: 'Enter the Account SID from the Twilio Console: AC followed by 32 hexadecimal characters' }),
    // Write-only; left empty on an edit, the stored one is kept (for the same Account SID only).
    authToken: z.preprocess(
      blank,
      z
        .string()
        .trim()
        .regex(/^[0-9a-zA-Z]{16,128}$/, { message: 'Enter the Auth Token from the Twilio Console (letters and digits, no spaces)' })
        .optional(),
    ),
    fromNumber: z.preprocess(blank, E164.optional()),
    messagingServiceSid: z.preprocess(
      blank,
      z
        .string()
        .trim()
        .regex(/^MG[0-9a-fA-F]{32}$/, { message: 'Enter the Messaging Service SID: MG followed by 32 hexadecimal characters' })
        .optional(),
    ),
    // The answer to HELP; empty: a sentence naming the workspace.
    helpText: z.preprocess(blank, z.string().trim().max(160, { message: 'Keep the HELP answer to one text: at most 160 characters' }).optional()),
    defaultCountry: z.preprocess(
      blank,
      z
        .string()
        .trim()
        .toUpperCase()
        .refine((code) => /^[A-Z]{2}$/.test(code) && isSupportedCountry(code), { message: 'Enter a two-letter country code (ISO 3166), e.g. US, GB, FR' })
        .optional(),
    ),
    // Blank: what the sender allows by default (a number 1 a second, a Messaging Service 10).
    sendRatePerSecond: SendRatePerSecond,
    quietHoursStart: TimeOfDay,
    quietHoursEnd: TimeOfDay,
    // How long after a click on a text's link an order is credited to it.
    clickWindowDays: z.preprocess(
      (value) => (typeof value === 'string' && value.trim() !== '' ? Number(value) : value),
      z.number({ message: 'Enter a number of days' }).int({ message: 'Enter a whole number of days' }).min(1, { message: 'Use at least 1 day' }).max(30, { message: 'Use at most 30 days' }),
    ),
  })
  .superRefine((input, ctx) => {
    if (Boolean(input.fromNumber) === Boolean(input.messagingServiceSid))
      ctx.addIssue({ code: 'custom', path: ['fromNumber'], message: 'Enter either a From number or a Messaging Service SID (exactly one)' });
    if ((input.quietHoursStart === null) !== (input.quietHoursEnd === null))
      ctx.addIssue({ code: 'custom', path: [input.quietHoursStart === null ? 'quietHoursStart' : 'quietHoursEnd'], message: 'Give both ends of the quiet hours, or leave both empty for none' });
  });
export type SmsSenderInput = z.infer<typeof SmsSenderInput>;

/** "Send test SMS": a number in international format. */
export const TestSmsInput = z.object({ to: E164Phone });
