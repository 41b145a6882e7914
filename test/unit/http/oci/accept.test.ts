import { test } from 'node:test';
import assert from 'node:assert/strict';
import { acceptsManifest } from '../../../../src/http/oci/accept.ts';

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
const DOCKER_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';

test('no Accept header or an empty one accepts anything', () => {
  assert.equal(acceptsManifest(undefined, OCI_MANIFEST), true);
  assert.equal(acceptsManifest('', OCI_MANIFEST), true);
  assert.equal(acceptsManifest(' , ', OCI_MANIFEST), true);
  assert.equal(acceptsManifest([], DOCKER_MANIFEST), true);
});

test('the stored type is acceptable when it is listed, with parameters, case and whitespace ignored', () => {
  assert.equal(acceptsManifest(OCI_MANIFEST, OCI_MANIFEST), true);
  assert.equal(acceptsManifest(`${DOCKER_MANIFEST}, ${OCI_MANIFEST};q=0.9`, OCI_MANIFEST), true);
  assert.equal(acceptsManifest(`  ${OCI_MANIFEST.toUpperCase()}  `, OCI_MANIFEST), true);
  assert.equal(acceptsManifest([DOCKER_MANIFEST, `${OCI_INDEX}, ${DOCKER_LIST}`], DOCKER_LIST), true, 'repeated headers');
});

test('wildcards accept anything', () => {
  assert.equal(acceptsManifest('*/*', OCI_INDEX), true);
  assert.equal(acceptsManifest(`${DOCKER_MANIFEST}, */*;q=0.1`, OCI_MANIFEST), true);
  assert.equal(acceptsManifest('application/*', DOCKER_MANIFEST), true);
});

test('a list of manifest types that omits the stored one is not acceptable', () => {
  assert.equal(acceptsManifest(DOCKER_MANIFEST, OCI_MANIFEST), false);
  assert.equal(acceptsManifest(`${DOCKER_MANIFEST}, ${DOCKER_LIST}`, OCI_INDEX), false);
  assert.equal(acceptsManifest([OCI_MANIFEST], OCI_INDEX), false);
  assert.equal(acceptsManifest(`${OCI_INDEX}, application/json`, OCI_MANIFEST), false, 'a manifest type anywhere turns negotiation on');
});

test('an Accept header naming no manifest type predates negotiation: serve anyway', () => {
  assert.equal(acceptsManifest('application/json', OCI_MANIFEST), true);
  assert.equal(acceptsManifest('text/html, application/xml', DOCKER_LIST), true);
  assert.equal(acceptsManifest('application/vnd.docker.distribution.manifest.v1+prettyjws', OCI_MANIFEST), true, 'schema 1 is not a type we serve, so it does not negotiate');
});

test('a type explicitly refused with q=0 is not acceptable', () => {
  assert.equal(acceptsManifest(`${OCI_MANIFEST};q=0, ${DOCKER_MANIFEST}`, OCI_MANIFEST), false);
});
