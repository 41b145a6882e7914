import { test } from 'node:test';
import assert from 'node:assert/strict';
import { requiredAccess } from '../../../src/auth/registry-actions.ts';

test('pull needs BatchGetImage and GetDownloadUrlForLayer; push the upload actions and PutImage', () => {
  const repo = 'team/app';
  const cases: Array<[Parameters<typeof requiredAccess>[0], string, string[]]> = [
    [{ kind: 'base' }, 'GET', []],
    [{ kind: 'catalog' }, 'GET', ['ecr:DescribeRepositories']],
    [{ kind: 'tags', name: repo }, 'GET', ['ecr:ListImages']],
    [{ kind: 'manifest', name: repo }, 'GET', ['ecr:BatchGetImage']],
    [{ kind: 'manifest', name: repo }, 'HEAD', ['ecr:BatchGetImage']],
    [{ kind: 'manifest', name: repo }, 'PUT', ['ecr:PutImage']],
    [{ kind: 'manifest', name: repo }, 'DELETE', ['ecr:BatchDeleteImage']],
    [{ kind: 'blob', name: repo, digest: `sha256:${'0'.repeat(64)}` }, 'GET', ['ecr:GetDownloadUrlForLayer']],
    [{ kind: 'blob', name: repo, digest: `sha256:${'0'.repeat(64)}` }, 'HEAD', ['ecr:BatchCheckLayerAvailability']],
    [{ kind: 'blob', name: repo, digest: `sha256:${'0'.repeat(64)}` }, 'DELETE', ['ecr:BatchDeleteImage']],
    [{ kind: 'upload-start', name: repo }, 'POST', ['ecr:InitiateLayerUpload']],
    [{ kind: 'upload', name: repo }, 'PATCH', ['ecr:UploadLayerPart']],
    [{ kind: 'upload', name: repo }, 'GET', ['ecr:UploadLayerPart']],
    [{ kind: 'upload', name: repo }, 'PUT', ['ecr:CompleteLayerUpload']],
    [{ kind: 'referrers', name: repo }, 'GET', ['ecr:BatchGetImage']],
  ];
  for (const [route, method, actions] of cases) {
    assert.deepEqual(requiredAccess(route, method).actions, actions, `${method} ${route.kind}`);
  }
  assert.equal(requiredAccess({ kind: 'manifest', name: repo }, 'GET').repository, repo);
  assert.equal(requiredAccess({ kind: 'catalog' }, 'GET').repository, undefined);
});
