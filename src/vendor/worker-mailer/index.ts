// worker-mailer 1.2.1 (MIT, by zou-yu), vendored and rewritten: see CHANGES.md for
// each change and why. The product talks to it only through src/channels/email.ts.
export { UnsafeHeaderError } from './header-encoding';
export type { MailMessage, Mailbox } from './mime';
export { SmtpError, SmtpSession, type SmtpErrorKind, type SmtpReply, type SmtpSecurity, type SmtpSessionOptions, type SmtpTimeouts } from './smtp-session';
