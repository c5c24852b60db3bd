// Telling machines from readers. Some opens and clicks are made by software, not by
// the recipient; they are recorded but counted apart, so the headline figures are
// confirmed opens and clicks.
//
// Machine opens: privacy proxies that fetch every image themselves.
// - Apple Mail Privacy Protection loads remote content through Apple's proxies when a
//   device downloads the message, whether or not anyone reads it. Its requests come from
//   Apple's network (17.0.0.0/8, and Apple's IPv6 blocks 2620:149::/32, 2a01:b740::/32,
//   2403:300::/32) with a bare "Mozilla/5.0" user agent. Such an open never
//   shows a reader, so it is a machine open whenever it happens.
// - Gmail's image proxy ("GoogleImageProxy", via ggpht.com) and Yahoo's ("YahooMailProxy")
//   fetch when the reader opens the message, but also prefetch on arrival: an open from
//   them within PROXY_PREFETCH_MS of sending is a machine open, a later one a reader's.
// Machine clicks: security scanners (mail gateways, Safe Links) follow links as the
// message arrives, and follow every link in a burst.
// - A click within SCANNER_AFTER_SEND_MS of sending is a machine click.
// - Clicks of one delivery on two different links within SCANNER_BURST_MS of each other
//   are all machine clicks (the tracker reclassifies the earlier ones while still unflushed),
//   and so is a click within SCANNER_BURST_MS of a machine click: the scanner is still going.
// A machine click also makes a machine open; a reader's click makes a reader's open.

export const PROXY_PREFETCH_MS = 60_000;
export const SCANNER_AFTER_SEND_MS = 15_000;
export const SCANNER_BURST_MS = 2_000;

/** What a request tells about its sender. */
export type RequestOrigin = { userAgent: string; ip: string };

// The first two groups of Apple's IPv6 blocks, as Cloudflare writes them (lower case, no leading zeros).
const APPLE_IPV6_PREFIXES = ['2620:149:', '2a01:b740:', '2403:300:'];

function isAppleNetwork(ip: string): boolean {
  const address = ip.toLowerCase();
  return address.startsWith('17.') || APPLE_IPV6_PREFIXES.some((prefix) => address.startsWith(prefix));
}

function isAppleProxy({ userAgent, ip }: RequestOrigin): boolean {
  return isAppleNetwork(ip) || userAgent.trim() === 'Mozilla/5.0';
}

function isPrefetchingProxy({ userAgent }: RequestOrigin): boolean {
  return /GoogleImageProxy|YahooMailProxy/i.test(userAgent);
}

/** Whether an open at `at` of a message sent at `sentAt` is a proxy's, not a reader's. */
export function isMachineOpen(origin: RequestOrigin, sentAt: number, at: number): boolean {
  return isAppleProxy(origin) || (isPrefetchingProxy(origin) && at - sentAt < PROXY_PREFETCH_MS);
}

/** Whether a click at `at` came too soon after sending for a person (a scanner at delivery). */
export function isClickAtDelivery(sentAt: number, at: number): boolean {
  return at - sentAt < SCANNER_AFTER_SEND_MS;
}
