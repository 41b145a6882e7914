// One garbage collection run over a deployment's two stores, beside a running registry.
// Per blob, three steps that each leave a state the next run understands:
//   1. mark (metadata, durable): unlink everywhere and mark deleting, only while no
//      manifest references the blob and nothing touched it within the grace period;
//      from then on no upload, mount or push can link it;
//   2. delete the bytes (blob store);
//   3. forget the row.
// A run starts by finishing the marks a crashed run left (steps 2 and 3), and ends by
// claiming orphan bytes (stored, but without a row) older than the grace period.
// The caller holds the run lease (run-lease.ts); the collector checks it before every
// batch of deletes. Nothing here knows HTTP or metrics: the run returns its summary.
import { parseDigest, isDigest } from '../model/digest.ts';
import type { BlobStore, StoredBlob } from '../storage/blob/blob-store.ts';
import type { CollectableBlob } from '../storage/meta/blob-collection-store.ts';
import type { MetadataStore } from '../storage/meta/metadata-store.ts';
import { collectionCutoff, emptySummary, orphanCandidates, type GcProgress, type GcSummary } from './gc-plan.ts';

export interface CollectOptions {
  readonly metadata: MetadataStore;
  readonly blobs: BlobStore;
  readonly gracePeriodSeconds: number;
  /** Count what would be reclaimed, change nothing. */
  readonly dryRun?: boolean;
  /** False once the run lease may have passed on: the run stops before deleting more. Not consulted in a dry run. */
  readonly mayDelete?: () => boolean;
  readonly onProgress?: (progress: GcProgress) => void;
  /** Stops the run between batches (server shutdown). */
  readonly signal?: AbortSignal;
  readonly now?: () => Date;
  /** Only finish the marks a crashed run left (uploads of those digests wait for it), nothing else. */
  readonly leftoversOnly?: boolean;
  /** Blobs per metadata batch (default 100). */
  readonly batchSize?: number;
  /** Blob store deletes in flight at once (default 8: S3 deletes are round trips). */
  readonly concurrency?: number;
}

class StopRun extends Error {}

export async function collectGarbage(options: CollectOptions): Promise<GcSummary> {
  const now = options.now ?? (() => new Date());
  const started = Date.now();
  const batchSize = options.batchSize ?? 100;
  const dryRun = options.dryRun ?? false;
  const { metadata, blobs } = options;
  const gc = metadata.blobCollection;
  // One cutoff for the whole run: whatever was touched after the run started is kept.
  const cutoff = collectionCutoff(now(), options.gracePeriodSeconds);
  let summary: { -readonly [K in keyof GcSummary]: GcSummary[K] } = emptySummary(dryRun, options.gracePeriodSeconds);

  const checkpoint = (): void => {
    if (options.signal?.aborted) throw new StopRun('stopped');
    if (!dryRun && options.mayDelete && !options.mayDelete()) throw new StopRun('the run lease could not be renewed');
  };
  const deleteBytes = async (items: readonly CollectableBlob[]): Promise<void> => {
    await forEachLimited(items, options.concurrency ?? 8, async (item) => {
      const digest = parseDigest(item.digest);
      // A row names a digest the registry verified; anything else has no bytes to delete.
      if (isDigest(digest)) await blobs.delete(digest);
    });
  };

  try {
    // Marks a crashed run left: their links are gone already; finish steps 2 and 3.
    if (!dryRun) {
      for (let after: string | undefined; ; ) {
        checkpoint();
        const marked = await gc.marked(after, batchSize);
        if (marked.length === 0) break;
        after = marked[marked.length - 1]!.digest;
        await deleteBytes(marked);
        await gc.forget(marked.map((item) => item.digest));
        summary.leftoversFinished += marked.length;
        options.onProgress?.({ phase: 'leftovers', done: summary.leftoversFinished, bytesReclaimed: summary.bytesReclaimed });
      }
    }
    if (options.leftoversOnly) {
      summary.durationMs = Date.now() - started;
      return summary;
    }

    const totals = await gc.unreferencedTotals(cutoff);
    if (dryRun) {
      summary.blobsReclaimed = totals.blobs;
      summary.bytesReclaimed = totals.bytes;
      options.onProgress?.({ phase: 'sweep', done: totals.blobs, total: totals.blobs, bytesReclaimed: totals.bytes });
    } else {
      let seen = 0;
      for (let after: string | undefined; ; ) {
        checkpoint();
        const page = await gc.unreferenced(cutoff, after, batchSize);
        if (page.length === 0) break;
        after = page[page.length - 1]!.digest;
        const marked = new Set(await gc.mark(page.map((item) => item.digest), cutoff));
        const doomed = page.filter((item) => marked.has(item.digest));
        // The marks are durable; should the lease have lapsed meanwhile, the next run finishes them.
        checkpoint();
        await deleteBytes(doomed);
        await gc.forget(doomed.map((item) => item.digest));
        seen += page.length;
        summary.blobsReclaimed += doomed.length;
        summary.bytesReclaimed += doomed.reduce((sum, item) => sum + item.size, 0);
        summary.blobsKept += page.length - doomed.length;
        options.onProgress?.({ phase: 'sweep', done: seen, total: Math.max(totals.blobs, seen), bytesReclaimed: summary.bytesReclaimed });
      }
    }

    let listed = 0;
    let batch: StoredBlob[] = [];
    const orphans = async (): Promise<void> => {
      checkpoint();
      const known = await gc.known(batch.map((blob) => blob.digest));
      for (const orphan of orphanCandidates(batch, known, cutoff)) {
        if (!dryRun) {
          // Claimed only when still without a row: an upload reserving it now owns the bytes.
          if (!(await gc.claimOrphan(orphan.digest, orphan.size, now()))) continue;
          checkpoint();
          await deleteBytes([orphan]);
          await gc.forget([orphan.digest]);
        }
        summary.orphansReclaimed++;
        summary.orphanBytesReclaimed += orphan.size;
      }
      listed += batch.length;
      batch = [];
      options.onProgress?.({ phase: 'orphans', done: listed, bytesReclaimed: summary.bytesReclaimed + summary.orphanBytesReclaimed });
    };
    for await (const stored of blobs.list(options.signal ? { signal: options.signal } : {})) {
      batch.push(stored);
      if (batch.length >= batchSize * 5) await orphans();
    }
    if (batch.length > 0) await orphans();
  } catch (error) {
    if (error instanceof StopRun) summary.stoppedEarly = error.message;
    else if (options.signal?.aborted && (error as Error).name === 'AbortError') summary.stoppedEarly = 'stopped';
    else throw error;
  }
  summary.durationMs = Date.now() - started;
  return summary;
}

/** Runs `work` over `items` with at most `limit` in flight; the first failure is thrown after the others settle. */
async function forEachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await work(items[next++]!);
  });
  const results = await Promise.allSettled(workers);
  const failed = results.find((result) => result.status === 'rejected');
  if (failed) throw (failed as PromiseRejectedResult).reason;
}
