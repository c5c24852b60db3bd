// Input of SMS messages (the SMS designs: a name and a Liquid body).
import { z } from 'zod';

/** The longest body a message may have: Twilio's limit of a single message (10 segments of GSM-7 at most). */
export const MAX_SMS_BODY = 1600;

export const SmsContentInput = z
  .object({
    name: z.string().trim().min(1, { message: 'Name the message' }).max(100),
    // Browsers post a textarea's line breaks as CRLF; a text carries LF, and each character counts.
    body: z.preprocess(
      (value) => (typeof value === 'string' ? value.replace(/\r\n?/g, '\n') : value),
      z
        .string()
        .refine((body) => body.trim().length > 0, { message: 'Write the message' })
        .refine((body) => Array.from(body).length <= MAX_SMS_BODY, { message: `Keep the message to ${MAX_SMS_BODY} characters` }),
    ),
  })
  .strict();
export type SmsContentInput = z.infer<typeof SmsContentInput>;

export const SmsContentPatch = SmsContentInput.partial().strict();
export type SmsContentPatch = z.infer<typeof SmsContentPatch>;

export const SmsPreviewInput = SmsContentInput.pick({ body: true });
