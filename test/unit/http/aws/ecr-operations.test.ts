import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ECR_OPERATIONS, ECR_OPERATION_NAMES, ecrOperation, ecrResourceArns, isEcrOperation } from '../../../../src/http/aws/ecr-operations.ts';
import { ECR_INPUT_SHAPES } from '../../../../src/http/aws/ecr-inputs.ts';

const ctx = { region: 'eu-west-1', accountId: '111122223333' };

test('58 operations, each once, each with an ecr: action and a resource kind', () => {
  assert.equal(ECR_OPERATION_NAMES.length, 58);
  assert.equal(new Set(ECR_OPERATION_NAMES).size, 58);
  for (const op of ECR_OPERATIONS.values()) {
    assert.match(op.action, /^ecr:[A-Z][A-Za-z]+$/, op.name);
    assert.ok(op.resource.kind === 'registry' || op.resource.kind === 'repository', op.name);
    if (op.resource.kind === 'repository') assert.ok(['repositoryName', 'repositoryNames', 'resourceArn'].includes(op.resource.from), op.name);
  }
});

test('every validated operation is a known operation', () => {
  for (const name of Object.keys(ECR_INPUT_SHAPES)) assert.ok(isEcrOperation(name), name);
  assert.ok(!isEcrOperation('describeRepositories'));
  assert.ok(!isEcrOperation('toString'));
});

test('actions are ecr:<Operation>, ListImageReferrers excepted', () => {
  for (const name of ['GetDownloadUrlForLayer', 'BatchCheckLayerAvailability', 'PutImage', 'CreateRepository', 'GetAuthorizationToken']) {
    assert.equal(ecrOperation(name)?.action, `ecr:${name}`);
  }
  assert.equal(ecrOperation('ListImageReferrers')?.action, 'ecr:BatchGetImage');
});

test('repository operations build the repository ARN, in the input registry when one is named', () => {
  const op = ecrOperation('BatchGetImage')!;
  assert.deepEqual(ecrResourceArns(op, { repositoryName: 'team-a/app' }, ctx), ['arn:aws:ecr:eu-west-1:111122223333:repository/team-a/app']);
  assert.deepEqual(ecrResourceArns(op, { repositoryName: 'x1', registryId: '444455556666' }, { ...ctx, partition: 'aws-cn' }), ['arn:aws-cn:ecr:eu-west-1:444455556666:repository/x1']);
});

test('registry operations, GetAuthorizationToken included, are authorized on *', () => {
  for (const name of ['GetAuthorizationToken', 'DescribeRegistry', 'PutRegistryPolicy', 'GetRegistryPolicy', 'DeleteRegistryPolicy', 'PutAccountSetting', 'CreatePullThroughCacheRule', 'PutReplicationConfiguration']) {
    assert.deepEqual(ecrResourceArns(ecrOperation(name)!, { registryIds: ['444455556666'] }, ctx), ['*'], name);
  }
});

test('DescribeRepositories: each named repository, or all of them', () => {
  const op = ecrOperation('DescribeRepositories')!;
  assert.deepEqual(ecrResourceArns(op, { repositoryNames: ['a1', 'b2'] }, ctx), ['arn:aws:ecr:eu-west-1:111122223333:repository/a1', 'arn:aws:ecr:eu-west-1:111122223333:repository/b2']);
  assert.deepEqual(ecrResourceArns(op, {}, ctx), ['arn:aws:ecr:eu-west-1:111122223333:repository/*']);
});

test('tagging operations use the ARN they are given', () => {
  const arn = 'arn:aws:ecr:eu-west-1:111122223333:repository/a1';
  for (const name of ['TagResource', 'UntagResource', 'ListTagsForResource']) assert.deepEqual(ecrResourceArns(ecrOperation(name)!, { resourceArn: arn }, ctx), [arn]);
});

test('the repository operations of the data plane', () => {
  for (const name of ['BatchCheckLayerAvailability', 'InitiateLayerUpload', 'UploadLayerPart', 'CompleteLayerUpload', 'PutImage', 'BatchGetImage', 'GetDownloadUrlForLayer']) {
    assert.deepEqual(ecrOperation(name)?.resource, { kind: 'repository', from: 'repositoryName' }, name);
  }
});
