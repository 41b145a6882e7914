// How node:sqlite hands back the column values whose type differs between drivers
// (see ../rows/column-values.ts).
import type { ColumnValues } from '../rows/column-values.ts';

export const SQLITE_VALUES: ColumnValues = {
  // Times are stored as epoch milliseconds (INTEGER).
  time: (value) => new Date(Number(value)),
  // A BLOB arrives as a plain Uint8Array: a Buffer over the same memory, not a copy.
  bytes: (value) => {
    const bytes = value as Uint8Array;
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  },
  // SQLite has no arrays: the queries aggregate with json_group_array.
  strings: (value) => JSON.parse(String(value)) as string[],
};
