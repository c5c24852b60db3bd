// DNS over HTTPS, JSON flavour (`accept: application/dns-json`, as Cloudflare's and
// Google's resolvers answer it): the only code that asks a resolver. A resolver is an
// outside server like any other: its wait is bounded, its answer's size is bounded, and
// whatever it says comes back as data, never as a thrown error.
import { z } from 'zod';
import { readBoundedText } from '../lib/bounded-body';

/** Which resolver to ask and how long to wait. */
export type DohResolver = { url: string; timeoutMs: number };

/** What the resolver said about a name's TXT records. `failed`: no usable answer (down, slow, or not speaking DoH). */
export type TxtLookup = { ok: true; records: string[] } | { ok: false; reason: string };

// A TXT answer of a real domain is a few KB; anything past this is not a DNS answer.
const MAX_ANSWER_BYTES = 64 * 1024;
const MAX_RECORDS = 50;
const TXT_TYPE = 16;
// RFC 8427 / the DoH JSON API: Status is the DNS RCODE (0 NOERROR, 3 NXDOMAIN).
const NOERROR = 0;
const NXDOMAIN = 3;

const DnsJsonAnswer = z.object({
  Status: z.number().int(),
  Answer: z
    .array(z.object({ type: z.number().int(), data: z.string().max(8192) }))
    .max(MAX_RECORDS)
    .optional(),
});

/** `"v=spf1 " "include:x ~all"` (a TXT record's strings, quoted) as the one string they form. */
export function joinTxtStrings(data: string): string {
  const parts = [...data.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((match) => match[1]!.replace(/\\(.)/g, '$1'));
  return parts.length ? parts.join('') : data;
}

/** The TXT records of `name`; an empty list when it has none (or does not exist). */
export async function lookupTxt(resolver: DohResolver, name: string): Promise<TxtLookup> {
  const url = new URL(resolver.url);
  url.searchParams.set('name', name);
  url.searchParams.set('type', 'TXT');
  let text: string;
  try {
    const response = await fetch(url, { headers: { accept: 'application/dns-json' }, signal: AbortSignal.timeout(resolver.timeoutMs), redirect: 'manual' });
    if (!response.ok) {
      await response.body?.cancel();
      return { ok: false, reason: `the resolver answered HTTP ${response.status}` };
    }
    text = await readBoundedText(response, MAX_ANSWER_BYTES + 1);
  } catch (err) {
    return { ok: false, reason: err instanceof Error && err.name === 'TimeoutError' ? 'the resolver did not answer in time' : 'the resolver could not be reached' };
  }
  if (text.length > MAX_ANSWER_BYTES) return { ok: false, reason: 'the resolver’s answer was too large' };
  let parsed: ReturnType<typeof DnsJsonAnswer.safeParse>;
  try {
    parsed = DnsJsonAnswer.safeParse(JSON.parse(text));
  } catch {
    return { ok: false, reason: 'the resolver’s answer was not DNS JSON' };
  }
  if (!parsed.success) return { ok: false, reason: 'the resolver’s answer was not DNS JSON' };
  const { Status, Answer = [] } = parsed.data;
  if (Status === NXDOMAIN) return { ok: true, records: [] };
  if (Status !== NOERROR) return { ok: false, reason: `the resolver answered with DNS error ${Status}` };
  // A CNAME on the way (common for DKIM keys at a provider) comes first; only the TXT data counts.
  return { ok: true, records: Answer.filter((record) => record.type === TXT_TYPE).map((record) => joinTxtStrings(record.data)) };
}
