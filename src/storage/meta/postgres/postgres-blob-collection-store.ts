// BlobCollectionStore on PostgreSQL. Marking a blob is one READ COMMITTED transaction
// per digest whose locks make it behave as if it ran alone:
//  - the blobs row is locked FOR UPDATE first: a reserve, link or touch (which all
//    update the row) waits for the mark and then finds it, or the mark waits for them
//    and then finds the row touched (FOR UPDATE re-reads the newest version);
//  - the blob's links are deleted next: a manifest push holding them FOR KEY SHARE
//    (postgres-manifest-store.ts) makes the delete wait until the push commits, and a
//    push that comes later finds them gone and is refused (MANIFEST_BLOB_UNKNOWN);
//  - then, in a new statement (so READ COMMITTED takes a new snapshot that includes the
//    pushes the delete waited for), no manifest may reference the blob and its age is
//    checked again; otherwise everything rolls back, links included.
import type { BlobCollectionStore, CollectableBlob } from '../blob-collection-store.ts';
import type { PostgresConnection, Queries, Row } from './postgres-connection.ts';

/** Marks in flight at once (each holds a pooled connection until its durable commit). */
const MARK_CONCURRENCY = 4;

/** Not marked, untouched since the cutoff, referenced by no manifest in any repository. */
const UNREFERENCED = `
  FROM blobs b
  WHERE NOT b.deleting AND COALESCE(b.touched_at, b.created_at) < $1
    AND NOT EXISTS (SELECT 1 FROM manifest_blobs mb WHERE mb.blob_digest = b.digest)`;

export function createPostgresBlobCollectionStore(db: PostgresConnection): BlobCollectionStore {
  return {
    unreferenced: async (cutoff, after, limit) =>
      (await db.all(`SELECT b.digest, b.size ${UNREFERENCED} AND b.digest > $2 ORDER BY b.digest LIMIT $3`, cutoff, after ?? '', limit)).map(collectable),
    unreferencedTotals: async (cutoff) => {
      const row = (await db.get(`SELECT COUNT(*)::bigint AS blobs, COALESCE(SUM(b.size), 0)::bigint AS bytes ${UNREFERENCED}`, cutoff))!;
      return { blobs: Number(row.blobs), bytes: Number(row.bytes) };
    },
    mark: async (digests, cutoff) => {
      // One transaction per blob: a mark holds one blob's row and links, briefly, and never
      // waits for a push while holding another blob's links — so marks running side by side
      // (MARK_CONCURRENCY, each a durable commit) cannot deadlock with pushes or each other.
      const marked = new Set<string>();
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < digests.length) {
          const digest = digests[next++]!;
          const done = await db.transaction((tx) => markOne(tx, digest, cutoff)).catch((error: unknown) => {
            if (error instanceof Referenced) return false;
            throw error;
          });
          if (done) marked.add(digest);
        }
      };
      await Promise.all(Array.from({ length: Math.min(MARK_CONCURRENCY, digests.length) }, worker));
      return digests.filter((digest) => marked.has(digest));
    },
    marked: async (after, limit) =>
      (await db.all('SELECT digest, size FROM blobs WHERE deleting AND digest > $1 ORDER BY digest LIMIT $2', after ?? '', limit)).map(collectable),
    forget: async (digests) => db.write('relaxed', 'DELETE FROM blobs WHERE deleting AND digest = ANY($1::text[])', digests),
    known: async (digests) =>
      new Set((await db.all('SELECT digest FROM blobs WHERE digest = ANY($1::text[])', digests)).map((row) => String(row.digest))),
    claimOrphan: async (digest, size, at) =>
      (await db.run(
        'INSERT INTO blobs (digest, size, created_at, touched_at, deleting) VALUES ($1, $2, $3, $3, true) ON CONFLICT (digest) DO NOTHING',
        digest,
        size,
        at,
      )) > 0,
  };
}

/** Thrown to roll a mark back (links restored) when a manifest came to reference the blob. */
class Referenced extends Error {}

async function markOne(tx: Queries, digest: string, cutoff: Date): Promise<boolean> {
  const row = await tx.get('SELECT deleting, COALESCE(touched_at, created_at) AS touched FROM blobs WHERE digest = $1 FOR UPDATE', digest);
  if (row === undefined || row.deleting === true || (row.touched as Date).getTime() >= cutoff.getTime()) return false;
  // Waits for every push holding one of these links; pushes after it find them gone.
  await tx.run('DELETE FROM repository_blobs WHERE digest = $1', digest);
  // A new statement, so a new snapshot: it sees the references those pushes committed.
  const still = await tx.get(`SELECT 1 AS found ${UNREFERENCED} AND b.digest = $2`, cutoff, digest);
  if (still === undefined) throw new Referenced('referenced');
  await tx.run('UPDATE blobs SET deleting = true WHERE digest = $1', digest);
  return true;
}

function collectable(row: Row): CollectableBlob {
  return { digest: String(row.digest), size: Number(row.size) };
}
