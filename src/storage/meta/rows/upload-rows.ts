// Upload sessions: their columns and row→record mapper, the same for every driver.
import type { UploadRecord } from '../metadata-store.ts';
import type { ColumnValues, Row } from './column-values.ts';

// Named, never `*`: see identity-rows.ts (rolling upgrades on PostgreSQL). "offset" is
// quoted: it is a keyword in both dialects.
export const UPLOAD_COLUMNS = 'id, repository, "offset", started_at, updated_at';

export function uploadRows(values: ColumnValues) {
  return {
    upload: (row: Row): UploadRecord => ({
      id: String(row.id),
      repository: String(row.repository),
      offset: Number(row.offset),
      startedAt: values.time(row.started_at),
      updatedAt: values.time(row.updated_at),
    }),
  };
}
