// Marketing → Images: what the workspace has uploaded for its emails, each with its
// public address to copy, the upload form, and what is left of the quota.
import type { ImageUse } from '../../images/design-images';
import type { ImageView } from '../../images/images.service';
import { formatInZone } from '../../lib/time';
import { EmptyState, FileUploadForm, Notice, PostButton, TableHead } from '../components';
import { MarketingHeader } from './section-pages';

/** "70 B", "12 KB", "1.5 MB", "250 MB". */
function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  const mb = bytes / 1024 / 1024;
  return `${mb < 10 ? Number(mb.toFixed(1)) : Math.round(mb)} MB`;
}
const sizeOf = (image: ImageView) => (image.width && image.height ? `${image.width} × ${image.height} px, ` : '');

/** The designs that load an image, linked; "No design" when none does. */
function UsedIn({ use }: { use: ImageUse }) {
  if (!use.count) return <span class="muted">No design</span>;
  const more = use.count - use.designs.length;
  return (
    <>
      {use.designs.map((design, i) => (
        <>
          {i ? ', ' : ''}
          <a href={`/app/marketing/designs/${design.id}`}>{design.name}</a>
        </>
      ))}
      {more > 0 ? ` and ${more} more` : ''}
    </>
  );
}

export function ImagesPage(props: {
  images: ImageView[];
  usage: { count: number; bytes: number };
  limits: { count: number; bytes: number; fileBytes: number };
  timeZone: string;
  csrfToken: string;
  canWrite: boolean;
  notice?: string | undefined;
  error?: string | undefined;
  // A delete refused because designs use the image: what it would break, and the way to go ahead.
  inUse?: { id: string; message: string } | undefined;
}) {
  const { images, usage, limits, csrfToken, inUse } = props;
  return (
    <>
      <MarketingHeader current="images" />
      {props.notice ? <Notice tone="success">{props.notice}</Notice> : null}
      {props.error ? <Notice tone="error">{props.error}</Notice> : null}
      {inUse ? (
        <Notice tone="warning">
          <p data-image-in-use>{inUse.message}</p>
          <PostButton action={`/app/marketing/images/${inUse.id}/delete`} csrfToken={csrfToken} label="Delete anyway" tone="danger" fields={{ force: 'true' }} />
        </Notice>
      ) : null}
      {props.canWrite ? (
        <section class="card" aria-labelledby="upload-image-heading">
          <h2 id="upload-image-heading">Upload an image</h2>
          <p class="muted">
            PNG, JPEG, GIF or WebP, up to {formatBytes(limits.fileBytes)}. Each image gets a public address your emails load it from; in the email editor, select an image and choose "Upload image" to
            upload and place one in a single step.
          </p>
          <FileUploadForm action="/app/marketing/images" csrfToken={csrfToken} id="field-image-file" label="Image file" accept="image/png,image/jpeg,image/gif,image/webp" submitLabel="Upload" />
        </section>
      ) : null}
      <p class="muted" id="image-usage">
        {`${usage.count} of ${limits.count} images, ${formatBytes(usage.bytes)} of ${formatBytes(limits.bytes)} used.`}
      </p>
      {images.length ? (
        <table class="table">
          <TableHead columns={[{ label: 'Preview', hidden: true }, 'Name', 'Address', 'Size', 'Used in', 'Uploaded', { label: 'Actions', hidden: true }]} />
          <tbody>
            {images.map((image) => (
              <tr>
                <td data-label="Preview">
                  <img src={image.url} alt="" width="64" height="64" loading="lazy" class="image-thumb" />
                </td>
                <td data-label="Name">{image.name}</td>
                <td data-label="Address">
                  <input type="text" readonly value={image.url} aria-label={`Address of ${image.name}`} class="copy-field" />
                </td>
                <td data-label="Size">{`${sizeOf(image)}${formatBytes(image.bytes)}`}</td>
                <td data-label="Used in" data-image-used-in={image.usedIn.count}>
                  <UsedIn use={image.usedIn} />
                </td>
                <td data-label="Uploaded">{formatInZone(image.createdAt, props.timeZone)}</td>
                <td data-label="Actions">
                  {props.canWrite ? (
                    <PostButton
                      action={`/app/marketing/images/${image.id}/delete`}
                      csrfToken={csrfToken}
                      label="Delete"
                      tone="danger"
                      // An image in use is refused with the designs named, so only an unused one asks here.
                      confirm={image.usedIn.count ? undefined : `Delete ${image.name}? Emails already sent with it will show a broken image.`}
                    />
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <EmptyState title="No images yet">
          <p>Images you upload for your emails (logos, banners, product shots) are listed here with the address to use them by.</p>
        </EmptyState>
      )}
    </>
  );
}
