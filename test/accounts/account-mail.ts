// Reading account mail (verification, reset) from the local SMTP server and following its link.
import { expect } from 'vitest';
import { ORIGIN } from '../helpers/browser-client';
import { type ReceivedEmail, receivedFor } from '../helpers/smtp-sink';

/** Waits for the message with this subject to an address. */
export async function mailWithSubject(address: string, subject: string): Promise<ReceivedEmail> {
  await expect.poll(async () => (await receivedFor(address)).some((mail) => mail.subject === subject), { timeout: 10_000 }).toBe(true);
  return (await receivedFor(address)).find((mail) => mail.subject === subject)!;
}

/** The path (with query) of the link in a mail's text that starts with `path`, as the app sees it. */
export function linkIn(mail: ReceivedEmail, path: string): string {
  const text = mail.text ?? '';
  const at = text.indexOf(`${ORIGIN}${path}`);
  expect(at, text).toBeGreaterThanOrEqual(0);
  return text.slice(at + ORIGIN.length).split(/\s/)[0]!;
}
