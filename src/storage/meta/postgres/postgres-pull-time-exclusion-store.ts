// PullTimeExclusionStore on PostgreSQL. Adding counts and inserts in one transaction
// under a per-account advisory lock, so two nodes cannot both add the last allowed
// exclusion (READ COMMITTED alone would let both count the same rows).
import type { AddExclusionResult, PullTimeExclusionStore } from '../pull-time-exclusion-store.ts';
import { exclusionRows } from '../rows/exclusion-rows.ts';
import { POSTGRES_VALUES } from './postgres-column-values.ts';
import type { PostgresConnection } from './postgres-connection.ts';

const rows = exclusionRows(POSTGRES_VALUES);

/** The first half of the advisory lock key: "bert", apart from other users of advisory locks. */
const EXCLUSIONS_LOCK_CLASS = 0x6265_7274;

export function createPostgresPullTimeExclusionStore(db: PostgresConnection): PullTimeExclusionStore {
  return {
    add: (accountId, principalArn, at, maxPerAccount) =>
      db.transaction(async (tx): Promise<AddExclusionResult> => {
        await tx.get('SELECT pg_advisory_xact_lock($1, hashtext($2))', EXCLUSIONS_LOCK_CLASS, accountId);
        if (await tx.get('SELECT 1 AS found FROM pull_time_exclusions WHERE account_id = $1 AND principal_arn = $2', accountId, principalArn)) return 'exists';
        const count = Number((await tx.get('SELECT count(*) AS n FROM pull_time_exclusions WHERE account_id = $1', accountId))!.n);
        if (count >= maxPerAccount) return 'full';
        await tx.run('INSERT INTO pull_time_exclusions (account_id, principal_arn, created_at) VALUES ($1, $2, $3)', accountId, principalArn, at);
        return 'added';
      }),
    remove: async (accountId, principalArn) =>
      (await db.run('DELETE FROM pull_time_exclusions WHERE account_id = $1 AND principal_arn = $2', accountId, principalArn)) > 0,
    list: async (accountId, page) =>
      (
        await db.all(
          'SELECT principal_arn, created_at FROM pull_time_exclusions WHERE account_id = $1 AND principal_arn > $2 ORDER BY principal_arn LIMIT $3',
          accountId,
          page.after ?? '',
          page.limit,
        )
      ).map(rows.exclusion),
  };
}
