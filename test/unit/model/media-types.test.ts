import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DOCKER_MANIFEST,
  DOCKER_MANIFEST_LIST,
  DOCKER_SCHEMA1,
  DOCKER_SCHEMA1_SIGNED,
  MANIFEST_MEDIA_TYPES,
  OCI_INDEX,
  OCI_MANIFEST,
  bareMediaType,
  isIndexMediaType,
  isSchema1MediaType,
} from '../../../src/model/media-types.ts';

test('the accepted manifest media types are exactly OCI and Docker schema 2', () => {
  assert.deepEqual([...MANIFEST_MEDIA_TYPES].sort(), [DOCKER_MANIFEST, DOCKER_MANIFEST_LIST, OCI_INDEX, OCI_MANIFEST].sort());
  assert.equal(MANIFEST_MEDIA_TYPES.includes(DOCKER_SCHEMA1), false);
});

test('isIndexMediaType', () => {
  assert.equal(isIndexMediaType(OCI_INDEX), true);
  assert.equal(isIndexMediaType(DOCKER_MANIFEST_LIST), true);
  assert.equal(isIndexMediaType(OCI_MANIFEST), false);
  assert.equal(isIndexMediaType(DOCKER_MANIFEST), false);
});

test('isSchema1MediaType', () => {
  assert.equal(isSchema1MediaType(DOCKER_SCHEMA1), true);
  assert.equal(isSchema1MediaType(DOCKER_SCHEMA1_SIGNED), true);
  assert.equal(isSchema1MediaType(DOCKER_MANIFEST), false);
});

test('bareMediaType strips parameters, whitespace and case', () => {
  assert.equal(bareMediaType('Application/VND.OCI.Image.Manifest.v1+JSON; charset=utf-8'), OCI_MANIFEST);
  assert.equal(bareMediaType('  application/json  '), 'application/json');
  assert.equal(bareMediaType(undefined), undefined);
  assert.equal(bareMediaType(''), undefined);
  assert.equal(bareMediaType(' ; charset=utf-8'), undefined);
});
