// Input of sign-up, log-in and workspace creation, shared by the pages and any API.
import { z } from 'zod';
import { normalizeEmail } from '../lib/email-address';
import { isValidTimeZone } from '../lib/time';
import { COMMON_PASSWORDS } from './common-passwords';

/** An email address, normalized (lib/email-address.ts) so one person is one account, contact or suppression. */
export const Email = z.string().transform((value, ctx) => {
  const email = normalizeEmail(value);
  if (!email) ctx.addIssue({ code: 'custom', message: 'Enter a valid email address' });
  return email ?? z.NEVER;
});

/**
 * A new password: 10 characters or more not counting spaces at either end (ten spaces
 * are no password), not one of the most common passwords, not a character or two
 * repeated. Stored as typed: only the checks ignore the outer spaces and the case.
 */
export const Password = z
  .string()
  .max(200, { message: 'Use at most 200 characters' })
  .superRefine((password, ctx) => {
    const trimmed = password.trim();
    if (trimmed.length < 10) ctx.addIssue({ code: 'custom', message: 'Use at least 10 characters, not counting spaces at the start or end' });
    else if (new Set(trimmed).size < 4) ctx.addIssue({ code: 'custom', message: 'Use more than a few different characters' });
    else if (COMMON_PASSWORDS.has(trimmed.toLowerCase())) ctx.addIssue({ code: 'custom', message: 'This password is one of the most common ones: choose another' });
  });

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

export const ForgotPasswordInput = z.object({ email: Email });

export const ResetPasswordInput = z.object({
  token: z.string().max(500),
  password: Password,
});
