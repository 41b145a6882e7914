// The part of the MetadataStore port that keeps identities: IAM users, their access
// keys (the secret arrives already sealed: the store never sees it in the clear) and
// their inline policies. Rules such as IAM's DeleteConflict (a user with keys or
// policies cannot be deleted) belong to the caller; the store only keeps rows.
import type { Page } from './metadata-store.ts';

export interface UserRecord {
  readonly accountId: string;
  readonly userName: string;
  /** IAM's stable id (AIDA…), distinct from the name. */
  readonly userId: string;
  readonly path: string;
  readonly createdAt: Date;
}

export type AccessKeyStatus = 'Active' | 'Inactive';

export interface AccessKeyRecord {
  readonly accessKeyId: string;
  readonly accountId: string;
  readonly userName: string;
  /** The secret sealed by the caller (src/auth/tokens/secret-box.ts). */
  readonly sealedSecret: Buffer;
  readonly status: AccessKeyStatus;
  readonly createdAt: Date;
}

export interface UserPolicyRecord {
  readonly accountId: string;
  readonly userName: string;
  readonly policyName: string;
  /** The policy document as the client sent it. */
  readonly document: string;
}

export interface IdentityStore {
  /** False when the account already has a user of that name. */
  createUser(user: UserRecord): Promise<boolean>;
  getUser(accountId: string, userName: string): Promise<UserRecord | undefined>;
  /** Users of the account ordered by name, after `page.after`. */
  listUsers(accountId: string, page: Page): Promise<UserRecord[]>;
  deleteUser(accountId: string, userName: string): Promise<boolean>;

  createAccessKey(key: AccessKeyRecord): Promise<void>;
  getAccessKey(accessKeyId: string): Promise<AccessKeyRecord | undefined>;
  listAccessKeys(accountId: string, userName: string): Promise<AccessKeyRecord[]>;
  setAccessKeyStatus(accessKeyId: string, status: AccessKeyStatus): Promise<boolean>;
  deleteAccessKey(accessKeyId: string): Promise<boolean>;

  /** Creates or replaces the named inline policy. */
  putUserPolicy(policy: UserPolicyRecord): Promise<void>;
  getUserPolicy(accountId: string, userName: string, policyName: string): Promise<UserPolicyRecord | undefined>;
  /** Policy names, ordered. */
  listUserPolicies(accountId: string, userName: string): Promise<string[]>;
  deleteUserPolicy(accountId: string, userName: string, policyName: string): Promise<boolean>;

  /**
   * The key check: a value sealed under the server key of the registry (the key every
   * secret here is sealed under), or undefined before the first start stored one.
   */
  keyCheck(): Promise<Buffer | undefined>;
  /**
   * Stores `sealed` as the key check unless one is stored; returns the stored value —
   * `sealed`, or the one stored first when another process got there before.
   */
  claimKeyCheck(sealed: Buffer): Promise<Buffer>;
}
