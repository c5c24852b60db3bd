// The keywords a person texts to a workspace's number, as carriers and Twilio's default
// opt-out handling read them: the whole message, trimmed, in any case.

/** What a keyword asks for: stop texts, start them again, or help. */
export type SmsKeyword = 'opt_out' | 'opt_in' | 'help';

/** Each keyword and what it asks for. */
export const SMS_KEYWORDS: Readonly<Record<string, SmsKeyword>> = {
  STOP: 'opt_out',
  STOPALL: 'opt_out',
  UNSUBSCRIBE: 'opt_out',
  CANCEL: 'opt_out',
  END: 'opt_out',
  QUIT: 'opt_out',
  // Added to Twilio's default opt-out keywords with the FCC's 2025 revocation rules.
  REVOKE: 'opt_out',
  OPTOUT: 'opt_out',
  START: 'opt_in',
  UNSTOP: 'opt_in',
  YES: 'opt_in',
  HELP: 'help',
  INFO: 'help',
};

/** The keyword a message is (upper-cased) and what it asks for, or null when it is anything else ("stop please" is not STOP). */
export function readSmsKeyword(body: string): { word: string; keyword: SmsKeyword } | null {
  const word = body.trim().toUpperCase();
  const keyword = Object.hasOwn(SMS_KEYWORDS, word) ? SMS_KEYWORDS[word] : undefined;
  return keyword ? { word, keyword } : null;
}
