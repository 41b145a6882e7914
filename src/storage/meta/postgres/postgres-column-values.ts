// How `pg` hands back the column values whose type differs between drivers (see
// ../rows/column-values.ts): already as the record wants them.
import type { ColumnValues } from '../rows/column-values.ts';

export const POSTGRES_VALUES: ColumnValues = {
  // TIMESTAMPTZ is parsed into a Date by pg's default type parser.
  time: (value) => value as Date,
  // BYTEA arrives as a Buffer.
  bytes: (value) => value as Buffer,
  // A text ARRAY(...) arrives as a string[].
  strings: (value) => value as string[],
};
