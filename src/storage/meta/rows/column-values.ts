// What the row→record mappers of this folder need from a driver: the few column values
// whose JavaScript type depends on the database. Everything else reads the same on both:
// text, numbers (both drivers hand BIGINT/INTEGER back as numbers), SQL NULL as null,
// and JSON documents, which both schemas keep as TEXT exactly as written.

/** One result row, by column name, as either driver returns it. */
export type Row = Readonly<Record<string, unknown>>;

export interface ColumnValues {
  /** A time column: SQLite stores epoch milliseconds, PostgreSQL's TIMESTAMPTZ arrives as a Date. */
  time(value: unknown): Date;
  /** A bytes column: SQLite's BLOB arrives as a Uint8Array, PostgreSQL's BYTEA as a Buffer. */
  bytes(value: unknown): Buffer;
  /** A list of strings the query aggregated: SQLite's json_group_array text, PostgreSQL's ARRAY. */
  strings(value: unknown): string[];
}

/** The record a row maps to, or undefined when the query found no row. */
export function ifFound<T>(row: Row | undefined, toRecord: (row: Row) => T): T | undefined {
  return row === undefined ? undefined : toRecord(row);
}
