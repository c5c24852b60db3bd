// Marketing → Images (mounted at /app/marketing/images): the list, uploads from the page's
// form and from the email editor (which asks for JSON), and deletes.
import { type Context, Hono } from 'hono';
import { ImagesPage } from '../dashboard/pages/images-page';
import { renderAppPage } from '../dashboard/render';
import type { AppEnv } from '../env';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { requirePermission } from '../http/auth';
import { codeToStatus } from '../http/errors';
import { tenantOf } from '../http/tenant';
import { AppError } from '../lib/errors';
import { getWorkspace } from '../workspaces/workspaces.service';
import { roleAllows } from '../workspaces/roles';
import { deleteImage, type ImageView, imageUsage, listImages, MAX_IMAGE_BYTES, MAX_IMAGE_STORAGE_BYTES, MAX_IMAGES_PER_WORKSPACE, uploadImage } from './images.service';
import { readUploadedFile } from '../http/uploaded-file';
import { readForm } from '../dashboard/forms';
import { parseOrThrow } from '../http/validate';
import { ImageDeleteInput } from './images.schemas';

const LIMITS = { count: MAX_IMAGES_PER_WORKSPACE, bytes: MAX_IMAGE_STORAGE_BYTES, fileBytes: MAX_IMAGE_BYTES };
const NOTICES: Record<string, string> = { uploaded: 'Image uploaded.', deleted: 'Image deleted.' };

async function renderImagesPage(c: Context<AppEnv>, props: { notice?: string | undefined; error?: string | undefined; inUse?: { id: string; message: string } }, status: ContentfulStatusCode = 200) {
  const tenant = tenantOf(c);
  const [images, usage, workspace] = await Promise.all([listImages(tenant, c.env), imageUsage(tenant), getWorkspace(tenant)]);
  const canWrite = roleAllows(c.get('role'), 'designs:write');
  const body = <ImagesPage images={images} usage={usage} limits={LIMITS} timeZone={workspace.timeZone} csrfToken={c.get('csrfToken')} canWrite={canWrite} {...props} />;
  return renderAppPage(c, { title: 'Images', section: 'marketing', body }, status);
}

// The editor's asset manager sends `Accept: application/json` and reads GrapesJS's `{ data: [...] }`.
const assetOf = (image: ImageView) => ({ src: image.url, name: image.name, width: image.width, height: image.height });
const wantsJson = (c: Context<AppEnv>) => (c.req.header('accept') ?? '').includes('application/json');

export const imageRoutes = new Hono<AppEnv>()
  .get('/', (c) => renderImagesPage(c, { notice: NOTICES[c.req.query('done') ?? ''] }))
  // The editor's picker: every image of the workspace, as GrapesJS's asset manager lists them.
  .get('/assets', async (c) => c.json({ data: (await listImages(tenantOf(c), c.env)).map(assetOf) }))
  .post('/', requirePermission('designs:write'), async (c) => {
    try {
      const image = await uploadImage(tenantOf(c), c.env, await readUploadedFile(c));
      if (wantsJson(c)) return c.json({ data: [assetOf(image)], image }, 201);
      return c.redirect('/app/marketing/images?done=uploaded', 303);
    } catch (err) {
      // JSON callers get the API's error body from the app's handler; the page shows the sentence.
      if (wantsJson(c) || !(err instanceof AppError)) throw err;
      return renderImagesPage(c, { error: err.message }, codeToStatus(err.code));
    }
  })
  .post('/:id/delete', requirePermission('designs:write'), async (c) => {
    const id = c.req.param('id');
    try {
      await deleteImage(tenantOf(c), c.env, id, parseOrThrow(ImageDeleteInput, await readForm(c)));
      return c.redirect('/app/marketing/images?done=deleted', 303);
    } catch (err) {
      // In use: the page says by which designs, with the button that deletes it anyway.
      if (!(err instanceof AppError) || err.code !== 'conflict') throw err;
      return renderImagesPage(c, { inUse: { id, message: err.message } }, 409);
    }
  });
