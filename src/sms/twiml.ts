// TwiML, the XML a Twilio webhook answers with to say what to send back.
import { escapeHtml } from '../lib/html';

/** A TwiML document replying with `message` (escaped as XML text), or an empty one sending nothing. */
export function twimlReply(message: string | null): string {
  const body = message === null ? '<Response/>' : `<Response><Message>${escapeHtml(message)}</Message></Response>`;
  return `<?xml version="1.0" encoding="UTF-8"?>${body}`;
}
