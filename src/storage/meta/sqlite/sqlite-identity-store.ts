// IdentityStore on the shared SQLite connection. Identity writes are rare and
// security-relevant, so they always commit durably.
import type { IdentityStore } from '../identity-store.ts';
import { ifFound } from '../rows/column-values.ts';
import { ACCESS_KEY_COLUMNS, identityRows, USER_COLUMNS, USER_POLICY_COLUMNS } from '../rows/identity-rows.ts';
import { SQLITE_VALUES } from './sqlite-column-values.ts';
import type { SqliteConnection } from './sqlite-connection.ts';

const rows = identityRows(SQLITE_VALUES);

export function createSqliteIdentityStore(db: SqliteConnection): IdentityStore {
  return {
    createUser: async (user) =>
      db.run(
        'INSERT INTO users (account_id, user_name, user_id, path, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING',
        user.accountId,
        user.userName,
        user.userId,
        user.path,
        user.createdAt.getTime(),
      ) > 0,
    getUser: async (accountId, userName) =>
      ifFound(db.get(`SELECT ${USER_COLUMNS} FROM users WHERE account_id = ? AND user_name = ?`, accountId, userName), rows.user),
    listUsers: async (accountId, page) =>
      db
        .all(`SELECT ${USER_COLUMNS} FROM users WHERE account_id = ? AND user_name > ? ORDER BY user_name LIMIT ?`, accountId, page.after ?? '', page.limit)
        .map(rows.user),
    deleteUser: async (accountId, userName) => db.run('DELETE FROM users WHERE account_id = ? AND user_name = ?', accountId, userName) > 0,

    createAccessKey: async (key) => {
      db.run(
        'INSERT INTO access_keys (access_key_id, account_id, user_name, sealed_secret, status, created_at) VALUES (?, ?, ?, ?, ?, ?)',
        key.accessKeyId,
        key.accountId,
        key.userName,
        key.sealedSecret,
        key.status,
        key.createdAt.getTime(),
      );
    },
    getAccessKey: async (accessKeyId) => ifFound(db.get(`SELECT ${ACCESS_KEY_COLUMNS} FROM access_keys WHERE access_key_id = ?`, accessKeyId), rows.accessKey),
    listAccessKeys: async (accountId, userName) =>
      db
        .all(`SELECT ${ACCESS_KEY_COLUMNS} FROM access_keys WHERE account_id = ? AND user_name = ? ORDER BY created_at, access_key_id`, accountId, userName)
        .map(rows.accessKey),
    setAccessKeyStatus: async (accessKeyId, status) => db.run('UPDATE access_keys SET status = ? WHERE access_key_id = ?', status, accessKeyId) > 0,
    deleteAccessKey: async (accessKeyId) => db.run('DELETE FROM access_keys WHERE access_key_id = ?', accessKeyId) > 0,

    putUserPolicy: async (policy) => {
      db.run(
        `INSERT INTO user_policies (account_id, user_name, policy_name, document) VALUES (?, ?, ?, ?)
         ON CONFLICT (account_id, user_name, policy_name) DO UPDATE SET document = excluded.document`,
        policy.accountId,
        policy.userName,
        policy.policyName,
        policy.document,
      );
    },
    getUserPolicy: async (accountId, userName, policyName) =>
      ifFound(
        db.get(`SELECT ${USER_POLICY_COLUMNS} FROM user_policies WHERE account_id = ? AND user_name = ? AND policy_name = ?`, accountId, userName, policyName),
        rows.policy,
      ),
    listUserPolicies: async (accountId, userName) =>
      db
        .all('SELECT policy_name FROM user_policies WHERE account_id = ? AND user_name = ? ORDER BY policy_name', accountId, userName)
        .map((row) => String(row.policy_name)),
    deleteUserPolicy: async (accountId, userName, policyName) =>
      db.run('DELETE FROM user_policies WHERE account_id = ? AND user_name = ? AND policy_name = ?', accountId, userName, policyName) > 0,

    keyCheck: async () => ifFound(db.get('SELECT sealed FROM server_key_check WHERE id = 1'), (row) => SQLITE_VALUES.bytes(row.sealed)),
    claimKeyCheck: async (sealed) => {
      // One statement each, on the one connection every caller of this process shares;
      // another process's insert is either committed before ours (we keep theirs) or after.
      db.run('INSERT INTO server_key_check (id, sealed) VALUES (1, ?) ON CONFLICT DO NOTHING', sealed);
      return SQLITE_VALUES.bytes(db.get('SELECT sealed FROM server_key_check WHERE id = 1')!.sealed);
    },
  };
}
