// IAM users as use cases: each takes the stores and a request as IAM names its members,
// applies IAM's rules (the model's constraints, names unique per account regardless of
// case, no deleting a user that still has keys or policies) and returns records or
// throws an IamError. The Query API (iam-operations.ts) and `berth admin` both call
// these, so both behave the same.
import { newIamId } from '../auth/bootstrap.ts';
import type { IdentityStore, UserRecord } from '../storage/meta/identity-store.ts';
import { deleteConflict, noSuchUser, userAlreadyExists } from './iam-errors.ts';
import { EXISTING_USER_NAME, IamInput, PATH, PATH_PREFIX, USER_NAME } from './iam-input.ts';
import { checkPageRequest, pageWindow, toPage, type IamPage, type PageRequest } from './iam-pagination.ts';

/** What the IAM use cases work on. */
export interface IamStores {
  readonly identities: IdentityStore;
  /** Seals new secrets before they reach the store. */
  readonly serverKey: Buffer;
  readonly now: () => Date;
}

/** Every request names the account it acts in: the caller's, or the one an operator chose. */
export interface AccountRequest {
  readonly accountId: string;
}

export interface UserRequest extends AccountRequest {
  /** Optional on the wire only where IAM defaults it to the caller; the front end fills it in. */
  readonly userName: string | undefined;
}

/** The user a request names, which must exist (checked as existingUserNameType). */
export async function existingUser(stores: IamStores, accountId: string, userName: string): Promise<UserRecord> {
  const user = await stores.identities.getUser(accountId, userName);
  if (!user) throw noSuchUser(userName);
  return user;
}

export async function createUser(stores: IamStores, request: UserRequest & { readonly path?: string | undefined }): Promise<UserRecord> {
  const input = new IamInput();
  const userName = input.required('userName', request.userName, USER_NAME);
  const path = input.optional('path', request.path, PATH) ?? '/';
  input.check();
  const user: UserRecord = { accountId: request.accountId, userName, userId: newIamId('AIDA'), path, createdAt: stores.now() };
  if (!(await stores.identities.createUser(user))) throw userAlreadyExists(userName);
  return user;
}

export async function getUser(stores: IamStores, request: UserRequest): Promise<UserRecord> {
  const input = new IamInput();
  const userName = input.required('userName', request.userName, EXISTING_USER_NAME);
  input.check();
  return existingUser(stores, request.accountId, userName);
}

export interface ListUsersRequest extends AccountRequest, PageRequest {
  readonly pathPrefix?: string | undefined;
}

/** Users ordered by name (case-insensitively, as names are unique) whose path starts with the prefix. */
export async function listUsers(stores: IamStores, request: ListUsersRequest): Promise<IamPage<UserRecord>> {
  const input = new IamInput();
  const pathPrefix = input.optional('pathPrefix', request.pathPrefix, PATH_PREFIX) ?? '/';
  checkPageRequest(request, input);
  input.check();
  const window = pageWindow('users', request);
  // One more than the page, to know whether it is the last; the store pages by name,
  // the prefix filters here (paths are few and short).
  const found: UserRecord[] = [];
  let after = window.after;
  for (;;) {
    const batch = await stores.identities.listUsers(request.accountId, { limit: window.limit + 1, ...(after !== undefined ? { after } : {}) });
    for (const user of batch) if (user.path.startsWith(pathPrefix) && found.length <= window.limit) found.push(user);
    if (found.length > window.limit || batch.length <= window.limit) break;
    after = batch[batch.length - 1]!.userName;
  }
  return toPage('users', found, window.limit, (user) => user.userName);
}

export async function deleteUser(stores: IamStores, request: UserRequest): Promise<void> {
  const user = await getUser(stores, request);
  if ((await stores.identities.listAccessKeys(user.accountId, user.userName)).length > 0) throw deleteConflict('access keys');
  if ((await stores.identities.listUserPolicies(user.accountId, user.userName)).length > 0) throw deleteConflict('policies');
  if (!(await stores.identities.deleteUser(user.accountId, user.userName))) throw noSuchUser(user.userName);
}
