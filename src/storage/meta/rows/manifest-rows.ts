// Manifests: their columns, the values a push writes, and the row→record mappers for a
// manifest, a referrer and an image summary, the same for every driver.
import type { ImageSummary, ManifestRecord, ReferrerRecord } from '../metadata-store.ts';
import type { ColumnValues, Row } from './column-values.ts';

// Named, never `*`: see identity-rows.ts (rolling upgrades on PostgreSQL). Both drivers
// select manifests as `m`.
export const MANIFEST_COLUMNS = 'm.digest, m.media_type, m.size, m.content, m.artifact_type, m.subject, m.annotations, m.pushed_at';
export const REFERRER_COLUMNS = 'm.digest, m.media_type, m.size, m.artifact_type, m.annotations';

/**
 * The values of the columns digest, media_type, size, content, artifact_type, subject
 * and annotations, in that order, as every driver's INSERT names them (between the
 * repository id and the push time, whose types are the driver's).
 */
export function manifestValues(record: ManifestRecord): Array<string | number | Buffer | null> {
  return [
    record.digest,
    record.mediaType,
    record.size,
    record.content,
    record.artifactType ?? null,
    record.subject ?? null,
    record.annotations ? JSON.stringify(record.annotations) : null,
  ];
}

/** A row of REFERRER_COLUMNS: the descriptor the referrers API lists. */
function toReferrer(row: Row): ReferrerRecord {
  return {
    digest: String(row.digest),
    mediaType: String(row.media_type),
    size: Number(row.size),
    ...(row.artifact_type === null ? {} : { artifactType: String(row.artifact_type) }),
    ...(row.annotations === null ? {} : { annotations: JSON.parse(String(row.annotations)) as Record<string, string> }),
  };
}

export function manifestRows(values: ColumnValues) {
  return {
    referrer: toReferrer,
    /** A row of MANIFEST_COLUMNS: the referrer's fields and the rest of the manifest. */
    manifest: (repository: string, row: Row): ManifestRecord => ({
      repository,
      ...toReferrer(row),
      content: values.bytes(row.content),
      pushedAt: values.time(row.pushed_at),
      ...(row.subject === null ? {} : { subject: String(row.subject) }),
    }),
    /** A row of the driver's image summary query: the manifest with blob_bytes and tag_names. */
    imageSummary: (row: Row): ImageSummary => ({
      digest: String(row.digest),
      mediaType: String(row.media_type),
      blobBytes: Number(row.blob_bytes),
      pushedAt: values.time(row.pushed_at),
      ...(row.last_pulled_at === null ? {} : { lastPulledAt: values.time(row.last_pulled_at) }),
      tags: values.strings(row.tag_names),
      ...(row.artifact_type === null ? {} : { artifactType: String(row.artifact_type) }),
      ...(row.subject === null ? {} : { subject: String(row.subject) }),
    }),
  };
}
