// BlobCollectionStore on the shared SQLite connection. SQLite runs one write
// transaction at a time (BEGIN IMMEDIATE, across processes too), so marking a blob
// — checking its age and references, unlinking it, setting the mark — cannot
// interleave with a manifest push, an upload's reserve or link, or a touch.
import type { BlobCollectionStore, CollectableBlob } from '../blob-collection-store.ts';
import type { Row, SqliteConnection } from './sqlite-connection.ts';

/** Not marked, untouched since the cutoff, referenced by no manifest in any repository. */
const UNREFERENCED = `
  FROM blobs b
  WHERE b.deleting = 0 AND COALESCE(b.touched_at, b.created_at) < ?
    AND NOT EXISTS (SELECT 1 FROM manifest_blobs mb WHERE mb.blob_digest = b.digest)`;

export function createSqliteBlobCollectionStore(db: SqliteConnection): BlobCollectionStore {
  return {
    unreferenced: async (cutoff, after, limit) =>
      db.all(`SELECT b.digest, b.size ${UNREFERENCED} AND b.digest > ? ORDER BY b.digest LIMIT ?`, cutoff.getTime(), after ?? '', limit).map(collectable),
    unreferencedTotals: async (cutoff) => {
      const row = db.get(`SELECT COUNT(*) AS blobs, COALESCE(SUM(b.size), 0) AS bytes ${UNREFERENCED}`, cutoff.getTime())!;
      return { blobs: Number(row.blobs), bytes: Number(row.bytes) };
    },
    // Durable (synchronous FULL): a mark lost to a power cut after its bytes were
    // deleted would bring the blob's links back without the bytes.
    mark: async (digests, cutoff) =>
      db.transaction(() => {
        const marked: string[] = [];
        for (const digest of digests) {
          const row = db.get(`SELECT b.digest ${UNREFERENCED} AND b.digest = ?`, cutoff.getTime(), digest);
          if (row === undefined) continue;
          db.run('DELETE FROM repository_blobs WHERE digest = ?', digest);
          db.run('UPDATE blobs SET deleting = 1 WHERE digest = ?', digest);
          marked.push(digest);
        }
        return marked;
      }),
    marked: async (after, limit) =>
      db.all('SELECT digest, size FROM blobs WHERE deleting = 1 AND digest > ? ORDER BY digest LIMIT ?', after ?? '', limit).map(collectable),
    // Relaxed: a forget lost to a power cut leaves a mark the next run finishes.
    forget: async (digests) =>
      db.relaxed(() => db.run('DELETE FROM blobs WHERE deleting = 1 AND digest IN (SELECT value FROM json_each(?))', JSON.stringify(digests))),
    known: async (digests) =>
      new Set(db.all('SELECT digest FROM blobs WHERE digest IN (SELECT value FROM json_each(?))', JSON.stringify(digests)).map((row) => String(row.digest))),
    claimOrphan: async (digest, size, at) =>
      db.run(
        'INSERT INTO blobs (digest, size, created_at, touched_at, deleting) VALUES (?, ?, ?, ?, 1) ON CONFLICT (digest) DO NOTHING',
        digest,
        size,
        at.getTime(),
        at.getTime(),
      ) > 0,
  };
}

function collectable(row: Row): CollectableBlob {
  return { digest: String(row.digest), size: Number(row.size) };
}
