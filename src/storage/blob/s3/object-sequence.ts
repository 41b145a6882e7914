// Several objects (or the first bytes of each) read one after the other as one
// stream: how the staged segments of an upload are read back for re-hashing. One GET
// is open at a time, so memory stays at one response's buffers.
import { Readable } from 'node:stream';
import type { S3Objects } from './s3-objects.ts';

export interface ObjectSlice {
  readonly key: string;
  /** Bytes to read from the start of the object. */
  readonly size: number;
}

export function readSequence(objects: S3Objects, slices: readonly ObjectSlice[]): Readable {
  async function* chunks(): AsyncGenerator<Buffer> {
    for (const slice of slices) {
      if (slice.size === 0) continue;
      const body = await objects.get(slice.key, { start: 0, end: slice.size - 1 });
      try {
        for await (const chunk of body) yield chunk as Buffer;
      } finally {
        body.destroy();
      }
    }
  }
  return Readable.from(chunks(), { objectMode: false });
}
