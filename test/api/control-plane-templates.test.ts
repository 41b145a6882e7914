// Repository creation templates, create-on-push, account settings, DescribeRegistry,
// repository scanning configurations and pull times, with the real AWS CLI against
// a real server (started the way control-plane.test.ts starts it), and plain /v2/
// pushes for the registry side.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { adminFetch } from '../helpers/admin-fetch.ts';
import { awsCli } from '../helpers/aws-cli.ts';
import { startBerth, type BerthProcess } from '../helpers/berth-process.ts';
import { missingTools } from '../helpers/clients.ts';
import { pushTinyImage, type TinyImagePush } from '../helpers/tiny-image.ts';

const missing = missingTools('aws');
const skip = missing.length > 0 && `not installed: ${missing.join(', ')}`;
const ACCOUNT = '123456789012';
let berth: BerthProcess;

before(async () => {
  berth = await startBerth();
});
after(async () => {
  await berth?.stop();
});

async function aws<T = Record<string, unknown>>(args: string[]): Promise<T> {
  const { stdout } = await awsCli(berth, args);
  return (stdout.trim() === '' ? {} : JSON.parse(stdout)) as T;
}

/** The stderr of an AWS CLI call that must fail. */
async function awsError(args: string[]): Promise<string> {
  const outcome = await awsCli(berth, args).then(
    (result) => ({ failed: false, stderr: result.stdout }),
    (error: { stderr: string }) => ({ failed: true, stderr: error.stderr }),
  );
  assert.ok(outcome.failed, `expected aws ${args.join(' ')} to fail; it answered ${outcome.stderr}`);
  return outcome.stderr;
}

const sha = (data: Buffer) => `sha256:${createHash('sha256').update(data).digest('hex')}`;

/** Pushes a one-blob image over /v2/ whose config carries `seed`, so a tag can be pushed again with other content. */
async function pushImage(server: BerthProcess, repository: string, tag: string, seed: string): Promise<TinyImagePush> {
  const { authorization } = await server.login();
  return pushTinyImage(server.url, repository, tag, authorization, { config: Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', seed })) });
}

interface Template {
  prefix: string;
  description?: string;
  encryptionConfiguration: { encryptionType: string; kmsKey?: string };
  resourceTags: Array<{ Key: string; Value: string }>;
  imageTagMutability: string;
  imageTagMutabilityExclusionFilters?: Array<{ filterType: string; filter: string }>;
  repositoryPolicy?: string;
  lifecyclePolicy?: string;
  appliedFor: string[];
  customRoleArn?: string;
  createdAt: number;
  updatedAt: number;
}

type TemplateAnswer = { registryId: string; repositoryCreationTemplate: Template };
type TemplatesAnswer = { registryId: string; repositoryCreationTemplates: Template[]; nextToken?: string };

const PULL_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Sid: 'pull', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'] }],
});
const LIFECYCLE = JSON.stringify({ rules: [{ rulePriority: 1, selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 14 }, action: { type: 'expire' } }] });

test('creation templates: create with every member, describe, update, delete', { skip }, async () => {
  const before = Date.now() / 1000;
  const created = await aws<TemplateAnswer>([
    'ecr', 'create-repository-creation-template',
    '--prefix', 'crud/team',
    '--description', 'team repositories',
    '--encryption-configuration', 'encryptionType=KMS,kmsKey=arn:aws:kms:us-east-1:123456789012:key/k-1',
    '--resource-tags', 'Key=team,Value=crud', 'Key=env,Value=test',
    '--image-tag-mutability', 'IMMUTABLE_WITH_EXCLUSION',
    '--image-tag-mutability-exclusion-filters', 'filterType=WILDCARD,filter=dev-*',
    '--repository-policy', PULL_POLICY,
    '--lifecycle-policy', LIFECYCLE,
    '--applied-for', 'CREATE_ON_PUSH', 'REPLICATION',
    '--custom-role-arn', `arn:aws:iam::${ACCOUNT}:role/ecr-templates`,
  ]);
  assert.equal(created.registryId, ACCOUNT);
  const template = created.repositoryCreationTemplate;
  assert.deepEqual({ ...template, createdAt: 0, updatedAt: 0 }, {
    prefix: 'crud/team',
    description: 'team repositories',
    encryptionConfiguration: { encryptionType: 'KMS', kmsKey: 'arn:aws:kms:us-east-1:123456789012:key/k-1' },
    resourceTags: [{ Key: 'team', Value: 'crud' }, { Key: 'env', Value: 'test' }],
    imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
    imageTagMutabilityExclusionFilters: [{ filterType: 'WILDCARD', filter: 'dev-*' }],
    repositoryPolicy: PULL_POLICY,
    lifecyclePolicy: LIFECYCLE,
    appliedFor: ['CREATE_ON_PUSH', 'REPLICATION'],
    customRoleArn: `arn:aws:iam::${ACCOUNT}:role/ecr-templates`,
    createdAt: 0,
    updatedAt: 0,
  });
  assert.ok(template.createdAt >= before - 1 && template.createdAt <= Date.now() / 1000 + 1, 'createdAt is epoch seconds');
  assert.equal(template.updatedAt, template.createdAt);

  const described = await aws<TemplatesAnswer>(['ecr', 'describe-repository-creation-templates', '--prefixes', 'crud/team']);
  assert.equal(described.registryId, ACCOUNT);
  assert.deepEqual(described.repositoryCreationTemplates, [template]);

  const updated = await aws<TemplateAnswer>([
    'ecr', 'update-repository-creation-template', '--prefix', 'crud/team/',
    '--image-tag-mutability', 'MUTABLE', '--resource-tags', 'Key=team,Value=renamed', '--description', '',
    '--applied-for', 'PULL_THROUGH_CACHE',
  ]);
  const changed = updated.repositoryCreationTemplate;
  assert.equal(changed.prefix, 'crud/team', 'the template keeps its spelling');
  assert.equal(changed.imageTagMutability, 'MUTABLE');
  assert.equal(changed.imageTagMutabilityExclusionFilters, undefined, 'the filters went with the mutability they qualified');
  assert.deepEqual(changed.resourceTags, [{ Key: 'team', Value: 'renamed' }]);
  assert.equal(changed.description, undefined, 'an empty description clears it');
  assert.deepEqual(changed.appliedFor, ['PULL_THROUGH_CACHE']);
  assert.equal(changed.repositoryPolicy, PULL_POLICY, 'members not given are kept');
  assert.equal(changed.lifecyclePolicy, LIFECYCLE);
  assert.deepEqual(changed.encryptionConfiguration, template.encryptionConfiguration);
  assert.equal(changed.createdAt, template.createdAt);
  assert.ok(changed.updatedAt >= template.updatedAt);

  const deleted = await aws<TemplateAnswer>(['ecr', 'delete-repository-creation-template', '--prefix', 'crud/team']);
  assert.deepEqual(deleted, { registryId: ACCOUNT, repositoryCreationTemplate: changed });
  assert.deepEqual((await aws<TemplatesAnswer>(['ecr', 'describe-repository-creation-templates', '--prefixes', 'crud/team'])).repositoryCreationTemplates, []);
});

test('creation templates: ROOT, defaults for members not given, and every exception', { skip }, async () => {
  const root = (await aws<TemplateAnswer>(['ecr', 'create-repository-creation-template', '--prefix', 'ROOT', '--applied-for', 'PULL_THROUGH_CACHE'])).repositoryCreationTemplate;
  assert.equal(root.prefix, 'ROOT');
  assert.equal(root.imageTagMutability, 'MUTABLE');
  assert.deepEqual(root.encryptionConfiguration, { encryptionType: 'AES256' });
  assert.deepEqual(root.resourceTags, []);
  for (const absent of ['description', 'repositoryPolicy', 'lifecyclePolicy', 'customRoleArn', 'imageTagMutabilityExclusionFilters'] as const) {
    assert.equal(root[absent], undefined, absent);
  }
  await aws(['ecr', 'create-repository-creation-template', '--prefix', 'errs/', '--applied-for', 'CREATE_ON_PUSH']);
  assert.match(await awsError(['ecr', 'create-repository-creation-template', '--prefix', 'errs', '--applied-for', 'REPLICATION']), /TemplateAlreadyExistsException.*'errs'/);
  assert.match(await awsError(['ecr', 'create-repository-creation-template', '--prefix', 'ROOT', '--applied-for', 'REPLICATION']), /TemplateAlreadyExistsException/);
  assert.match(await awsError(['ecr', 'update-repository-creation-template', '--prefix', 'nowhere', '--description', 'x']), /TemplateNotFoundException.*'nowhere'/);
  assert.match(await awsError(['ecr', 'delete-repository-creation-template', '--prefix', 'nowhere']), /TemplateNotFoundException/);
  // The model's constraints, checked by the server.
  assert.match(await awsError(['ecr', 'create-repository-creation-template', '--prefix', 'Upper/Case', '--applied-for', 'CREATE_ON_PUSH']), /InvalidParameterException.*'prefix' failed to satisfy constraint: 'must satisfy regular expression/);
  assert.match(await awsError(['ecr', 'create-repository-creation-template', '--prefix', 'x1', '--applied-for', 'EVERYTHING']), /InvalidParameterException.*'appliedFor'.*enum value set: \[REPLICATION, PULL_THROUGH_CACHE, CREATE_ON_PUSH\]/);
  assert.match(await awsError(['ecr', 'create-repository-creation-template', '--prefix', 'x1', '--applied-for', 'CREATE_ON_PUSH', '--description', 'd'.repeat(257)]), /InvalidParameterException.*'description'.*less than or equal to 256/);
  assert.match(await awsError(['ecr', 'create-repository-creation-template', '--prefix', 'x1', '--applied-for', 'CREATE_ON_PUSH', '--encryption-configuration', 'encryptionType=KMS,kmsKey=not-a-key']), /InvalidParameterException.*'kmsKey'/);
  assert.match(await awsError(['ecr', 'create-repository-creation-template', '--cli-input-json', JSON.stringify({ prefix: 'x1' })]), /appliedFor/);
  // The rules the model cannot say.
  assert.match(await awsError(['ecr', 'create-repository-creation-template', '--cli-input-json', JSON.stringify({ prefix: 'x1', appliedFor: [] })]), /ValidationException.*appliedFor/);
  assert.match(await awsError(['ecr', 'create-repository-creation-template', '--prefix', 'x1', '--applied-for', 'CREATE_ON_PUSH', '--custom-role-arn', 'arn:aws:iam::999999999999:role/elsewhere']), /ValidationException.*customRoleArn/);
  assert.match(await awsError(['ecr', 'create-repository-creation-template', '--prefix', 'x1', '--applied-for', 'CREATE_ON_PUSH', '--lifecycle-policy', '{not json']), /InvalidParameterException.*'lifecyclePolicy'.*Lifecycle policy validation failure: Could not map policyString into LifecyclePolicy/);
  // Checked by the grammar PutLifecyclePolicy uses, with its message.
  const bogusTagStatus = JSON.stringify({ rules: [{ rulePriority: 1, selection: { tagStatus: 'bogus', countType: 'imageCountMoreThan', countNumber: 1 }, action: { type: 'expire' } }] });
  assert.match(
    await awsError(['ecr', 'create-repository-creation-template', '--prefix', 'x1', '--applied-for', 'CREATE_ON_PUSH', '--lifecycle-policy', bogusTagStatus]),
    /InvalidParameterException.*'lifecyclePolicy'.*Lifecycle policy validation failure: instance value \(bogus\) not found in enum/,
  );
  assert.match(await awsError(['ecr', 'create-repository-creation-template', '--prefix', 'x1', '--applied-for', 'CREATE_ON_PUSH', '--repository-policy', '{"Statement":[{"Effect":"Perhaps"}]}']), /InvalidParameterException.*'repositoryPolicy'/);
  assert.match(await awsError(['ecr', 'create-repository-creation-template', '--prefix', 'x1', '--applied-for', 'CREATE_ON_PUSH', '--encryption-configuration', 'encryptionType=AES256,kmsKey=arn:aws:kms:us-east-1:123456789012:key/k-1']), /InvalidParameterException.*KMS key/);
  const tooMany = Array.from({ length: 51 }, (_, i) => `Key=k${i},Value=v`);
  assert.match(await awsError(['ecr', 'create-repository-creation-template', '--prefix', 'x1', '--applied-for', 'CREATE_ON_PUSH', '--resource-tags', ...tooMany]), /TooManyTagsException/);
  assert.equal((await aws<TemplatesAnswer>(['ecr', 'describe-repository-creation-templates', '--prefixes', 'x1'])).repositoryCreationTemplates.length, 0, 'no refused template was stored');
  await aws(['ecr', 'delete-repository-creation-template', '--prefix', 'ROOT']);
  await aws(['ecr', 'delete-repository-creation-template', '--prefix', 'errs']);
});

test('creation templates: describe pages with nextToken and maxResults, filtered by prefixes or not', { skip }, async () => {
  const prefixes = ['page/a', 'page/b', 'page/c', 'page/d', 'page/e'];
  for (const prefix of prefixes) await aws(['ecr', 'create-repository-creation-template', '--prefix', prefix, '--applied-for', 'REPLICATION']);
  const first = await aws<TemplatesAnswer>(['ecr', 'describe-repository-creation-templates', '--no-paginate', '--max-results', '2']);
  assert.deepEqual(first.repositoryCreationTemplates.map((t) => t.prefix), ['page/a', 'page/b']);
  assert.ok(first.nextToken);
  const second = await aws<TemplatesAnswer>(['ecr', 'describe-repository-creation-templates', '--no-paginate', '--max-results', '2', '--next-token', first.nextToken]);
  assert.deepEqual(second.repositoryCreationTemplates.map((t) => t.prefix), ['page/c', 'page/d']);
  const last = await aws<TemplatesAnswer>(['ecr', 'describe-repository-creation-templates', '--no-paginate', '--max-results', '2', '--next-token', second.nextToken!]);
  assert.deepEqual(last.repositoryCreationTemplates.map((t) => t.prefix), ['page/e']);
  assert.equal(last.nextToken, undefined);
  // The CLI's own paginator follows the tokens.
  const all = await aws<TemplatesAnswer>(['ecr', 'describe-repository-creation-templates', '--page-size', '1']);
  assert.deepEqual(all.repositoryCreationTemplates.map((t) => t.prefix), prefixes);
  const filtered = await aws<TemplatesAnswer>(['ecr', 'describe-repository-creation-templates', '--no-paginate', '--max-results', '1', '--prefixes', 'page/e', 'page/b/', 'page/zzz']);
  assert.deepEqual(filtered.repositoryCreationTemplates.map((t) => t.prefix), ['page/b'], 'unknown prefixes are left out');
  const rest = await aws<TemplatesAnswer>(['ecr', 'describe-repository-creation-templates', '--no-paginate', '--prefixes', 'page/e', 'page/b/', 'page/zzz', '--next-token', filtered.nextToken!]);
  assert.deepEqual(rest.repositoryCreationTemplates.map((t) => t.prefix), ['page/e']);
  assert.match(await awsError(['ecr', 'describe-repository-creation-templates', '--no-paginate', '--next-token', 'Tk9UIEEgVE9LRU4h']), /InvalidParameterException.*nextToken/);
  assert.match(await awsError(['ecr', 'describe-repository-creation-templates', '--no-paginate', '--max-results', '1001']), /InvalidParameterException.*'maxResults'/);
  for (const prefix of prefixes) await aws(['ecr', 'delete-repository-creation-template', '--prefix', prefix]);
});

test('create on push: a /v2/ push into a templated prefix makes the repository with the template\'s settings, tags and policy', { skip }, async () => {
  await aws(['ecr', 'create-repository-creation-template', '--prefix', 'push', '--applied-for', 'CREATE_ON_PUSH', '--resource-tags', 'Key=scope,Value=push']);
  await aws([
    'ecr', 'create-repository-creation-template', '--prefix', 'push/locked/', '--applied-for', 'CREATE_ON_PUSH',
    '--image-tag-mutability', 'IMMUTABLE_WITH_EXCLUSION', '--image-tag-mutability-exclusion-filters', 'filterType=WILDCARD,filter=latest',
    '--encryption-configuration', 'encryptionType=KMS', '--resource-tags', 'Key=team,Value=locked', 'Key=cost,Value=42',
    '--repository-policy', PULL_POLICY, '--lifecycle-policy', LIFECYCLE,
  ]);
  // A more specific template that is not for create-on-push does not take part.
  await aws(['ecr', 'create-repository-creation-template', '--prefix', 'push/locked/replicas', '--applied-for', 'REPLICATION', '--image-tag-mutability', 'MUTABLE']);

  const first = await pushImage(berth, 'push/locked/replicas/api', 'v1', 'one');
  assert.equal(first.status, 201, first.body);
  const repository = (await aws<{ repositories: Array<Record<string, unknown>> }>(['ecr', 'describe-repositories', '--repository-names', 'push/locked/replicas/api'])).repositories[0]!;
  assert.equal(repository.imageTagMutability, 'IMMUTABLE_WITH_EXCLUSION');
  assert.deepEqual(repository.imageTagMutabilityExclusionFilters, [{ filterType: 'WILDCARD', filter: 'latest' }]);
  assert.deepEqual(repository.encryptionConfiguration, { encryptionType: 'KMS' });
  assert.deepEqual(repository.imageScanningConfiguration, { scanOnPush: false });
  const tags = await aws<{ tags: Array<{ Key: string; Value: string }> }>(['ecr', 'list-tags-for-resource', '--resource-arn', String(repository.repositoryArn)]);
  assert.deepEqual(tags.tags, [{ Key: 'team', Value: 'locked' }, { Key: 'cost', Value: '42' }]);
  const policy = await aws<{ policyText: string }>(['ecr', 'get-repository-policy', '--repository-name', 'push/locked/replicas/api']);
  assert.equal(policy.policyText, PULL_POLICY);
  const lifecycle = await aws<{ lifecyclePolicyText: string; lastEvaluatedAt?: number | string }>(['ecr', 'get-lifecycle-policy', '--repository-name', 'push/locked/replicas/api']);
  assert.equal(lifecycle.lifecyclePolicyText, LIFECYCLE, 'the template\'s lifecycle policy is applied');
  assert.ok(lifecycle.lastEvaluatedAt === 0 || lifecycle.lastEvaluatedAt === '1970-01-01T00:00:00+00:00', `and has not run yet (the epoch), got ${lifecycle.lastEvaluatedAt}`);

  // The template's immutability holds from the first push on: v1 cannot move, latest can.
  const moved = await pushImage(berth, 'push/locked/replicas/api', 'v1', 'two');
  assert.equal(moved.status, 400);
  assert.match(moved.body, /cannot be overwritten because the repository is immutable/);
  assert.equal((await pushImage(berth, 'push/locked/replicas/api', 'latest', 'two')).status, 201);
  assert.equal((await pushImage(berth, 'push/locked/replicas/api', 'latest', 'three')).status, 201, 'latest is excluded from immutability');

  // The shorter prefix covers the rest of push/…; a name outside every prefix gets the defaults.
  assert.equal((await pushImage(berth, 'push/other', 'v1', 'four')).status, 201);
  const other = (await aws<{ repositories: Array<Record<string, unknown>> }>(['ecr', 'describe-repositories', '--repository-names', 'push/other'])).repositories[0]!;
  assert.equal(other.imageTagMutability, 'MUTABLE');
  assert.deepEqual((await aws<{ tags: unknown[] }>(['ecr', 'list-tags-for-resource', '--resource-arn', String(other.repositoryArn)])).tags, [{ Key: 'scope', Value: 'push' }]);
  assert.equal((await pushImage(berth, 'pushy', 'v1', 'five')).status, 201);
  const outside = (await aws<{ repositories: Array<Record<string, unknown>> }>(['ecr', 'describe-repositories', '--repository-names', 'pushy'])).repositories[0]!;
  assert.deepEqual((await aws<{ tags: unknown[] }>(['ecr', 'list-tags-for-resource', '--resource-arn', String(outside.repositoryArn)])).tags, []);
  assert.match(await awsError(['ecr', 'get-repository-policy', '--repository-name', 'pushy']), /RepositoryPolicyNotFoundException/);

  // ROOT takes every name no other template claims.
  await aws(['ecr', 'create-repository-creation-template', '--prefix', 'ROOT', '--applied-for', 'CREATE_ON_PUSH', '--image-tag-mutability', 'IMMUTABLE']);
  assert.equal((await pushImage(berth, 'rooted/app', 'v1', 'six')).status, 201);
  assert.equal((await aws<{ repositories: Array<{ imageTagMutability: string }> }>(['ecr', 'describe-repositories', '--repository-names', 'rooted/app'])).repositories[0]!.imageTagMutability, 'IMMUTABLE');
  assert.equal((await pushImage(berth, 'push/again', 'v1', 'seven')).status, 201);
  assert.equal((await aws<{ repositories: Array<{ imageTagMutability: string }> }>(['ecr', 'describe-repositories', '--repository-names', 'push/again'])).repositories[0]!.imageTagMutability, 'MUTABLE', 'push still wins over ROOT');
  for (const prefix of ['ROOT', 'push', 'push/locked', 'push/locked/replicas']) await aws(['ecr', 'delete-repository-creation-template', '--prefix', prefix]);
});

test('create on push off: a push into a missing repository is 404 NAME_UNKNOWN; a created one takes pushes', async () => {
  const strict = await startBerth({ env: { BERTH_CREATE_ON_PUSH: 'false' } });
  try {
    const refused = await adminFetch(strict, `/v2/strict/app/blobs/uploads/`, { method: 'POST' });
    assert.equal(refused.status, 404);
    const body = (await refused.json()) as { errors: Array<{ code: string; message: string }> };
    assert.equal(body.errors[0]!.code, 'NAME_UNKNOWN');
    assert.match(body.errors[0]!.message, /The repository with name 'strict\/app' does not exist in the registry with id '123456789012'.*does not create repositories on push/);
    const monolithic = await pushImage(strict, 'strict/app', 'v1', 'one');
    assert.equal(monolithic.status, 404);
    assert.match(monolithic.body, /NAME_UNKNOWN/);
    // An empty index references nothing, so only the missing repository can refuse it.
    const emptyIndex = JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [] });
    const manifest = await adminFetch(strict, `/v2/strict/app/manifests/v1`, { method: 'PUT', body: emptyIndex, headers: { 'Content-Type': 'application/vnd.oci.image.index.v1+json' } });
    assert.equal(manifest.status, 404);
    assert.equal(((await manifest.json()) as { errors: Array<{ code: string }> }).errors[0]!.code, 'NAME_UNKNOWN');
    const mount = await adminFetch(strict, `/v2/strict/app/blobs/uploads/?mount=sha256:${'0'.repeat(64)}`, { method: 'POST' });
    assert.equal(mount.status, 404, 'a mount that falls back to an upload is refused too');
    assert.equal((await adminFetch(strict, `/v2/_catalog`).then((r) => r.json()) as { repositories: string[] }).repositories.length, 0, 'nothing was created');
    if (!skip) {
      await awsCli(strict, ['ecr', 'create-repository', '--repository-name', 'strict/app']);
      const pushed = await pushImage(strict, 'strict/app', 'v1', 'one');
      assert.equal(pushed.status, 201, pushed.body);
    }
  } finally {
    await strict.stop();
  }
});

test('account settings: the documented names with ECR\'s initial values, put per account, refused names and values', { skip }, async () => {
  assert.deepEqual(await aws(['ecr', 'get-account-setting', '--name', 'BASIC_SCAN_TYPE_VERSION']), { name: 'BASIC_SCAN_TYPE_VERSION', value: 'AWS_NATIVE' });
  assert.deepEqual(await aws(['ecr', 'get-account-setting', '--name', 'REGISTRY_POLICY_SCOPE']), { name: 'REGISTRY_POLICY_SCOPE', value: 'V2' });
  assert.deepEqual(await aws(['ecr', 'get-account-setting', '--name', 'BLOB_MOUNTING']), { name: 'BLOB_MOUNTING', value: 'ENABLED' });
  assert.deepEqual(await aws(['ecr', 'put-account-setting', '--name', 'REGISTRY_POLICY_SCOPE', '--value', 'V2']), { name: 'REGISTRY_POLICY_SCOPE', value: 'V2' });
  assert.match(await awsError(['ecr', 'get-account-setting', '--name', 'NO_SUCH_SETTING']), /ValidationException.*Invalid account setting name 'NO_SUCH_SETTING'/);
  assert.match(await awsError(['ecr', 'put-account-setting', '--name', 'REGISTRY_POLICY_SCOPE', '--value', 'V1']), /ValidationException.*valid values are V2/);
  assert.match(await awsError(['ecr', 'put-account-setting', '--name', 'BASIC_SCAN_TYPE_VERSION', '--value', 'CLAIR']), /ValidationException/);
  assert.match(await awsError(['ecr', 'get-account-setting', '--name', 'x'.repeat(65)]), /InvalidParameterException.*'name'/);

  // BLOB_MOUNTING is honoured: off, a mount request becomes an ordinary upload.
  const blob = Buffer.from('mountable bytes');
  assert.equal((await adminFetch(berth, `/v2/mount/source/blobs/uploads/?digest=${sha(blob)}`, { method: 'POST', body: blob })).status, 201);
  assert.deepEqual(await aws(['ecr', 'put-account-setting', '--name', 'BLOB_MOUNTING', '--value', 'DISABLED']), { name: 'BLOB_MOUNTING', value: 'DISABLED' });
  assert.deepEqual(await aws(['ecr', 'get-account-setting', '--name', 'BLOB_MOUNTING']), { name: 'BLOB_MOUNTING', value: 'DISABLED' });
  const fallback = await adminFetch(berth, `/v2/mount/target/blobs/uploads/?mount=${sha(blob)}&from=mount/source`, { method: 'POST' });
  assert.equal(fallback.status, 202);
  assert.equal((await adminFetch(berth, `/v2/mount/target/blobs/${sha(blob)}`, { method: 'HEAD' })).status, 404);
  await aws(['ecr', 'put-account-setting', '--name', 'BLOB_MOUNTING', '--value', 'ENABLED']);
  assert.equal((await adminFetch(berth, `/v2/mount/target/blobs/uploads/?mount=${sha(blob)}&from=mount/source`, { method: 'POST' })).status, 201);
});

test('describe-registry: the registry id and an empty replication configuration', { skip }, async () => {
  assert.deepEqual(await aws(['ecr', 'describe-registry']), { registryId: ACCOUNT, replicationConfiguration: { rules: [] } });
});

test('batch-get-repository-scanning-configuration: each repository\'s scan-on-push, failures for missing ones', { skip }, async () => {
  await aws(['ecr', 'create-repository', '--repository-name', 'scan/on', '--image-scanning-configuration', 'scanOnPush=true']);
  await aws(['ecr', 'create-repository', '--repository-name', 'scan/off']);
  const answer = await aws<{ scanningConfigurations: unknown[]; failures: unknown[] }>([
    'ecr', 'batch-get-repository-scanning-configuration', '--repository-names', 'scan/on', 'scan/off', 'scan/missing',
  ]);
  assert.deepEqual(answer.scanningConfigurations, [
    { repositoryArn: `arn:aws:ecr:us-east-1:${ACCOUNT}:repository/scan/on`, repositoryName: 'scan/on', scanOnPush: true, scanFrequency: 'SCAN_ON_PUSH', appliedScanFilters: [] },
    { repositoryArn: `arn:aws:ecr:us-east-1:${ACCOUNT}:repository/scan/off`, repositoryName: 'scan/off', scanOnPush: false, scanFrequency: 'MANUAL', appliedScanFilters: [] },
  ]);
  assert.deepEqual(answer.failures, [
    { repositoryName: 'scan/missing', failureCode: 'REPOSITORY_NOT_FOUND', failureReason: `The repository with name 'scan/missing' does not exist in the registry with id '${ACCOUNT}'` },
  ]);
  assert.match(await awsError(['ecr', 'batch-get-repository-scanning-configuration', '--repository-names', ...Array.from({ length: 26 }, (_, i) => `scan/r${i}`)]), /InvalidParameterException.*'repositoryNames'.*less than or equal to 25/);
});

test('lastRecordedPullTime: recorded by a GET and by batch-get-image, not by a HEAD', { skip }, async () => {
  const describe = async (digest: string) =>
    (await aws<{ imageDetails: Array<{ lastRecordedPullTime?: number }> }>(['ecr', 'describe-images', '--repository-name', 'pulls/app', '--image-ids', `imageDigest=${digest}`])).imageDetails[0]!;
  const headed = await pushImage(berth, 'pulls/app', 'headed', 'h');
  const got = await pushImage(berth, 'pulls/app', 'got', 'g');
  const batched = await pushImage(berth, 'pulls/app', 'batched', 'b');
  for (const image of [headed, got, batched]) assert.equal((await describe(image.digest)).lastRecordedPullTime, undefined, 'never pulled');

  assert.equal((await adminFetch(berth, `/v2/pulls/app/manifests/headed`, { method: 'HEAD' })).status, 200);
  const before = Date.now() / 1000;
  assert.equal((await adminFetch(berth, `/v2/pulls/app/manifests/got`)).status, 200);
  await aws(['ecr', 'batch-get-image', '--repository-name', 'pulls/app', '--image-ids', 'imageTag=batched']);
  const after = Date.now() / 1000;

  assert.equal((await describe(headed.digest)).lastRecordedPullTime, undefined, 'a HEAD is not a pull');
  for (const image of [got, batched]) {
    const pulledAt = (await describe(image.digest)).lastRecordedPullTime;
    assert.ok(pulledAt !== undefined && pulledAt >= before - 1 && pulledAt <= after + 1, `recorded in epoch seconds: ${pulledAt}`);
  }
  const listed = await aws<{ imageDetails: Array<{ imageDigest: string; lastRecordedPullTime?: number }> }>(['ecr', 'describe-images', '--repository-name', 'pulls/app']);
  assert.deepEqual(listed.imageDetails.filter((image) => image.lastRecordedPullTime !== undefined).map((image) => image.imageDigest).sort(), [got.digest, batched.digest].sort());
});
