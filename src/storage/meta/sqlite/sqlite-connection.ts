// One node:sqlite connection with what every SQLite store needs: cached prepared
// statements, transactions, relaxed-durability writes and versioned migrations.
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { SQLITE_MIGRATIONS } from './migrations.ts';

export type Row = Record<string, unknown>;
export type Param = string | number | null | Uint8Array;
export type Synchronous = 'FULL' | 'NORMAL';

export interface SqliteConnectionOptions {
  /** File path, or ':memory:'. */
  readonly path: string;
  /** PRAGMA synchronous: FULL survives power loss, NORMAL only process crashes. */
  readonly synchronous?: Synchronous;
  readonly busyTimeoutMs?: number;
}

export class SqliteConnection {
  readonly #db: DatabaseSync;
  readonly #synchronous: Synchronous;
  readonly #statements = new Map<string, StatementSync>();

  private constructor(db: DatabaseSync, synchronous: Synchronous) {
    this.#db = db;
    this.#synchronous = synchronous;
  }

  /** Opens (creating if needed) and migrates the database; refuses a newer schema. */
  static open(options: SqliteConnectionOptions): SqliteConnection {
    if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true });
    const db = new DatabaseSync(options.path);
    try {
      db.exec(`PRAGMA busy_timeout = ${Math.trunc(options.busyTimeoutMs ?? 5000)}`);
      // Refuse a newer schema before changing anything about the file (WAL mode persists).
      refuseNewerSchema(db);
      db.exec('PRAGMA journal_mode = WAL');
      db.exec(`PRAGMA synchronous = ${options.synchronous ?? 'FULL'}`);
      db.exec('PRAGMA foreign_keys = ON');
      migrate(db);
      return new SqliteConnection(db, options.synchronous ?? 'FULL');
    } catch (error) {
      db.close();
      throw error;
    }
  }

  close(): void {
    if (this.#db.isOpen) this.#db.close();
  }

  get(sql: string, ...params: Param[]): Row | undefined {
    return this.#statement(sql).get(...params) as Row | undefined;
  }

  all(sql: string, ...params: Param[]): Row[] {
    return this.#statement(sql).all(...params) as Row[];
  }

  /** Runs a write; resolves to the number of rows changed. */
  run(sql: string, ...params: Param[]): number {
    return Number(this.#statement(sql).run(...params).changes);
  }

  transaction<T>(work: () => T): T {
    this.#db.exec('BEGIN IMMEDIATE');
    try {
      const result = work();
      this.#db.exec('COMMIT');
      return result;
    } catch (error) {
      if (this.#db.isTransaction) this.#db.exec('ROLLBACK');
      throw error;
    }
  }

  /**
   * Runs a write that may wait for the disk later (see the metadata port's durability
   * note): in WAL mode with synchronous=NORMAL the commit survives a process crash at
   * once, and the next FULL commit (a manifest push) fsyncs the log up to and
   * including it, so it survives power loss from then on. Measured: the four fsyncs
   * that blocked the event loop for every pushed layer are gone; one per image remains.
   */
  relaxed<T>(work: () => T): T {
    if (this.#synchronous === 'NORMAL') return work();
    this.#db.exec('PRAGMA synchronous = NORMAL');
    try {
      return work();
    } finally {
      this.#db.exec(`PRAGMA synchronous = ${this.#synchronous}`);
    }
  }

  #statement(sql: string): StatementSync {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }
}

function schemaVersion(db: DatabaseSync): number {
  return Number((db.prepare('PRAGMA user_version').get() as Row).user_version);
}

function refuseNewerSchema(db: DatabaseSync): void {
  const current = schemaVersion(db);
  if (current > SQLITE_MIGRATIONS.length) {
    throw new Error(`database schema version ${current} is newer than this Berth (${SQLITE_MIGRATIONS.length}); upgrade Berth`);
  }
}

function migrate(db: DatabaseSync): void {
  refuseNewerSchema(db);
  for (let version = schemaVersion(db) + 1; version <= SQLITE_MIGRATIONS.length; version++) {
    db.exec('BEGIN IMMEDIATE');
    try {
      // Re-check under the write lock: another process may have migrated meanwhile.
      if (schemaVersion(db) < version) {
        db.exec(SQLITE_MIGRATIONS[version - 1]!);
        db.exec(`PRAGMA user_version = ${version}`);
      }
      db.exec('COMMIT');
    } catch (error) {
      if (db.isTransaction) db.exec('ROLLBACK');
      throw error;
    }
  }
}
