// IdentityStore on the shared SQLite connection. Identity writes are rare and
// security-relevant, so they always commit durably.
import type { AccessKeyRecord, AccessKeyStatus, IdentityStore, UserPolicyRecord, UserRecord } from '../identity-store.ts';
import type { Row, SqliteConnection } from './sqlite-connection.ts';

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
    getUser: async (accountId, userName) => toUser(db.get('SELECT * FROM users WHERE account_id = ? AND user_name = ?', accountId, userName)),
    listUsers: async (accountId, page) =>
      db
        .all('SELECT * FROM users WHERE account_id = ? AND user_name > ? ORDER BY user_name LIMIT ?', accountId, page.after ?? '', page.limit)
        .map((row) => toUser(row)!),
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
    getAccessKey: async (accessKeyId) => toAccessKey(db.get('SELECT * FROM access_keys WHERE access_key_id = ?', accessKeyId)),
    listAccessKeys: async (accountId, userName) =>
      db
        .all('SELECT * FROM access_keys WHERE account_id = ? AND user_name = ? ORDER BY created_at, access_key_id', accountId, userName)
        .map((row) => toAccessKey(row)!),
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
      toPolicy(db.get('SELECT * FROM user_policies WHERE account_id = ? AND user_name = ? AND policy_name = ?', accountId, userName, policyName)),
    listUserPolicies: async (accountId, userName) =>
      db
        .all('SELECT policy_name FROM user_policies WHERE account_id = ? AND user_name = ? ORDER BY policy_name', accountId, userName)
        .map((row) => String(row.policy_name)),
    deleteUserPolicy: async (accountId, userName, policyName) =>
      db.run('DELETE FROM user_policies WHERE account_id = ? AND user_name = ? AND policy_name = ?', accountId, userName, policyName) > 0,

    keyCheck: async () => toBuffer(db.get('SELECT sealed FROM server_key_check WHERE id = 1')?.sealed),
    claimKeyCheck: async (sealed) => {
      // One statement each, on the one connection every caller of this process shares;
      // another process's insert is either committed before ours (we keep theirs) or after.
      db.run('INSERT INTO server_key_check (id, sealed) VALUES (1, ?) ON CONFLICT DO NOTHING', sealed);
      return toBuffer(db.get('SELECT sealed FROM server_key_check WHERE id = 1')?.sealed)!;
    },
  };
}

function toBuffer(value: unknown): Buffer | undefined {
  if (value === undefined || value === null) return undefined;
  const bytes = value as Uint8Array;
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function toUser(row: Row | undefined): UserRecord | undefined {
  if (row === undefined) return undefined;
  return {
    accountId: String(row.account_id),
    userName: String(row.user_name),
    userId: String(row.user_id),
    path: String(row.path),
    createdAt: new Date(Number(row.created_at)),
  };
}

function toAccessKey(row: Row | undefined): AccessKeyRecord | undefined {
  if (row === undefined) return undefined;
  const sealed = row.sealed_secret as Uint8Array;
  return {
    accessKeyId: String(row.access_key_id),
    accountId: String(row.account_id),
    userName: String(row.user_name),
    sealedSecret: Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength),
    status: String(row.status) as AccessKeyStatus,
    createdAt: new Date(Number(row.created_at)),
  };
}

function toPolicy(row: Row | undefined): UserPolicyRecord | undefined {
  if (row === undefined) return undefined;
  return {
    accountId: String(row.account_id),
    userName: String(row.user_name),
    policyName: String(row.policy_name),
    document: String(row.document),
  };
}
