// Images merchants upload for their emails: the bytes in the IMAGES bucket, a row per
// image in D1 (what the workspace has, and its quota), and a public URL that recipients'
// mail clients load. The format is read from the bytes (image-format.ts), never taken
// from the file's name or the browser.
import { desc, eq, sql } from 'drizzle-orm';
import { images } from '../db/schema';
import type { Tenant } from '../db/tenant';
import type { Env } from '../env';
import { randomString } from '../lib/crypto';
import { AppError, invalidField, notFound } from '../lib/errors';
import { newId } from '../lib/ids';
import { publicUrl } from '../lib/public-url';
import { describeImageUse, forgetImageUses, type ImageUse, imageUses } from './design-images';
import { sniffImage } from './image-format';

/** Largest file one upload may be: a hero image for email is a few hundred KB. */
export const MAX_IMAGE_BYTES = 5 * 1024 * 1024;
// What one workspace may keep, so one merchant's uploads never fill the bucket for the others.
export const MAX_IMAGES_PER_WORKSPACE = 500;
export const MAX_IMAGE_STORAGE_BYTES = 250 * 1024 * 1024;
// Larger than any screen an email is read on; a header claiming more is a broken or hostile file.
const MAX_SIDE_PX = 10_000;
const MAX_NAME_LENGTH = 120;

// The public name: 24 characters from the platform's CSPRNG (about 124 bits), so one
// merchant's images cannot be listed by guessing; the extension tells clients the type.
const KEY_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
export const IMAGE_KEY = /^[a-z0-9]{24}\.(png|jpg|gif|webp)$/;

function newKey(extension: string): string {
  return `${randomString(KEY_ALPHABET, 24)}.${extension}`;
}

/** An image as pages and the API show it, with the designs that load it. */
export type ImageView = {
  id: string;
  name: string;
  url: string;
  contentType: string;
  bytes: number;
  width: number | null;
  height: number | null;
  createdAt: number;
  usedIn: ImageUse;
};

const UNUSED: ImageUse = { count: 0, designs: [] };

const imageColumns = {
  id: images.id,
  key: images.key,
  name: images.name,
  contentType: images.contentType,
  bytes: images.bytes,
  width: images.width,
  height: images.height,
  createdAt: images.createdAt,
};
type ImageRow = { [K in keyof typeof imageColumns]: (typeof images.$inferSelect)[K] };

function toView(env: Pick<Env, 'PUBLIC_BASE_URL'>, { key, ...row }: ImageRow, usedIn = UNUSED): ImageView {
  return { ...row, url: publicUrl(env, `/i/${key}`), usedIn };
}

/** The file's name as the merchant will see it: no path, no control characters, bounded. */
function displayName(name: string, extension: string): string {
  const base = (name.split(/[\\/]/).pop() ?? '')
    .replace(/[\p{Cc}\p{Cf}]/gu, '')
    .trim()
    .slice(0, MAX_NAME_LENGTH);
  return base || `image.${extension}`;
}

/** What a workspace keeps now: images and bytes. */
export async function imageUsage(tenant: Tenant): Promise<{ count: number; bytes: number }> {
  const [usage] = await tenant.db
    .select({ count: sql<number>`count(*)`, bytes: sql<number>`coalesce(sum(${images.bytes}), 0)` })
    .from(images)
    .where(tenant.where(images));
  return usage ?? { count: 0, bytes: 0 };
}

/**
 * Stores an uploaded file: 400 naming `file` when it is empty or not a PNG, JPEG, GIF or
 * WebP, 413 over MAX_IMAGE_BYTES, 409 when the workspace's quota is full. The bytes go to
 * the bucket first; the row is inserted only while the quota has room (one statement, so
 * two uploads at once cannot both take the last place), and the object is removed again
 * when it does not.
 */
export async function uploadImage(tenant: Tenant, env: Pick<Env, 'IMAGES' | 'PUBLIC_BASE_URL'>, file: { name: string; bytes: Uint8Array }, now = Date.now()): Promise<ImageView> {
  if (!file.bytes.byteLength) throw invalidField('file', 'Choose an image file to upload.');
  if (file.bytes.byteLength > MAX_IMAGE_BYTES)
    throw new AppError('payload_too_large', `The image is larger than ${MAX_IMAGE_BYTES / 1024 / 1024} MB. Make it smaller and upload it again.`, {
      issues: [{ path: 'file', message: 'Too large.' }],
    });
  const format = sniffImage(file.bytes);
  if (!format) throw invalidField('file', 'This file is not a PNG, JPEG, GIF or WebP image.');
  if ((format.width ?? 0) > MAX_SIDE_PX || (format.height ?? 0) > MAX_SIDE_PX || format.width === 0 || format.height === 0) {
    throw invalidField('file', `The image's size in pixels is broken or over ${MAX_SIDE_PX.toLocaleString('en-US')} on a side.`);
  }
  const row: ImageRow = {
    id: newId(now),
    key: newKey(format.extension),
    name: displayName(file.name, format.extension),
    contentType: format.contentType,
    bytes: file.bytes.byteLength,
    width: format.width,
    height: format.height,
    createdAt: now,
  };
  await env.IMAGES.put(row.key, file.bytes, { httpMetadata: { contentType: format.contentType }, customMetadata: { workspaceId: tenant.workspaceId, imageId: row.id } });
  const values = tenant.row(row);
  const room = tenant.db
    .select({ room: sql`count(*) < ${MAX_IMAGES_PER_WORKSPACE} AND coalesce(sum(${images.bytes}), 0) + ${row.bytes} <= ${MAX_IMAGE_STORAGE_BYTES}` })
    .from(images)
    .where(tenant.where(images));
  const inserted = await removeOnFailure(env, row.key, () =>
    tenant.db.run(sql`INSERT INTO images (id, workspace_id, key, name, content_type, bytes, width, height, created_at)
    SELECT ${values.id}, ${values.workspaceId}, ${values.key}, ${values.name}, ${values.contentType}, ${values.bytes}, ${values.width}, ${values.height}, ${values.createdAt}
    WHERE (${room})`),
  );
  if (!inserted.meta.changes) {
    await env.IMAGES.delete(row.key);
    throw new AppError('conflict', `This workspace keeps up to ${MAX_IMAGES_PER_WORKSPACE} images and ${MAX_IMAGE_STORAGE_BYTES / 1024 / 1024} MB. Delete images you no longer use to upload more.`, {
      issues: [{ path: 'file', message: 'Quota full.' }],
    });
  }
  return toView(env, row);
}

/** `write`'s result; when it fails, the object just stored is removed first, so a D1 fault leaves no bytes that no row names. */
async function removeOnFailure<T>(env: Pick<Env, 'IMAGES'>, key: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    await env.IMAGES.delete(key);
    throw err;
  }
}

/** The workspace's images, newest first (bounded by the quota), each with the designs that use it. */
export async function listImages(tenant: Tenant, env: Pick<Env, 'PUBLIC_BASE_URL'>): Promise<ImageView[]> {
  const [rows, uses] = await Promise.all([tenant.db.select(imageColumns).from(images).where(tenant.where(images)).orderBy(desc(images.createdAt), desc(images.id)), imageUses(tenant)]);
  return rows.map((row) => toView(env, row, uses.get(row.key)));
}

/**
 * Deletes one image, row first (it stops being listed), then its bytes; 404 for another
 * workspace's id. While a design loads it, 409 naming the designs (the emails they send
 * would show a broken image) unless `force`.
 */
export async function deleteImage(tenant: Tenant, env: Pick<Env, 'IMAGES'>, id: string, { force = false } = {}): Promise<void> {
  if (!force) {
    const [image] = await tenant.db
      .select({ key: images.key, name: images.name })
      .from(images)
      .where(tenant.where(images, eq(images.id, id)))
      .limit(1);
    if (!image) throw notFound('Image');
    const use = (await imageUses(tenant, [image.key])).get(image.key);
    if (use) {
      throw new AppError('conflict', `${image.name} is used in ${describeImageUse(use)}: their emails would show a broken image. Remove it from them first, or delete it anyway.`, {
        issues: [{ path: 'force', message: 'The image is in use; set force to delete it anyway.' }],
      });
    }
  }
  const [deleted] = await tenant.db
    .delete(images)
    .where(tenant.where(images, eq(images.id, id)))
    .returning({ key: images.key });
  if (!deleted) throw notFound('Image');
  await Promise.all([env.IMAGES.delete(deleted.key), forgetImageUses(tenant, deleted.key)]);
}
