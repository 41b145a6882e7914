// The staged bytes of an upload, as a listing of its segment objects shows them, and
// the pure decisions the S3 driver takes on them: what an append at an offset must
// remove and reopen, and which byte ranges of which segments make up the blob.
import { MAX_PARTS, MIN_PART_BYTES } from './part-size.ts';

export interface Segment {
  readonly key: string;
  /** Offset of the segment's first byte in the upload. */
  readonly start: number;
  readonly size: number;
  readonly modifiedAt: Date;
}

export interface Staging {
  /** The segments that follow each other from offset 0 without a gap. */
  readonly segments: readonly Segment[];
  /** Bytes staged: the end of the last contiguous segment. */
  readonly size: number;
  /** Segments past a gap or overlapping another: leftovers of a write that failed. */
  readonly stray: readonly Segment[];
}

/** Orders listed segments and separates the contiguous run from offset 0 from the rest. */
export function stagingOf(listed: readonly Segment[]): Staging {
  const sorted = [...listed].sort((a, b) => a.start - b.start);
  const segments: Segment[] = [];
  const stray: Segment[] = [];
  let size = 0;
  for (const segment of sorted) {
    if (segment.start === size) {
      segments.push(segment);
      size += segment.size;
    } else {
      stray.push(segment);
    }
  }
  return { segments, size, stray };
}

export interface Reopen {
  readonly segment: Segment;
  /** Its position in the upload, which decides its target size. */
  readonly index: number;
  /** How many of its bytes stay: the new segment begins with them. */
  readonly keep: number;
  /**
   * True when the segment runs past the append's offset and must be rewritten even if
   * no byte follows (that is how the staged tail is cut); false when it is merely
   * short of its target size and grows only if data comes.
   */
  readonly cut: boolean;
}

export interface AppendPlan {
  /** Segments to delete before writing: everything at or past the offset, and strays. */
  readonly remove: readonly Segment[];
  /** The segment the append continues, if any. */
  readonly reopen?: Reopen;
  /** Where a new segment starts when none is reopened, and its index. */
  readonly start: number;
  readonly index: number;
}

/**
 * What an append at `offset` does to the staged segments. Staged bytes at or past the
 * offset are discarded (a chunk that failed half way leaves no trace); the last segment
 * left is reopened when the offset cuts it or when it is smaller than its target size,
 * so that every segment but the last stays a valid multipart part.
 */
export function planAppend(staging: Staging, offset: number, targetSize: (index: number) => number): AppendPlan {
  if (offset > staging.size) throw new RangeError(`offset ${offset} is past the staged size ${staging.size}`);
  const kept = staging.segments.filter((segment) => segment.start < offset);
  const remove = [...staging.segments.filter((segment) => segment.start >= offset), ...staging.stray];
  const last = kept.at(-1);
  const index = kept.length - 1;
  if (last) {
    const end = last.start + last.size;
    if (end > offset) return { remove, reopen: { segment: last, index, keep: offset - last.start, cut: true }, start: offset, index: kept.length };
    if (last.size < targetSize(index)) return { remove, reopen: { segment: last, index, keep: last.size, cut: false }, start: offset, index: kept.length };
  }
  return { remove, start: offset, index: kept.length };
}

export interface Piece {
  readonly key: string;
  /** Bytes of the segment to take, from its start. */
  readonly size: number;
  /** True when the piece is the whole segment object. */
  readonly whole: boolean;
}

/**
 * The pieces of segments that make up the first `length` staged bytes, in order: the
 * parts of the blob's multipart upload. Every piece but the last is a whole segment of
 * at least S3's minimum part size, which the append plan guarantees; a staging area
 * that breaks the rule (written by something else) is refused rather than sent to S3.
 */
export function planCommit(staging: Staging, length: number): Piece[] {
  if (length > staging.size) throw new RangeError(`cannot commit ${length} bytes: ${staging.size} are staged`);
  const pieces: Piece[] = [];
  for (const segment of staging.segments) {
    if (segment.start >= length) break;
    const size = Math.min(segment.size, length - segment.start);
    pieces.push({ key: segment.key, size, whole: size === segment.size });
  }
  if (pieces.length > MAX_PARTS) throw new RangeError(`${pieces.length} segments are more than the ${MAX_PARTS} parts S3 allows`);
  const small = pieces.slice(0, -1).find((piece) => piece.size < MIN_PART_BYTES);
  if (small) throw new RangeError(`segment ${small.key} of ${small.size} bytes is smaller than an S3 part may be`);
  return pieces;
}
