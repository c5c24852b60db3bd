// Image files for the tests: a real 1x1 PNG, and headers of each format claiming a given size.

/** A real, decodable 1x1 transparent PNG. */
export const TINY_PNG = Uint8Array.from(atob('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=='), (ch) => ch.charCodeAt(0));

/** TINY_PNG with its header claiming width x height. */
export function pngOf(width: number, height: number): Uint8Array {
  const bytes = TINY_PNG.slice();
  const view = new DataView(bytes.buffer);
  view.setUint32(16, width);
  view.setUint32(20, height);
  return bytes;
}

export function gifOf(width: number, height: number): Uint8Array {
  const bytes = new Uint8Array(32);
  bytes.set(new TextEncoder().encode('GIF89a'));
  new DataView(bytes.buffer).setUint16(6, width, true);
  new DataView(bytes.buffer).setUint16(8, height, true);
  return bytes;
}

/** SOI, an APP0 segment, then a baseline frame header (SOF0) with the size. */
export function jpegOf(width: number, height: number): Uint8Array {
  const app0 = [0xff, 0xe0, 0x00, 0x10, ...new TextEncoder().encode('JFIF\0'), 1, 1, 0, 0, 1, 0, 1, 0, 0];
  const sof = [0xff, 0xc0, 0x00, 0x11, 0x08, height >> 8, height & 0xff, width >> 8, width & 0xff, 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1];
  return new Uint8Array([0xff, 0xd8, ...app0, ...sof, 0xff, 0xd9]);
}

/** A lossy WebP (VP8) header. */
export function webpOf(width: number, height: number): Uint8Array {
  const bytes = new Uint8Array(40);
  const text = new TextEncoder();
  bytes.set(text.encode('RIFF'), 0);
  bytes.set(text.encode('WEBP'), 8);
  bytes.set(text.encode('VP8 '), 12);
  const view = new DataView(bytes.buffer);
  view.setUint32(4, 32, true);
  bytes.set([0x9d, 0x01, 0x2a], 23);
  view.setUint16(26, width, true);
  view.setUint16(28, height, true);
  return bytes;
}
