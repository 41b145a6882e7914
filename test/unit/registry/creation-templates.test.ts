import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bestTemplateFor, prefixCovers, repositoryFromTemplate } from '../../../src/registry/creation-templates.ts';
import type { CreationTemplateRecord, TemplateScenario } from '../../../src/storage/meta/creation-template-store.ts';

const t = (prefix: string, appliedFor: TemplateScenario[] = ['CREATE_ON_PUSH']) => ({ prefix, appliedFor });

test('a prefix covers the names below it, with the slash assumed, and not the name itself', () => {
  assert.equal(prefixCovers('prod', 'prod/api'), true);
  assert.equal(prefixCovers('prod/', 'prod/api'), true);
  assert.equal(prefixCovers('prod', 'prod/team/api'), true);
  assert.equal(prefixCovers('prod', 'prod'), false);
  assert.equal(prefixCovers('prod', 'production/api'), false);
  assert.equal(prefixCovers('prod/team', 'prod/teammate/api'), false);
  assert.equal(prefixCovers('prod/team', 'prod/api'), false);
});

test('the longest covering prefix wins, whatever the order of the templates', () => {
  const templates = [t('a'), t('a/b/c'), t('a/b'), t('ROOT'), t('x')];
  assert.equal(bestTemplateFor('a/b/c/d', templates, 'CREATE_ON_PUSH')?.prefix, 'a/b/c');
  assert.equal(bestTemplateFor('a/b/c/d', [...templates].reverse(), 'CREATE_ON_PUSH')?.prefix, 'a/b/c');
  assert.equal(bestTemplateFor('a/b/c', templates, 'CREATE_ON_PUSH')?.prefix, 'a/b', 'a/b/c does not cover itself');
  assert.equal(bestTemplateFor('a/z', templates, 'CREATE_ON_PUSH')?.prefix, 'a');
  assert.equal(bestTemplateFor('x/1', templates, 'CREATE_ON_PUSH')?.prefix, 'x');
});

test('a trailing slash counts for nothing in the length', () => {
  assert.equal(bestTemplateFor('a/b/c', [t('a/b/'), t('a/b-')], 'CREATE_ON_PUSH')?.prefix, 'a/b/');
  assert.equal(bestTemplateFor('a/bc/d', [t('a/'), t('a/bc')], 'CREATE_ON_PUSH')?.prefix, 'a/bc');
});

test('ROOT applies to names no other template claims, including names without a slash', () => {
  const templates = [t('ROOT'), t('team')];
  assert.equal(bestTemplateFor('app', templates, 'CREATE_ON_PUSH')?.prefix, 'ROOT');
  assert.equal(bestTemplateFor('team', templates, 'CREATE_ON_PUSH')?.prefix, 'ROOT');
  assert.equal(bestTemplateFor('other/app', templates, 'CREATE_ON_PUSH')?.prefix, 'ROOT');
  assert.equal(bestTemplateFor('team/app', templates, 'CREATE_ON_PUSH')?.prefix, 'team');
});

test('only templates made for the scenario take part; none applies without ROOT', () => {
  const templates = [t('a/b', ['REPLICATION']), t('a', ['PULL_THROUGH_CACHE', 'CREATE_ON_PUSH']), t('ROOT', ['PULL_THROUGH_CACHE'])];
  assert.equal(bestTemplateFor('a/b/c', templates, 'CREATE_ON_PUSH')?.prefix, 'a', 'a more specific template for another scenario is skipped');
  assert.equal(bestTemplateFor('a/b/c', templates, 'REPLICATION')?.prefix, 'a/b');
  assert.equal(bestTemplateFor('z/y', templates, 'CREATE_ON_PUSH'), undefined);
  assert.equal(bestTemplateFor('z/y', templates, 'PULL_THROUGH_CACHE')?.prefix, 'ROOT');
  assert.equal(bestTemplateFor('z', [], 'CREATE_ON_PUSH'), undefined);
});

test('a repository made from a template gets its mutability, encryption, tags, policy and lifecycle policy, and scan-on-push off', () => {
  const template: CreationTemplateRecord = {
    accountId: '123456789012',
    prefix: 'prod',
    encryption: { encryptionType: 'KMS', kmsKey: 'arn:aws:kms:us-east-1:123456789012:key/k1' },
    resourceTags: { team: 'a' },
    imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
    imageTagMutabilityExclusionFilters: [{ filterType: 'WILDCARD', filter: 'dev-*' }],
    repositoryPolicy: '{"Version":"2012-10-17","Statement":[]}',
    lifecyclePolicy: '{"rules":[{"rulePriority":1,"selection":{"tagStatus":"untagged","countType":"imageCountMoreThan","countNumber":1},"action":{"type":"expire"}}]}',
    appliedFor: ['CREATE_ON_PUSH'],
    createdAt: new Date(0),
    updatedAt: new Date(0),
  };
  assert.deepEqual(repositoryFromTemplate(template), {
    settings: {
      imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
      imageTagMutabilityExclusionFilters: [{ filterType: 'WILDCARD', filter: 'dev-*' }],
      scanOnPush: false,
      encryption: { encryptionType: 'KMS', kmsKey: 'arn:aws:kms:us-east-1:123456789012:key/k1' },
    },
    tags: { team: 'a' },
    policy: '{"Version":"2012-10-17","Statement":[]}',
    lifecyclePolicy: template.lifecyclePolicy,
  });
  const { repositoryPolicy: _unused, lifecyclePolicy: _unusedToo, ...withoutPolicy } = template;
  assert.equal('policy' in repositoryFromTemplate(withoutPolicy), false);
  assert.equal('lifecyclePolicy' in repositoryFromTemplate(withoutPolicy), false);
});
