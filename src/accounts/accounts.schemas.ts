// Input of sign-up, log-in and workspace creation, shared by the pages and any API.
import { z } from 'zod';
import { normalizeEmail } from '../lib/email-address';
import { isValidTimeZone } from '../lib/time';

/** An email address, normalized (lib/email-address.ts) so one person is one account, contact or suppression. */
export const Email = z.string().transform((value, ctx) => {
  const email = normalizeEmail(value);
  if (!email) ctx.addIssue({ code: 'custom', message: 'Enter a valid email address' });
  return email ?? z.NEVER;
});

export const Password = z.string().min(10, { message: 'Use at least 10 characters' }).max(200, { message: 'Use at most 200 characters' });

/**
 * One line of text, trimmed, for anything that can reach an email header (names above
 * all): CR, LF and every other control character are refused, not cleaned, so what is
 * saved is what was typed. Add the length limit where it is used.
 */
export const SingleLineText = z
  .string()
  .regex(/^[^\u0000-\u001F\u007F-\u009F\u2028\u2029]*$/, { message: 'Use one line of text, without line breaks or control characters' })
  .trim();

// The workspace name is the sender's display name when no sender name is set.
export const WorkspaceName = SingleLineText.min(1, { message: 'Enter a name' }).max(80, { message: 'Use at most 80 characters' });

export const TimeZone = z.string().trim().refine(isValidTimeZone, { message: 'Choose a valid time zone' });

export const SignUpInput = z.object({
  email: Email,
  password: Password,
  workspaceName: WorkspaceName,
  timeZone: TimeZone.default('UTC'),
});
export type SignUpInput = z.infer<typeof SignUpInput>;

export const LogInInput = z.object({
  email: Email,
  // Any length is checked against the hash; the limits apply only when choosing one.
  password: z.string().min(1, { message: 'Enter your password' }).max(200),
});
export type LogInInput = z.infer<typeof LogInInput>;
