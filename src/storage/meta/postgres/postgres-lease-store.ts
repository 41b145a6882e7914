// LeaseStore on PostgreSQL: one row per lease, taken by a single conditional upsert
// (the row lock it takes serialises two nodes asking at once), so only one can win.
import type { LeaseStore } from '../lease-store.ts';
import type { PostgresConnection } from './postgres-connection.ts';

export function createPostgresLeaseStore(db: PostgresConnection): LeaseStore {
  return {
    tryAcquire: async (name, holder, until, now) =>
      (await db.run(
        `INSERT INTO leases (name, holder, expires_at) VALUES ($1, $2, $3)
         ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
         WHERE leases.holder = excluded.holder OR leases.expires_at <= $4`,
        name,
        holder,
        until,
        now,
      )) > 0,
    release: async (name, holder) => {
      await db.run('DELETE FROM leases WHERE name = $1 AND holder = $2', name, holder);
    },
  };
}
