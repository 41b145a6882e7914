import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isValidRepositoryName, MAX_REPOSITORY_NAME_LENGTH } from '../../../src/model/repository-name.ts';

test('valid names: single and multi-component, with every allowed separator', () => {
  for (const name of [
    'a',
    'alpine',
    'library/alpine',
    'a/b/c/d/e',
    'team-a/app_1/v2',
    'a.b',
    'a_b',
    'a__b',
    'a-b',
    'a--b',
    'a---b',
    'a.b_c__d-e--f/g',
    '0',
    '123/456',
  ]) {
    assert.equal(isValidRepositoryName(name), true, name);
  }
});

test('invalid names', () => {
  for (const name of [
    '',
    '..',
    'a/..',
    '../a',
    'a/../b',
    '.',
    'a/./b',
    'Alpine',
    'library/Alpine',
    'a/',
    '/a',
    'a//b',
    'a___b',
    'a..b',
    'a._b',
    'a-_b',
    '_a',
    'a_',
    '-a',
    'a-',
    '.a',
    'a.',
    'a b',
    'a:b',
    'a@b',
    'a%2Fb',
    'é',
    'a\nb',
    'a\\b',
  ]) {
    assert.equal(isValidRepositoryName(name), false, JSON.stringify(name));
  }
});

test('the length limit is 255 characters', () => {
  assert.equal(MAX_REPOSITORY_NAME_LENGTH, 255);
  const component = 'a'.repeat(50);
  const name255 = [component, component, component, component, component].join('/') + 'a'.repeat(1); // 5*50 + 4 + 1
  assert.equal(name255.length, 255);
  assert.equal(isValidRepositoryName(name255), true);
  assert.equal(isValidRepositoryName(name255 + 'a'), false, '256 characters');
  assert.equal(isValidRepositoryName('a'.repeat(255)), true);
  assert.equal(isValidRepositoryName('a'.repeat(256)), false);
});
