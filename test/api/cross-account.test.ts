// Cross-account access, the ECR way: a user of another account reaches this
// registry's repositories only where a repository policy grants it — and only for
// what that user's own account allows too.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { request as httpRequest } from 'node:http';
import { BatchGetImageCommand, DeleteRepositoryPolicyCommand, DescribeImagesCommand, ECRClient, SetRepositoryPolicyCommand } from '@aws-sdk/client-ecr';
import { startBerth, type BerthProcess } from '../helpers/berth-process.ts';
import { administratorKey, loginWithKey, type AccessKey } from '../helpers/registry-login.ts';
import { pushTinyImage } from '../helpers/tiny-image.ts';
import { SqliteMetadataStore } from '../../src/storage/meta/sqlite/sqlite-metadata-store.ts';
import { sealSecret } from '../../src/auth/tokens/secret-box.ts';

const HOME = '123456789012';
const OTHER = '210987654321';
const REPO = 'shared/app';

let berth: BerthProcess;
let admin: AccessKey;

before(async () => {
  berth = await startBerth();
  admin = await administratorKey(berth.dataDir);
  const { authorization } = await berth.login();
  assert.equal((await pushTinyImage(berth.url, REPO, 'v1', authorization)).status, 201);
});
after(async () => {
  await berth?.stop();
});

/** A user of another account with the given identity policy (as that account's administrator would make it). */
async function userInOtherAccount(userName: string, actions: string[]): Promise<AccessKey> {
  const serverKey = await readFile(join(berth.dataDir, 'server.key'));
  const store = SqliteMetadataStore.open({ path: join(berth.dataDir, 'berth.db') });
  const key = { accessKeyId: `AKIA${userName.toUpperCase().padEnd(16, '0').slice(0, 16)}`, secretAccessKey: `${userName}-secret` };
  try {
    await store.identities.createUser({ accountId: OTHER, userName, userId: `AIDA${userName.toUpperCase().padEnd(16, '0').slice(0, 16)}`, path: '/', createdAt: new Date() });
    await store.identities.createAccessKey({ ...key, accountId: OTHER, userName, sealedSecret: sealSecret(key.secretAccessKey, serverKey), status: 'Active', createdAt: new Date() });
    await store.identities.putUserPolicy({
      accountId: OTHER,
      userName,
      policyName: 'own-account',
      document: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: actions, Resource: '*' }] }),
    });
  } finally {
    await store.close();
  }
  return key;
}

function ecr(key: AccessKey): ECRClient {
  return new ECRClient({ endpoint: berth.url, region: 'us-east-1', credentials: key, maxAttempts: 1 });
}

async function setPolicy(statements: object[]): Promise<void> {
  const client = ecr(admin);
  try {
    await client.send(new SetRepositoryPolicyCommand({ repositoryName: REPO, policyText: JSON.stringify({ Version: '2012-10-17', Statement: statements }) }));
  } finally {
    client.destroy();
  }
}

const pullManifest = async (authorization: string) => (await fetch(`${berth.url}/v2/${REPO}/manifests/v1`, { headers: { Authorization: authorization } })).status;

test('another account is refused until a repository policy grants it, then pulls but cannot push', async () => {
  const carol = await userInOtherAccount('carol', ['ecr:*']);
  // Her own account lets her get a registry login: that needs no grant from us.
  const login = await loginWithKey(berth.url, carol);
  const client = ecr(carol);
  try {
    assert.equal(await pullManifest(login.authorization), 403, 'no repository policy: a cross-account pull is denied');
    await assert.rejects(client.send(new DescribeImagesCommand({ registryId: HOME, repositoryName: REPO })), { name: 'AccessDeniedException' });

    await setPolicy([
      {
        Sid: 'OtherAccountPulls',
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${OTHER}:root` },
        Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability', 'ecr:DescribeImages'],
      },
    ]);
    assert.equal(await pullManifest(login.authorization), 200);
    const described = await client.send(new DescribeImagesCommand({ registryId: HOME, repositoryName: REPO }));
    assert.deepEqual(described.imageDetails?.map((detail) => detail.imageTags), [['v1']]);
    const fetched = await client.send(new BatchGetImageCommand({ registryId: HOME, repositoryName: REPO, imageIds: [{ imageTag: 'v1' }] }));
    assert.equal(fetched.images?.length, 1);

    assert.equal((await pushTinyImage(berth.url, REPO, 'carol', login.authorization)).status, 403, 'the policy grants pulls only');
    assert.equal((await pushTinyImage(berth.url, 'carol/own', 'v1', login.authorization)).status, 403, 'nor may she create repositories here');
  } finally {
    client.destroy();
  }
});

test('a grant to the other account is not enough when that account does not allow its user', async () => {
  const dave = await userInOtherAccount('dave', ['ecr:GetAuthorizationToken']);
  await setPolicy([{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${OTHER}:root` }, Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'] }]);
  const login = await loginWithKey(berth.url, dave);
  assert.equal(await pullManifest(login.authorization), 403);
});

test('a grant naming one user of the other account lets that user pull and no one else', async () => {
  const erin = await userInOtherAccount('erin', ['ecr:*']);
  const frank = await userInOtherAccount('frank', ['ecr:*']);
  await setPolicy([{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${OTHER}:user/erin` }, Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'] }]);
  assert.equal(await pullManifest((await loginWithKey(berth.url, erin)).authorization), 200);
  assert.equal(await pullManifest((await loginWithKey(berth.url, frank)).authorization), 403);
});

test('an explicit deny in the repository policy beats the administrator\'s allow-all', async () => {
  await setPolicy([{ Effect: 'Deny', Principal: '*', Action: 'ecr:BatchGetImage', Condition: { StringNotEquals: { 'aws:PrincipalAccount': OTHER } } }]);
  const { authorization } = await berth.login();
  assert.equal(await pullManifest(authorization), 403);
  const client = ecr(admin);
  try {
    // The deny covers pulls only: the administrator can still take the policy away.
    await client.send(new DeleteRepositoryPolicyCommand({ repositoryName: REPO }));
    assert.equal(await pullManifest(authorization), 200);
  } finally {
    client.destroy();
  }
});

test('a Host naming another account\'s registry is not served from this one', async () => {
  const { authorization } = await berth.login();
  const status = (host: string) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest(`${berth.url}/v2/${REPO}/manifests/v1`, { headers: { host, authorization } }, (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end();
    });
  assert.equal((await status(`${HOME}.dkr.ecr.us-east-1.localhost:5000`)).status, 200);
  const foreign = await status(`${OTHER}.dkr.ecr.us-east-1.localhost:5000`);
  assert.equal(foreign.status, 404);
  assert.equal((JSON.parse(foreign.body) as { errors: Array<{ code: string }> }).errors[0]!.code, 'NAME_UNKNOWN');
  assert.equal((await status(`${HOME}.dkr.ecr.eu-west-1.localhost:5000`)).status, 404, 'another region is another registry');
});
