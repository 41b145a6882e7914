// ManifestStore on PostgreSQL. A push is one READ COMMITTED transaction whose row locks
// make it behave as if pushes, deletes and unlinks ran one after another:
//  - the repository row is held FOR KEY SHARE (a repository delete waits, then takes
//    the manifest with it);
//  - the blob links and child manifests it checks are held FOR KEY SHARE, so an unlink
//    or a manifest delete cannot remove them between the check and the commit;
//  - the manifest row is written or, when the digest is already there, locked by a
//    no-op update, so a concurrent delete of that digest cannot leave the tag pointing
//    at nothing;
//  - the tag moves by one upsert: of two pushes to one tag the later commit wins, and
//    the tag always names a stored manifest; an immutable tag (keepTag) is only ever
//    set once, by the first push to commit.
import type { ManifestRecord, ManifestReferences, ManifestStore, PutManifestResult } from '../metadata-store.ts';
import { ifFound } from '../rows/column-values.ts';
import { MANIFEST_COLUMNS, manifestRows, manifestValues, REFERRER_COLUMNS } from '../rows/manifest-rows.ts';
import { POSTGRES_VALUES } from './postgres-column-values.ts';
import type { PostgresConnection, Queries } from './postgres-connection.ts';
import { holdRepository } from './postgres-repository-rows.ts';

const rows = manifestRows(POSTGRES_VALUES);

export function createPostgresManifestStore(db: PostgresConnection): ManifestStore {
  return {
    put: (record, references, tag, options) =>
      db.transaction((tx) => putManifest(tx, record, references, tag, options?.keepTag ?? false)).catch(refusalOrThrow),
    get: async (repository, digest) =>
      ifFound(
        await db.get(
          `SELECT ${MANIFEST_COLUMNS} FROM manifests m JOIN repositories r ON r.id = m.repository_id WHERE r.name = $1 AND m.digest = $2`,
          repository,
          digest,
        ),
        (row) => rows.manifest(repository, row),
      ),
    getByTag: async (repository, tag) =>
      ifFound(
        await db.get(
          `SELECT ${MANIFEST_COLUMNS} FROM tags t
             JOIN repositories r ON r.id = t.repository_id
             JOIN manifests m ON m.repository_id = t.repository_id AND m.digest = t.manifest_digest
           WHERE r.name = $1 AND t.name = $2`,
          repository,
          tag,
        ),
        (row) => rows.manifest(repository, row),
      ),
    // References and tags go by ON DELETE CASCADE, in the same statement.
    delete: async (repository, digest) =>
      (await db.run('DELETE FROM manifests WHERE digest = $1 AND repository_id = (SELECT id FROM repositories WHERE name = $2)', digest, repository)) > 0,
    referrers: async (repository, subject) =>
      (
        await db.all(
          `SELECT ${REFERRER_COLUMNS} FROM manifests m
             JOIN repositories r ON r.id = m.repository_id
           WHERE r.name = $1 AND m.subject = $2 ORDER BY m.pushed_at, m.digest`,
          repository,
          subject,
        )
      ).map(rows.referrer),
    parents: async (repository, digest) =>
      (
        await db.all(
          `SELECT mc.parent_digest AS digest FROM manifest_children mc JOIN repositories r ON r.id = mc.repository_id
           WHERE r.name = $1 AND mc.child_digest = $2 ORDER BY mc.parent_digest`,
          repository,
          digest,
        )
      ).map((row) => String(row.digest)),
    children: async (repository, digest) =>
      (
        await db.all(
          `SELECT mc.child_digest AS digest FROM manifest_children mc JOIN repositories r ON r.id = mc.repository_id
           WHERE r.name = $1 AND mc.parent_digest = $2 ORDER BY mc.child_digest`,
          repository,
          digest,
        )
      ).map((row) => String(row.digest)),
    list: async (repository, page) =>
      (await db.all(`${IMAGE_SUMMARY_SQL} AND m.digest > $2 ORDER BY m.digest LIMIT $3`, repository, page.after ?? '', page.limit)).map(rows.imageSummary),
    summary: async (repository, digest) => ifFound(await db.get(`${IMAGE_SUMMARY_SQL} AND m.digest = $2`, repository, digest), rows.imageSummary),
  };
}

async function putManifest(
  tx: Queries,
  record: ManifestRecord,
  references: ManifestReferences,
  tag: string | undefined,
  keepTag: boolean,
): Promise<PutManifestResult> {
  const repositoryId = await holdRepository(tx, record.repository, new Date());
  if (tag !== undefined && keepTag) await refuseMovingTag(tx, repositoryId, tag, record.digest);
  const blobs = [...new Set(references.blobs)];
  const children = [...new Set(references.manifests)];
  const linked = new Set(
    (await tx.all('SELECT digest FROM repository_blobs WHERE repository_id = $1 AND digest = ANY($2::text[]) FOR KEY SHARE', repositoryId, blobs)).map(
      (row) => String(row.digest),
    ),
  );
  const present = new Set(
    (await tx.all('SELECT digest FROM manifests WHERE repository_id = $1 AND digest = ANY($2::text[]) FOR KEY SHARE', repositoryId, children)).map(
      (row) => String(row.digest),
    ),
  );
  const missingBlobs = blobs.filter((digest) => !linked.has(digest));
  const missingManifests = children.filter((digest) => !present.has(digest));
  if (missingBlobs.length > 0 || missingManifests.length > 0) {
    // Roll back the repository row too: a refused push must leave nothing behind.
    throw new RefusedManifest({ ok: false, missingBlobs, missingManifests });
  }
  // A digest already stored keeps its first record (pushedAt, bytes); the no-op update
  // locks its row so that it still exists when the tag below points at it.
  await tx.run(
    `INSERT INTO manifests (repository_id, digest, media_type, size, content, artifact_type, subject, annotations, pushed_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     ON CONFLICT (repository_id, digest) DO UPDATE SET media_type = manifests.media_type`,
    repositoryId,
    ...manifestValues(record),
    record.pushedAt,
  );
  if (blobs.length > 0) {
    await tx.run(
      `INSERT INTO manifest_blobs (repository_id, manifest_digest, blob_digest)
       SELECT $1, $2, unnest($3::text[]) ON CONFLICT DO NOTHING`,
      repositoryId,
      record.digest,
      blobs,
    );
  }
  if (children.length > 0) {
    await tx.run(
      `INSERT INTO manifest_children (repository_id, parent_digest, child_digest)
       SELECT $1, $2, unnest($3::text[]) ON CONFLICT DO NOTHING`,
      repositoryId,
      record.digest,
      children,
    );
  }
  if (tag !== undefined) {
    // With keepTag the upsert moves nothing: a tag another push took since the check
    // above (it waited for that push to commit) is left alone, and this push refused.
    const set = await tx.run(
      `INSERT INTO tags (repository_id, name, manifest_digest, updated_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (repository_id, name) DO UPDATE SET manifest_digest = EXCLUDED.manifest_digest, updated_at = EXCLUDED.updated_at
       WHERE NOT $5::boolean OR tags.manifest_digest = EXCLUDED.manifest_digest`,
      repositoryId,
      tag,
      record.digest,
      record.pushedAt,
      keepTag,
    );
    if (set === 0) await refuseMovingTag(tx, repositoryId, tag, record.digest);
  }
  return { ok: true };
}

/** Refuses the push when the tag names another manifest than `digest`. */
async function refuseMovingTag(tx: Queries, repositoryId: number, tag: string, digest: string): Promise<void> {
  const held = await tx.get('SELECT manifest_digest FROM tags WHERE repository_id = $1 AND name = $2', repositoryId, tag);
  if (held !== undefined && String(held.manifest_digest) !== digest) {
    throw new RefusedManifest({ ok: false, missingBlobs: [], missingManifests: [], tagTakenBy: String(held.manifest_digest) });
  }
}

/** Thrown inside a transaction to roll it back and hand a refusal to the caller. */
class RefusedManifest extends Error {
  readonly result: PutManifestResult;
  constructor(result: PutManifestResult) {
    super('manifest refused');
    this.result = result;
  }
}

function refusalOrThrow(error: unknown): PutManifestResult {
  if (error instanceof RefusedManifest) return error.result;
  throw error;
}

/** A repository's manifests with the bytes of the blobs each references and its sorted tags. */
const IMAGE_SUMMARY_SQL = `
  SELECT m.digest, m.media_type, m.artifact_type, m.subject, m.pushed_at, m.last_pulled_at,
         (SELECT COALESCE(SUM(b.size), 0)::bigint FROM manifest_blobs mb JOIN blobs b ON b.digest = mb.blob_digest
           WHERE mb.repository_id = m.repository_id AND mb.manifest_digest = m.digest) AS blob_bytes,
         ARRAY(SELECT t.name FROM tags t
           WHERE t.repository_id = m.repository_id AND t.manifest_digest = m.digest ORDER BY t.name) AS tag_names
  FROM manifests m JOIN repositories r ON r.id = m.repository_id
  WHERE r.name = $1`;
