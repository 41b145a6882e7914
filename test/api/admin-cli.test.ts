// The real `berth admin` command on a data directory, with no server and next to a
// running one: the users and keys it makes work with the AWS CLI at once, and the IAM
// Query API pages its listings with Marker/MaxItems as IAM does (the AWS CLI's
// --page-size/--max-items and the AWS SDK send them).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IAMClient, ListUsersCommand, ListUserPoliciesCommand, type IAMServiceException } from '@aws-sdk/client-iam';
import { berthMain, startBerth, type BerthProcess } from '../helpers/berth-process.ts';
import { ClientError, missingTools, run } from '../helpers/clients.ts';

const AWS = '/usr/bin/aws';
const missing = missingTools('aws');
const needsAws = { skip: missing.length > 0 && `not installed: ${missing.join(', ')}` };
const OTHER_ACCOUNT = '210987654321';

let dataDir: string;

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'berth-admin-e2e-'));
});
after(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `berth admin …` on the test's data directory; a failure is returned, not thrown. */
async function admin(...args: string[]): Promise<Ran> {
  try {
    const result = await run(process.execPath, [berthMain, 'admin', ...args, '--data-dir', dataDir], { env: { ...process.env, BERTH_LOG_LEVEL: 'silent' } });
    return { code: 0, stdout: result.stdout, stderr: result.stderr };
  } catch (error) {
    if (!(error instanceof ClientError)) throw error;
    return { code: error.code ?? -1, stdout: error.stdout, stderr: error.stderr };
  }
}

async function adminJson<T>(...args: string[]): Promise<T> {
  const ran = await admin(...args);
  assert.equal(ran.code, 0, ran.stderr);
  return JSON.parse(ran.stdout) as T;
}

interface Credentials {
  readonly AccessKeyId: string;
  readonly SecretAccessKey: string;
}

function aws(berth: BerthProcess, args: string[], credentials?: Credentials) {
  const keys = credentials
    ? { AWS_SHARED_CREDENTIALS_FILE: '/dev/null', AWS_ACCESS_KEY_ID: credentials.AccessKeyId, AWS_SECRET_ACCESS_KEY: credentials.SecretAccessKey }
    : { AWS_SHARED_CREDENTIALS_FILE: join(dataDir, 'credentials') };
  return run(AWS, [...args, '--endpoint-url', berth.url, '--region', 'us-east-1', '--output', 'json'], {
    env: { ...process.env, ...keys, AWS_CONFIG_FILE: join(dataDir, 'no-aws-config'), AWS_EC2_METADATA_DISABLED: 'true', AWS_PAGER: '' },
  });
}

async function callerIdentity(berth: BerthProcess, credentials: Credentials): Promise<{ Account: string; Arn: string; UserId: string }> {
  return JSON.parse((await aws(berth, ['sts', 'get-caller-identity'], credentials)).stdout) as { Account: string; Arn: string; UserId: string };
}

let stoppedKey: Credentials;

test('with no server running: users, keys and policies, IAM errors on stderr with exit status 1, usage errors 2', async () => {
  const help = await admin('--help');
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^Usage: berth admin <command>/);

  const created = await adminJson<{ User: { UserName: string; Arn: string } }>('create-user', '--user-name', 'ci-bot', '--path', '/bots/');
  assert.equal(created.User.Arn, 'arn:aws:iam::123456789012:user/bots/ci-bot');
  const key = await adminJson<{ AccessKey: Credentials & { Status: string } }>('create-access-key', '--user-name', 'ci-bot');
  assert.equal(key.AccessKey.Status, 'Active');
  stoppedKey = key.AccessKey;
  const policyFile = join(dataDir, 'describe.json');
  await writeFile(policyFile, JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ecr:DescribeRepositories', Resource: '*' }] }));
  assert.equal((await admin('put-user-policy', '--user-name', 'ci-bot', '--policy-name', 'describe', '--policy-document', `file://${policyFile}`)).code, 0);
  assert.deepEqual(await adminJson('list-user-policies', '--user-name', 'ci-bot'), { PolicyNames: ['describe'] });

  const conflict = await admin('delete-user', '--user-name', 'ci-bot');
  assert.equal(conflict.code, 1);
  assert.match(conflict.stderr, /An error occurred \(DeleteConflict\) when calling the DeleteUser operation: Cannot delete entity, must delete access keys first\./);
  const usage = await admin('create-access-key');
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /create-access-key needs --user-name/);

  const users = await adminJson<{ Users: Array<{ UserName: string }> }>('list-users');
  assert.deepEqual(users.Users.map((user) => user.UserName), ['admin', 'ci-bot'], 'the first use created the administrator, as a first start would');
});

test('a key made while the server was stopped works once it starts', needsAws, async () => {
  const berth = await startBerth({ dataDir });
  try {
    const identity = await callerIdentity(berth, stoppedKey);
    assert.equal(identity.Arn, 'arn:aws:iam::123456789012:user/bots/ci-bot');
    await aws(berth, ['ecr', 'describe-repositories'], stoppedKey);
  } finally {
    await berth.stop();
  }
});

test('with the server running: new keys, deactivation and other accounts take effect at once', needsAws, async () => {
  const berth = await startBerth({ dataDir });
  try {
    await adminJson('create-user', '--user-name', 'live');
    const key = (await adminJson<{ AccessKey: Credentials }>('create-access-key', '--user-name', 'live')).AccessKey;
    assert.equal((await callerIdentity(berth, key)).Arn, 'arn:aws:iam::123456789012:user/live');

    assert.equal((await admin('update-access-key', '--user-name', 'live', '--access-key-id', key.AccessKeyId, '--status', 'Inactive')).code, 0);
    const refused = await aws(berth, ['sts', 'get-caller-identity'], key).catch((error: ClientError) => error);
    assert.ok(refused instanceof ClientError);
    assert.match(refused.stderr, /InvalidClientTokenId|UnrecognizedClient/);

    // A user of another account on the same deployment, e.g. for cross-account repository policies.
    const other = await adminJson<{ User: { Arn: string } }>('create-user', '--user-name', 'partner', '--account-id', OTHER_ACCOUNT);
    assert.equal(other.User.Arn, `arn:aws:iam::${OTHER_ACCOUNT}:user/partner`);
    const otherKey = (await adminJson<{ AccessKey: Credentials }>('create-access-key', '--user-name', 'partner', '--account-id', OTHER_ACCOUNT)).AccessKey;
    const identity = await callerIdentity(berth, otherKey);
    assert.equal(identity.Account, OTHER_ACCOUNT);
    assert.equal(identity.Arn, `arn:aws:iam::${OTHER_ACCOUNT}:user/partner`);

    // What the command made, the Query API shows — and the other way round.
    const listed = JSON.parse((await aws(berth, ['iam', 'list-users'])).stdout) as { Users: Array<{ UserName: string }> };
    assert.deepEqual(listed.Users.map((user) => user.UserName), ['admin', 'ci-bot', 'live']);
    await aws(berth, ['iam', 'create-user', '--user-name', 'made-by-aws']);
    const shown = await adminJson<{ User: { UserName: string } }>('get-user', '--user-name', 'made-by-aws');
    assert.equal(shown.User.UserName, 'made-by-aws');
  } finally {
    await berth.stop();
  }
});

test('aws iam listings page through Marker/MaxItems: --page-size, --max-items and --starting-token', needsAws, async () => {
  const berth = await startBerth({ dataDir });
  try {
    for (const name of ['page-1', 'page-2', 'page-3', 'page-4', 'page-5']) await adminJson('create-user', '--user-name', name, '--path', '/paged/');
    const everything = JSON.parse((await aws(berth, ['iam', 'list-users', '--path-prefix', '/paged/', '--page-size', '2'])).stdout) as { Users: Array<{ UserName: string }> };
    assert.deepEqual(everything.Users.map((user) => user.UserName), ['page-1', 'page-2', 'page-3', 'page-4', 'page-5']);

    const first = JSON.parse((await aws(berth, ['iam', 'list-users', '--path-prefix', '/paged/', '--page-size', '1', '--max-items', '3'])).stdout) as { Users: Array<{ UserName: string }>; NextToken?: string };
    assert.deepEqual(first.Users.map((user) => user.UserName), ['page-1', 'page-2', 'page-3']);
    assert.ok(first.NextToken, 'more to come');
    const rest = JSON.parse((await aws(berth, ['iam', 'list-users', '--path-prefix', '/paged/', '--page-size', '1', '--starting-token', first.NextToken])).stdout) as { Users: Array<{ UserName: string }>; NextToken?: string };
    assert.deepEqual(rest.Users.map((user) => user.UserName), ['page-4', 'page-5']);
    assert.equal(rest.NextToken, undefined);

    for (const name of ['c', 'a', 'b']) {
      const put = await admin('put-user-policy', '--user-name', 'page-1', '--policy-name', name, '--policy-document', '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ecr:DescribeImages","Resource":"*"}]}');
      assert.equal(put.code, 0, put.stderr);
    }
    const policies = JSON.parse((await aws(berth, ['iam', 'list-user-policies', '--user-name', 'page-1', '--page-size', '1'])).stdout) as { PolicyNames: string[] };
    assert.deepEqual(policies.PolicyNames, ['a', 'b', 'c']);
    await adminJson('create-access-key', '--user-name', 'page-1');
    await adminJson('create-access-key', '--user-name', 'page-1');
    const keys = JSON.parse((await aws(berth, ['iam', 'list-access-keys', '--user-name', 'page-1', '--page-size', '1'])).stdout) as { AccessKeyMetadata: unknown[] };
    assert.equal(keys.AccessKeyMetadata.length, 2);
  } finally {
    await berth.stop();
  }
});

test('the IAM Query API through the AWS SDK: IsTruncated and Marker, and ValidationError for a bad MaxItems or Marker', async () => {
  const berth = await startBerth({ dataDir });
  const credentials = await import('node:fs/promises').then((fs) => fs.readFile(join(dataDir, 'credentials'), 'utf8'));
  const iam = new IAMClient({
    endpoint: berth.url,
    region: 'us-east-1',
    credentials: { accessKeyId: /aws_access_key_id = (\S+)/.exec(credentials)![1]!, secretAccessKey: /aws_secret_access_key = (\S+)/.exec(credentials)![1]! },
  });
  try {
    await adminJson('create-user', '--user-name', 'sdk-a', '--path', '/sdk/');
    await adminJson('create-user', '--user-name', 'sdk-b', '--path', '/sdk/');
    const first = await iam.send(new ListUsersCommand({ PathPrefix: '/sdk/', MaxItems: 1 }));
    assert.deepEqual(first.Users?.map((user) => user.UserName), ['sdk-a']);
    assert.equal(first.IsTruncated, true);
    assert.ok(first.Marker);
    assert.ok(first.Users?.[0]?.CreateDate instanceof Date);
    const second = await iam.send(new ListUsersCommand({ PathPrefix: '/sdk/', MaxItems: 1, Marker: first.Marker }));
    assert.deepEqual(second.Users?.map((user) => user.UserName), ['sdk-b']);
    assert.equal(second.IsTruncated, false);
    assert.equal(second.Marker, undefined);
    const none = await iam.send(new ListUserPoliciesCommand({ UserName: 'sdk-b' }));
    assert.deepEqual(none.PolicyNames ?? [], []);
    assert.equal(none.IsTruncated, false);

    const validation = async (send: Promise<unknown>, message: RegExp) => {
      const error = (await send.then(() => undefined, (caught: unknown) => caught)) as IAMServiceException | undefined;
      assert.ok(error, 'refused');
      assert.equal(error.name, 'ValidationError');
      assert.equal(error.$metadata.httpStatusCode, 400);
      assert.match(error.message, message);
    };
    await validation(iam.send(new ListUsersCommand({ MaxItems: 0 })), /Value '0' at 'maxItems' failed to satisfy constraint: Member must have value greater than or equal to 1/);
    await validation(iam.send(new ListUsersCommand({ MaxItems: 1001 })), /Member must have value less than or equal to 1000/);
    await validation(iam.send(new ListUsersCommand({ Marker: 'not-a-marker' })), /^Invalid Marker\.$/);
    await validation(iam.send(new ListUserPoliciesCommand({ UserName: 'sdk-a', Marker: first.Marker })), /^Invalid Marker\.$/);
  } finally {
    iam.destroy();
    await berth.stop();
  }
});
