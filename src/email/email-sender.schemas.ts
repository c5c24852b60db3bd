// Input of Settings → Email sender.
import { z } from 'zod';
import { Email } from '../accounts/accounts.schemas';
import { SMTP_SECURITY } from '../db/schema';
import { blankAsMissing as blank, SendRatePerSecond } from '../deliveries/send-rate.schemas';
import { SenderName } from '../workspaces/workspaces.schemas';

export const EmailSenderInput = z.object({
  host: z
    .string()
    .trim()
    .min(1, { message: 'Enter the SMTP server, e.g. smtp.yourprovider.com' })
    .max(253)
    .regex(/^[A-Za-z0-9.-]+$/, { message: 'Enter a host name, without smtp:// or a port' }),
  port: z.coerce
    .number({ message: 'Enter a port number' })
    .int()
    .min(1)
    .max(65535)
    .refine((port) => port !== 25, { message: 'Port 25 is blocked for outgoing connections: use 465 (TLS) or 587 (STARTTLS)' }),
  security: z.enum(SMTP_SECURITY, { message: 'Choose TLS, STARTTLS or none' }),
  username: z.preprocess(blank, z.string().trim().max(254).optional()),
  // Left blank on an edit, the stored password is kept (for the same host, port and username only).
  password: z.preprocess(blank, z.string().max(500).optional()),
  // Security "none" to a server not on this machine: "I understand the password travels in clear" (a checkbox, or true).
  acceptPlaintext: z.preprocess((value) => value === true || value === 'true' || value === 'on', z.boolean()),
  // The same field as the workspace's sender name (Settings → Workspace).
  fromName: z.preprocess(blank, SenderName.optional()),
  fromEmail: Email,
  // Blank: no limit of ours (the provider's own limits still apply).
  sendRatePerSecond: SendRatePerSecond,
});
export type EmailSenderInput = z.infer<typeof EmailSenderInput>;

export const TestEmailInput = z.object({ to: Email });

/** The domain check's form: a DKIM selector the merchant's provider gave (blank: the common ones are tried). */
export const DomainCheckInput = z.object({
  dkimSelector: z.preprocess(
    (value) => (typeof value === 'string' ? value.trim().toLowerCase() : value),
    z
      .string()
      .max(63, { message: 'A selector is at most 63 characters' })
      .regex(/^(?:[a-z0-9][a-z0-9_-]*)?$/, { message: 'A selector is letters, digits, - and _, like "google" or "s1"' })
      .optional(),
  ),
});
export type DomainCheckInput = z.infer<typeof DomainCheckInput>;
