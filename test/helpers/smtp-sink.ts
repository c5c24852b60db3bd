// Reading what the local SMTP server (test/global/smtp-sink.mjs) received.
import { env } from 'cloudflare:workers';
import { expect } from 'vitest';

/** The local SMTP server's port (vitest.config.ts's TEST_PORT_BASE). */
export const SMTP_PORT = env.TEST_PORT_BASE;
const API = `http://127.0.0.1:${SMTP_PORT + 1}/messages`;

/** A message as the SMTP server parsed it (mailparser). */
export type ReceivedEmail = {
  connectionId: string;
  envelope: { from: string; to: string[] };
  from: string;
  to: string;
  replyTo: string | null;
  subject: string;
  headers: Record<string, string>;
  html: string | null;
  text: string | null;
  rawHeaders: string;
};

/** The messages received for an address so far. */
export async function receivedFor(address: string): Promise<ReceivedEmail[]> {
  return (await fetch(`${API}?to=${encodeURIComponent(address)}`)).json();
}

/** Waits for the first message to an address. */
export async function waitForEmail(address: string): Promise<ReceivedEmail> {
  await expect.poll(async () => (await receivedFor(address)).length, { timeout: 10_000 }).toBeGreaterThan(0);
  return (await receivedFor(address))[0]!;
}
