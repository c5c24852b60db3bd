// Which SMTP servers a workspace may point the platform at. The host comes from a
// merchant, and the Worker connects to it: without a rule, "Test connection" reaches
// loopback, cloud metadata and private networks and reports what answers there.
// Checked by literal and by well-known names, not by resolving: Workers resolve DNS
// only inside connect(), so a public name that resolves to a private address is not
// caught here (see README, "SMTP hosts the platform refuses").

/** The platform's rule: whether loopback is allowed (local development, tests) and which ports. */
export type SmtpHostPolicy = { allowLoopback: boolean; ports: ReadonlyArray<readonly [number, number]> };

/** Submission ports: implicit TLS, STARTTLS, and the common alternative to 587. */
export const DEFAULT_SMTP_PORTS = '465,587,2525';

/** The policy from the platform's vars: `SMTP_ALLOW_LOOPBACK_HOSTS=true`, `SMTP_ALLOWED_PORTS=465,587,2525,3200-3299`. */
export function smtpHostPolicy(vars: { SMTP_ALLOW_LOOPBACK_HOSTS?: string | undefined; SMTP_ALLOWED_PORTS?: string | undefined }): SmtpHostPolicy {
  const ports = (vars.SMTP_ALLOWED_PORTS?.trim() || DEFAULT_SMTP_PORTS).split(',').flatMap((item) => {
    const [low, high = low] = item.trim().split('-').map(Number);
    return Number.isInteger(low) && Number.isInteger(high) ? [[low!, high!] as const] : [];
  });
  return { allowLoopback: vars.SMTP_ALLOW_LOOPBACK_HOSTS === 'true', ports };
}

const REFUSED = 'This host is not allowed: use your provider’s public SMTP host name, e.g. smtp.yourprovider.com.';

// Names that only mean something inside a network: cloud metadata, mDNS, home and corporate suffixes.
const INTERNAL_SUFFIXES = ['internal', 'local', 'localdomain', 'lan', 'home', 'arpa', 'intranet', 'corp', 'private'];
const LOOPBACK_NAMES = /^(localhost|localhost\.localdomain|([a-z0-9-]+\.)+localhost)$/;

// [first address, prefix length] of IPv4 ranges that are not the public internet (RFC 6890).
const PRIVATE_V4: ReadonlyArray<readonly [string, number]> = [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 3],
];

function v4Number(dotted: string): number {
  return dotted.split('.').reduce((value, part) => value * 256 + Number(part), 0);
}

function inV4Range(address: number, [first, bits]: readonly [string, number]): boolean {
  const size = 2 ** (32 - bits);
  return Math.floor(address / size) === Math.floor(v4Number(first) / size);
}

const isLoopbackV4 = (address: number) => Math.floor(address / 2 ** 24) === 127;

/** The 16 bytes of an IPv6 literal (brackets allowed, embedded IPv4 tail allowed), or null. */
function parseV6(host: string): number[] | null {
  const text = host.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  if (!text.includes(':') || !/^[0-9a-f:.]+$/.test(text)) return null;
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const groups = (part: string) => {
    if (!part) return [];
    const words: number[] = [];
    for (const group of part.split(':')) {
      if (/^\d+\.\d+\.\d+\.\d+$/.test(group)) {
        const v4 = v4Number(group);
        words.push(Math.floor(v4 / 65536), v4 % 65536);
      } else if (/^[0-9a-f]{1,4}$/.test(group)) words.push(Number.parseInt(group, 16));
      else return null;
    }
    return words;
  };
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  if (!head || !tail) return null;
  const missing = 8 - head.length - tail.length;
  if (missing < 0 || (halves.length === 1 && missing !== 0)) return null;
  return [...head, ...new Array(missing).fill(0), ...tail].flatMap((word) => [word >> 8, word & 255]);
}

/** Why an IPv6 address is not a public server: loopback, link-local, unique-local, mapped or embedded IPv4, and the like. */
function v6Class(bytes: number[]): 'loopback' | 'private' | 'public' {
  const zeroes = (from: number, to: number) => bytes.slice(from, to).every((byte) => byte === 0);
  if (zeroes(0, 15) && bytes[15] === 1) return 'loopback';
  // ::ffff:a.b.c.d (mapped), ::a.b.c.d (compatible), 64:ff9b::a.b.c.d (NAT64): judged as the IPv4 inside.
  const mapped = zeroes(0, 10) && ((bytes[10] === 0xff && bytes[11] === 0xff) || (bytes[10] === 0 && bytes[11] === 0));
  const nat64 = bytes[0] === 0 && bytes[1] === 0x64 && bytes[2] === 0xff && bytes[3] === 0x9b && zeroes(4, 12);
  if (mapped || nat64) return v4Class(bytes.slice(12).reduce((value, byte) => value * 256 + byte, 0));
  const first = bytes[0]!;
  // fc00::/7 unique local, fe80::/10 link-local, fec0::/10 site-local, ff00::/8 multicast, 2001:db8::/32 documentation, 2002::/16 6to4.
  if ((first & 0xfe) === 0xfc || first === 0xfe || first === 0xff || zeroes(0, 16)) return 'private';
  if (first === 0x20 && bytes[1] === 0x01 && bytes[2] === 0x0d && bytes[3] === 0xb8) return 'private';
  if (first === 0x20 && bytes[1] === 0x02) return 'private';
  return 'public';
}

function v4Class(address: number): 'loopback' | 'private' | 'public' {
  if (isLoopbackV4(address)) return 'loopback';
  return PRIVATE_V4.some((range) => inV4Range(address, range)) ? 'private' : 'public';
}

const CANONICAL_V4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
// Labels a resolver may read as a number: 2130706433, 0x7f.1, 017700000001, 127.1.
const NUMERIC_LABELS = /^(0x[0-9a-f]*|\d+)(\.(0x[0-9a-f]*|\d+))*\.?$/;

/** What a host is: an IP address's class, a well-known internal name, or a public name. */
export function classifySmtpHost(rawHost: string): 'loopback' | 'private' | 'encoded' | 'public' {
  const host = rawHost.trim().toLowerCase().replace(/\.$/, '');
  const v6 = parseV6(host);
  if (v6) return v6Class(v6);
  if (CANONICAL_V4.test(host)) return v4Class(v4Number(host));
  // Any other all-number spelling is an IP in disguise (or no host at all): never a mail provider's name.
  if (NUMERIC_LABELS.test(host)) return 'encoded';
  if (LOOPBACK_NAMES.test(host)) return 'loopback';
  const labels = host.split('.');
  // A single label resolves through the network's search domains (metadata, redis, db): internal by nature.
  if (labels.length < 2 || /^\d+$/.test(labels.at(-1)!)) return 'private';
  if (INTERNAL_SUFFIXES.some((suffix) => host === suffix || host.endsWith(`.${suffix}`))) return 'private';
  return 'public';
}

/** Whether a host is this machine, where plain SMTP does not cross a network. */
export function isLoopbackSmtpHost(host: string): boolean {
  return classifySmtpHost(host) === 'loopback';
}

/** The sentence saying why the policy refuses this host, or null when it may be used. */
export function smtpHostRefusal(host: string, policy: SmtpHostPolicy): string | null {
  const kind = classifySmtpHost(host);
  if (kind === 'public' || (kind === 'loopback' && policy.allowLoopback)) return null;
  return REFUSED;
}

/** The sentence saying why the policy refuses this port, or null when it may be used. */
export function smtpPortRefusal(port: number, policy: SmtpHostPolicy): string | null {
  if (policy.ports.some(([low, high]) => port >= low && port <= high)) return null;
  return `Use port 465 (TLS), 587 (STARTTLS) or 2525: other ports are not allowed for SMTP servers.`;
}
