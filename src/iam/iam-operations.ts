// The IAM operations Berth answers over the Query protocol, for users, their access
// keys and inline policies — what `aws iam …` needs to give people their own keys.
// Each handler reads the form parameters, calls the use case (iam-users.ts,
// iam-access-keys.ts, iam-user-policies.ts) in the caller's account and shapes the
// result members as the IAM model names them; the Query writer makes the XML.
import type { Principal } from '../auth/principal.ts';
import type { IdentityStore } from '../storage/meta/identity-store.ts';
import { createAccessKey, deleteAccessKey, listAccessKeys, updateAccessKey } from './iam-access-keys.ts';
import { parseIntegerParameter } from './iam-input.ts';
import type { IamPage } from './iam-pagination.ts';
import { accessKeyMetadataShape, newAccessKeyShape, userShape } from './iam-shapes.ts';
import { deleteUserPolicy, getUserPolicy, listUserPolicies, putUserPolicy } from './iam-user-policies.ts';
import { createUser, deleteUser, getUser, listUsers, type IamStores } from './iam-users.ts';

export { IamError } from './iam-errors.ts';

export interface IamContext {
  readonly identities: IdentityStore;
  readonly principal: Principal;
  readonly serverKey: Buffer;
  readonly now: () => Date;
}

type Params = URLSearchParams;
/** Response members: structures, lists and dates, serialized by the Query protocol writer. */
type IamValue = string | number | boolean | Date | readonly IamValue[] | { readonly [name: string]: IamValue | undefined };
type Result = { readonly [name: string]: IamValue | undefined };
export type IamHandler = (context: IamContext, params: Params) => Promise<Result>;

/** The IAM resource an action is checked against. */
/**
 * The user ARN an IAM action is authorized against. An existing user's ARN carries its
 * path (arn:aws:iam::<acct>:user/bots/ci), so policies on `user/bots/*` apply; CreateUser
 * names the path it will have.
 */
export async function iamResource(context: Pick<IamContext, 'principal' | 'identities'>, params: Params): Promise<string> {
  const name = params.get('UserName') ?? context.principal.userName;
  const existing = await context.identities.getUser(context.principal.accountId, name);
  const path = existing?.path ?? params.get('Path') ?? '/';
  return `arn:aws:iam::${context.principal.accountId}:user${path}${name}`;
}

function param(params: Params, name: string): string | undefined {
  return params.get(name) ?? undefined;
}

/** Members every request may carry: the account is always the caller's. */
function named(context: IamContext, params: Params) {
  return { accountId: context.principal.accountId, userName: param(params, 'UserName') };
}

/** Where IAM defaults UserName to the caller (GetUser and the access-key actions). */
function namedOrCaller(context: IamContext, params: Params) {
  return { accountId: context.principal.accountId, userName: param(params, 'UserName') ?? context.principal.userName };
}

function pageRequest(params: Params) {
  return { marker: param(params, 'Marker'), maxItems: parseIntegerParameter('maxItems', param(params, 'MaxItems')) };
}

/** A page's list member, IsTruncated, and Marker only when there is more. */
function paged<T>(member: string, page: IamPage<T>, shape: (item: T) => IamValue): Result {
  return { [member]: page.items.map(shape), IsTruncated: page.isTruncated, ...(page.marker !== undefined ? { Marker: page.marker } : {}) };
}

/** IAM returns policy documents percent-encoded as RFC 3986 says (clients decode them). */
export function encodeRfc3986(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

const stores = (context: IamContext): IamStores => context;

export const IAM_HANDLERS: ReadonlyMap<string, IamHandler> = new Map<string, IamHandler>([
  ['CreateUser', async (context, params) => ({ User: userShape(await createUser(stores(context), { ...named(context, params), path: param(params, 'Path') })) })],
  ['GetUser', async (context, params) => ({ User: userShape(await getUser(stores(context), namedOrCaller(context, params))) })],
  ['ListUsers', async (context, params) => {
    const page = await listUsers(stores(context), { accountId: context.principal.accountId, pathPrefix: param(params, 'PathPrefix'), ...pageRequest(params) });
    return paged('Users', page, userShape);
  }],
  ['DeleteUser', async (context, params) => {
    await deleteUser(stores(context), named(context, params));
    return {};
  }],
  ['CreateAccessKey', async (context, params) => {
    const created = await createAccessKey(stores(context), namedOrCaller(context, params));
    return { AccessKey: newAccessKeyShape(created.key, created.secretAccessKey) };
  }],
  ['ListAccessKeys', async (context, params) => paged('AccessKeyMetadata', await listAccessKeys(stores(context), { ...namedOrCaller(context, params), ...pageRequest(params) }), accessKeyMetadataShape)],
  ['UpdateAccessKey', async (context, params) => {
    await updateAccessKey(stores(context), { ...namedOrCaller(context, params), accessKeyId: param(params, 'AccessKeyId'), status: param(params, 'Status') });
    return {};
  }],
  ['DeleteAccessKey', async (context, params) => {
    await deleteAccessKey(stores(context), { ...namedOrCaller(context, params), accessKeyId: param(params, 'AccessKeyId') });
    return {};
  }],
  ['PutUserPolicy', async (context, params) => {
    await putUserPolicy(stores(context), { ...named(context, params), policyName: param(params, 'PolicyName'), policyDocument: param(params, 'PolicyDocument') });
    return {};
  }],
  ['GetUserPolicy', async (context, params) => {
    const policy = await getUserPolicy(stores(context), { ...named(context, params), policyName: param(params, 'PolicyName') });
    return { UserName: policy.userName, PolicyName: policy.policyName, PolicyDocument: encodeRfc3986(policy.document) };
  }],
  ['ListUserPolicies', async (context, params) => paged('PolicyNames', await listUserPolicies(stores(context), { ...named(context, params), ...pageRequest(params) }), (name) => name)],
  ['DeleteUserPolicy', async (context, params) => {
    await deleteUserPolicy(stores(context), { ...named(context, params), policyName: param(params, 'PolicyName') });
    return {};
  }],
]);
