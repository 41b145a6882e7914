// Condition keys reach the policy engine from real requests: tags a request sets
// (aws:RequestTag/…, aws:TagKeys), tags the repository has (aws:ResourceTag/…,
// ecr:ResourceTag/…), where the request comes from (aws:SourceIp) and how
// (aws:SecureTransport). Users and policies are made through the IAM API with the SDK.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { CreateRepositoryCommand, DescribeImagesCommand, DescribeRepositoriesCommand, ECRClient, TagResourceCommand, UntagResourceCommand } from '@aws-sdk/client-ecr';
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { startBerth, type BerthProcess } from '../helpers/berth-process.ts';
import { administratorKey, loginWithKey, type AccessKey } from '../helpers/registry-login.ts';
import { pushTinyImage } from '../helpers/tiny-image.ts';

let berth: BerthProcess;
let admin: AccessKey;
const clients: Array<{ destroy(): void }> = [];

before(async () => {
  berth = await startBerth();
  admin = await administratorKey(berth.dataDir);
});
after(async () => {
  for (const client of clients) client.destroy();
  await berth?.stop();
});

function ecr(key: AccessKey): ECRClient {
  const client = new ECRClient({ endpoint: berth.url, region: 'us-east-1', credentials: key, maxAttempts: 1 });
  clients.push(client);
  return client;
}

/** Creates a user with one inline policy through the IAM API; returns its new access key. */
async function user(userName: string, statements: object[]): Promise<AccessKey> {
  const iam = new IAMClient({ endpoint: berth.url, region: 'us-east-1', credentials: admin, maxAttempts: 1 });
  clients.push(iam);
  await iam.send(new CreateUserCommand({ UserName: userName }));
  await iam.send(new PutUserPolicyCommand({ UserName: userName, PolicyName: 'p', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: statements }) }));
  const { AccessKey: key } = await iam.send(new CreateAccessKeyCommand({ UserName: userName }));
  return { accessKeyId: key!.AccessKeyId!, secretAccessKey: key!.SecretAccessKey! };
}

async function pushAsAdmin(repo: string): Promise<void> {
  const { authorization } = await berth.login();
  assert.equal((await pushTinyImage(berth.url, repo, 'v1', authorization)).status, 201);
}

const denied = { name: 'AccessDeniedException' };

test('aws:RequestTag and aws:TagKeys decide CreateRepository, TagResource and UntagResource', async () => {
  const key = await user('tagger', [
    { Effect: 'Allow', Action: 'ecr:CreateRepository', Resource: '*', Condition: { StringEquals: { 'aws:RequestTag/team': 'a' } } },
    { Effect: 'Allow', Action: ['ecr:TagResource', 'ecr:UntagResource'], Resource: '*', Condition: { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['team', 'env'] } } },
  ]);
  const client = ecr(key);
  await assert.rejects(client.send(new CreateRepositoryCommand({ repositoryName: 'cond/untagged' })), denied);
  await assert.rejects(client.send(new CreateRepositoryCommand({ repositoryName: 'cond/team-b', tags: [{ Key: 'team', Value: 'b' }] })), denied);
  const created = await client.send(new CreateRepositoryCommand({ repositoryName: 'cond/team-a', tags: [{ Key: 'team', Value: 'a' }] }));
  const arn = created.repository!.repositoryArn!;
  await client.send(new TagResourceCommand({ resourceArn: arn, tags: [{ Key: 'env', Value: 'dev' }] }));
  await assert.rejects(client.send(new TagResourceCommand({ resourceArn: arn, tags: [{ Key: 'cost-centre', Value: '42' }] })), denied);
  await assert.rejects(client.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: ['env', 'owner'] })), denied);
  await client.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: ['env'] }));
});

test('ecr:ResourceTag (and its alias aws:ResourceTag) decide by the repository\'s tags, on the control plane and on /v2/', async () => {
  const adminClient = ecr(admin);
  await adminClient.send(new CreateRepositoryCommand({ repositoryName: 'cond/dev', tags: [{ Key: 'env', Value: 'dev' }] }));
  await adminClient.send(new CreateRepositoryCommand({ repositoryName: 'cond/prod', tags: [{ Key: 'env', Value: 'prod' }] }));
  await pushAsAdmin('cond/dev');
  await pushAsAdmin('cond/prod');
  const key = await user('dev-reader', [
    { Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
    { Effect: 'Allow', Action: ['ecr:DescribeImages', 'ecr:BatchGetImage'], Resource: '*', Condition: { StringEquals: { 'ecr:ResourceTag/env': 'dev' } } },
    { Effect: 'Deny', Action: 'ecr:BatchGetImage', Resource: '*', Condition: { StringEquals: { 'aws:ResourceTag/env': 'prod' } } },
  ]);
  const client = ecr(key);
  assert.equal((await client.send(new DescribeImagesCommand({ repositoryName: 'cond/dev' }))).imageDetails?.length, 1);
  await assert.rejects(client.send(new DescribeImagesCommand({ repositoryName: 'cond/prod' })), denied);
  const { authorization } = await loginWithKey(berth.url, key);
  assert.equal((await fetch(`${berth.url}/v2/cond/dev/manifests/v1`, { headers: { Authorization: authorization } })).status, 200);
  assert.equal((await fetch(`${berth.url}/v2/cond/prod/manifests/v1`, { headers: { Authorization: authorization } })).status, 403);
});

test('aws:SourceIp and aws:SecureTransport see where and how the request came', async () => {
  const local = await user('from-localhost', [{ Effect: 'Allow', Action: 'ecr:DescribeRepositories', Resource: '*', Condition: { IpAddress: { 'aws:SourceIp': '127.0.0.0/8' } } }]);
  const office = await user('from-office', [{ Effect: 'Allow', Action: 'ecr:DescribeRepositories', Resource: '*', Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } }]);
  const tlsOnly = await user('tls-only', [
    { Effect: 'Allow', Action: 'ecr:DescribeRepositories', Resource: '*' },
    { Effect: 'Deny', Action: '*', Resource: '*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } },
  ]);
  await ecr(local).send(new DescribeRepositoriesCommand({}));
  await assert.rejects(ecr(office).send(new DescribeRepositoriesCommand({})), denied);
  await assert.rejects(ecr(tlsOnly).send(new DescribeRepositoriesCommand({})), denied, 'this server speaks plain HTTP');
});
