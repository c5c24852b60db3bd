// Tracking tokens: the open pixel's and each click redirect's path segment. A token
// carries everything the hot path needs (workspace, delivery, campaign or flow, the
// tracker shard, when the message was composed and, for a click, the link itself), signed
// with APP_SECRET, so a hit is checked and routed with no D1 lookup. The link is signed
// whole rather than named by an index into a stored link table: the redirect target is
// exactly a URL the rewriter took from the message, and nothing else can be signed.
import { hmacSha256Key } from '../lib/crypto';
import { fromBase64Url, toBase64Url } from '../lib/encoding';

/** What a tracked message is: one delivery of a campaign or flow in a workspace. */
export type TrackedDelivery = { id: string; workspaceId: string; sourceType: string; sourceId: string };

/** What a valid token names. `link` is set on click tokens only. */
export type TrackingHit = TrackedDelivery & { shard: number; sentAt: number; link?: string };

// Trackers per campaign or flow. The shard is written into each token, so changing this
// only affects messages composed afterwards; old tokens keep reaching their shard.
export const TRACKER_SHARDS = 8;
const SIGNATURE_BYTES = 16;
// A field separator no id, source type or URL we sign can contain (URLs are signed last anyway).
const SEP = '\u001f';
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
async function signature(secret: string, payload: Uint8Array): Promise<Uint8Array> {
  const mac = await crypto.subtle.sign('HMAC', await hmacSha256Key(secret), concat(encoder.encode(`track${SEP}`), payload));
  return new Uint8Array(mac, 0, SIGNATURE_BYTES);
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.byteLength + b.byteLength);
  out.set(a);
  out.set(b, a.byteLength);
  return out;
}

/** The tracker shard of a delivery: spreads a large send's hits over TRACKER_SHARDS objects. */
export function shardOf(deliveryId: string): number {
  let hash = 2166136261;
  for (let i = 0; i < deliveryId.length; i++) hash = Math.imul(hash ^ deliveryId.charCodeAt(i), 16777619);
  return (hash >>> 0) % TRACKER_SHARDS;
}

async function signToken(secret: string, fields: string[]): Promise<string> {
  const payload = encoder.encode(fields.join(SEP));
  return `${toBase64Url(payload)}.${toBase64Url(await signature(secret, payload))}`;
}

function baseFields(kind: 'o' | 'c', delivery: TrackedDelivery, sentAt: number): string[] {
  return [kind, delivery.workspaceId, delivery.id, delivery.sourceType, delivery.sourceId, String(shardOf(delivery.id)), String(Math.floor(sentAt / 1000))];
}

/** The open pixel's token of a delivery composed at `sentAt`. */
export function signOpenToken(secret: string, delivery: TrackedDelivery, sentAt: number): Promise<string> {
  return signToken(secret, baseFields('o', delivery, sentAt));
}

/** The redirect token of one link of a delivery's message. */
export function signClickToken(secret: string, delivery: TrackedDelivery, sentAt: number, link: string): Promise<string> {
  return signToken(secret, [...baseFields('c', delivery, sentAt), link]);
}

/**
 * What a token of `kind` names, or null for anything we did not sign: forged, altered,
 * truncated, or a token of the other kind. Callers answer null exactly as an unknown path.
 */
export async function readTrackingToken(secret: string, kind: 'open' | 'click', token: string): Promise<TrackingHit | null> {
  const dot = token.indexOf('.');
  if (dot <= 0 || token.length > 8192) return null;
  let payload: Uint8Array;
  let mac: Uint8Array;
  let text: string;
  try {
    payload = fromBase64Url(token.slice(0, dot));
    mac = fromBase64Url(token.slice(dot + 1));
    text = decoder.decode(payload);
  } catch {
    return null;
  }
  if (mac.byteLength !== SIGNATURE_BYTES) return null;
  const expected = await signature(secret, payload);
  if (!crypto.subtle.timingSafeEqual(mac, expected)) return null;
  // Past the signature the fields are ours; the checks below only guard the token format's evolution.
  const fields = text.split(SEP);
  const [tag, workspaceId, id, sourceType, sourceId, shard, sentAtSeconds] = fields;
  const wantTag = kind === 'open' ? 'o' : 'c';
  if (tag !== wantTag || fields.length !== (kind === 'open' ? 7 : 8) || !workspaceId || !id || !sourceType || !sourceId) return null;
  const hit: TrackingHit = { workspaceId, id, sourceType, sourceId, shard: Number(shard), sentAt: Number(sentAtSeconds) * 1000 };
  if (kind === 'click') hit.link = fields[7];
  return hit;
}
