// The steps several PostgreSQL port methods share inside their transactions: making
// sure a repository row exists and holding it while the transaction writes into it,
// and linking a blob.
import type { Queries } from './postgres-connection.ts';

/** Attempts before giving up on a repository that is deleted and recreated under us. */
const MAX_REPOSITORY_ATTEMPTS = 10;

/**
 * The id of the repository, created (with push defaults: no settings row) when it does
 * not exist, and held with FOR KEY SHARE until the transaction ends: writers into the
 * same repository do not block each other, but a repository delete (FOR UPDATE) waits
 * for them and then takes what they wrote with it, instead of leaving rows that point
 * at a repository that is gone. A repository deleted between our look and our insert
 * is simply created again, as a push after a delete does.
 */
export async function holdRepository(tx: Queries, name: string, now: Date): Promise<number> {
  for (let attempt = 0; attempt < MAX_REPOSITORY_ATTEMPTS; attempt++) {
    const existing = await tx.get('SELECT id FROM repositories WHERE name = $1 FOR KEY SHARE', name);
    if (existing) return Number(existing.id);
    // Waits for a concurrent insert of the same name; if that one commits, we look again.
    const created = await tx.get('INSERT INTO repositories (name, created_at) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING RETURNING id', name, now);
    if (created) return Number(created.id);
  }
  throw new Error(`repository ${name} kept changing while it was being written to`);
}

/**
 * Links a blob whose row exists and is not marked for deletion (an upload reserved it
 * before committing its bytes; a mount found it linked elsewhere) and marks it used;
 * false, having written nothing, otherwise. The update comes first: its row lock makes
 * a collector's mark (FOR UPDATE) wait for this transaction, which then finds the blob
 * touched and linked; or, when the collector marked it first, the update finds the mark
 * and links nothing. The size is the row's.
 */
export async function linkBlob(tx: Queries, repository: string, digest: string, _size: number): Promise<boolean> {
  const now = new Date();
  if (!(await touchBlob(tx, digest, now))) return false;
  const repositoryId = await holdRepository(tx, repository, now);
  await tx.run(
    'INSERT INTO repository_blobs (repository_id, digest, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
    repositoryId,
    digest,
    now,
  );
  return true;
}

/** Marks a live blob used at `at` (a later stored time wins); false when it has no row or is marked for deletion. */
export async function touchBlob(tx: Queries, digest: string, at: Date): Promise<boolean> {
  return (
    (await tx.run('UPDATE blobs SET touched_at = GREATEST(COALESCE(touched_at, created_at), $2) WHERE digest = $1 AND NOT deleting', digest, at)) > 0
  );
}
