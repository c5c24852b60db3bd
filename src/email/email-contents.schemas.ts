// Input of email designs (subject, preheader and Liquid HTML).
import { z } from 'zod';
import { Email } from '../accounts/accounts.schemas';

export const EmailContentInput = z
  .object({
    name: z.string().trim().min(1, { message: 'Name the design' }).max(100),
    subject: z.string().trim().min(1, { message: 'Write a subject line' }).max(300),
    preheader: z.preprocess((value) => (typeof value === 'string' && value.trim() === '' ? null : value), z.string().trim().max(300).nullable().default(null)),
    html: z.string().min(1, { message: 'The email has no content' }).max(200_000, { message: 'Keep the HTML under 200 KB (Gmail clips long emails anyway)' }),
  })
  .strict();
export type EmailContentInput = z.infer<typeof EmailContentInput>;

export const EmailContentPatch = EmailContentInput.partial().strict();
export type EmailContentPatch = z.infer<typeof EmailContentPatch>;

export const EmailPreviewInput = EmailContentInput.pick({ subject: true, preheader: true, html: true });

export const TestSendInput = z.object({ to: Email });
