// A user's inline policies as use cases (see iam-users.ts): documents are checked by the
// policy parser the authorizer uses (MalformedPolicyDocument), and a user's inline
// policies together may hold at most 2,048 characters not counting white space, IAM's
// quota for users (LimitExceeded).
import { parsePolicyDocument, PolicyDocumentError } from '../auth/policy/policy-document.ts';
import type { UserPolicyRecord } from '../storage/meta/identity-store.ts';
import { limitExceeded, malformedPolicyDocument, noSuchUserPolicy } from './iam-errors.ts';
import { EXISTING_USER_NAME, IamInput, POLICY_DOCUMENT, POLICY_NAME } from './iam-input.ts';
import { checkPageRequest, pageOfList, pageWindow, type IamPage, type PageRequest } from './iam-pagination.ts';
import { existingUser, type IamStores, type UserRequest } from './iam-users.ts';

/** IAM's quota: the aggregate size of a user's inline policies, white space excluded. */
export const MAX_USER_POLICY_CHARACTERS = 2048;

export interface UserPolicyRequest extends UserRequest {
  readonly policyName: string | undefined;
}

export async function putUserPolicy(stores: IamStores, request: UserPolicyRequest & { readonly policyDocument: string | undefined }): Promise<void> {
  const input = new IamInput();
  const userName = input.required('userName', request.userName, EXISTING_USER_NAME);
  const policyName = input.required('policyName', request.policyName, POLICY_NAME);
  const document = input.required('policyDocument', request.policyDocument, POLICY_DOCUMENT);
  input.check();
  const user = await existingUser(stores, request.accountId, userName);
  try {
    parsePolicyDocument(document, { kind: 'identity', name: policyName });
  } catch (error) {
    if (error instanceof PolicyDocumentError) throw malformedPolicyDocument(error.message);
    throw error;
  }
  let size = countedCharacters(document);
  for (const other of await stores.identities.listUserPolicies(user.accountId, user.userName)) {
    if (other === policyName) continue; // the one being replaced
    size += countedCharacters((await stores.identities.getUserPolicy(user.accountId, user.userName, other))?.document ?? '');
  }
  if (size > MAX_USER_POLICY_CHARACTERS) throw limitExceeded(`Maximum policy size of ${MAX_USER_POLICY_CHARACTERS} bytes exceeded for user ${user.userName}`);
  await stores.identities.putUserPolicy({ accountId: user.accountId, userName: user.userName, policyName, document });
}

/** The policy as stored: its document exactly as it was put. */
export async function getUserPolicy(stores: IamStores, request: UserPolicyRequest): Promise<UserPolicyRecord> {
  const { userName, policyName } = checkPolicyRequest(request);
  const user = await existingUser(stores, request.accountId, userName);
  const policy = await stores.identities.getUserPolicy(user.accountId, user.userName, policyName);
  if (!policy) throw noSuchUserPolicy(policyName);
  return { ...policy, userName: user.userName };
}

/** Policy names in order. */
export async function listUserPolicies(stores: IamStores, request: UserRequest & PageRequest): Promise<IamPage<string>> {
  const input = new IamInput();
  const userName = input.required('userName', request.userName, EXISTING_USER_NAME);
  checkPageRequest(request, input);
  input.check();
  const window = pageWindow('user-policies', request);
  const user = await existingUser(stores, request.accountId, userName);
  return pageOfList('user-policies', await stores.identities.listUserPolicies(user.accountId, user.userName), window, (name) => name);
}

export async function deleteUserPolicy(stores: IamStores, request: UserPolicyRequest): Promise<void> {
  const { userName, policyName } = checkPolicyRequest(request);
  const user = await existingUser(stores, request.accountId, userName);
  if (!(await stores.identities.deleteUserPolicy(user.accountId, user.userName, policyName))) throw noSuchUserPolicy(policyName);
}

function checkPolicyRequest(request: UserPolicyRequest): { userName: string; policyName: string } {
  const input = new IamInput();
  const userName = input.required('userName', request.userName, EXISTING_USER_NAME);
  const policyName = input.required('policyName', request.policyName, POLICY_NAME);
  input.check();
  return { userName, policyName };
}

function countedCharacters(document: string): number {
  return document.replace(/\s/g, '').length;
}
