// Sends a byte range of a blob to the response from positional reads, alternating
// two buffers: one is being read into while the other is being written to the
// socket, and a buffer is reused only after the socket has taken its bytes.
import type { ServerResponse } from 'node:http';
import type { ByteRange, RandomAccessBlob } from '../../storage/blob/blob-store.ts';

const CHUNK_BYTES = 1024 * 1024;

export async function sendRange(blob: RandomAccessBlob, range: ByteRange, res: ServerResponse, signal: AbortSignal): Promise<void> {
  const total = range.end - range.start + 1;
  const size = Math.min(CHUNK_BYTES, total);
  const buffers = [Buffer.allocUnsafeSlow(size), Buffer.allocUnsafeSlow(size)];
  let position = range.start;
  let current = 0;
  let flushed: Promise<void> = Promise.resolve();
  try {
    while (position <= range.end) {
      signal.throwIfAborted();
      const buffer = buffers[current]!;
      const wanted = Math.min(size, range.end - position + 1);
      const read = await blob.read(buffer, wanted, position);
      if (read === 0) throw new Error(`blob ended at ${position}, before the ${range.end + 1} bytes it should have`);
      await flushed; // the socket has taken the other buffer's bytes
      flushed = write(res, read === size ? buffer : buffer.subarray(0, read));
      // Awaited on the next turn; a client that leaves meanwhile must not be an unhandled rejection.
      flushed.catch(() => undefined);
      position += read;
      current ^= 1;
    }
    await flushed;
    res.end();
  } finally {
    await blob.close();
  }
}

function write(res: ServerResponse, chunk: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    res.write(chunk, (error) => (error ? reject(error) : resolve()));
  });
}
