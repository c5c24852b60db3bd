// What an uploaded file really is, from its first bytes rather than its name or the
// browser's Content-Type (both are the uploader's word): PNG, JPEG, GIF or WebP, with
// the size in pixels read from the header. Anything else, SVG included (it can carry
// script), is not an image we store.

export type ImageFormat = { contentType: 'image/png' | 'image/jpeg' | 'image/gif' | 'image/webp'; extension: 'png' | 'jpg' | 'gif' | 'webp'; width: number | null; height: number | null };

const startsWith = (bytes: Uint8Array, at: number, signature: number[]) => signature.every((byte, i) => bytes[at + i] === byte);
const ascii = (text: string) => [...text].map((ch) => ch.charCodeAt(0));

// JPEG start-of-frame markers carry the size (C4, C8 and CC are other segments).
const SOF_MARKERS = new Set([0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf]);
// Segments looked at before giving up on a JPEG's size: a real file reaches its frame header in a few.
const MAX_JPEG_SEGMENTS = 64;

function jpegSize(bytes: Uint8Array, view: DataView): { width: number; height: number } | null {
  let at = 2;
  for (let segment = 0; segment < MAX_JPEG_SEGMENTS && at + 9 <= bytes.length; segment++) {
    if (bytes[at] !== 0xff) return null;
    const marker = bytes[at + 1]!;
    if (marker === 0xff) {
      at += 1; // fill byte
      continue;
    }
    if (SOF_MARKERS.has(marker)) return { height: view.getUint16(at + 5), width: view.getUint16(at + 7) };
    at += 2 + view.getUint16(at + 2);
  }
  return null;
}

function webpSize(bytes: Uint8Array, view: DataView): { width: number; height: number } | null {
  if (bytes.length < 30) return null;
  if (startsWith(bytes, 12, ascii('VP8 '))) return { width: view.getUint16(26, true) & 0x3fff, height: view.getUint16(28, true) & 0x3fff };
  if (startsWith(bytes, 12, ascii('VP8L'))) {
    const bits = view.getUint32(21, true);
    return { width: (bits & 0x3fff) + 1, height: ((bits >> 14) & 0x3fff) + 1 };
  }
  if (startsWith(bytes, 12, ascii('VP8X'))) {
    const u24 = (at: number) => bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16);
    return { width: u24(24) + 1, height: u24(27) + 1 };
  }
  return null;
}

/** The file's format and size in pixels (null when its header does not say), or null when it is none of ours. */
export function sniffImage(bytes: Uint8Array): ImageFormat | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length >= 24 && startsWith(bytes, 0, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) {
    return { contentType: 'image/png', extension: 'png', width: view.getUint32(16), height: view.getUint32(20) };
  }
  if (bytes.length >= 10 && (startsWith(bytes, 0, ascii('GIF87a')) || startsWith(bytes, 0, ascii('GIF89a')))) {
    return { contentType: 'image/gif', extension: 'gif', width: view.getUint16(6, true), height: view.getUint16(8, true) };
  }
  if (bytes.length >= 4 && startsWith(bytes, 0, [0xff, 0xd8, 0xff])) {
    const size = jpegSize(bytes, view);
    return { contentType: 'image/jpeg', extension: 'jpg', width: size?.width ?? null, height: size?.height ?? null };
  }
  if (bytes.length >= 16 && startsWith(bytes, 0, ascii('RIFF')) && startsWith(bytes, 8, ascii('WEBP'))) {
    const size = webpSize(bytes, view);
    return { contentType: 'image/webp', extension: 'webp', width: size?.width ?? null, height: size?.height ?? null };
  }
  return null;
}
