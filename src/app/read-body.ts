import type { IncomingMessage } from "node:http";

/** A request body, or null when it is larger than `limit` bytes (the caller answers 413). */
export async function readBody(request: IncomingMessage, limit: number): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const data = chunk as Buffer;
    size += data.length;
    if (size > limit) return null;
    chunks.push(data);
  }
  return Buffer.concat(chunks);
}
