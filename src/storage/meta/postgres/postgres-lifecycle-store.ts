// LifecycleStore on PostgreSQL. The expire step locks the manifest row FOR UPDATE
// before it looks: every push that could change what it checks waits for it or is
// waited for — a push of the same digest (with a tag) locks that row, a tag moving
// onto it and an index listing it take FOR KEY SHARE on it — and after the wait each
// check statement sees what committed meanwhile (READ COMMITTED). A referrer pushed at
// that very moment is the exception (a push does not lock its subject): it may end up
// without its subject, which OCI allows. Starting a preview is one conditional upsert,
// so two nodes cannot both start one.
import type { LifecycleStore } from '../lifecycle-store.ts';
import { ifFound } from '../rows/column-values.ts';
import { EXPIRATION_COLUMNS, expireDecision, lifecycleRows, PREVIEW_COLUMNS, resultsValue } from '../rows/lifecycle-rows.ts';
import { POSTGRES_VALUES } from './postgres-column-values.ts';
import type { PostgresConnection } from './postgres-connection.ts';

const rows = lifecycleRows(POSTGRES_VALUES);

const POLICY_COLUMNS = 'name, lifecycle_policy, lifecycle_evaluated_at';

/** A repository's manifests with their tags, children and the bytes of their blobs, in one statement (one snapshot). */
const IMAGES_SQL = `
  SELECT m.digest, m.media_type, m.artifact_type, m.subject, m.pushed_at, m.last_pulled_at,
         (SELECT COALESCE(SUM(b.size), 0)::bigint FROM manifest_blobs mb JOIN blobs b ON b.digest = mb.blob_digest
           WHERE mb.repository_id = m.repository_id AND mb.manifest_digest = m.digest) AS blob_bytes,
         ARRAY(SELECT t.name FROM tags t
           WHERE t.repository_id = m.repository_id AND t.manifest_digest = m.digest ORDER BY t.name) AS tag_names,
         ARRAY(SELECT mc.child_digest FROM manifest_children mc
           WHERE mc.repository_id = m.repository_id AND mc.parent_digest = m.digest ORDER BY mc.child_digest) AS child_digests
  FROM manifests m JOIN repositories r ON r.id = m.repository_id
  WHERE r.name = $1 ORDER BY m.digest`;

export function createPostgresLifecycleStore(db: PostgresConnection): LifecycleStore {
  return {
    getPolicy: async (repository) =>
      ifFound(await db.get(`SELECT ${POLICY_COLUMNS} FROM repositories WHERE name = $1 AND lifecycle_policy IS NOT NULL`, repository), rows.policy),
    putPolicy: async (repository, text) => (await db.run('UPDATE repositories SET lifecycle_policy = $1 WHERE name = $2', text, repository)) > 0,
    deletePolicy: (repository) =>
      db.transaction(async (tx) => {
        const found = ifFound(
          await tx.get(`SELECT ${POLICY_COLUMNS} FROM repositories WHERE name = $1 AND lifecycle_policy IS NOT NULL FOR UPDATE`, repository),
          rows.policy,
        );
        if (found) await tx.run('UPDATE repositories SET lifecycle_policy = NULL, lifecycle_evaluated_at = NULL WHERE name = $1', repository);
        return found;
      }),
    listPolicies: async (page) =>
      (
        await db.all(
          `SELECT ${POLICY_COLUMNS} FROM repositories WHERE lifecycle_policy IS NOT NULL AND name > $1 ORDER BY name LIMIT $2`,
          page.after ?? '',
          page.limit,
        )
      ).map(rows.policy),
    markEvaluated: async (repository, at) => {
      await db.run('UPDATE repositories SET lifecycle_evaluated_at = $1 WHERE name = $2 AND lifecycle_policy IS NOT NULL', at, repository);
    },
    images: async (repository) => rows.images(await db.all(IMAGES_SQL, repository)),
    expire: (request) =>
      db.transaction(async (tx) => {
        const found = await tx.get(
          `SELECT m.repository_id FROM manifests m JOIN repositories r ON r.id = m.repository_id
           WHERE r.name = $1 AND m.digest = $2 FOR UPDATE OF m`,
          request.repository,
          request.digest,
        );
        if (found === undefined) return 'gone';
        const repositoryId = Number(found.repository_id);
        const outcome = expireDecision(request, {
          tags: (await tx.all('SELECT name FROM tags WHERE repository_id = $1 AND manifest_digest = $2 ORDER BY name', repositoryId, request.digest)).map((row) =>
            String(row.name),
          ),
          listed: (await tx.get('SELECT 1 AS found FROM manifest_children WHERE repository_id = $1 AND child_digest = $2 LIMIT 1', repositoryId, request.digest)) !== undefined,
          referrers: (await tx.all('SELECT digest FROM manifests WHERE repository_id = $1 AND subject = $2', repositoryId, request.digest)).map((row) => String(row.digest)),
          carrierPresent:
            request.via !== undefined && (await tx.get('SELECT 1 AS found FROM manifests WHERE repository_id = $1 AND digest = $2', repositoryId, request.via)) !== undefined,
        });
        if (outcome !== 'expired') return outcome;
        // Tags, references and children rows go by ON DELETE CASCADE.
        await tx.run('DELETE FROM manifests WHERE repository_id = $1 AND digest = $2', repositoryId, request.digest);
        await tx.run(
          'INSERT INTO lifecycle_expirations (repository, digest, tags, rule_priority, reason, via, expired_at) VALUES ($1, $2, $3, $4, $5, $6, $7)',
          request.repository,
          request.digest,
          JSON.stringify([...request.tags].sort()),
          request.rulePriority,
          request.reason,
          request.via ?? null,
          request.at,
        );
        return outcome;
      }),
    startPreview: async (repository, policy, at, staleBefore) => {
      const started = await db.run(
        `INSERT INTO lifecycle_previews (repository_id, policy, status, results, started_at, completed_at)
         SELECT id, $2, 'IN_PROGRESS', NULL, $3, NULL FROM repositories WHERE name = $1
         ON CONFLICT (repository_id) DO UPDATE SET policy = EXCLUDED.policy, status = EXCLUDED.status, results = NULL,
           started_at = EXCLUDED.started_at, completed_at = NULL
         WHERE lifecycle_previews.status <> 'IN_PROGRESS' OR lifecycle_previews.started_at <= $4`,
        repository,
        policy,
        at,
        staleBefore,
      );
      if (started > 0) return 'started';
      return (await db.get('SELECT 1 AS found FROM repositories WHERE name = $1', repository)) === undefined ? 'no-repository' : 'in-progress';
    },
    finishPreview: async (repository, startedAt, outcome, at) => {
      await db.run(
        `UPDATE lifecycle_previews SET status = $1, results = $2, completed_at = $3
         WHERE repository_id = (SELECT id FROM repositories WHERE name = $4) AND started_at = $5 AND status = 'IN_PROGRESS'`,
        outcome.status,
        outcome.status === 'COMPLETE' ? resultsValue(outcome.results) : null,
        at,
        repository,
        startedAt,
      );
    },
    getPreview: async (repository) =>
      ifFound(
        await db.get(`SELECT ${PREVIEW_COLUMNS} FROM lifecycle_previews p JOIN repositories r ON r.id = p.repository_id WHERE r.name = $1`, repository),
        rows.preview,
      ),
    expirations: async (filter, page) => {
      const before = page.before ?? Number.MAX_SAFE_INTEGER;
      const found =
        filter.repository === undefined
          ? await db.all(`SELECT ${EXPIRATION_COLUMNS} FROM lifecycle_expirations WHERE id < $1 ORDER BY id DESC LIMIT $2`, before, page.limit)
          : await db.all(
              `SELECT ${EXPIRATION_COLUMNS} FROM lifecycle_expirations WHERE repository = $1 AND id < $2 ORDER BY id DESC LIMIT $3`,
              filter.repository,
              before,
              page.limit,
            );
      return found.map(rows.expiration);
    },
  };
}
