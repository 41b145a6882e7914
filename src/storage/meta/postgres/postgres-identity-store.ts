// IdentityStore on PostgreSQL. Identity writes are rare and security-relevant, so they
// always commit durably. User names match regardless of (ASCII) case, as SQLite's
// COLLATE NOCASE does: rows are found by user_key, the generated lower-case name
// (migration 2), and `lower(... COLLATE "C")` folds a looked-up name the same way.
import type { IdentityStore } from '../identity-store.ts';
import { ifFound } from '../rows/column-values.ts';
import { ACCESS_KEY_COLUMNS, identityRows, USER_COLUMNS, USER_POLICY_COLUMNS } from '../rows/identity-rows.ts';
import { POSTGRES_VALUES } from './postgres-column-values.ts';
import type { PostgresConnection } from './postgres-connection.ts';

const rows = identityRows(POSTGRES_VALUES);

/** The generated key a user name is found by. */
const userKey = (placeholder: string): string => `lower(${placeholder}::text COLLATE "C")`;

export function createPostgresIdentityStore(db: PostgresConnection): IdentityStore {
  return {
    createUser: async (user) =>
      (await db.run(
        'INSERT INTO users (account_id, user_name, user_id, path, created_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING',
        user.accountId,
        user.userName,
        user.userId,
        user.path,
        user.createdAt,
      )) > 0,
    getUser: async (accountId, userName) =>
      ifFound(await db.get(`SELECT ${USER_COLUMNS} FROM users WHERE account_id = $1 AND user_key = ${userKey('$2')}`, accountId, userName), rows.user),
    listUsers: async (accountId, page) =>
      (
        await db.all(
          `SELECT ${USER_COLUMNS} FROM users WHERE account_id = $1 AND user_key > ${userKey('$2')} ORDER BY user_key LIMIT $3`,
          accountId,
          page.after ?? '',
          page.limit,
        )
      ).map(rows.user),
    deleteUser: async (accountId, userName) =>
      (await db.run(`DELETE FROM users WHERE account_id = $1 AND user_key = ${userKey('$2')}`, accountId, userName)) > 0,

    createAccessKey: async (key) => {
      await db.run(
        'INSERT INTO access_keys (access_key_id, account_id, user_name, sealed_secret, status, created_at) VALUES ($1, $2, $3, $4, $5, $6)',
        key.accessKeyId,
        key.accountId,
        key.userName,
        key.sealedSecret,
        key.status,
        key.createdAt,
      );
    },
    getAccessKey: async (accessKeyId) =>
      ifFound(await db.get(`SELECT ${ACCESS_KEY_COLUMNS} FROM access_keys WHERE access_key_id = $1`, accessKeyId), rows.accessKey),
    listAccessKeys: async (accountId, userName) =>
      (
        await db.all(
          `SELECT ${ACCESS_KEY_COLUMNS} FROM access_keys WHERE account_id = $1 AND user_key = ${userKey('$2')} ORDER BY created_at, access_key_id`,
          accountId,
          userName,
        )
      ).map(rows.accessKey),
    setAccessKeyStatus: async (accessKeyId, status) =>
      (await db.run('UPDATE access_keys SET status = $1 WHERE access_key_id = $2', status, accessKeyId)) > 0,
    deleteAccessKey: async (accessKeyId) => (await db.run('DELETE FROM access_keys WHERE access_key_id = $1', accessKeyId)) > 0,

    putUserPolicy: async (policy) => {
      await db.run(
        `INSERT INTO user_policies (account_id, user_name, policy_name, document) VALUES ($1, $2, $3, $4)
         ON CONFLICT (account_id, user_key, policy_name) DO UPDATE SET document = EXCLUDED.document`,
        policy.accountId,
        policy.userName,
        policy.policyName,
        policy.document,
      );
    },
    getUserPolicy: async (accountId, userName, policyName) =>
      ifFound(
        await db.get(
          `SELECT ${USER_POLICY_COLUMNS} FROM user_policies WHERE account_id = $1 AND user_key = ${userKey('$2')} AND policy_name = $3`,
          accountId,
          userName,
          policyName,
        ),
        rows.policy,
      ),
    listUserPolicies: async (accountId, userName) =>
      (
        await db.all(`SELECT policy_name FROM user_policies WHERE account_id = $1 AND user_key = ${userKey('$2')} ORDER BY policy_name`, accountId, userName)
      ).map((row) => String(row.policy_name)),
    deleteUserPolicy: async (accountId, userName, policyName) =>
      (await db.run(`DELETE FROM user_policies WHERE account_id = $1 AND user_key = ${userKey('$2')} AND policy_name = $3`, accountId, userName, policyName)) > 0,

    keyCheck: async () => ifFound(await db.get('SELECT sealed FROM server_key_check WHERE id = 1'), (row) => POSTGRES_VALUES.bytes(row.sealed)),
    claimKeyCheck: async (sealed) => {
      // Two statements, not one: a statement's snapshot would not show the row of a node
      // whose insert we waited for. The insert waits for that node's commit (the primary
      // key), changes nothing, and the select, a new snapshot, reads the winner's value.
      await db.run('INSERT INTO server_key_check (id, sealed) VALUES (1, $1) ON CONFLICT DO NOTHING', sealed);
      return POSTGRES_VALUES.bytes((await db.get('SELECT sealed FROM server_key_check WHERE id = 1'))!.sealed);
    },
  };
}
