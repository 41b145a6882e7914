// UsageStore on the shared SQLite connection. A batch is one transaction, so a flush of
// any size costs one commit; counts are added in the upsert itself, so processes
// sharing the file (workers, `berth` commands) add up rather than overwrite.
// Traffic and pull times commit relaxed, as pull times always have (the port's
// durability note): a power cut can lose the last seconds of counts, never an image.
import type { StorageSnapshot, UsageStore } from '../usage-store.ts';
import type { SqliteConnection } from './sqlite-connection.ts';
import { STORED_BYTES_BY_REPOSITORY_SQL, STORED_BYTES_IN_REGISTRY_SQL } from '../rows/usage-rows.ts';

export function createSqliteUsageStore(db: SqliteConnection): UsageStore {
  return {
    addTraffic: async (increments) => {
      if (increments.length === 0) return;
      db.relaxed(() =>
        db.transaction(() => {
          for (const row of increments) {
            db.run(
              `INSERT INTO usage_daily (day, repository, bytes_in, bytes_out, pushes, pulls) VALUES (?, ?, ?, ?, ?, ?)
               ON CONFLICT (day, repository) DO UPDATE SET
                 bytes_in = bytes_in + excluded.bytes_in, bytes_out = bytes_out + excluded.bytes_out,
                 pushes = pushes + excluded.pushes, pulls = pulls + excluded.pulls`,
              row.day,
              row.repository,
              row.bytesIn,
              row.bytesOut,
              row.pushes,
              row.pulls,
            );
          }
        }),
      );
    },
    traffic: async (firstDay, lastDay) =>
      db
        .all(
          `SELECT day, repository, bytes_in, bytes_out, pushes, pulls FROM usage_daily
           WHERE day >= ? AND day <= ? ORDER BY day, repository`,
          firstDay,
          lastDay,
        )
        .map((row) => ({
          day: String(row.day),
          repository: String(row.repository),
          bytesIn: Number(row.bytes_in),
          bytesOut: Number(row.bytes_out),
          pushes: Number(row.pushes),
          pulls: Number(row.pulls),
        })),
    recordPullTimes: async (pulls) => {
      if (pulls.length === 0) return;
      db.relaxed(() =>
        db.transaction(() => {
          for (const pull of pulls) {
            db.run(
              `UPDATE manifests SET last_pulled_at = ?
               WHERE repository_id = (SELECT id FROM repositories WHERE name = ?) AND digest = ?
                 AND (last_pulled_at IS NULL OR last_pulled_at < ?)`,
              pull.at.getTime(),
              pull.repository,
              pull.digest,
              pull.at.getTime(),
            );
          }
        }),
      );
    },
    // Both sums run without yielding in between, so this process changes nothing between them.
    storedBytes: async () => ({
      repositories: db.all(STORED_BYTES_BY_REPOSITORY_SQL).map((row) => ({ repository: String(row.repository), bytes: Number(row.bytes) })),
      registry: Number(db.get(STORED_BYTES_IN_REGISTRY_SQL)!.bytes),
    }),
    saveStorageSnapshot: async (snapshot) => {
      db.transaction(() => {
        db.run('DELETE FROM storage_daily WHERE day = ?', snapshot.day);
        for (const { repository, bytes } of snapshot.repositories) {
          if (bytes > 0) db.run('INSERT INTO storage_daily (day, repository, stored_bytes) VALUES (?, ?, ?)', snapshot.day, repository, bytes);
        }
        db.run(
          `INSERT INTO registry_storage_daily (day, stored_bytes, taken_at) VALUES (?, ?, ?)
           ON CONFLICT (day) DO UPDATE SET stored_bytes = excluded.stored_bytes, taken_at = excluded.taken_at`,
          snapshot.day,
          snapshot.registry,
          snapshot.takenAt.getTime(),
        );
      });
    },
    storageSnapshots: async (firstDay, lastDay) => {
      const days = db.all('SELECT day, stored_bytes, taken_at FROM registry_storage_daily WHERE day >= ? AND day <= ? ORDER BY day', firstDay, lastDay);
      const rows = db.all('SELECT day, repository, stored_bytes FROM storage_daily WHERE day >= ? AND day <= ? ORDER BY day, repository', firstDay, lastDay);
      return days.map(
        (day): StorageSnapshot => ({
          day: String(day.day),
          registry: Number(day.stored_bytes),
          takenAt: new Date(Number(day.taken_at)),
          repositories: rows.filter((row) => row.day === day.day).map((row) => ({ repository: String(row.repository), bytes: Number(row.stored_bytes) })),
        }),
      );
    },
  };
}
