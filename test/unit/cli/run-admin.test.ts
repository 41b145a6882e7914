// `berth admin` in process, on a temporary data directory: outputs, exit statuses and
// how the deployment is found. test/api/admin-cli.test.ts runs the real command.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatOutput, runAdmin } from '../../../src/cli/admin/run-admin.ts';

let dir: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'berth-admin-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
  json: () => Record<string, unknown>;
}

async function admin(args: string[], env: Record<string, string> = {}): Promise<Ran> {
  let stdout = '';
  let stderr = '';
  const code = await runAdmin(args, {
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
    env: { BERTH_DATA_DIR: join(dir, 'data'), ...env },
    cwd: dir,
  });
  return { code, stdout, stderr, json: () => JSON.parse(stdout) as Record<string, unknown> };
}

test('the first use prepares the data directory as a first start would: the administrator exists', async () => {
  const ran = await admin(['list-users']);
  assert.equal(ran.code, 0, ran.stderr);
  assert.match(ran.stderr, /created the administrator of account 123456789012, credentials saved to .*credentials/);
  assert.deepEqual((ran.json().Users as Array<{ UserName: string }>).map((user) => user.UserName), ['admin']);
  const again = await admin(['list-users']);
  assert.equal(again.stderr, '');
});

test('create-user prints the AWS CLI\'s JSON: four-space indents, dates with +00:00', async () => {
  const ran = await admin(['create-user', '--user-name', 'ci', '--path', '/bots/']);
  assert.equal(ran.code, 0, ran.stderr);
  assert.match(ran.stdout, /^\{\n {4}"User": \{\n {8}"Path": "\/bots\/",\n {8}"UserName": "ci",/);
  const user = ran.json().User as Record<string, string>;
  assert.equal(user.Arn, 'arn:aws:iam::123456789012:user/bots/ci');
  assert.match(user.UserId!, /^AIDA[A-Z2-7]{16}$/);
  assert.match(user.CreateDate!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/);
  const got = await admin(['get-user', '--user-name', 'CI']);
  assert.deepEqual(got.json(), ran.json());
});

test('IAM\'s refusals: the error code and message on stderr, exit status 1, nothing on stdout', async () => {
  const duplicate = await admin(['create-user', '--user-name', 'CI']);
  assert.equal(duplicate.code, 1);
  assert.equal(duplicate.stdout, '');
  assert.equal(duplicate.stderr, 'berth admin: An error occurred (EntityAlreadyExists) when calling the CreateUser operation: User with name CI already exists.\n');
  const invalid = await admin(['create-user', '--user-name', 'no spaces']);
  assert.equal(invalid.code, 1);
  assert.match(invalid.stderr, /\(ValidationError\) when calling the CreateUser operation: 1 validation error detected: Value 'no spaces' at 'userName'/);
  const missing = await admin(['delete-user', '--user-name', 'nobody']);
  assert.match(missing.stderr, /\(NoSuchEntity\) when calling the DeleteUser operation: The user with name nobody cannot be found\./);
});

test('usage mistakes exit 2 and point at the help', async () => {
  for (const [args, message] of [
    [['create-user'], /create-user needs --user-name \(see berth admin create-user --help\)/],
    [['create-user', '--user-name', 'x', '--color', 'red'], /create-user does not take --color/],
    [['make-user'], /unknown command "make-user" \(see berth admin --help\)/],
    [['list-users', '--account-id', '12345'], /--account-id must be a 12-digit AWS account id/],
    [['list-users', '--max-items', 'all'], /--max-items must be a whole number/],
    [['put-user-policy', '--user-name', 'ci', '--policy-name', 'p', '--policy-document', 'file://no/such/file.json'], /unable to load file:\/\/no\/such\/file\.json/],
  ] as const) {
    const ran = await admin([...args]);
    assert.equal(ran.code, 2, args.join(' '));
    assert.match(ran.stderr, message);
    assert.equal(ran.stdout, '');
  }
  const config = await admin(['list-users'], { BERTH_ACCOUNT_ID: 'abc' });
  assert.equal(config.code, 2);
  assert.match(config.stderr, /configuration error: accountId \(from environment variable BERTH_ACCOUNT_ID\)/);
});

test('help: the command list, and each command\'s options', async () => {
  const overview = await admin(['--help']);
  assert.equal(overview.code, 0);
  for (const name of ['create-user', 'delete-user', 'list-users', 'create-access-key', 'update-access-key', 'put-user-policy', 'list-user-policies']) assert.match(overview.stdout, new RegExp(`\\n  ${name} `));
  const bare = await admin([]);
  assert.equal(bare.code, 2);
  assert.equal(bare.stderr, overview.stdout);
  const one = await admin(['update-access-key', '--help']);
  assert.equal(one.code, 0);
  assert.match(one.stdout, /^Usage: berth admin update-access-key --user-name NAME --access-key-id AKIA… --status Active\|Inactive\n/);
  assert.match(one.stdout, /--account-id ID/);
});

test('access keys: created with the secret once, listed without it, deactivated, deleted', async () => {
  await admin(['create-user', '--user-name', 'keys']);
  const created = (await admin(['create-access-key', '--user-name', 'keys'])).json().AccessKey as Record<string, string>;
  assert.match(created.AccessKeyId!, /^AKIA[A-Z2-7]{16}$/);
  assert.equal(created.SecretAccessKey!.length, 40);
  assert.deepEqual(Object.keys(created), ['UserName', 'AccessKeyId', 'Status', 'SecretAccessKey', 'CreateDate']);
  await admin(['create-access-key', '--user-name', 'keys']);
  const third = await admin(['create-access-key', '--user-name', 'keys']);
  assert.equal(third.code, 1);
  assert.match(third.stderr, /\(LimitExceeded\).*AccessKeysPerUser: 2/);
  const update = await admin(['update-access-key', '--user-name', 'keys', '--access-key-id', created.AccessKeyId!, '--status', 'Inactive']);
  assert.equal(update.code, 0);
  assert.equal(update.stdout, '', 'commands without an answer print nothing');
  const listed = (await admin(['list-access-keys', '--user-name', 'keys'])).json().AccessKeyMetadata as Array<Record<string, string>>;
  assert.equal(listed.length, 2);
  assert.deepEqual(Object.keys(listed[0]!), ['UserName', 'AccessKeyId', 'Status', 'CreateDate']);
  assert.equal(listed.find((key) => key.AccessKeyId === created.AccessKeyId)?.Status, 'Inactive');
  const conflict = await admin(['delete-user', '--user-name', 'keys']);
  assert.match(conflict.stderr, /\(DeleteConflict\).*must delete access keys first/);
  for (const key of listed) assert.equal((await admin(['delete-access-key', '--user-name', 'keys', '--access-key-id', key.AccessKeyId!])).code, 0);
  assert.equal((await admin(['delete-user', '--user-name', 'keys'])).code, 0);
});

test('inline policies: from inline JSON or file://, printed decoded as the AWS CLI prints them', async () => {
  await admin(['create-user', '--user-name', 'pol']);
  const policy = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ecr:*', Resource: '*', Condition: { DateLessThan: { 'aws:CurrentTime': '2030-01-01T00:00:00Z' } } }] };
  await writeFile(join(dir, 'policy.json'), JSON.stringify(policy, null, 2));
  assert.equal((await admin(['put-user-policy', '--user-name', 'pol', '--policy-name', 'from-file', '--policy-document', 'file://policy.json'])).code, 0);
  assert.equal((await admin(['put-user-policy', '--user-name', 'pol', '--policy-name', 'inline', '--policy-document', JSON.stringify(policy)])).code, 0);
  const got = (await admin(['get-user-policy', '--user-name', 'pol', '--policy-name', 'from-file'])).json();
  assert.deepEqual(got, { UserName: 'pol', PolicyName: 'from-file', PolicyDocument: policy }, 'a date inside the document is left as written');
  assert.deepEqual((await admin(['list-user-policies', '--user-name', 'pol'])).json(), { PolicyNames: ['from-file', 'inline'] });
  const malformed = await admin(['put-user-policy', '--user-name', 'pol', '--policy-name', 'bad', '--policy-document', '{"Statement":"nope"}']);
  assert.equal(malformed.code, 1);
  assert.match(malformed.stderr, /\(MalformedPolicyDocument\) when calling the PutUserPolicy operation/);
});

test('listings: everything by default; --max-items gives a NextToken that --starting-token takes', async () => {
  for (const name of ['page-a', 'page-b', 'page-c']) await admin(['create-user', '--user-name', name, '--path', '/paged/']);
  const all = (await admin(['list-users', '--path-prefix', '/paged/'])).json();
  assert.deepEqual(Object.keys(all), ['Users']);
  assert.deepEqual((all.Users as Array<{ UserName: string }>).map((user) => user.UserName), ['page-a', 'page-b', 'page-c']);
  const first = (await admin(['list-users', '--path-prefix', '/paged/', '--max-items', '2'])).json();
  assert.deepEqual((first.Users as Array<{ UserName: string }>).map((user) => user.UserName), ['page-a', 'page-b']);
  assert.equal(typeof first.NextToken, 'string');
  const rest = (await admin(['list-users', '--path-prefix', '/paged/', '--max-items', '2', '--starting-token', first.NextToken as string])).json();
  assert.deepEqual(rest, { Users: (all.Users as unknown[]).slice(2) });
  const bad = await admin(['list-users', '--starting-token', 'nonsense']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /\(ValidationError\) when calling the ListUsers operation: Invalid Marker\./);
});

test('--account-id acts in another account of the same deployment; the configured one is the default', async () => {
  const other = await admin(['create-user', '--user-name', 'ci', '--account-id', '210987654321']);
  assert.equal(other.code, 0, other.stderr);
  assert.equal((other.json().User as { Arn: string }).Arn, 'arn:aws:iam::210987654321:user/ci');
  assert.deepEqual(((await admin(['list-users', '--account-id', '210987654321'])).json().Users as Array<{ UserName: string }>).map((user) => user.UserName), ['ci']);
  const configured = await admin(['create-user', '--user-name', 'viaenv'], { BERTH_ACCOUNT_ID: '333333333333' });
  assert.equal((configured.json().User as { Arn: string }).Arn, 'arn:aws:iam::333333333333:user/viaenv');
});

test('the deployment is found as `berth serve` finds it: --data-dir over BERTH_DATA_DIR over the config file', async () => {
  await writeFile(join(dir, 'berth.yaml'), `dataDir: ${join(dir, 'from-file')}\n`);
  const fromFile = await admin(['create-user', '--user-name', 'filed', '--config', 'berth.yaml'], { BERTH_DATA_DIR: '' });
  assert.equal(fromFile.code, 0, fromFile.stderr);
  assert.match(fromFile.stderr, /first use of .*from-file/);
  const flagged = await admin(['list-users', '--config', 'berth.yaml', '--data-dir', join(dir, 'data')]);
  assert.ok(!(flagged.json().Users as Array<{ UserName: string }>).some((user) => user.UserName === 'filed'));
});

test('formatOutput writes Dates the AWS CLI way and leaves strings alone', () => {
  assert.equal(
    formatOutput({ A: { When: new Date(Date.UTC(2024, 1, 3, 4, 5, 6, 789)), Text: '2024-01-01T00:00:00.000Z' } }),
    '{\n    "A": {\n        "When": "2024-02-03T04:05:06+00:00",\n        "Text": "2024-01-01T00:00:00.000Z"\n    }\n}\n',
  );
});
