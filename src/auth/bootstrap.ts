// First start: an account with no users gets an administrator — the IAM user
// "admin" with an access key and an inline policy that allows everything — so that
// the credentials printed once (and written to <data-dir>/credentials) work at once.
import { randomBytes, randomInt } from 'node:crypto';
import type { IdentityStore } from '../storage/meta/identity-store.ts';
import { sealSecret } from './tokens/secret-box.ts';

export const ADMIN_USER = 'admin';
export const ADMIN_POLICY_NAME = 'AdministratorAccess';
const ADMIN_POLICY = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] });

export interface NewCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** IAM-shaped ids: a 4-letter prefix and 16 characters of base32 (A-Z, 2-7). */
export function newIamId(prefix: 'AKIA' | 'AIDA'): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let id = prefix;
  for (let i = 0; i < 16; i++) id += alphabet[randomInt(alphabet.length)];
  return id;
}

/** 40 characters from AWS's secret alphabet. */
export function newSecretAccessKey(): string {
  return randomBytes(30).toString('base64');
}

/** Creates the administrator when the account has no user yet; returns its new credentials, once. */
export async function ensureAdministrator(identities: IdentityStore, serverKey: Buffer, accountId: string, now: Date): Promise<NewCredentials | undefined> {
  if ((await identities.listUsers(accountId, { limit: 1 })).length > 0) return undefined;
  const created = await identities.createUser({ accountId, userName: ADMIN_USER, userId: newIamId('AIDA'), path: '/', createdAt: now });
  if (!created) return undefined; // another process made it first
  const credentials = { accessKeyId: newIamId('AKIA'), secretAccessKey: newSecretAccessKey() };
  await identities.createAccessKey({
    accessKeyId: credentials.accessKeyId,
    accountId,
    userName: ADMIN_USER,
    sealedSecret: sealSecret(credentials.secretAccessKey, serverKey),
    status: 'Active',
    createdAt: now,
  });
  await identities.putUserPolicy({ accountId, userName: ADMIN_USER, policyName: ADMIN_POLICY_NAME, document: ADMIN_POLICY });
  return credentials;
}
