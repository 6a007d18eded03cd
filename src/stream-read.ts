/** The one stream reader: all of a stream as bytes, optionally capped. */

/**
 * Reads `stream` to its end (binary-safe).
 * @returns the bytes, or null when more than `limit` bytes arrived (the rest is drained, not kept).
 * @throws whatever the stream emits as an error.
 */
export async function readAll(stream: AsyncIterable<unknown>, limit = Number.POSITIVE_INFINITY): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buf = typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer);
    size += buf.length;
    if (size <= limit) chunks.push(buf);
  }
  return size > limit ? null : Buffer.concat(chunks);
}
