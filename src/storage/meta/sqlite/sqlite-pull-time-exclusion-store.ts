// PullTimeExclusionStore on the shared SQLite connection. Adding counts and inserts in
// one transaction, so two processes cannot both add the last allowed exclusion.
import type { AddExclusionResult, PullTimeExclusionStore } from '../pull-time-exclusion-store.ts';
import { exclusionRows } from '../rows/exclusion-rows.ts';
import { SQLITE_VALUES } from './sqlite-column-values.ts';
import type { SqliteConnection } from './sqlite-connection.ts';

const rows = exclusionRows(SQLITE_VALUES);

export function createSqlitePullTimeExclusionStore(db: SqliteConnection): PullTimeExclusionStore {
  return {
    add: async (accountId, principalArn, at, maxPerAccount) =>
      db.transaction((): AddExclusionResult => {
        if (db.get('SELECT 1 AS found FROM pull_time_exclusions WHERE account_id = ? AND principal_arn = ?', accountId, principalArn)) return 'exists';
        const count = Number(db.get('SELECT COUNT(*) AS n FROM pull_time_exclusions WHERE account_id = ?', accountId)!.n);
        if (count >= maxPerAccount) return 'full';
        db.run('INSERT INTO pull_time_exclusions (account_id, principal_arn, created_at) VALUES (?, ?, ?)', accountId, principalArn, at.getTime());
        return 'added';
      }),
    remove: async (accountId, principalArn) =>
      db.run('DELETE FROM pull_time_exclusions WHERE account_id = ? AND principal_arn = ?', accountId, principalArn) > 0,
    list: async (accountId, page) =>
      db
        .all(
          'SELECT principal_arn, created_at FROM pull_time_exclusions WHERE account_id = ? AND principal_arn > ? ORDER BY principal_arn LIMIT ?',
          accountId,
          page.after ?? '',
          page.limit,
        )
        .map(rows.exclusion),
  };
}
