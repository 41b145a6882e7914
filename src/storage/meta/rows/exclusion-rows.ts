// Pull time update exclusions: the row→record mapper, the same for every driver.
import type { PullTimeExclusionRecord } from '../pull-time-exclusion-store.ts';
import type { ColumnValues, Row } from './column-values.ts';

export function exclusionRows(values: ColumnValues) {
  return {
    /** A row of principal_arn and created_at. */
    exclusion: (row: Row): PullTimeExclusionRecord => ({ principalArn: String(row.principal_arn), createdAt: values.time(row.created_at) }),
  };
}
