import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planImageDeletion, type DeletionTarget, type ManifestFacts } from '../../../src/ecr/image-deletion.ts';

const d = (name: string) => `sha256:${name.padEnd(64, '0')}`;
const CHILD_A = d('a');
const CHILD_B = d('b');
const INDEX = d('1');
const OUTER = d('2');

function facts(entries: Record<string, Partial<ManifestFacts>>): Map<string, ManifestFacts> {
  return new Map(Object.entries(entries).map(([digest, fact]) => [digest, { tags: fact.tags ?? [], parents: fact.parents ?? [] }]));
}

const byDigest = (digest: string): DeletionTarget => ({ id: { imageDigest: digest }, digest });
const byTag = (tag: string, digest: string): DeletionTarget => ({ id: { imageTag: tag }, digest, tag });

test('an image no index lists is deleted by digest, with nothing to untag', () => {
  const plan = planImageDeletion([byDigest(CHILD_A)], facts({ [CHILD_A]: { tags: ['v1'] } }));
  assert.deepEqual(plan.deleteManifests, [CHILD_A]);
  assert.deepEqual(plan.untag, []);
  assert.deepEqual(plan.outcomes.map((outcome) => outcome.deleted), [true]);
});

test('an index child named alone by digest is refused and names the index over it', () => {
  const plan = planImageDeletion([byDigest(CHILD_A)], facts({ [CHILD_A]: { parents: [INDEX] } }));
  assert.deepEqual(plan.deleteManifests, []);
  assert.deepEqual(plan.outcomes, [{ target: byDigest(CHILD_A), deleted: false, referencedBy: [INDEX] }]);
});

test('the index and its children in one request all go, the index first, whatever the request order', () => {
  const targets = [byDigest(CHILD_A), byDigest(CHILD_B), byDigest(INDEX)];
  const plan = planImageDeletion(targets, facts({ [CHILD_A]: { parents: [INDEX] }, [CHILD_B]: { parents: [INDEX] }, [INDEX]: { tags: ['multi'] } }));
  assert.deepEqual(plan.outcomes.map((outcome) => outcome.deleted), [true, true, true]);
  assert.equal(plan.deleteManifests[0], INDEX);
  assert.deepEqual([...plan.deleteManifests].sort(), [CHILD_A, CHILD_B, INDEX].sort());
});

test('a child listed by two indexes needs both of them in the request', () => {
  const targets = [byDigest(CHILD_A), byDigest(INDEX)];
  const plan = planImageDeletion(targets, facts({ [CHILD_A]: { parents: [INDEX, OUTER] }, [INDEX]: {} }));
  assert.deepEqual(plan.deleteManifests, [INDEX]);
  assert.deepEqual(plan.outcomes[0], { target: targets[0], deleted: false, referencedBy: [OUTER] });
  assert.equal(plan.outcomes[1]!.deleted, true);
});

test('nested indexes: a refused inner index keeps its children too', () => {
  // OUTER lists INDEX, which lists CHILD_A; only INDEX and CHILD_A are named.
  const targets = [byDigest(CHILD_A), byDigest(INDEX)];
  const plan = planImageDeletion(targets, facts({ [CHILD_A]: { parents: [INDEX] }, [INDEX]: { parents: [OUTER] } }));
  assert.deepEqual(plan.deleteManifests, []);
  assert.deepEqual(plan.outcomes.map((outcome) => (outcome.deleted ? 'deleted' : outcome.referencedBy)), [[INDEX], [OUTER]]);
  const all = planImageDeletion([...targets, byDigest(OUTER)], facts({ [CHILD_A]: { parents: [INDEX] }, [INDEX]: { parents: [OUTER] }, [OUTER]: {} }));
  assert.deepEqual(all.deleteManifests, [OUTER, INDEX, CHILD_A]);
});

test('naming a tag removes only the tag while the image keeps another', () => {
  const plan = planImageDeletion([byTag('v1', CHILD_A)], facts({ [CHILD_A]: { tags: ['latest', 'v1'] } }));
  assert.deepEqual(plan.untag, ['v1']);
  assert.deepEqual(plan.deleteManifests, []);
  assert.deepEqual(plan.outcomes.map((outcome) => outcome.deleted), [true]);
});

test('removing the last tag deletes the image, also when its tags are named in one request', () => {
  const single = planImageDeletion([byTag('v1', CHILD_A)], facts({ [CHILD_A]: { tags: ['v1'] } }));
  assert.deepEqual(single.deleteManifests, [CHILD_A]);
  const both = planImageDeletion([byTag('v1', CHILD_A), byTag('latest', CHILD_A)], facts({ [CHILD_A]: { tags: ['latest', 'v1'] } }));
  assert.deepEqual(both.untag, ['v1', 'latest']);
  assert.deepEqual(both.deleteManifests, [CHILD_A]);
});

test('removing the last tag of an index child leaves the child, untagged, and is no failure', () => {
  const plan = planImageDeletion([byTag('amd64', CHILD_A)], facts({ [CHILD_A]: { tags: ['amd64'], parents: [INDEX] } }));
  assert.deepEqual(plan.untag, ['amd64']);
  assert.deepEqual(plan.deleteManifests, []);
  assert.deepEqual(plan.outcomes.map((outcome) => outcome.deleted), [true]);
});

test('removing the last tag of an index takes the index, which frees its children named in the request', () => {
  const targets = [byDigest(CHILD_A), byTag('multi', INDEX)];
  const plan = planImageDeletion(targets, facts({ [CHILD_A]: { parents: [INDEX] }, [INDEX]: { tags: ['multi'] } }));
  assert.deepEqual(plan.deleteManifests, [INDEX, CHILD_A]);
  assert.deepEqual(plan.outcomes.map((outcome) => outcome.deleted), [true, true]);
});
