// Commit's last step: the blob object is made from the staged segments inside S3,
// with no byte passing through the registry. One whole segment is a CopyObject;
// anything else is a multipart upload whose parts are server-side copies of the
// segments (the last one possibly cut short), completed at once: the blob appears
// whole or not at all.
import { forEachLimited, type S3Objects } from './s3-objects.ts';
import type { Piece } from './staging-plan.ts';

/** Part copies in flight at once for one commit. */
const COPY_CONCURRENCY = 4;

export async function assembleBlob(objects: S3Objects, key: string, pieces: readonly Piece[]): Promise<void> {
  const [first] = pieces;
  if (!first) return objects.put(key, Buffer.alloc(0));
  if (pieces.length === 1 && first.whole) return objects.copy(first.key, key);
  const uploadId = await objects.createMultipart(key);
  try {
    const parts = new Array<Awaited<ReturnType<S3Objects['copyPart']>>>(pieces.length);
    await forEachLimited(pieces, COPY_CONCURRENCY, async (piece, index) => {
      parts[index] = await objects.copyPart(key, uploadId, index + 1, piece.key, piece.whole ? undefined : { start: 0, end: piece.size - 1 });
    });
    await objects.completeMultipart(key, uploadId, parts);
  } catch (error) {
    await objects.abortMultipart(key, uploadId);
    throw error;
  }
}
