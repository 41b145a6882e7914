import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ECR_INPUT_SHAPES } from '../../../../src/http/aws/ecr-inputs.ts';
import { REPOSITORY_NAME_PATTERN } from '../../../../src/http/aws/ecr-shapes.ts';
import { hasEcrInputShape, validateEcrInput } from '../../../../src/http/aws/ecr-validation.ts';
import { DIGEST, MINIMAL, UPLOAD_ID, sample, violations } from './ecr-cases.ts';

const FIRST_OPERATIONS = [
  'CreateRepository', 'DescribeRepositories', 'DeleteRepository', 'PutImageTagMutability', 'PutImageScanningConfiguration',
  'TagResource', 'UntagResource', 'ListTagsForResource', 'ListImages', 'DescribeImages', 'BatchGetImage', 'PutImage',
  'BatchDeleteImage', 'BatchCheckLayerAvailability', 'InitiateLayerUpload', 'UploadLayerPart', 'CompleteLayerUpload',
  'GetDownloadUrlForLayer', 'GetAuthorizationToken', 'SetRepositoryPolicy', 'GetRepositoryPolicy', 'DeleteRepositoryPolicy',
  'PutRegistryPolicy', 'GetRegistryPolicy', 'DeleteRegistryPolicy', 'DescribeRegistry', 'PutLifecyclePolicy',
  'GetLifecyclePolicy', 'DeleteLifecyclePolicy', 'StartLifecyclePolicyPreview', 'GetLifecyclePolicyPreview',
  'CreateRepositoryCreationTemplate', 'DescribeRepositoryCreationTemplates', 'UpdateRepositoryCreationTemplate',
  'DeleteRepositoryCreationTemplate', 'GetAccountSetting', 'PutAccountSetting', 'BatchGetRepositoryScanningConfiguration',
  'ListImageReferrers',
  'GetRegistryScanningConfiguration', 'PutRegistryScanningConfiguration', 'RegisterPullTimeUpdateExclusion',
  'DeregisterPullTimeUpdateExclusion', 'ListPullTimeUpdateExclusions',
];

function message(result: ReturnType<typeof validateEcrInput>): string {
  assert.equal(result.ok, false);
  if (result.ok) throw new Error('unreachable');
  assert.equal(result.error.code, 'InvalidParameterException');
  assert.equal(result.error.status, 400);
  return result.error.message ?? '';
}

test('every operation of the first batch has a table, and nothing else does', () => {
  assert.deepEqual(Object.keys(ECR_INPUT_SHAPES).sort(), [...FIRST_OPERATIONS].sort());
  for (const op of FIRST_OPERATIONS) assert.ok(hasEcrInputShape(op), op);
  assert.ok(!hasEcrInputShape('StartImageScan'));
});

test('operations without a table pass their input through', () => {
  assert.deepEqual(validateEcrInput('StartImageScan', { anything: 1 }), { ok: true, input: { anything: 1 } });
});

for (const op of FIRST_OPERATIONS) {
  test(`${op}: the minimal input and a fully populated input pass`, () => {
    const minimal = validateEcrInput(op, MINIMAL[op]!);
    assert.equal(minimal.ok, true, JSON.stringify(minimal));
    const full = validateEcrInput(op, sample(ECR_INPUT_SHAPES[op]!) as Record<string, unknown>);
    assert.equal(full.ok, true, JSON.stringify(full));
  });

  test(`${op}: each constraint violated fails at its member`, () => {
    const cases = violations(ECR_INPUT_SHAPES[op]!);
    for (const c of cases) {
      const result = validateEcrInput(op, c.input);
      assert.equal(result.ok, false, c.label);
      if (result.ok) continue;
      if (c.expect === 'serialization') {
        assert.equal(result.error.code, 'SerializationException', c.label);
        continue;
      }
      assert.equal(result.error.code, 'InvalidParameterException', c.label);
      assert.deepEqual(result.issue, { path: c.path, member: c.member, constraint: c.expect }, c.label);
      assert.equal(result.error.message, `Invalid parameter at '${c.member}' failed to satisfy constraint: '${c.expect}'`, c.label);
    }
  });
}

test('messages in the wording ECR sends', () => {
  assert.equal(
    message(validateEcrInput('CreateRepository', { repositoryName: 'Team/App' })),
    `Invalid parameter at 'repositoryName' failed to satisfy constraint: 'must satisfy regular expression '${REPOSITORY_NAME_PATTERN}''`,
  );
  assert.equal(
    message(validateEcrInput('DescribeRepositories', { repositoryNames: ['a'] })),
    "Invalid parameter at 'repositoryNames' failed to satisfy constraint: 'Member must satisfy constraint: [Member must have length greater than or equal to 2]'",
  );
  assert.equal(message(validateEcrInput('DeleteRepository', { repositoryName: 'a' })), "Invalid parameter at 'repositoryName' failed to satisfy constraint: 'must have length greater than or equal to 2'");
  const ids = Array.from({ length: 101 }, (_, i) => ({ imageTag: `t${i}` }));
  assert.equal(message(validateEcrInput('BatchGetImage', { repositoryName: 'ab', imageIds: ids })), "Invalid parameter at 'imageIds' failed to satisfy constraint: 'Member must have length less than or equal to 100'");
  assert.equal(message(validateEcrInput('BatchDeleteImage', { repositoryName: 'ab', imageIds: [] })), "Invalid parameter at 'imageIds' failed to satisfy constraint: 'Member must have length greater than or equal to 1'");
  assert.equal(
    message(validateEcrInput('GetAuthorizationToken', { registryIds: ['12345678901'] })),
    "Invalid parameter at 'registryIds' failed to satisfy constraint: 'Member must satisfy constraint: [Member must satisfy regular expression pattern: [0-9]{12}]'",
  );
  assert.equal(message(validateEcrInput('ListImages', { repositoryName: 'ab', maxResults: 1001 })), "Invalid parameter at 'maxResults' failed to satisfy constraint: 'must have value less than or equal to 1000'");
  assert.equal(
    message(validateEcrInput('PutImageTagMutability', { repositoryName: 'ab', imageTagMutability: 'mutable' })),
    "Invalid parameter at 'imageTagMutability' failed to satisfy constraint: 'must satisfy enum value set: [MUTABLE, IMMUTABLE, IMMUTABLE_WITH_EXCLUSION, MUTABLE_WITH_EXCLUSION]'",
  );
  assert.equal(message(validateEcrInput('PutImage', { repositoryName: 'ab' })), "Invalid parameter at 'imageManifest' failed to satisfy constraint: 'must not be null'");
});

test('nested members are named by their own name and located by their path', () => {
  const result = validateEcrInput('DescribeImages', { repositoryName: 'ab', imageIds: [{ imageTag: 'ok' }, { imageTag: '' }] });
  assert.equal(message(result), "Invalid parameter at 'imageTag' failed to satisfy constraint: 'must have length greater than or equal to 1'");
  assert.equal(!result.ok && result.issue?.path, 'imageIds[1].imageTag');
  const nested = validateEcrInput('CreateRepository', { repositoryName: 'ab', encryptionConfiguration: { encryptionType: 'KMS', kmsKey: '' } });
  assert.equal(!nested.ok && nested.issue?.path, 'encryptionConfiguration.kmsKey');
});

test('repository names: the model grammar, whole-string match, 2..256 characters', () => {
  for (const name of ['ab', 'team-a/app', 'a.b_c__d---e/f', 'x/y/z', 'a'.repeat(256)]) assert.equal(validateEcrInput('ListImages', { repositoryName: name }).ok, true, name);
  for (const name of ['a', 'A1', '-ab', 'ab-', 'a//b', '/ab', 'ab/', 'a..b', 'a b', 'a'.repeat(257)]) assert.equal(validateEcrInput('ListImages', { repositoryName: name }).ok, false, name);
});

test('unknown members are ignored and dropped; null is absent', () => {
  const result = validateEcrInput('DescribeRepositories', { bogus: 1, maxResults: null, registryId: '123456789012' });
  assert.deepEqual(result, { ok: true, input: { registryId: '123456789012' } });
  assert.equal(message(validateEcrInput('DeleteRepository', { repositoryName: null })), "Invalid parameter at 'repositoryName' failed to satisfy constraint: 'must not be null'");
});

test('the first violation in member order is the one reported', () => {
  const result = validateEcrInput('ListImages', { maxResults: 0, registryId: 'x', repositoryName: 'ab' });
  assert.equal(!result.ok && result.issue?.member, 'registryId');
});

test('a value of the wrong JSON type is a SerializationException, even after a constraint violation', () => {
  const result = validateEcrInput('ListImages', { registryId: 'x', repositoryName: 'ab', maxResults: '10' });
  assert.equal(result.ok, false);
  assert.equal(!result.ok && result.error.code, 'SerializationException');
  assert.equal(!result.ok && result.error.message, 'STRING_VALUE can not be converted to an Integer');
  const structure = validateEcrInput('ListImages', { repositoryName: { name: 'ab' } });
  assert.equal(!structure.ok && structure.error.message, 'Start of structure or map found where not expected.');
  assert.equal(validateEcrInput('ListImages', { repositoryName: 'ab', maxResults: 1.5 }).ok, false);
});

test('layerPartBlob arrives as base64 and comes out as bytes', () => {
  const result = validateEcrInput('UploadLayerPart', { repositoryName: 'ab', uploadId: UPLOAD_ID, partFirstByte: 0, partLastByte: 4, layerPartBlob: Buffer.from('hello').toString('base64') });
  assert.equal(result.ok, true);
  assert.ok(result.ok && Buffer.isBuffer(result.input['layerPartBlob']));
  assert.equal(result.ok && (result.input['layerPartBlob'] as Buffer).toString(), 'hello');
  const empty = validateEcrInput('UploadLayerPart', { repositoryName: 'ab', uploadId: UPLOAD_ID, partFirstByte: 0, partLastByte: 0, layerPartBlob: '' });
  assert.equal(empty.ok, true);
  for (const bad of ['aGVsbG8', 'aGVs*G8=', 'aGVsbG8=\n', 42]) {
    const result = validateEcrInput('UploadLayerPart', { repositoryName: 'ab', uploadId: UPLOAD_ID, partFirstByte: 0, partLastByte: 4, layerPartBlob: bad });
    assert.equal(!result.ok && result.error.code, 'SerializationException', String(bad));
  }
});

test('digests, upload ids and registry ids', () => {
  assert.equal(validateEcrInput('GetDownloadUrlForLayer', { repositoryName: 'ab', layerDigest: DIGEST }).ok, true);
  assert.equal(validateEcrInput('GetDownloadUrlForLayer', { repositoryName: 'ab', layerDigest: 'sha256:xyz' }).ok, false);
  assert.equal(validateEcrInput('CompleteLayerUpload', { repositoryName: 'ab', uploadId: 'not-a-uuid', layerDigests: [DIGEST] }).ok, false);
  assert.equal(validateEcrInput('DeleteRepository', { repositoryName: 'ab', registryId: '1234567890123' }).ok, false);
});

test('tag limits the service enforces beyond the model', () => {
  const arn = 'arn:aws:ecr:us-east-1:123456789012:repository/ab';
  const many = Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
  const tooMany = validateEcrInput('TagResource', { resourceArn: arn, tags: many });
  assert.equal(!tooMany.ok && tooMany.error.code, 'TooManyTagsException');
  assert.equal(validateEcrInput('TagResource', { resourceArn: arn, tags: many.slice(0, 50) }).ok, true);
  for (const tag of [{ Key: 'k'.repeat(129), Value: 'v' }, { Key: '', Value: 'v' }, { Key: 'k', Value: 'v'.repeat(257) }]) {
    const result = validateEcrInput('CreateRepository', { repositoryName: 'ab', tags: [tag] });
    assert.equal(!result.ok && result.error.code, 'InvalidTagParameterException', JSON.stringify(tag).slice(0, 40));
  }
  assert.equal(validateEcrInput('CreateRepository', { repositoryName: 'ab', tags: [{ Key: 'k'.repeat(128), Value: 'v'.repeat(256) }] }).ok, true);
  const untag = validateEcrInput('UntagResource', { resourceArn: arn, tagKeys: ['k'.repeat(129)] });
  assert.equal(!untag.ok && untag.error.code, 'InvalidTagParameterException');
  const missingValue = validateEcrInput('TagResource', { resourceArn: arn, tags: [{ Key: 'k' }] });
  assert.equal(!missingValue.ok && missingValue.issue?.path, 'tags[0].Value');
});
