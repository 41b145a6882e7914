// UsageStore on PostgreSQL. A batch is one statement over arrays (unnest), whatever its
// size; counts are added in the upsert, so nodes flushing at once add up. Rows are
// written in key order, so two nodes' batches lock them in the same order and never
// deadlock each other. Traffic and pull times commit relaxed (synchronous_commit off),
// as pull times always have: a power cut can lose the last seconds of counts, never an image.
import type { StorageSnapshot, UsageStore } from '../usage-store.ts';
import type { PostgresConnection } from './postgres-connection.ts';
import { STORED_BYTES_BY_REPOSITORY_SQL, STORED_BYTES_IN_REGISTRY_SQL } from '../rows/usage-rows.ts';

const byKey = <T extends { readonly repository: string }>(key: (row: T) => string) => (a: T, b: T) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);

export function createPostgresUsageStore(db: PostgresConnection): UsageStore {
  return {
    addTraffic: async (increments) => {
      if (increments.length === 0) return;
      const rows = [...increments].sort(byKey((row) => `${row.day} ${row.repository}`));
      await db.write(
        'relaxed',
        `INSERT INTO usage_daily (day, repository, bytes_in, bytes_out, pushes, pulls)
         SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[])
         ON CONFLICT (day, repository) DO UPDATE SET
           bytes_in = usage_daily.bytes_in + excluded.bytes_in, bytes_out = usage_daily.bytes_out + excluded.bytes_out,
           pushes = usage_daily.pushes + excluded.pushes, pulls = usage_daily.pulls + excluded.pulls`,
        rows.map((row) => row.day),
        rows.map((row) => row.repository),
        rows.map((row) => String(row.bytesIn)),
        rows.map((row) => String(row.bytesOut)),
        rows.map((row) => String(row.pushes)),
        rows.map((row) => String(row.pulls)),
      );
    },
    traffic: async (firstDay, lastDay) =>
      (
        await db.all(
          `SELECT day, repository, bytes_in, bytes_out, pushes, pulls FROM usage_daily
           WHERE day >= $1 AND day <= $2 ORDER BY day, repository`,
          firstDay,
          lastDay,
        )
      ).map((row) => ({
        day: String(row.day),
        repository: String(row.repository),
        bytesIn: Number(row.bytes_in),
        bytesOut: Number(row.bytes_out),
        pushes: Number(row.pushes),
        pulls: Number(row.pulls),
      })),
    recordPullTimes: async (pulls) => {
      if (pulls.length === 0) return;
      const rows = [...pulls].sort(byKey((row) => `${row.repository}@${row.digest}`));
      await db.write(
        'relaxed',
        `UPDATE manifests m SET last_pulled_at = v.at
         FROM unnest($1::text[], $2::text[], $3::timestamptz[]) AS v(repository, digest, at)
         JOIN repositories r ON r.name = v.repository
         WHERE m.repository_id = r.id AND m.digest = v.digest AND (m.last_pulled_at IS NULL OR m.last_pulled_at < v.at)`,
        rows.map((row) => row.repository),
        rows.map((row) => row.digest),
        rows.map((row) => row.at.toISOString()),
      );
    },
    storedBytes: async () => {
      const [repositories, registry] = await Promise.all([db.all(STORED_BYTES_BY_REPOSITORY_SQL), db.get(STORED_BYTES_IN_REGISTRY_SQL)]);
      return {
        repositories: repositories.map((row) => ({ repository: String(row.repository), bytes: Number(row.bytes) })),
        registry: Number(registry!.bytes),
      };
    },
    saveStorageSnapshot: async (snapshot) => {
      const kept = snapshot.repositories.filter((row) => row.bytes > 0);
      await db.transaction(async (tx) => {
        await tx.run('DELETE FROM storage_daily WHERE day = $1', snapshot.day);
        await tx.run(
          'INSERT INTO storage_daily (day, repository, stored_bytes) SELECT $1, * FROM unnest($2::text[], $3::bigint[])',
          snapshot.day,
          kept.map((row) => row.repository),
          kept.map((row) => String(row.bytes)),
        );
        await tx.run(
          `INSERT INTO registry_storage_daily (day, stored_bytes, taken_at) VALUES ($1, $2, $3)
           ON CONFLICT (day) DO UPDATE SET stored_bytes = excluded.stored_bytes, taken_at = excluded.taken_at`,
          snapshot.day,
          String(snapshot.registry),
          snapshot.takenAt,
        );
      });
    },
    storageSnapshots: async (firstDay, lastDay) => {
      const days = await db.all('SELECT day, stored_bytes, taken_at FROM registry_storage_daily WHERE day >= $1 AND day <= $2 ORDER BY day', firstDay, lastDay);
      const rows = await db.all('SELECT day, repository, stored_bytes FROM storage_daily WHERE day >= $1 AND day <= $2 ORDER BY day, repository', firstDay, lastDay);
      return days.map(
        (day): StorageSnapshot => ({
          day: String(day.day),
          registry: Number(day.stored_bytes),
          takenAt: day.taken_at as Date,
          repositories: rows.filter((row) => row.day === day.day).map((row) => ({ repository: String(row.repository), bytes: Number(row.stored_bytes) })),
        }),
      );
    },
  };
}
