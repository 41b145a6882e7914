// The control plane's front door with the real AWS CLI: the first start creates an
// administrator whose printed credentials work at once, SigV4 failures get AWS's
// error names, and operations not built yet get a clear error, never a 500.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { stat, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startBerth, type BerthProcess } from '../helpers/berth-process.ts';
import { missingTools, run } from '../helpers/clients.ts';

const missing = missingTools('aws');
let berth: BerthProcess;
let credentials: string;

before(async () => {
  berth = await startBerth();
  credentials = join(berth.dataDir, 'credentials');
});
after(async () => {
  await berth?.stop();
});

function aws(args: string[], env: Record<string, string> = {}) {
  return run('aws', [...args, '--endpoint-url', berth.url, '--region', 'us-east-1', '--output', 'json'], {
    env: {
      ...process.env,
      AWS_SHARED_CREDENTIALS_FILE: credentials,
      AWS_CONFIG_FILE: join(berth.dataDir, 'no-aws-config'),
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_PAGER: '',
      ...env,
    },
  });
}

test('the first start writes the administrator credentials, mode 0600, and prints them once', async () => {
  const info = await stat(credentials);
  assert.equal(info.mode & 0o777, 0o600);
  const text = await readFile(credentials, 'utf8');
  const id = /aws_access_key_id = (AKIA[A-Z2-7]{16})/.exec(text)?.[1];
  assert.ok(id, text);
  assert.ok(berth.logs.some((line) => line.includes(id)), 'the banner shows the key id');
  assert.equal((await stat(join(berth.dataDir, 'server.key'))).mode & 0o777, 0o600);
});

test('a restart keeps the administrator and prints no new credentials', async () => {
  const before = await readFile(credentials, 'utf8');
  const again = await startBerth({ dataDir: berth.dataDir });
  try {
    assert.equal(await readFile(credentials, 'utf8'), before);
    assert.ok(!again.logs.some((line) => line.includes('aws_secret_access_key')), 'no credentials printed the second time');
  } finally {
    await again.stop();
  }
});

test('aws sts get-caller-identity answers for the administrator', { skip: missing.length > 0 && `not installed: ${missing.join(', ')}` }, async () => {
  const { stdout } = await aws(['sts', 'get-caller-identity']);
  const identity = JSON.parse(stdout) as { Account: string; Arn: string; UserId: string };
  assert.equal(identity.Account, '123456789012');
  assert.equal(identity.Arn, 'arn:aws:iam::123456789012:user/admin');
  assert.match(identity.UserId, /^AIDA[A-Z2-7]{16}$/);
});

test('a wrong secret or an unknown key gets AWS\'s own errors', { skip: missing.length > 0 && `not installed: ${missing.join(', ')}` }, async () => {
  const text = await readFile(credentials, 'utf8');
  const id = /aws_access_key_id = (\S+)/.exec(text)![1]!;
  const wrong = await aws(['sts', 'get-caller-identity'], { AWS_SHARED_CREDENTIALS_FILE: '/dev/null', AWS_ACCESS_KEY_ID: id, AWS_SECRET_ACCESS_KEY: 'not-the-secret' }).catch((error: { stderr: string }) => error);
  assert.match((wrong as { stderr: string }).stderr, /SignatureDoesNotMatch/);
  const unknown = await aws(['ecr', 'describe-repositories'], { AWS_SHARED_CREDENTIALS_FILE: '/dev/null', AWS_ACCESS_KEY_ID: 'AKIAAAAAAAAAAAAAAAAA', AWS_SECRET_ACCESS_KEY: 'x' }).catch((error: { stderr: string }) => error);
  assert.match((unknown as { stderr: string }).stderr, /UnrecognizedClientException/);
});

test('an ECR operation not built yet is a clear error, not a 500', { skip: missing.length > 0 && `not installed: ${missing.join(', ')}` }, async () => {
  const result = await aws(['ecr', 'describe-repositories']).catch((error: { stderr: string }) => error);
  assert.match((result as { stderr: string }).stderr, /UnsupportedOperationException.*DescribeRepositories/);
});

test('an unsigned control-plane request is MissingAuthenticationToken', async () => {
  const json = await fetch(`${berth.url}/`, {
    method: 'POST',
    headers: { 'X-Amz-Target': 'AmazonEC2ContainerRegistry_V20150921.DescribeRepositories', 'Content-Type': 'application/x-amz-json-1.1' },
    body: '{}',
  });
  assert.equal(json.status, 400);
  assert.equal(((await json.json()) as { __type: string }).__type, 'MissingAuthenticationTokenException');
  const query = await fetch(`${berth.url}/`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'Action=GetCallerIdentity&Version=2011-06-15' });
  assert.equal(query.status, 403);
  assert.match(await query.text(), /<Code>MissingAuthenticationToken<\/Code>/);
});
