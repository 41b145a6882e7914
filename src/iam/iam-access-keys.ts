// IAM access keys as use cases (see iam-users.ts): at most two per user, ids AKIA…,
// secrets sealed with the server key before they reach the store and shown only once.
import { newIamId, newSecretAccessKey } from '../auth/bootstrap.ts';
import { sealSecret } from '../auth/tokens/secret-box.ts';
import type { AccessKeyRecord, AccessKeyStatus } from '../storage/meta/identity-store.ts';
import { invalidInput, limitExceeded, noSuchAccessKey } from './iam-errors.ts';
import { ACCESS_KEY_ID, ACCESS_KEY_STATUSES, EXISTING_USER_NAME, IamInput } from './iam-input.ts';
import { checkPageRequest, pageOfList, pageWindow, type IamPage, type PageRequest } from './iam-pagination.ts';
import { existingUser, type IamStores, type UserRequest } from './iam-users.ts';

/** IAM's quota AccessKeysPerUser. */
export const MAX_ACCESS_KEYS_PER_USER = 2;

export interface NewAccessKey {
  readonly key: AccessKeyRecord;
  /** In the clear this once; the store keeps it sealed. */
  readonly secretAccessKey: string;
}

export async function createAccessKey(stores: IamStores, request: UserRequest): Promise<NewAccessKey> {
  const input = new IamInput();
  const userName = input.required('userName', request.userName, EXISTING_USER_NAME);
  input.check();
  const user = await existingUser(stores, request.accountId, userName);
  if ((await stores.identities.listAccessKeys(user.accountId, user.userName)).length >= MAX_ACCESS_KEYS_PER_USER) {
    throw limitExceeded(`Cannot exceed quota for AccessKeysPerUser: ${MAX_ACCESS_KEYS_PER_USER}`);
  }
  const secretAccessKey = newSecretAccessKey();
  const key: AccessKeyRecord = {
    accessKeyId: newIamId('AKIA'),
    accountId: user.accountId,
    userName: user.userName,
    sealedSecret: sealSecret(secretAccessKey, stores.serverKey),
    status: 'Active',
    createdAt: stores.now(),
  };
  await stores.identities.createAccessKey(key);
  return { key, secretAccessKey };
}

/** A user's keys, oldest first. */
export async function listAccessKeys(stores: IamStores, request: UserRequest & PageRequest): Promise<IamPage<AccessKeyRecord>> {
  const input = new IamInput();
  const userName = input.required('userName', request.userName, EXISTING_USER_NAME);
  checkPageRequest(request, input);
  input.check();
  const window = pageWindow('access-keys', request);
  const user = await existingUser(stores, request.accountId, userName);
  const keys = await stores.identities.listAccessKeys(user.accountId, user.userName);
  return pageOfList('access-keys', keys, window, keyPosition);
}

export interface AccessKeyRequest extends UserRequest {
  readonly accessKeyId: string | undefined;
}

export async function updateAccessKey(stores: IamStores, request: AccessKeyRequest & { readonly status: string | undefined }): Promise<void> {
  const input = new IamInput();
  const userName = input.required('userName', request.userName, EXISTING_USER_NAME);
  const accessKeyId = input.required('accessKeyId', request.accessKeyId, ACCESS_KEY_ID);
  const status = input.requiredEnum('status', request.status, ACCESS_KEY_STATUSES);
  input.check();
  // Expired is in the model's enum for reports; a key cannot be set to it.
  if (status !== 'Active' && status !== 'Inactive') throw invalidInput(`Invalid status ${status}: an access key can only be made Active or Inactive.`);
  const key = await usersKey(stores, request.accountId, userName, accessKeyId);
  await stores.identities.setAccessKeyStatus(key.accessKeyId, status satisfies AccessKeyStatus);
}

export async function deleteAccessKey(stores: IamStores, request: AccessKeyRequest): Promise<void> {
  const input = new IamInput();
  const userName = input.required('userName', request.userName, EXISTING_USER_NAME);
  const accessKeyId = input.required('accessKeyId', request.accessKeyId, ACCESS_KEY_ID);
  input.check();
  const key = await usersKey(stores, request.accountId, userName, accessKeyId);
  if (!(await stores.identities.deleteAccessKey(key.accessKeyId))) throw noSuchAccessKey(accessKeyId);
}

/** The key, which must belong to the named user: another user's key is as unknown as a missing one. */
async function usersKey(stores: IamStores, accountId: string, userName: string, accessKeyId: string): Promise<AccessKeyRecord> {
  const user = await existingUser(stores, accountId, userName);
  const key = await stores.identities.getAccessKey(accessKeyId);
  if (!key || key.accountId !== user.accountId || key.userName.toLowerCase() !== user.userName.toLowerCase()) throw noSuchAccessKey(accessKeyId);
  return key;
}

/** Oldest first; keys made in the same millisecond by id. */
function keyPosition(key: AccessKeyRecord): string {
  return `${String(key.createdAt.getTime()).padStart(16, '0')} ${key.accessKeyId}`;
}
