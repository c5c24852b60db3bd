// The mails of the account lifecycle, each with its signed link: verify your address,
// reset your password, and "you already have an account" when someone signs up with an
// address that has one. Composed here, sent by the routes through the platform sender
// (src/email/system-email.ts, which takes this shape), so accounts/ does not depend on email/.
import type { Env } from '../env';
import { publicUrl } from '../lib/public-url';
import { signAccountToken } from './account-tokens';

/** What composing account mail needs of the Worker's env. */
export type AccountMailEnv = Pick<Env, 'APP_SECRET' | 'PUBLIC_BASE_URL'>;

/** One account mail: short paragraphs and the link to follow. */
export type AccountMail = { to: string; subject: string; paragraphs: string[]; action: { label: string; url: string }; footnote: string };

/** A user as these mails need them. */
export type MailedUser = { id: string; email: string; passwordHash: string };

/** "Confirm your address": a link that marks the address verified. */
export async function verificationEmail(env: AccountMailEnv, user: Pick<MailedUser, 'id' | 'email'>, now: number): Promise<AccountMail> {
  const token = await signAccountToken(env.APP_SECRET, 'verify-email', user.id, user.email, now);
  return {
    to: user.email,
    subject: 'Confirm your email address',
    paragraphs: ['Confirm that this is your email address to finish setting up your Edge Marketing account.', 'The link works for 3 days.'],
    action: { label: 'Confirm your email address', url: publicUrl(env, `/verify-email?token=${encodeURIComponent(token)}`) },
    footnote: 'If you did not create an account, you can ignore this email.',
  };
}

/** The button to the reset page: its token covers the current password hash, so it works once. */
async function newPasswordAction(env: AccountMailEnv, user: MailedUser, now: number): Promise<AccountMail['action']> {
  const token = await signAccountToken(env.APP_SECRET, 'password-reset', user.id, user.passwordHash, now);
  return { label: 'Choose a new password', url: publicUrl(env, `/reset-password?token=${encodeURIComponent(token)}`) };
}

/** "Reset your password": a link that works once, for an hour. */
export async function passwordResetEmail(env: AccountMailEnv, user: MailedUser, now: number): Promise<AccountMail> {
  return {
    to: user.email,
    subject: 'Reset your password',
    paragraphs: ['Someone (we hope you) asked to reset the password of your Edge Marketing account.', 'The link works once, for one hour. Resetting signs you out everywhere else.'],
    action: await newPasswordAction(env, user, now),
    footnote: 'If you did not ask for this, ignore this email: your password stays as it is.',
  };
}

/** Told to the owner of an address instead of telling the sign-up form that it is taken. */
export async function alreadyRegisteredEmail(env: AccountMailEnv, user: MailedUser, now: number): Promise<AccountMail> {
  return {
    to: user.email,
    subject: 'You already have an account',
    paragraphs: [
      'Someone tried to create an Edge Marketing account with this email address, which already has one.',
      `If it was you, log in at ${publicUrl(env, '/login')}, or choose a new password with the link below (it works once, for one hour).`,
    ],
    action: await newPasswordAction(env, user, now),
    footnote: 'If it was not you, ignore this email: nothing has changed.',
  };
}
