// How a text is billed: its encoding (GSM-7 when every character is in the GSM 03.38
// alphabet, else UCS-2) and its segments. A single segment holds 160 GSM-7 septets or 70
// UCS-2 units; a longer message is split into parts of 153 or 67 (the rest carries the
// header that joins them), and a part never splits a character: a GSM-7 extension
// character (an escape and its septet) or a UCS-2 surrogate pair (an emoji) moves whole
// to the next part. Pure; public/sms-editor.js keeps a copy of these rules for the live count.

/** The GSM 03.38 basic alphabet (one septet each); the escape itself is not a character. */
const GSM_BASIC = new Set('@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà');
/** The extension table: each costs an escape plus its septet. */
const GSM_EXTENSION = new Set('\f^{}\\[~]|€');

export const SMS_ENCODINGS = ['GSM-7', 'UCS-2'] as const;
export type SmsEncoding = (typeof SMS_ENCODINGS)[number];

/** Units per segment: a message alone, and each part of a longer one. */
export const SEGMENT_UNITS: Record<SmsEncoding, { single: number; part: number }> = {
  'GSM-7': { single: 160, part: 153 },
  'UCS-2': { single: 70, part: 67 },
};

/** What a text costs: characters as a person counts them, units in its encoding, and segments. */
export type SmsCount = { characters: number; encoding: SmsEncoding; units: number; segments: number };

/** Whether a character (a code point) can go in a GSM-7 message. */
export function isGsmCharacter(char: string): boolean {
  return GSM_BASIC.has(char) || GSM_EXTENSION.has(char);
}

function unitsOf(char: string, encoding: SmsEncoding): number {
  if (encoding === 'UCS-2') return char.length;
  return GSM_EXTENSION.has(char) ? 2 : 1;
}

/** Counts a text's encoding, units and segments (an empty text is 0 segments). */
export function countSmsSegments(text: string): SmsCount {
  const chars = Array.from(text);
  const encoding: SmsEncoding = chars.every(isGsmCharacter) ? 'GSM-7' : 'UCS-2';
  const costs = chars.map((char) => unitsOf(char, encoding));
  const units = costs.reduce((sum, cost) => sum + cost, 0);
  const { single, part } = SEGMENT_UNITS[encoding];
  if (units <= single) return { characters: chars.length, encoding, units, segments: units ? 1 : 0 };
  let segments = 1;
  let used = 0;
  for (const cost of costs) {
    if (used + cost > part) {
      segments += 1;
      used = 0;
    }
    used += cost;
  }
  return { characters: chars.length, encoding, units, segments };
}

/**
 * When characters outside GSM-7 make a text cost more segments than it would without
 * them, the sentence that says so ("This 😀 makes it UCS-2: 3 segments instead of 1"); else null.
 */
export function describeUcs2Cost(text: string): string | null {
  const count = countSmsSegments(text);
  if (count.encoding === 'GSM-7') return null;
  const culprits = [...new Set(Array.from(text).filter((char) => !isGsmCharacter(char)))];
  const without = countSmsSegments(Array.from(text).filter(isGsmCharacter).join(''));
  if (without.segments >= count.segments) return null;
  const shown = culprits.slice(0, 5).join(' ');
  const subject = culprits.length === 1 ? `This ${shown} makes` : `These characters (${shown}${culprits.length > 5 ? ' …' : ''}) make`;
  return `${subject} it UCS-2: ${count.segments} segments instead of ${without.segments}`;
}

/** The line every marketing text ends with unless its body already tells how to opt out. */
export const SMS_OPT_OUT_LINE = 'Reply STOP to opt out';

/** Whether a body already tells the recipient how to stop (the word STOP, in capitals, on its own). */
export function carriesOptOut(body: string): boolean {
  return /(^|[^A-Za-z])STOP([^A-Za-z]|$)/.test(body);
}

/** The text as it goes out: the body, and the opt-out line on a line of its own unless the body carries it. */
export function withOptOutLine(body: string): string {
  return carriesOptOut(body) ? body : `${body}\n${SMS_OPT_OUT_LINE}`;
}

/** What a body costs as sent: the opt-out line is added unless the body carries STOP. */
export type SmsCost = SmsCount & { optOutAdded: boolean };

/** The cost of a body as written (merge tags counted as typed: names vary by contact). */
export function smsCostOf(body: string): SmsCost {
  return { ...countSmsSegments(withOptOutLine(body)), optOutAdded: !carriesOptOut(body) };
}
