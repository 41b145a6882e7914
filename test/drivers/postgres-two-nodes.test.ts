// Two Berth nodes on one PostgreSQL database: two PostgresMetadataStore instances,
// each with its own pool, racing for the same rows. Every race must end with exactly
// one winner where the port says so, and never with torn state: a tag that names no
// manifest, a manifest whose blobs its repository does not link, or an error where
// the port promises an answer.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import pg from 'pg';
import type { ManifestRecord } from '../../src/storage/meta/metadata-store.ts';
import { PostgresMetadataStore } from '../../src/storage/meta/postgres/postgres-metadata-store.ts';
import { DEFAULT_REPOSITORY_SETTINGS } from '../../src/storage/meta/repository-settings.ts';
import { postgresMissing, startTestPostgres } from '../helpers/postgres.ts';

const missing = postgresMissing();
const server = missing === undefined ? await startTestPostgres() : undefined;
const skip = missing ?? false;
let nodeA: PostgresMetadataStore;
let nodeB: PostgresMetadataStore;
let sql: pg.Client;

before(async () => {
  if (!server) return;
  const url = await server.createDatabase();
  // Opened together, as two nodes starting at the same time would.
  [nodeA, nodeB] = await Promise.all([PostgresMetadataStore.open({ url, poolSize: 4 }), PostgresMetadataStore.open({ url, poolSize: 4 })]);
  sql = new pg.Client({ connectionString: url });
  await sql.connect();
});

after(async () => {
  await sql?.end();
  await nodeA?.close();
  await nodeB?.close();
  await server?.stop();
});

const T0 = Date.UTC(2026, 0, 1);
const ROUNDS = 25;
/** Races whose bad interleaving is a narrow window get more tries. */
const MANY_ROUNDS = 100;

function digest(content: string | Buffer): string {
  return `sha256:${createHash('sha256').update(content).digest('hex')}`;
}

function manifest(repository: string, body: object, pushedAt = new Date(T0)): ManifestRecord {
  const content = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', ...body }));
  return { repository, digest: digest(content), mediaType: 'application/vnd.oci.image.manifest.v1+json', size: content.length, content, pushedAt };
}

/** Rows that would mean a torn push: tags naming no manifest, referenced blobs the repository does not link. */
async function tornRows(): Promise<{ danglingTags: number; unlinkedReferences: number }> {
  const dangling = await sql.query(
    `SELECT count(*)::int AS n FROM tags t LEFT JOIN manifests m ON m.repository_id = t.repository_id AND m.digest = t.manifest_digest
     WHERE m.digest IS NULL`,
  );
  const unlinked = await sql.query(
    `SELECT count(*)::int AS n FROM manifest_blobs mb LEFT JOIN repository_blobs rb ON rb.repository_id = mb.repository_id AND rb.digest = mb.blob_digest
     WHERE rb.digest IS NULL`,
  );
  return { danglingTags: dangling.rows[0].n as number, unlinkedReferences: unlinked.rows[0].n as number };
}

test('two nodes push different manifests to the same tag: both pushes succeed, the tag ends on exactly one of them', { skip }, async () => {
  const config = digest('shared config');
  await nodeA.blobs.reserve(config, 10, new Date());
  await nodeA.blobs.link('race/tag', config, 10);
  for (let round = 0; round < ROUNDS; round++) {
    const fromA = manifest('race/tag', { config, node: 'a', round });
    const fromB = manifest('race/tag', { config, node: 'b', round });
    const results = await Promise.all([
      nodeA.manifests.put(fromA, { blobs: [config], manifests: [] }, 'latest'),
      nodeB.manifests.put(fromB, { blobs: [config], manifests: [] }, 'latest'),
    ]);
    assert.deepEqual(results, [{ ok: true }, { ok: true }]);
    const winner = (await nodeA.manifests.getByTag('race/tag', 'latest'))?.digest;
    assert.ok(winner === fromA.digest || winner === fromB.digest, `round ${round}: the tag names ${winner}`);
    assert.equal((await nodeB.manifests.getByTag('race/tag', 'latest'))?.digest, winner, 'both nodes see the same winner');
    const tagged = [fromA, fromB].map(async (record) => (await nodeB.manifests.summary('race/tag', record.digest))!.tags);
    assert.deepEqual((await Promise.all(tagged)).flat(), ['latest'], 'exactly one manifest carries the tag');
  }
  assert.deepEqual(await nodeB.tags.list('race/tag', { limit: 10 }), ['latest']);
  assert.equal((await nodeA.manifests.list('race/tag', { limit: 1000 })).length, 2 * ROUNDS, 'every pushed manifest is stored');
  assert.deepEqual(await tornRows(), { danglingTags: 0, unlinkedReferences: 0 });
});

test('two nodes push different manifests to the same free immutable tag: exactly one push wins, the other stores nothing', { skip }, async () => {
  for (let round = 0; round < MANY_ROUNDS; round++) {
    const tag = `release-${round}`;
    const fromA = manifest('race/immutable', { node: 'a', round });
    const fromB = manifest('race/immutable', { node: 'b', round });
    const results = await Promise.all([
      nodeA.manifests.put(fromA, { blobs: [], manifests: [] }, tag, { keepTag: true }),
      nodeB.manifests.put(fromB, { blobs: [], manifests: [] }, tag, { keepTag: true }),
    ]);
    assert.equal(results.filter((result) => result.ok).length, 1, `round ${round}: ${JSON.stringify(results)}`);
    const [winner, loser] = results[0]!.ok ? [fromA, fromB] : [fromB, fromA];
    const refusal = results[0]!.ok ? results[1]! : results[0]!;
    assert.equal(!refusal.ok && refusal.tagTakenBy, winner.digest);
    assert.equal((await nodeB.manifests.getByTag('race/immutable', tag))?.digest, winner.digest);
    assert.equal(await nodeA.manifests.get('race/immutable', loser.digest), undefined, `round ${round}: the losing manifest was stored`);
  }
});

test('two nodes create the same repository: exactly one creates it, with its own settings', { skip }, async () => {
  for (let round = 0; round < ROUNDS; round++) {
    const name = `race/create-${round}`;
    const immutable = { ...DEFAULT_REPOSITORY_SETTINGS, imageTagMutability: 'IMMUTABLE' as const };
    const [a, b] = await Promise.all([
      nodeA.repositories.create(name, DEFAULT_REPOSITORY_SETTINGS, { node: 'a' }, new Date(T0)),
      nodeB.repositories.create(name, immutable, { node: 'b' }, new Date(T0)),
    ]);
    assert.equal(Number(a) + Number(b), 1, `round ${round}: a=${a} b=${b}`);
    const stored = await nodeB.repositories.get(name);
    assert.deepEqual(stored?.tags, { node: a ? 'a' : 'b' });
    assert.equal(stored?.settings.imageTagMutability, a ? 'MUTABLE' : 'IMMUTABLE', 'settings and tags come from the same winner');
  }
});

test('two nodes pushing into a repository that does not exist yet create it once, with both pushes in it', { skip }, async () => {
  for (let round = 0; round < ROUNDS; round++) {
    const name = `race/on-push-${round}`;
    const layerA = digest(`layer a ${round}`);
    const layerB = digest(`layer b ${round}`);
    await Promise.all([nodeA.blobs.reserve(layerA, 1, new Date()), nodeA.blobs.reserve(layerB, 2, new Date())]);
    await Promise.all([nodeA.blobs.link(name, layerA, 1), nodeB.blobs.link(name, layerB, 2), nodeA.blobs.link(name, layerB, 2)]);
    const [a, b] = [manifest(name, { layer: layerA }), manifest(name, { layer: layerB })];
    assert.deepEqual(
      await Promise.all([nodeA.manifests.put(a, { blobs: [layerA], manifests: [] }, 'a'), nodeB.manifests.put(b, { blobs: [layerB], manifests: [] }, 'b')]),
      [{ ok: true }, { ok: true }],
    );
    assert.deepEqual(await nodeA.tags.list(name, { limit: 10 }), ['a', 'b']);
  }
  const { rows } = await sql.query("SELECT count(*)::int AS n, count(DISTINCT name)::int AS names FROM repositories WHERE name LIKE 'race/on-push-%'");
  assert.deepEqual(rows[0], { n: ROUNDS, names: ROUNDS }, 'one row per repository');
});

test('two nodes advance one upload from the same offset: exactly one moves it', { skip }, async () => {
  for (let round = 0; round < ROUNDS; round++) {
    const id = `upload-${round}`;
    await nodeA.uploads.create({ id, repository: 'race/upload', offset: 0, startedAt: new Date(T0), updatedAt: new Date(T0) });
    const results = await Promise.all([nodeA.uploads.advance(id, 0, 100, new Date(T0 + 1)), nodeB.uploads.advance(id, 0, 200, new Date(T0 + 2))]);
    assert.equal(results.filter(Boolean).length, 1, `round ${round}: ${results.join(', ')}`);
    assert.equal((await nodeB.uploads.get(id))?.offset, results[0] ? 100 : 200);
  }
});

test('two nodes add pull time exclusions for the last free place: exactly one gets it', { skip }, async () => {
  for (let round = 0; round < ROUNDS; round++) {
    const account = String(100_000_000_000 + round);
    await nodeA.pullTimeExclusions.add(account, `arn:aws:iam::${account}:role/first`, new Date(T0), 2);
    const results = await Promise.all([
      nodeA.pullTimeExclusions.add(account, `arn:aws:iam::${account}:role/a`, new Date(T0), 2),
      nodeB.pullTimeExclusions.add(account, `arn:aws:iam::${account}:role/b`, new Date(T0), 2),
    ]);
    assert.deepEqual([...results].sort(), ['added', 'full'], `round ${round}`);
    assert.equal((await nodeB.pullTimeExclusions.list(account, { limit: 10 })).length, 2);
  }
});

test('two nodes claim the server key check at once: both get the same one value back', { skip }, async () => {
  for (let round = 0; round < ROUNDS; round++) {
    await sql.query('DELETE FROM server_key_check');
    const a = Buffer.from(`key of node A, round ${round}`);
    const b = Buffer.from(`key of node B, round ${round}`);
    const [fromA, fromB] = await Promise.all([nodeA.identities.claimKeyCheck(a), nodeB.identities.claimKeyCheck(b)]);
    assert.deepEqual(fromA, fromB, `round ${round}: both nodes see the winner`);
    assert.ok(fromA.equals(a) || fromA.equals(b), `round ${round}: the winner is one of the claims`);
  }
});

test("a change on one node moves the other node's authorization generation", { skip }, async () => {
  const before = await nodeA.authorizationGeneration();
  await nodeB.identities.createUser({ accountId: '123456789012', userName: 'seen-by-a', userId: 'AIDATWONODESGEN00001', path: '/', createdAt: new Date(T0) });
  const after = await nodeA.authorizationGeneration();
  assert.notEqual(after, before);
  await Promise.all([
    nodeA.registry.setPolicy('123456789012', '{"a":1}'),
    nodeB.registry.setPolicy('123456789012', '{"b":1}'),
  ]);
  assert.equal(await nodeB.authorizationGeneration(), after + 2, 'concurrent changes each move it once');
});

test('a forced repository delete on one node while the other pushes into it: never an error, never a torn image', { skip }, async () => {
  let pushed = 0;
  let refused = 0;
  for (let round = 0; round < MANY_ROUNDS; round++) {
    const name = 'race/delete';
    const layer = digest(`layer ${round}`);
    await nodeA.blobs.reserve(layer, 5, new Date());
    await nodeA.blobs.link(name, layer, 5);
    const image = manifest(name, { layer, round });
    const [result, deleted] = await Promise.all([
      nodeA.manifests.put(image, { blobs: [layer], manifests: [] }, 'latest'),
      nodeB.repositories.delete(name, { force: true }),
    ]);
    assert.equal(deleted, 'deleted', `round ${round}`);
    if (result.ok) {
      pushed++;
      // The push either came first (and went with the repository) or came after the
      // delete with its blob link gone: then it cannot have been accepted.
      assert.equal(await nodeA.repositories.exists(name), false, `round ${round}: an accepted push outlived the delete`);
    } else {
      refused++;
      assert.deepEqual(result.missingBlobs, [layer], `round ${round}`);
      assert.equal(await nodeA.repositories.exists(name), false, 'a refused push leaves no repository behind');
    }
    assert.deepEqual(await tornRows(), { danglingTags: 0, unlinkedReferences: 0 }, `round ${round}`);
  }
  assert.equal(pushed + refused, MANY_ROUNDS);
});

test('a manifest delete on one node while the other pushes the same digest with a tag: the tag never outlives its manifest', { skip }, async () => {
  const name = 'race/manifest-delete';
  for (let round = 0; round < MANY_ROUNDS; round++) {
    const image = manifest(name, { round });
    await nodeA.manifests.put(image, { blobs: [], manifests: [] }, 'first');
    const [result, deleted] = await Promise.all([
      nodeA.manifests.put(image, { blobs: [], manifests: [] }, 'second'),
      nodeB.manifests.delete(name, image.digest),
    ]);
    assert.deepEqual(result, { ok: true });
    assert.equal(deleted, true);
    const stored = await nodeB.manifests.get(name, image.digest);
    const second = await nodeB.manifests.getByTag(name, 'second');
    // Push then delete: nothing is left. Delete then push: the manifest is back with its new tag.
    assert.equal(second?.digest, stored?.digest, `round ${round}: the tag and the manifest disagree`);
    assert.equal(await nodeB.manifests.getByTag(name, 'first'), undefined, 'the delete took the old tag');
    await nodeA.manifests.delete(name, image.digest);
  }
  assert.deepEqual(await tornRows(), { danglingTags: 0, unlinkedReferences: 0 });
});

test('an unlink on one node while the other pushes a manifest over that blob: the push is refused or came first', { skip }, async () => {
  const name = 'race/unlink';
  for (let round = 0; round < MANY_ROUNDS; round++) {
    const layer = digest(`unlinked layer ${round}`);
    await nodeA.blobs.reserve(layer, 3, new Date());
    await nodeA.blobs.link(name, layer, 3);
    const image = manifest(name, { layer, round });
    const [result, unlinked] = await Promise.all([nodeA.manifests.put(image, { blobs: [layer], manifests: [] }), nodeB.blobs.unlink(name, layer)]);
    assert.equal(unlinked, true);
    if (!result.ok) assert.deepEqual(result.missingBlobs, [layer]);
    // A push the unlink could not wait for would have no blob link when it committed; the
    // row lock serializes them, so the manifest exists only if the push committed first.
    assert.equal((await nodeB.manifests.get(name, image.digest)) !== undefined, result.ok, `round ${round}`);
  }
});
