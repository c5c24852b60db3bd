// Identifiers: time-ordered (ULID layout) so keyset pages by id follow creation order.
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A new 26-character, lexicographically time-ordered id (48-bit ms time + 80 random bits). */
export function newId(now = Date.now()): string {
  let time = '';
  let t = now;
  for (let i = 0; i < 10; i++) {
    time = CROCKFORD[t % 32] + time;
    t = Math.floor(t / 32);
  }
  const random = crypto.getRandomValues(new Uint8Array(16));
  let rest = '';
  for (const byte of random) rest += CROCKFORD[byte & 31];
  return time + rest;
}
