// The IAM operations Berth answers over the Query protocol, for users, their access
// keys and inline policies — what `aws iam …` needs to give people their own keys.
import { newIamId, newSecretAccessKey } from '../auth/bootstrap.ts';
import { parsePolicyDocument, PolicyDocumentError } from '../auth/policy/policy-document.ts';
import type { Principal } from '../auth/principal.ts';
import { sealSecret } from '../auth/tokens/secret-box.ts';
import type { IdentityStore, UserRecord } from '../storage/meta/identity-store.ts';

export class IamError extends Error {
  readonly code: string;
  readonly status: number;
  constructor(code: string, status: number, message: string) {
    super(message);
    this.name = 'IamError';
    this.code = code;
    this.status = status;
  }
}

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

const USER_NAME = /^[\w+=,.@-]{1,64}$/;
const POLICY_NAME = /^[\w+=,.@-]{1,128}$/;
const MAX_KEYS_PER_USER = 2;

function userName(params: Params, fallback?: string): string {
  const name = params.get('UserName') ?? fallback;
  if (name === undefined || !USER_NAME.test(name)) {
    throw new IamError('ValidationError', 400, `1 validation error detected: Value '${name ?? ''}' at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+`);
  }
  return name;
}

async function existingUser(context: IamContext, name: string): Promise<UserRecord> {
  const user = await context.identities.getUser(context.principal.accountId, name);
  if (!user) throw new IamError('NoSuchEntity', 404, `The user with name ${name} cannot be found.`);
  return user;
}

function userShape(user: UserRecord): Result {
  return { Path: user.path, UserName: user.userName, UserId: user.userId, Arn: `arn:aws:iam::${user.accountId}:user${user.path}${user.userName}`, CreateDate: user.createdAt };
}

/** The IAM resource an action is checked against. */
export function iamResource(context: Pick<IamContext, 'principal'>, params: Params): string {
  const name = params.get('UserName') ?? context.principal.userName;
  return `arn:aws:iam::${context.principal.accountId}:user/${name}`;
}

export const IAM_HANDLERS: ReadonlyMap<string, IamHandler> = new Map<string, IamHandler>([
  ['CreateUser', async (context, params) => {
    const name = userName(params);
    const path = params.get('Path') ?? '/';
    if (!/^\/(?:[\x21-\x7e]*\/)?$/.test(path)) throw new IamError('ValidationError', 400, `Invalid path: ${path}`);
    const user: UserRecord = { accountId: context.principal.accountId, userName: name, userId: newIamId('AIDA'), path, createdAt: context.now() };
    if (!(await context.identities.createUser(user))) throw new IamError('EntityAlreadyExists', 409, `User with name ${name} already exists.`);
    return { User: userShape(user) };
  }],
  ['GetUser', async (context, params) => ({ User: userShape(await existingUser(context, userName(params, context.principal.userName))) })],
  ['ListUsers', async (context) => {
    const users = await context.identities.listUsers(context.principal.accountId, { limit: 1000 });
    return { Users: users.map(userShape), IsTruncated: false };
  }],
  ['DeleteUser', async (context, params) => {
    const name = userName(params);
    await existingUser(context, name);
    const { accountId } = context.principal;
    if ((await context.identities.listAccessKeys(accountId, name)).length > 0) throw new IamError('DeleteConflict', 409, 'Cannot delete entity, must delete access keys first.');
    if ((await context.identities.listUserPolicies(accountId, name)).length > 0) throw new IamError('DeleteConflict', 409, 'Cannot delete entity, must delete policies first.');
    await context.identities.deleteUser(accountId, name);
    return {};
  }],
  ['CreateAccessKey', async (context, params) => {
    const user = await existingUser(context, userName(params, context.principal.userName));
    if ((await context.identities.listAccessKeys(user.accountId, user.userName)).length >= MAX_KEYS_PER_USER) {
      throw new IamError('LimitExceeded', 409, `Cannot exceed quota for AccessKeysPerUser: ${MAX_KEYS_PER_USER}`);
    }
    const accessKeyId = newIamId('AKIA');
    const secretAccessKey = newSecretAccessKey();
    const createdAt = context.now();
    await context.identities.createAccessKey({ accessKeyId, accountId: user.accountId, userName: user.userName, sealedSecret: sealSecret(secretAccessKey, context.serverKey), status: 'Active', createdAt });
    return { AccessKey: { UserName: user.userName, AccessKeyId: accessKeyId, Status: 'Active', SecretAccessKey: secretAccessKey, CreateDate: createdAt } };
  }],
  ['ListAccessKeys', async (context, params) => {
    const user = await existingUser(context, userName(params, context.principal.userName));
    const keys = await context.identities.listAccessKeys(user.accountId, user.userName);
    return { UserName: user.userName, AccessKeyMetadata: keys.map((key) => ({ UserName: key.userName, AccessKeyId: key.accessKeyId, Status: key.status, CreateDate: key.createdAt })), IsTruncated: false };
  }],
  ['UpdateAccessKey', async (context, params) => {
    const key = await ownKey(context, params);
    const status = params.get('Status');
    if (status !== 'Active' && status !== 'Inactive') throw new IamError('ValidationError', 400, `Value '${status ?? ''}' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive]`);
    await context.identities.setAccessKeyStatus(key, status);
    return {};
  }],
  ['DeleteAccessKey', async (context, params) => {
    await context.identities.deleteAccessKey(await ownKey(context, params));
    return {};
  }],
  ['PutUserPolicy', async (context, params) => {
    const user = await existingUser(context, userName(params));
    const policyName = requirePolicyName(params);
    const document = params.get('PolicyDocument') ?? '';
    try {
      parsePolicyDocument(document, { kind: 'identity', name: policyName, maxLength: 2048 });
    } catch (error) {
      if (error instanceof PolicyDocumentError) throw new IamError('MalformedPolicyDocument', 400, error.message);
      throw error;
    }
    await context.identities.putUserPolicy({ accountId: user.accountId, userName: user.userName, policyName, document });
    return {};
  }],
  ['GetUserPolicy', async (context, params) => {
    const user = await existingUser(context, userName(params));
    const policyName = requirePolicyName(params);
    const policy = await context.identities.getUserPolicy(user.accountId, user.userName, policyName);
    if (!policy) throw new IamError('NoSuchEntity', 404, `The user policy with name ${policyName} cannot be found.`);
    // IAM returns the document URL-encoded, as RFC 3986 says.
    return { UserName: user.userName, PolicyName: policyName, PolicyDocument: encodeURIComponent(policy.document) };
  }],
  ['ListUserPolicies', async (context, params) => {
    const user = await existingUser(context, userName(params));
    return { PolicyNames: await context.identities.listUserPolicies(user.accountId, user.userName), IsTruncated: false };
  }],
  ['DeleteUserPolicy', async (context, params) => {
    const user = await existingUser(context, userName(params));
    const policyName = requirePolicyName(params);
    if (!(await context.identities.deleteUserPolicy(user.accountId, user.userName, policyName))) {
      throw new IamError('NoSuchEntity', 404, `The user policy with name ${policyName} cannot be found.`);
    }
    return {};
  }],
]);

function requirePolicyName(params: Params): string {
  const name = params.get('PolicyName') ?? '';
  if (!POLICY_NAME.test(name)) throw new IamError('ValidationError', 400, `Value '${name}' at 'policyName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+`);
  return name;
}

/** The access key named by the request, which must belong to the named (or calling) user. */
async function ownKey(context: IamContext, params: Params): Promise<string> {
  const user = await existingUser(context, userName(params, context.principal.userName));
  const accessKeyId = params.get('AccessKeyId') ?? '';
  const key = await context.identities.getAccessKey(accessKeyId);
  if (!key || key.accountId !== user.accountId || key.userName.toLowerCase() !== user.userName.toLowerCase()) {
    throw new IamError('NoSuchEntity', 404, `The Access Key with id ${accessKeyId} cannot be found.`);
  }
  return accessKeyId;
}
