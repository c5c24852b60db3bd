import { describe, expect, it } from 'vitest';
import { readBoundedText } from '../../src/lib/bounded-body';

const bytes = (text: string) => new TextEncoder().encode(text);

/** A body delivered in the given chunks. */
function chunked(...chunks: Uint8Array[]): Response {
  return new Response(
    new ReadableStream<Uint8Array>({
      start(controller) {
        for (const chunk of chunks) controller.enqueue(chunk);
        controller.close();
      },
    }),
  );
}

describe('readBoundedText', () => {
  it('reads a whole answer, in one chunk or in several with a character split between them', async () => {
    expect(await readBoundedText(new Response('{"sid":"SM1"}'), 64)).toBe('{"sid":"SM1"}');
    const euro = bytes('€');
    expect(await readBoundedText(chunked(bytes('price '), euro.subarray(0, 1), euro.subarray(1), bytes('5')), 64)).toBe('price €5');
    expect(await readBoundedText(new Response(null), 64)).toBe('');
  });

  it('stops at the bound of a server that never stops sending, and cancels the rest', async () => {
    let pulls = 0;
    let cancelled = false;
    const endless = new Response(
      new ReadableStream<Uint8Array>({
        pull(controller) {
          pulls += 1;
          controller.enqueue(bytes('x'.repeat(1000)));
        },
        cancel() {
          cancelled = true;
        },
      }),
    );
    const text = await readBoundedText(endless, 2500);
    expect(text).toBe('x'.repeat(2500));
    expect(cancelled).toBe(true);
    expect(pulls).toBeLessThan(10);
  });
});
