// The stored-bytes queries both drivers run (plain SQL both understand). A repository
// stores each distinct blob its manifests reference once; the registry each blob
// referenced anywhere once (see StoredBytes in ../usage-store.ts).

/** Every repository with the bytes of the distinct blobs its manifests reference (0 when none). */
export const STORED_BYTES_BY_REPOSITORY_SQL = `
  SELECT r.name AS repository, COALESCE(SUM(b.size), 0) AS bytes
  FROM repositories r
  LEFT JOIN (SELECT DISTINCT repository_id, blob_digest FROM manifest_blobs) mb ON mb.repository_id = r.id
  LEFT JOIN blobs b ON b.digest = mb.blob_digest
  GROUP BY r.name
  ORDER BY r.name`;

/** The bytes of the distinct blobs referenced by any manifest of any repository. */
export const STORED_BYTES_IN_REGISTRY_SQL = `
  SELECT COALESCE(SUM(b.size), 0) AS bytes FROM blobs b
  WHERE EXISTS (SELECT 1 FROM manifest_blobs mb WHERE mb.blob_digest = b.digest)`;
