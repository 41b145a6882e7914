// A `pg` Pool with what every PostgreSQL store needs: prepared statements by name,
// one transaction per port method (retried when PostgreSQL picked it as a deadlock
// victim), relaxed-durability commits, and versioned migrations that several nodes
// may start at once.
import { createHash } from 'node:crypto';
import pg from 'pg';
import type { PoolClient, QueryResultRow } from 'pg';
import { POSTGRES_MIGRATIONS } from './migrations.ts';

export type Row = QueryResultRow;
export type Param = string | number | boolean | null | Date | Buffer | readonly string[];

/**
 * `durable`: the commit waits for the WAL flush (the server's synchronous_commit,
 * `on` by default). `relaxed`: synchronous_commit=off for this transaction only — it
 * survives a crash of Berth at once and a crash of the database server once the next
 * durable commit (whose WAL flush covers every earlier commit record) returns; see the
 * durability note on the metadata port.
 */
export type Durability = 'durable' | 'relaxed';

export interface PostgresConnectionOptions {
  /** postgres:// or postgresql:// URL (libpq style: user, password, host, port, database, ?sslmode=…). */
  readonly url: string;
  /** Connections this process may hold (default 10). */
  readonly poolSize?: number;
  /** Told about errors of idle connections (the pool drops them and connects anew). */
  readonly onError?: (error: Error) => void;
}

/** What a transaction's body may run: every statement on the transaction's connection. */
export interface Queries {
  all(sql: string, ...params: Param[]): Promise<Row[]>;
  get(sql: string, ...params: Param[]): Promise<Row | undefined>;
  /** Runs a write; resolves to the number of rows it changed. */
  run(sql: string, ...params: Param[]): Promise<number>;
}

/** SQLSTATEs after which the whole transaction may simply run again. */
const RETRYABLE = new Set(['40001' /* serialization_failure */, '40P01' /* deadlock_detected */]);
const MAX_ATTEMPTS = 5;

/** Any key shared by every Berth node of a database: serializes their migrations. */
const MIGRATION_LOCK = 0x6265_7274_6800n; // "berth\0"

// BIGINT (sizes, offsets, ids) as numbers: the largest is a blob size, far below 2^53.
const INT8_OID = 20;
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID && format !== 'binary' ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

export class PostgresConnection implements Queries {
  readonly #pool: pg.Pool;

  private constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  /** Connects and migrates the database; refuses a newer schema. */
  static async open(options: PostgresConnectionOptions): Promise<PostgresConnection> {
    const pool = new pg.Pool({ connectionString: options.url, max: options.poolSize ?? 10, types, application_name: 'berth' });
    // Without a listener an idle connection's error (server restart) would end the process.
    pool.on('error', (error) => options.onError?.(error));
    try {
      await migrate(pool);
      return new PostgresConnection(pool);
    } catch (error) {
      await pool.end();
      throw error;
    }
  }

  async close(): Promise<void> {
    if (!this.#pool.ended) await this.#pool.end();
  }

  all(sql: string, ...params: Param[]): Promise<Row[]> {
    return query(this.#pool, sql, params).then((result) => result.rows);
  }

  get(sql: string, ...params: Param[]): Promise<Row | undefined> {
    return query(this.#pool, sql, params).then((result) => result.rows[0]);
  }

  run(sql: string, ...params: Param[]): Promise<number> {
    return query(this.#pool, sql, params).then((result) => result.rowCount ?? 0);
  }

  /**
   * Runs `work` as one READ COMMITTED transaction on one connection and commits it;
   * rolls back when it throws. Isolation beyond READ COMMITTED comes from the row locks
   * the body takes (docs/architecture.md, "PostgreSQL"). A body PostgreSQL aborts as a
   * deadlock victim runs again from the start, so it must do nothing but queries.
   */
  async transaction<T>(work: (queries: Queries) => Promise<T>, durability: Durability = 'durable'): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const outcome = await onConnection(this.#pool, async (client, broke) => {
        try {
          await client.query(durability === 'relaxed' ? 'BEGIN; SET LOCAL synchronous_commit TO OFF' : 'BEGIN');
          const result = await work(on(client));
          await client.query('COMMIT');
          return { result };
        } catch (error) {
          try {
            await client.query('ROLLBACK');
          } catch (rollbackError) {
            broke(rollbackError as Error);
          }
          if (attempt < MAX_ATTEMPTS && RETRYABLE.has((error as { code?: string }).code ?? '')) return undefined;
          throw error;
        }
      });
      if (outcome) return outcome.result;
    }
  }

  /** One statement in its own transaction, committed with the given durability. */
  async write(durability: Durability, sql: string, ...params: Param[]): Promise<number> {
    if (durability === 'durable') return this.run(sql, ...params);
    return this.transaction((tx) => tx.run(sql, ...params), 'relaxed');
  }
}

function on(client: PoolClient): Queries {
  return {
    all: (sql, ...params) => query(client, sql, params).then((result) => result.rows),
    get: (sql, ...params) => query(client, sql, params).then((result) => result.rows[0]),
    run: (sql, ...params) => query(client, sql, params).then((result) => result.rowCount ?? 0),
  };
}

/**
 * Every statement is prepared once per connection under a name derived from its
 * text: the hot reads (a manifest by tag, a blob link) skip parsing and planning.
 */
function query(target: pg.Pool | PoolClient, sql: string, params: readonly Param[]): Promise<pg.QueryResult<Row>> {
  return target.query({ name: statementName(sql), text: sql, values: params as unknown[] });
}

const names = new Map<string, string>();

function statementName(sql: string): string {
  let name = names.get(sql);
  if (name === undefined) {
    name = `berth_${createHash('sha256').update(sql).digest('hex').slice(0, 24)}`;
    names.set(sql, name);
  }
  return name;
}

/**
 * Brings the schema to POSTGRES_MIGRATIONS.length in one transaction under an
 * advisory lock, so nodes starting together migrate once and the others wait and
 * find it done. A database newer than this code is refused before anything changes.
 */
async function migrate(pool: pg.Pool): Promise<void> {
  await onConnection(pool, async (client) => {
    await client.query('BEGIN');
    try {
      await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK.toString()]);
      await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())');
      const current = Number((await client.query('SELECT COALESCE(MAX(version), 0) AS version FROM schema_migrations')).rows[0].version);
      if (current > POSTGRES_MIGRATIONS.length) {
        throw new Error(`database schema version ${current} is newer than this Berth (${POSTGRES_MIGRATIONS.length}); upgrade Berth`);
      }
      for (let version = current + 1; version <= POSTGRES_MIGRATIONS.length; version++) {
        await client.query(POSTGRES_MIGRATIONS[version - 1]!);
        await client.query('INSERT INTO schema_migrations (version) VALUES ($1)', [version]);
      }
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    }
  });
}

/**
 * Runs `work` on a connection checked out of the pool, and gives it back afterwards —
 * destroyed rather than reused once it broke. While a connection is checked out the
 * pool no longer listens to it: without a listener of our own, a socket failure
 * between two statements (the server restarting, an administrator ending the backend)
 * would be an unhandled 'error' event that ends the process. The statement in flight,
 * or the next one, fails with the error anyway; the listener only marks the
 * connection as broken.
 */
async function onConnection<T>(pool: pg.Pool, work: (client: PoolClient, broke: (error: Error) => void) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  const broke = (error: Error): void => {
    broken ??= error;
  };
  client.on('error', broke);
  try {
    return await work(client, broke);
  } finally {
    client.off('error', broke);
    client.release(broken);
  }
}

/** The schema version a database is at (0 for an empty one): for tests and diagnostics. */
export async function schemaVersion(queries: Queries): Promise<number> {
  const table = await queries.get(`SELECT to_regclass('schema_migrations') IS NOT NULL AS present`);
  if (!table?.present) return 0;
  return Number((await queries.get('SELECT COALESCE(MAX(version), 0) AS version FROM schema_migrations'))!.version);
}
