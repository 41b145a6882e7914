// How big the S3 driver's pieces are. A staged upload is a row of segment objects
// that commit turns into the parts of one multipart upload (one UploadPartCopy each),
// so segment sizes must obey S3's part rules: at least 5 MiB except the last, at most
// 5 GiB, and at most 10,000 of them.
//
// A registry client rarely says how big a blob will be (docker streams a layer in one
// chunked PATCH), so the size of segment n grows with n: 8 MiB for the first thousand
// (8 GiB), then doubling every thousand. 10,000 segments then hold more than S3's
// 5 TiB object limit, and a 100 GiB layer needs about 3,700. When the size is declared
// (a monolithic PUT, a PATCH with Content-Length), segments are at least 1/9,000 of
// it, so even a schedule that started small stays under the limit.
//
// Memory does not grow with segment size: a segment larger than one buffer is written
// as its own multipart upload of buffer-sized parts (at most two buffers per append).

const MiB = 1024 * 1024;

/** S3's smallest part (all but the last part of a multipart upload). */
export const MIN_PART_BYTES = 5 * MiB;
/** S3's largest part, and the largest single CopyObject. */
export const MAX_PART_BYTES = 5 * 1024 * MiB;
/** S3's most parts in one multipart upload. */
export const MAX_PARTS = 10_000;
/**
 * The size of a part buffer: an append in progress holds at most two (one filling while
 * the other uploads), and it is also the part size of a segment written as a multipart
 * upload (so it must be >= MIN_PART_BYTES).
 */
export const PART_BUFFER_BYTES = 8 * MiB;

const FIRST_SEGMENT_BYTES = 8 * MiB;
const SEGMENTS_PER_DOUBLING = 1_000;
/** With a declared size, aim for this many segments: room below MAX_PARTS for a schedule that started small. */
const DECLARED_SEGMENTS = 9_000;

/**
 * The size of segment `index` (0-based) of an upload. `declaredTotal` is a lower
 * bound of the blob's final size when the client declared one.
 */
export function segmentSize(index: number, declaredTotal?: number): number {
  if (!Number.isSafeInteger(index) || index < 0) throw new RangeError(`bad segment index ${index}`);
  const doublings = Math.min(Math.floor(index / SEGMENTS_PER_DOUBLING), 30);
  let size = FIRST_SEGMENT_BYTES * 2 ** doublings;
  if (declaredTotal !== undefined && declaredTotal > 0) {
    size = Math.max(size, Math.ceil(declaredTotal / DECLARED_SEGMENTS / MiB) * MiB);
  }
  return Math.min(size, MAX_PART_BYTES);
}
