// Reading an answer from a server we do not control, without letting it make us read forever.

// Stateless between calls (no `stream` option), so one serves every answer.
const utf8 = new TextDecoder();

/** The body as text, at most `maxBytes` of it (a longer body is cut there, so JSON in it no longer parses). */
export async function readBoundedText(response: Response, maxBytes: number): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
    if (size >= maxBytes) {
      // The rest is never read: the server may be sending forever.
      await reader.cancel().catch(() => undefined);
      break;
    }
  }
  // Most answers arrive in one chunk: decoded where they lie.
  let bytes = chunks[0] ?? new Uint8Array(0);
  if (chunks.length > 1) {
    bytes = new Uint8Array(size);
    let offset = 0;
    for (const chunk of chunks) {
      bytes.set(chunk, offset);
      offset += chunk.byteLength;
    }
  }
  return utf8.decode(bytes.subarray(0, maxBytes));
}
