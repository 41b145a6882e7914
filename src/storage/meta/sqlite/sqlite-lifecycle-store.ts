// LifecycleStore on the shared SQLite connection. A step that checks and then writes
// (expire, startPreview, deletePolicy) is one BEGIN IMMEDIATE transaction: it holds the
// write lock from its first read, so no push from this or another process lands
// between the check and the write.
import type { LifecycleStore } from '../lifecycle-store.ts';
import { ifFound } from '../rows/column-values.ts';
import { EXPIRATION_COLUMNS, expireDecision, lifecycleRows, PREVIEW_COLUMNS, resultsValue } from '../rows/lifecycle-rows.ts';
import { SQLITE_VALUES } from './sqlite-column-values.ts';
import type { SqliteConnection } from './sqlite-connection.ts';

const rows = lifecycleRows(SQLITE_VALUES);

const POLICY_COLUMNS = 'name, lifecycle_policy, lifecycle_evaluated_at';

/** A repository's manifests with their tags, children and the bytes of their blobs, in one statement. */
const IMAGES_SQL = `
  SELECT m.digest, m.media_type, m.artifact_type, m.subject, m.pushed_at, m.last_pulled_at,
         (SELECT COALESCE(SUM(b.size), 0) FROM manifest_blobs mb JOIN blobs b ON b.digest = mb.blob_digest
           WHERE mb.repository_id = m.repository_id AND mb.manifest_digest = m.digest) AS blob_bytes,
         (SELECT json_group_array(name) FROM (SELECT t.name FROM tags t
           WHERE t.repository_id = m.repository_id AND t.manifest_digest = m.digest ORDER BY t.name)) AS tag_names,
         (SELECT json_group_array(child_digest) FROM (SELECT mc.child_digest FROM manifest_children mc
           WHERE mc.repository_id = m.repository_id AND mc.parent_digest = m.digest ORDER BY mc.child_digest)) AS child_digests
  FROM manifests m JOIN repositories r ON r.id = m.repository_id
  WHERE r.name = ? ORDER BY m.digest`;

export function createSqliteLifecycleStore(db: SqliteConnection): LifecycleStore {
  return {
    getPolicy: async (repository) =>
      ifFound(db.get(`SELECT ${POLICY_COLUMNS} FROM repositories WHERE name = ? AND lifecycle_policy IS NOT NULL`, repository), rows.policy),
    putPolicy: async (repository, text) => db.run('UPDATE repositories SET lifecycle_policy = ? WHERE name = ?', text, repository) > 0,
    deletePolicy: async (repository) =>
      db.transaction(() => {
        const found = ifFound(db.get(`SELECT ${POLICY_COLUMNS} FROM repositories WHERE name = ? AND lifecycle_policy IS NOT NULL`, repository), rows.policy);
        if (found) db.run('UPDATE repositories SET lifecycle_policy = NULL, lifecycle_evaluated_at = NULL WHERE name = ?', repository);
        return found;
      }),
    listPolicies: async (page) =>
      db
        .all(
          `SELECT ${POLICY_COLUMNS} FROM repositories WHERE lifecycle_policy IS NOT NULL AND name > ? ORDER BY name LIMIT ?`,
          page.after ?? '',
          page.limit,
        )
        .map(rows.policy),
    markEvaluated: async (repository, at) => {
      db.run('UPDATE repositories SET lifecycle_evaluated_at = ? WHERE name = ? AND lifecycle_policy IS NOT NULL', at.getTime(), repository);
    },
    images: async (repository) => rows.images(db.all(IMAGES_SQL, repository)),
    expire: async (request) =>
      db.transaction(() => {
        const found = db.get('SELECT r.id FROM manifests m JOIN repositories r ON r.id = m.repository_id WHERE r.name = ? AND m.digest = ?', request.repository, request.digest);
        if (found === undefined) return 'gone';
        const repositoryId = Number(found.id);
        const outcome = expireDecision(request, {
          tags: db.all('SELECT name FROM tags WHERE repository_id = ? AND manifest_digest = ? ORDER BY name', repositoryId, request.digest).map((row) => String(row.name)),
          listed: db.get('SELECT 1 AS found FROM manifest_children WHERE repository_id = ? AND child_digest = ? LIMIT 1', repositoryId, request.digest) !== undefined,
          referrers: db.all('SELECT digest FROM manifests WHERE repository_id = ? AND subject = ?', repositoryId, request.digest).map((row) => String(row.digest)),
          carrierPresent:
            request.via !== undefined && db.get('SELECT 1 AS found FROM manifests WHERE repository_id = ? AND digest = ?', repositoryId, request.via) !== undefined,
        });
        if (outcome !== 'expired') return outcome;
        // Tags, references and children rows go by ON DELETE CASCADE.
        db.run('DELETE FROM manifests WHERE repository_id = ? AND digest = ?', repositoryId, request.digest);
        db.run(
          'INSERT INTO lifecycle_expirations (repository, digest, tags, rule_priority, reason, via, expired_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
          request.repository,
          request.digest,
          JSON.stringify([...request.tags].sort()),
          request.rulePriority,
          request.reason,
          request.via ?? null,
          request.at.getTime(),
        );
        return outcome;
      }),
    startPreview: async (repository, policy, at, staleBefore) =>
      db.transaction(() => {
        const found = db.get('SELECT id FROM repositories WHERE name = ?', repository);
        if (found === undefined) return 'no-repository';
        const repositoryId = Number(found.id);
        const current = db.get('SELECT status, started_at FROM lifecycle_previews WHERE repository_id = ?', repositoryId);
        if (current !== undefined && current.status === 'IN_PROGRESS' && Number(current.started_at) > staleBefore.getTime()) return 'in-progress';
        db.run(
          `INSERT INTO lifecycle_previews (repository_id, policy, status, results, started_at, completed_at) VALUES (?, ?, 'IN_PROGRESS', NULL, ?, NULL)
           ON CONFLICT (repository_id) DO UPDATE SET policy = excluded.policy, status = excluded.status, results = NULL,
             started_at = excluded.started_at, completed_at = NULL`,
          repositoryId,
          policy,
          at.getTime(),
        );
        return 'started';
      }),
    finishPreview: async (repository, startedAt, outcome, at) => {
      db.run(
        `UPDATE lifecycle_previews SET status = ?, results = ?, completed_at = ?
         WHERE repository_id = (SELECT id FROM repositories WHERE name = ?) AND started_at = ? AND status = 'IN_PROGRESS'`,
        outcome.status,
        outcome.status === 'COMPLETE' ? resultsValue(outcome.results) : null,
        at.getTime(),
        repository,
        startedAt.getTime(),
      );
    },
    getPreview: async (repository) =>
      ifFound(
        db.get(`SELECT ${PREVIEW_COLUMNS} FROM lifecycle_previews p JOIN repositories r ON r.id = p.repository_id WHERE r.name = ?`, repository),
        rows.preview,
      ),
    expirations: async (filter, page) => {
      const before = page.before ?? Number.MAX_SAFE_INTEGER;
      const found =
        filter.repository === undefined
          ? db.all(`SELECT ${EXPIRATION_COLUMNS} FROM lifecycle_expirations WHERE id < ? ORDER BY id DESC LIMIT ?`, before, page.limit)
          : db.all(
              `SELECT ${EXPIRATION_COLUMNS} FROM lifecycle_expirations WHERE repository = ? AND id < ? ORDER BY id DESC LIMIT ?`,
              filter.repository,
              before,
              page.limit,
            );
      return found.map(rows.expiration);
    },
  };
}
