// LeaseStore on the shared SQLite connection: one row per lease, taken by a single
// conditional upsert, so two processes asking at once cannot both win. Leases are
// short-lived claims that expire by themselves, so they commit without waiting for
// the disk (a crash can only lose a claim that would lapse anyway).
import type { LeaseStore } from '../lease-store.ts';
import type { SqliteConnection } from './sqlite-connection.ts';

export function createSqliteLeaseStore(db: SqliteConnection): LeaseStore {
  return {
    tryAcquire: async (name, holder, until, now) =>
      db.relaxed(() => db.run(
        `INSERT INTO leases (name, holder, expires_at) VALUES (?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
         WHERE leases.holder = excluded.holder OR leases.expires_at <= ?`,
        name,
        holder,
        until.getTime(),
        now.getTime(),
      )) > 0,
    release: async (name, holder) => {
      db.relaxed(() => db.run('DELETE FROM leases WHERE name = ? AND holder = ?', name, holder));
    },
  };
}
