// IAM users, access keys and user policies: their columns and row→record mappers, the
// same for every driver (see column-values.ts for what differs).
import type { AccessKeyRecord, AccessKeyStatus, UserPolicyRecord, UserRecord } from '../identity-store.ts';
import type { ColumnValues, Row } from './column-values.ts';

// Columns are named, never `*`: a statement prepared on a PostgreSQL node still running
// the old code keeps working when a newer node's migration adds a column (rolling upgrades).
export const USER_COLUMNS = 'account_id, user_name, user_id, path, created_at';
export const ACCESS_KEY_COLUMNS = 'access_key_id, account_id, user_name, sealed_secret, status, created_at';
export const USER_POLICY_COLUMNS = 'account_id, user_name, policy_name, document';

export function identityRows(values: ColumnValues) {
  return {
    user: (row: Row): UserRecord => ({
      accountId: String(row.account_id),
      userName: String(row.user_name),
      userId: String(row.user_id),
      path: String(row.path),
      createdAt: values.time(row.created_at),
    }),
    accessKey: (row: Row): AccessKeyRecord => ({
      accessKeyId: String(row.access_key_id),
      accountId: String(row.account_id),
      userName: String(row.user_name),
      sealedSecret: values.bytes(row.sealed_secret),
      status: String(row.status) as AccessKeyStatus,
      createdAt: values.time(row.created_at),
    }),
    policy: (row: Row): UserPolicyRecord => ({
      accountId: String(row.account_id),
      userName: String(row.user_name),
      policyName: String(row.policy_name),
      document: String(row.document),
    }),
  };
}
