// /api/v1/images: the workspace's uploaded images (list with usage and where each is used,
// upload, delete), as Marketing → Images.
import { Hono } from 'hono';
import type { AppEnv } from '../env';
import { requirePermission } from '../http/auth';
import { tenantOf } from '../http/tenant';
import { deleteImage, imageUsage, listImages, MAX_IMAGE_BYTES, MAX_IMAGE_STORAGE_BYTES, MAX_IMAGES_PER_WORKSPACE, uploadImage } from './images.service';
import { readUploadedFile } from '../http/uploaded-file';
import { validate } from '../http/validate';
import { ImageDeleteInput } from './images.schemas';

export const imageApi = new Hono<AppEnv>()
  .get('/', async (c) => {
    const [images, usage] = await Promise.all([listImages(tenantOf(c), c.env), imageUsage(tenantOf(c))]);
    return c.json({ images, usage, limits: { images: MAX_IMAGES_PER_WORKSPACE, bytes: MAX_IMAGE_STORAGE_BYTES, fileBytes: MAX_IMAGE_BYTES } });
  })
  .post('/', requirePermission('designs:write'), async (c) => c.json({ image: await uploadImage(tenantOf(c), c.env, await readUploadedFile(c)) }, 201))
  .delete('/:id', requirePermission('designs:write'), validate('query', ImageDeleteInput), async (c) => {
    await deleteImage(tenantOf(c), c.env, c.req.param('id'), c.req.valid('query'));
    return c.body(null, 204);
  });
