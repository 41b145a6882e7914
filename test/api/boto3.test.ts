// The AWS CLI v1 is built on botocore 1.x (boto3's core); CI can install that library
// from Debian (python3-boto3) but not the v1 CLI itself, so this test drives the control
// plane through boto3 the way a v1 user's commands would: shapes, paginators, errors.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { startBerth, type BerthProcess } from '../helpers/berth-process.ts';
import { run } from '../helpers/clients.ts';

const PYTHON = '/usr/bin/python3';
const hasBoto3 = spawnSync(PYTHON, ['-c', 'import boto3']).status === 0;
if (!hasBoto3 && process.env.CI) throw new Error('CI must install python3-boto3');

let berth: BerthProcess;
before(async () => {
  if (hasBoto3) berth = await startBerth();
});
after(async () => {
  await berth?.stop();
});

test('boto3 (botocore 1.x, what AWS CLI v1 runs on) manages repositories, images, users and keys', { skip: !hasBoto3 && 'python3-boto3 not installed' }, async () => {
  const { stdout } = await run(PYTHON, [join(import.meta.dirname, 'fixtures', 'boto3-walkthrough.py')], {
    env: {
      ...process.env,
      BERTH_URL: berth.url,
      AWS_SHARED_CREDENTIALS_FILE: join(berth.dataDir, 'credentials'),
      AWS_CONFIG_FILE: '/dev/null',
      AWS_EC2_METADATA_DISABLED: 'true',
    },
  });
  const out = JSON.parse(stdout) as Record<string, unknown>;
  assert.equal(out.caller, 'arn:aws:iam::123456789012:user/admin');
  assert.deepEqual(out.created, { name: 'boto/app', uri: `${berth.hostPort}/boto/app`, mutability: 'IMMUTABLE', createdAtType: 'datetime' });
  assert.deepEqual(out.pagedNames, ['boto/app', 'boto/page-0', 'boto/page-1', 'boto/page-2']);
  assert.equal(out.duplicate, 'RepositoryAlreadyExistsException');
  assert.equal(out.missing, 'RepositoryNotFoundException');
  assert.deepEqual(out.tags, [{ Key: 'team', Value: 'a' }]);
  assert.match(String(out.pushedDigest), /^sha256:[0-9a-f]{64}$/);
  assert.equal(out.immutable, 'ImageTagAlreadyExistsException');
  // The image's size is the bytes of the blobs it references: here its 78-byte config.
  assert.deepEqual(out.described, { tags: ['v1'], size: 78, pushedAtType: 'datetime' });
  assert.equal(out.fetched, true);
  assert.deepEqual(out.token, { proxyEndpoint: `http://${berth.hostPort}`, expiresAtType: 'datetime' });
  assert.deepEqual(out.users, ['admin', 'boto-user']);
  assert.equal(out.userCanDescribe, 4);
  assert.equal(out.userCannotDelete, 'AccessDeniedException');
  assert.equal(out.userArn, 'arn:aws:iam::123456789012:user/bots/boto-user');
  assert.equal(out.wrongSecret, 'InvalidSignatureException');
});
