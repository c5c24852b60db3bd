import { describe, expect, it } from 'vitest';
import { sniffImage } from '../../src/images/image-format';
import { gifOf, jpegOf, pngOf, webpOf } from './image-bytes';

describe('what an uploaded file really is', () => {
  it('reads PNG, GIF, JPEG and WebP from their bytes, with the size in pixels', () => {
    expect(sniffImage(pngOf(600, 200))).toEqual({ contentType: 'image/png', extension: 'png', width: 600, height: 200 });
    expect(sniffImage(gifOf(32, 16))).toEqual({ contentType: 'image/gif', extension: 'gif', width: 32, height: 16 });
    expect(sniffImage(jpegOf(1200, 630))).toEqual({ contentType: 'image/jpeg', extension: 'jpg', width: 1200, height: 630 });
    expect(sniffImage(webpOf(640, 480))).toEqual({ contentType: 'image/webp', extension: 'webp', width: 640, height: 480 });
  });

  it('refuses SVG, HTML and anything else whatever it is called, and keeps a JPEG whose size it cannot find without one', () => {
    const text = (s: string) => new TextEncoder().encode(s);
    expect(sniffImage(text('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'))).toBeNull();
    expect(sniffImage(text('<!doctype html><script>alert(1)</script>'))).toBeNull();
    expect(sniffImage(text('GIF8'))).toBeNull();
    expect(sniffImage(new Uint8Array([0x89, 0x50, 0x4e, 0x47]))).toBeNull();
    expect(sniffImage(new Uint8Array())).toBeNull();
    // A JPEG of nothing but application segments: the look-up stops after a bounded number of them.
    const segments = Array.from({ length: 500 }, () => [0xff, 0xe1, 0x00, 0x04, 0x00, 0x00]).flat();
    expect(sniffImage(new Uint8Array([0xff, 0xd8, ...segments]))).toEqual({ contentType: 'image/jpeg', extension: 'jpg', width: null, height: null });
    // A segment length pointing past the end ends the look-up too.
    expect(sniffImage(new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0xff, 0xff, 0, 0, 0, 0, 0]))?.width).toBeNull();
  });
});
