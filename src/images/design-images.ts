// Where each uploaded image is used: the workspace's image keys a design's HTML loads
// (/i/<key>), written in the same batch as the design, read by Marketing → Images and
// before a delete.
import { eq, sql } from 'drizzle-orm';
import type { Statement } from '../db/client';
import { contents, designImages, images } from '../db/schema';
import type { Tenant } from '../db/tenant';

// An image's public path as images.service.ts names it; any host, since a design may
// have been written against another address of the same Worker.
const IMAGE_PATH = /\/i\/([a-z0-9]{24}\.(?:png|jpg|gif|webp))/g;

// Keys looked at per design: twice what a workspace may hold (MAX_IMAGES_PER_WORKSPACE), so
// a design stuffed with made-up addresses costs a few statements, never thousands.
const MAX_KEYS_PER_DESIGN = 1_000;

/** The distinct image keys an HTML loads, in the order they first appear (at most MAX_KEYS_PER_DESIGN). */
export function imageKeysIn(html: string): string[] {
  const keys = new Set<string>();
  for (const match of html.matchAll(IMAGE_PATH)) {
    keys.add(match[1]!);
    if (keys.size >= MAX_KEYS_PER_DESIGN) break;
  }
  return [...keys];
}

/** Statements that make the design's recorded images those of the workspace its HTML loads now. */
export function recordDesignImages(tenant: Tenant, contentId: string, html: string): Statement[] {
  return [
    tenant.db.delete(designImages).where(tenant.where(designImages, eq(designImages.contentId, contentId))),
    ...tenant.insertMany(
      designImages,
      ['image_key', 'content_id'],
      imageKeysIn(html).map((key) => [key, contentId]),
      // Only the workspace's own images: another's public address, or a made-up one, is no use of ours.
      sql`AND json_extract(value, '$[0]') IN (SELECT ${images.key} FROM ${images} WHERE ${tenant.where(images)}) ON CONFLICT DO NOTHING`,
    ),
  ];
}

/** After an image is deleted: no design uses it any more. */
export async function forgetImageUses(tenant: Tenant, key: string): Promise<void> {
  await tenant.db.delete(designImages).where(tenant.where(designImages, eq(designImages.imageKey, key)));
}

/** Names of the designs using an image: the first few by name, and how many in all. */
export type ImageUse = { count: number; designs: { id: string; name: string }[] };

// Designs named per image; the count says how many more there are.
const NAMED_DESIGNS = 3;

/** Per image key of the workspace's designs, who uses it (keys nobody uses are absent). */
export async function imageUses(tenant: Tenant, keys?: string[]): Promise<Map<string, ImageUse>> {
  const only = keys ? sql`AND ${designImages.imageKey} IN (SELECT value FROM json_each(${JSON.stringify(keys)}))` : sql``;
  const rows = await tenant.db.all<{ image_key: string; content_id: string; name: string; n: number }>(sql`
    SELECT image_key, content_id, name, n FROM (
      SELECT ${designImages.imageKey} AS image_key, ${designImages.contentId} AS content_id, ${contents.name} AS name,
        row_number() OVER (PARTITION BY ${designImages.imageKey} ORDER BY ${contents.name}, ${contents.id}) AS rank,
        count(*) OVER (PARTITION BY ${designImages.imageKey}) AS n
      FROM ${designImages} JOIN ${contents} ON ${contents.id} = ${designImages.contentId}
      WHERE ${tenant.where(designImages)} ${only}
    ) WHERE rank <= ${NAMED_DESIGNS} ORDER BY image_key, rank`);
  const uses = new Map<string, ImageUse>();
  for (const row of rows) {
    const use = uses.get(row.image_key) ?? { count: row.n, designs: [] };
    use.designs.push({ id: row.content_id, name: row.name });
    uses.set(row.image_key, use);
  }
  return uses;
}

/** "1 design (Welcome)", "5 designs (Announcement, Sale, Welcome and 2 more)". */
export function describeImageUse(use: ImageUse): string {
  const names = use.designs.map((design) => design.name);
  const more = use.count - names.length;
  const listed = more > 0 ? `${names.join(', ')} and ${more} more` : names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names.at(-1)}` : (names[0] ?? '');
  return `${use.count} ${use.count === 1 ? 'design' : 'designs'} (${listed})`;
}
