// The pure decisions of garbage collection: what is old enough, which listed bytes are
// orphans worth claiming, how a run's counts add up, and when a collector must stop
// because its run lease may have passed to another collector.
import type { StoredBlob } from '../storage/blob/blob-store.ts';

/** What a collection run did (or, in a dry run, would do). */
export interface GcSummary {
  readonly dryRun: boolean;
  readonly gracePeriodSeconds: number;
  /** Unreferenced blobs whose bytes and rows were removed (in a dry run: would be). */
  readonly blobsReclaimed: number;
  readonly bytesReclaimed: number;
  /** Bytes in the blob store that had no row (a crash between storing bytes and linking them). */
  readonly orphansReclaimed: number;
  readonly orphanBytesReclaimed: number;
  /** Blobs a previous run had marked and not finished (it stopped between its steps). */
  readonly leftoversFinished: number;
  /** Candidates that a push, mount or pull touched or referenced before they could be marked: kept. */
  readonly blobsKept: number;
  readonly durationMs: number;
  /** Why the run stopped early (shutdown, or the run lease could not be renewed); absent when it finished. */
  readonly stoppedEarly?: string;
}

export type GcPhase = 'leftovers' | 'sweep' | 'orphans';

/** Progress of a run, reported after every batch. */
export interface GcProgress {
  readonly phase: GcPhase;
  /** Blobs (or, for orphans, stored objects) looked at so far in this phase. */
  readonly done: number;
  /** How many the phase expects to look at, when known beforehand. */
  readonly total?: number;
  readonly bytesReclaimed: number;
}

/** The time before which a blob must have been made or last used to be collected. */
export function collectionCutoff(now: Date, gracePeriodSeconds: number): Date {
  return new Date(now.getTime() - Math.max(0, gracePeriodSeconds) * 1000);
}

/**
 * Stored bytes that may be orphans: older than the cutoff (an upload in progress
 * committed its bytes after reserving a row, so fresh bytes without a row belong to
 * nobody yet only briefly) and without a row. Each must still be claimed atomically.
 */
export function orphanCandidates(listed: readonly StoredBlob[], known: ReadonlySet<string>, cutoff: Date): StoredBlob[] {
  return listed.filter((blob) => blob.modifiedAt.getTime() < cutoff.getTime() && !known.has(blob.digest));
}

/** An empty summary to add a run's counts to. */
export function emptySummary(dryRun: boolean, gracePeriodSeconds: number): GcSummary {
  return {
    dryRun,
    gracePeriodSeconds,
    blobsReclaimed: 0,
    bytesReclaimed: 0,
    orphansReclaimed: 0,
    orphanBytesReclaimed: 0,
    leftoversFinished: 0,
    blobsKept: 0,
    durationMs: 0,
  };
}

/** Every byte a run reclaimed, whatever phase found it. */
export function totalBytesReclaimed(summary: GcSummary): number {
  return summary.bytesReclaimed + summary.orphanBytesReclaimed;
}

/**
 * Whether a collector holding a run lease until `heldUntil` may still delete bytes at
 * `now`: only while a safety margin of the lease remains, so that the delete reaches the
 * blob store before the lease could pass to another collector (which would start by
 * finishing this one's marks, and might let an upload store the digest afresh).
 */
export function leaseStillSafe(heldUntil: number, now: number, marginMs: number): boolean {
  return now < heldUntil - marginMs;
}
