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

/** Records that the blob exists and links it into the repository (creating the repository). */
export async function linkBlob(tx: Queries, repository: string, digest: string, size: number): Promise<void> {
  const now = new Date();
  const repositoryId = await holdRepository(tx, repository, now);
  await tx.run('INSERT INTO blobs (digest, size, created_at) VALUES ($1, $2, $3) ON CONFLICT (digest) DO NOTHING', digest, size, now);
  await tx.run(
    'INSERT INTO repository_blobs (repository_id, digest, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
    repositoryId,
    digest,
    now,
  );
}
