// The part of the MetadataStore port that online garbage collection works through.
// Every change of a blob's state is serialized through its `blobs` row:
//  - uploads `reserve` the row before committing bytes and `link` refuses a row that
//    is missing or marked deleting (BlobLinkStore);
//  - a collector `mark`s a blob (unlinking it everywhere) only while no manifest
//    references it and nothing touched it within the grace period, then deletes the
//    bytes, then `forget`s the row. While the mark stands, nothing can link the blob,
//    so no manifest can come to reference bytes that are being deleted.
// docs/gc.md explains why this is safe beside pushes and pulls.

export interface CollectableBlob {
  readonly digest: string;
  readonly size: number;
}

export interface GarbageTotals {
  readonly blobs: number;
  readonly bytes: number;
}

export interface BlobCollectionStore {
  /**
   * Blobs that no manifest in any repository references, not touched since before
   * `cutoff` and not marked, sorted by digest, after `after`, at most `limit`. A read:
   * each still has to survive `mark`.
   */
  unreferenced(cutoff: Date, after: string | undefined, limit: number): Promise<CollectableBlob[]>;
  /** How many blobs `unreferenced` would walk through, and their bytes (for a progress bar, or a dry run). */
  unreferencedTotals(cutoff: Date): Promise<GarbageTotals>;
  /**
   * Step 1, per digest and atomically: when the blob is not marked, was not touched
   * since `cutoff` and no manifest references it, removes its links from every
   * repository and marks it deleting; otherwise leaves it as it is. Durable when it
   * returns (the bytes are deleted next). Returns the digests it marked.
   */
  mark(digests: readonly string[], cutoff: Date): Promise<string[]>;
  /** Blobs marked deleting (a run that stopped between its steps leaves them), sorted, after `after`. */
  marked(after: string | undefined, limit: number): Promise<CollectableBlob[]>;
  /** Step 3: removes the rows of blobs marked deleting whose bytes are gone; returns how many it removed. */
  forget(digests: readonly string[]): Promise<number>;
  /** Which of `digests` have a row (marked or not). */
  known(digests: readonly string[]): Promise<Set<string>>;
  /**
   * Claims bytes that have no row (a crash between committing bytes and linking them)
   * by inserting a row already marked deleting; false when a row exists (someone
   * reserved the digest meanwhile: the bytes are theirs).
   */
  claimOrphan(digest: string, size: number, at: Date): Promise<boolean>;
}
