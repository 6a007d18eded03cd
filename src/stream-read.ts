/**
 * The one stream reader: all of a stream as bytes, optionally capped. It listens for `data` and
 * `end` rather than iterating the stream: async iteration destroys the stream when done, which
 * for an HTTP message closes its keep-alive socket.
 */

/**
 * Reads `stream` to its end (binary-safe).
 * @returns the bytes, or null when more than `limit` bytes arrived (the rest is drained, not kept).
 * @throws whatever the stream emits as an error.
 */
export function readAll(stream: NodeJS.ReadableStream, limit = Number.POSITIVE_INFINITY): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    stream.on("data", (chunk: Buffer | string) => {
      const buf = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
      size += buf.length;
      if (size <= limit) chunks.push(buf);
    });
    stream.once("end", () => resolve(size > limit ? null : Buffer.concat(chunks)));
    stream.once("error", reject);
  });
}
