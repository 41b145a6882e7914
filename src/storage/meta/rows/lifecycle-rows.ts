// Lifecycle policies: the row→record mappers, how a preview's results are stored, and
// the decision of the conditional expire step, the same for every driver.
import type { LifecycleExpiry, LifecycleExpiryReason, LifecycleImage } from '../../../lifecycle/lifecycle-types.ts';
import { isIndexMediaType } from '../../../model/media-types.ts';
import type { ExpireOutcome, ExpireRequest, LifecycleExpirationRecord, LifecyclePolicyRecord, LifecyclePreviewRecord, StoredPreviewStatus } from '../lifecycle-store.ts';
import type { ColumnValues, Row } from './column-values.ts';

/** How deep an index of indexes is followed to size it (as DescribeImages does). */
const MAX_INDEX_DEPTH = 8;

export const EXPIRATION_COLUMNS = 'id, repository, digest, tags, rule_priority, reason, via, expired_at';
export const PREVIEW_COLUMNS = 'p.policy, p.status, p.results, p.started_at, p.completed_at';

/** A preview's results as the results column keeps them (JSON, times as ISO text). */
export function resultsValue(results: readonly LifecycleExpiry[]): string {
  return JSON.stringify(results);
}

function parseResults(value: unknown): LifecycleExpiry[] {
  const stored = JSON.parse(String(value)) as Array<Omit<LifecycleExpiry, 'pushedAt'> & { pushedAt: string }>;
  return stored.map((expiry) => ({ ...expiry, pushedAt: new Date(expiry.pushedAt) }));
}

/**
 * What the expire step decides from what the repository holds now: the manifest's
 * tags (sorted), whether an index lists it, the digests referring to it, and whether
 * the image it goes with is still there.
 */
export function expireDecision(
  request: ExpireRequest,
  now: { readonly tags: readonly string[]; readonly listed: boolean; readonly referrers: readonly string[]; readonly carrierPresent: boolean },
): ExpireOutcome {
  const expected = [...request.tags].sort();
  if (now.tags.length !== expected.length || now.tags.some((tag, index) => tag !== expected[index])) return 'tags-changed';
  const known = new Set(request.referrers);
  if (now.referrers.some((digest) => !known.has(digest))) return 'new-referrer';
  if (now.listed) return 'listed-by-index';
  if (now.carrierPresent) return 'carrier-present';
  return 'expired';
}

interface ImageRow {
  readonly image: Omit<LifecycleImage, 'sizeInBytes'>;
  readonly blobBytes: number;
}

/** ECR's image size: the bytes of its blobs, or for an index the size of its largest child. */
function withSizes(rows: readonly ImageRow[]): LifecycleImage[] {
  const byDigest = new Map(rows.map((row) => [row.image.digest, row]));
  const sizeOf = (row: ImageRow, depth: number): number => {
    if (!isIndexMediaType(row.image.mediaType) || depth >= MAX_INDEX_DEPTH) return row.blobBytes;
    let largest = 0;
    for (const digest of row.image.children) {
      const child = byDigest.get(digest);
      if (child) largest = Math.max(largest, sizeOf(child, depth + 1));
    }
    return largest;
  };
  return rows.map((row) => ({ ...row.image, sizeInBytes: sizeOf(row, 0) }));
}

export function lifecycleRows(values: ColumnValues) {
  return {
    policy: (row: Row): LifecyclePolicyRecord => ({
      repository: String(row.name),
      text: String(row.lifecycle_policy),
      ...(row.lifecycle_evaluated_at === null ? {} : { lastEvaluatedAt: values.time(row.lifecycle_evaluated_at) }),
    }),
    /** Rows of the driver's image query: the image summary columns with child_digests. */
    images: (rows: readonly Row[]): LifecycleImage[] =>
      withSizes(
        rows.map((row) => ({
          blobBytes: Number(row.blob_bytes),
          image: {
            digest: String(row.digest),
            tags: values.strings(row.tag_names),
            pushedAt: values.time(row.pushed_at),
            ...(row.last_pulled_at === null ? {} : { lastPulledAt: values.time(row.last_pulled_at) }),
            mediaType: String(row.media_type),
            ...(row.artifact_type === null ? {} : { artifactType: String(row.artifact_type) }),
            children: values.strings(row.child_digests),
            ...(row.subject === null ? {} : { subject: String(row.subject) }),
          },
        })),
      ),
    preview: (row: Row): LifecyclePreviewRecord => ({
      policy: String(row.policy),
      status: String(row.status) as StoredPreviewStatus,
      ...(row.results === null ? {} : { results: parseResults(row.results) }),
      startedAt: values.time(row.started_at),
      ...(row.completed_at === null ? {} : { completedAt: values.time(row.completed_at) }),
    }),
    expiration: (row: Row): LifecycleExpirationRecord => ({
      id: Number(row.id),
      repository: String(row.repository),
      digest: String(row.digest),
      tags: JSON.parse(String(row.tags)) as string[],
      ...(row.rule_priority === null ? {} : { rulePriority: Number(row.rule_priority) }),
      reason: String(row.reason) as LifecycleExpiryReason,
      ...(row.via === null ? {} : { via: String(row.via) }),
      expiredAt: values.time(row.expired_at),
    }),
  };
}
