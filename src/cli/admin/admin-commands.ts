// The `berth admin` commands: the IAM operations of the Query API, named and shaped as
// the AWS CLI names and prints them, run on the deployment's stores by the same use
// cases (src/iam/). Listings page through everything unless --max-items limits them,
// as the AWS CLI does; then the answer carries a NextToken for --starting-token.
import { createAccessKey, deleteAccessKey, listAccessKeys, updateAccessKey } from '../../iam/iam-access-keys.ts';
import type { IamPage, PageRequest } from '../../iam/iam-pagination.ts';
import { accessKeyMetadataShape, newAccessKeyShape, userShape } from '../../iam/iam-shapes.ts';
import { deleteUserPolicy, getUserPolicy, listUserPolicies, putUserPolicy } from '../../iam/iam-user-policies.ts';
import { createUser, deleteUser, getUser, listUsers, type IamStores } from '../../iam/iam-users.ts';
import type { OptionSpec } from './admin-args.ts';

export interface AdminContext {
  readonly stores: IamStores;
  /** The account the command acts in: --account-id, or the configured one. */
  readonly accountId: string;
  /** The text of a `--policy-document` argument: inline JSON, or file://PATH. */
  readonly policyDocument: (argument: string) => Promise<string>;
}

/** What a command prints: the AWS CLI's JSON for the call, or nothing. */
export type AdminOutput = Readonly<Record<string, unknown>> | undefined;

export interface AdminCommand {
  readonly name: string;
  /** The IAM operation, for error messages worded as the AWS CLI words them. */
  readonly operation: string;
  readonly summary: string;
  readonly options: readonly OptionSpec[];
  run(context: AdminContext, options: Readonly<Record<string, string>>): Promise<AdminOutput>;
}

const USER_NAME: OptionSpec = { flag: '--user-name', value: 'NAME', required: true, help: 'the IAM user' };
const POLICY_NAME: OptionSpec = { flag: '--policy-name', value: 'NAME', required: true, help: 'the inline policy' };
const ACCESS_KEY_ID: OptionSpec = { flag: '--access-key-id', value: 'AKIA…', required: true, help: 'the access key' };
const PAGING: readonly OptionSpec[] = [
  { flag: '--max-items', value: 'N', integer: true, help: 'print at most N items, and a NextToken when there are more' },
  { flag: '--starting-token', value: 'TOKEN', help: 'continue from the NextToken of an earlier answer' },
];

/** Every page from the starting token on, or up to --max-items with the token to go on from. */
async function collect<T>(options: Readonly<Record<string, string>>, fetch: (request: PageRequest) => Promise<IamPage<T>>): Promise<{ items: T[]; nextToken?: string }> {
  const maxItems = options['--max-items'] === undefined ? undefined : Number(options['--max-items']);
  const items: T[] = [];
  let marker = options['--starting-token'];
  for (;;) {
    const wanted = maxItems === undefined ? 1000 : Math.min(1000, maxItems - items.length);
    // --max-items 0 asks for nothing, like the AWS CLI; IAM itself wants at least 1.
    if (wanted <= 0) return marker === undefined ? { items } : { items, nextToken: marker };
    const page = await fetch({ marker, maxItems: wanted });
    items.push(...page.items);
    if (!page.isTruncated) return { items };
    marker = page.marker;
    if (maxItems !== undefined && items.length >= maxItems) return { items, nextToken: page.marker! };
  }
}

function listed(member: string, found: { items: unknown[]; nextToken?: string }): AdminOutput {
  return { [member]: found.items, ...(found.nextToken !== undefined ? { NextToken: found.nextToken } : {}) };
}

export const ADMIN_COMMANDS: readonly AdminCommand[] = [
  {
    name: 'create-user',
    operation: 'CreateUser',
    summary: 'Create an IAM user (no keys, no permissions yet)',
    options: [
      { ...USER_NAME, help: 'the new user, unique in its account regardless of case' },
      { flag: '--path', value: 'PATH', help: 'the user\'s path, e.g. /ci/ (default /)' },
    ],
    run: async ({ stores, accountId }, options) => ({ User: userShape(await createUser(stores, { accountId, userName: options['--user-name'], path: options['--path'] })) }),
  },
  {
    name: 'get-user',
    operation: 'GetUser',
    summary: 'Show an IAM user',
    options: [USER_NAME],
    run: async ({ stores, accountId }, options) => ({ User: userShape(await getUser(stores, { accountId, userName: options['--user-name'] })) }),
  },
  {
    name: 'list-users',
    operation: 'ListUsers',
    summary: 'List the IAM users of the account',
    options: [{ flag: '--path-prefix', value: 'PREFIX', help: 'only users whose path starts with this, e.g. /ci/' }, ...PAGING],
    run: async ({ stores, accountId }, options) =>
      listed('Users', await collect(options, async (page) => {
        const found = await listUsers(stores, { accountId, pathPrefix: options['--path-prefix'], ...page });
        return { ...found, items: found.items.map(userShape) };
      })),
  },
  {
    name: 'delete-user',
    operation: 'DeleteUser',
    summary: 'Delete an IAM user that has no access keys and no inline policies left',
    options: [USER_NAME],
    run: async ({ stores, accountId }, options) => {
      await deleteUser(stores, { accountId, userName: options['--user-name'] });
      return undefined;
    },
  },
  {
    name: 'create-access-key',
    operation: 'CreateAccessKey',
    summary: 'Create an access key for a user (at most 2); prints the secret, once',
    options: [USER_NAME],
    run: async ({ stores, accountId }, options) => {
      const created = await createAccessKey(stores, { accountId, userName: options['--user-name'] });
      return { AccessKey: newAccessKeyShape(created.key, created.secretAccessKey) };
    },
  },
  {
    name: 'list-access-keys',
    operation: 'ListAccessKeys',
    summary: 'List a user\'s access keys (never their secrets)',
    options: [USER_NAME, ...PAGING],
    run: async ({ stores, accountId }, options) =>
      listed('AccessKeyMetadata', await collect(options, async (page) => {
        const found = await listAccessKeys(stores, { accountId, userName: options['--user-name'], ...page });
        return { ...found, items: found.items.map(accessKeyMetadataShape) };
      })),
  },
  {
    name: 'update-access-key',
    operation: 'UpdateAccessKey',
    summary: 'Make an access key Active or Inactive',
    options: [USER_NAME, ACCESS_KEY_ID, { flag: '--status', value: 'Active|Inactive', required: true, help: 'Inactive keys are refused until made Active again' }],
    run: async ({ stores, accountId }, options) => {
      await updateAccessKey(stores, { accountId, userName: options['--user-name'], accessKeyId: options['--access-key-id'], status: options['--status'] });
      return undefined;
    },
  },
  {
    name: 'delete-access-key',
    operation: 'DeleteAccessKey',
    summary: 'Delete an access key',
    options: [USER_NAME, ACCESS_KEY_ID],
    run: async ({ stores, accountId }, options) => {
      await deleteAccessKey(stores, { accountId, userName: options['--user-name'], accessKeyId: options['--access-key-id'] });
      return undefined;
    },
  },
  {
    name: 'put-user-policy',
    operation: 'PutUserPolicy',
    summary: 'Create or replace a user\'s inline policy',
    options: [USER_NAME, POLICY_NAME, { flag: '--policy-document', value: 'JSON|file://PATH', required: true, help: 'the IAM policy document' }],
    run: async ({ stores, accountId, policyDocument }, options) => {
      const document = await policyDocument(options['--policy-document']!);
      await putUserPolicy(stores, { accountId, userName: options['--user-name'], policyName: options['--policy-name'], policyDocument: document });
      return undefined;
    },
  },
  {
    name: 'get-user-policy',
    operation: 'GetUserPolicy',
    summary: 'Show a user\'s inline policy',
    options: [USER_NAME, POLICY_NAME],
    run: async ({ stores, accountId }, options) => {
      const policy = await getUserPolicy(stores, { accountId, userName: options['--user-name'], policyName: options['--policy-name'] });
      // The AWS CLI prints the document decoded; stored documents were parsed when put.
      return { UserName: policy.userName, PolicyName: policy.policyName, PolicyDocument: JSON.parse(policy.document) as unknown };
    },
  },
  {
    name: 'list-user-policies',
    operation: 'ListUserPolicies',
    summary: 'List the names of a user\'s inline policies',
    options: [USER_NAME, ...PAGING],
    run: async ({ stores, accountId }, options) =>
      listed('PolicyNames', await collect(options, (page) => listUserPolicies(stores, { accountId, userName: options['--user-name'], ...page }))),
  },
  {
    name: 'delete-user-policy',
    operation: 'DeleteUserPolicy',
    summary: 'Delete a user\'s inline policy',
    options: [USER_NAME, POLICY_NAME],
    run: async ({ stores, accountId }, options) => {
      await deleteUserPolicy(stores, { accountId, userName: options['--user-name'], policyName: options['--policy-name'] });
      return undefined;
    },
  },
];

export function findAdminCommand(name: string): AdminCommand | undefined {
  return ADMIN_COMMANDS.find((command) => command.name === name);
}
