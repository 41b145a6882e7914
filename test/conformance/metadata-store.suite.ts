// The MetadataStore contract. Every driver runs this suite from test/drivers/ with
// describeMetadataStore({ name, create, destroy }). Each test gets a fresh store.
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import type { ManifestRecord, MetadataStore, UploadRecord } from '../../src/storage/meta/metadata-store.ts';
import { DEFAULT_REPOSITORY_SETTINGS } from '../../src/storage/meta/repository-settings.ts';
import type { CreationTemplateRecord } from '../../src/storage/meta/creation-template-store.ts';
import { lifecycleStoreContract } from './lifecycle-store.suite.ts';

export interface MetadataStoreSuiteOptions<S extends MetadataStore = MetadataStore> {
  readonly name: string;
  /** A fresh, empty store. */
  readonly create: () => Promise<S> | S;
  /** Closes the store and removes whatever backs it. */
  readonly destroy: (store: S) => Promise<void> | void;
}

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const T0 = Date.UTC(2026, 0, 1);

export function describeMetadataStore<S extends MetadataStore>(options: MetadataStoreSuiteOptions<S>): void {
  describe(`MetadataStore contract: ${options.name}`, () => {
    let store: S | undefined;

    beforeEach(async () => {
      store = await options.create();
    });

    afterEach(async () => {
      if (store) await options.destroy(store);
      store = undefined;
    });

    const it = (title: string, body: (store: MetadataStore) => Promise<void>): void => {
      test(title, () => {
        assert.ok(store, 'the store was not created');
        return body(store);
      });
    };

    // ---------------------------------------------------------------- repositories

    it('a fresh store has no repositories', async (s) => {
      assert.equal(await s.repositories.exists('library/alpine'), false);
      assert.deepEqual(await s.repositories.list({ limit: 100 }), []);
    });

    it('repositories are listed sorted, with limit and after', async (s) => {
      const names = ['z', 'b', 'a/b', 'a', 'c-d', 'a.b', 'a_b', 'a-b', 'library/alpine', 'aa'];
      for (const name of names) await stored(s, name, digest(`layer of ${name}`), 1);
      const sorted = ['a', 'a-b', 'a.b', 'a/b', 'a_b', 'aa', 'b', 'c-d', 'library/alpine', 'z'];
      assert.deepEqual([...names].sort(), sorted, 'test bug: expected order is code-unit order');
      assert.deepEqual(await s.repositories.list({ limit: 100 }), sorted);
      assert.deepEqual(await s.repositories.list({ limit: 3 }), ['a', 'a-b', 'a.b']);
      assert.deepEqual(await s.repositories.list({ limit: 3, after: 'a.b' }), ['a/b', 'a_b', 'aa']);
      // `after` need not be an existing name.
      assert.deepEqual(await s.repositories.list({ limit: 2, after: 'ab' }), ['b', 'c-d']);
      assert.deepEqual(await s.repositories.list({ limit: 5, after: 'z' }), []);
      assert.deepEqual(await s.repositories.list({ limit: 5, after: '' }), sorted.slice(0, 5));
      assert.deepEqual(await s.repositories.list({ limit: 0 }), []);
      for (const name of names) assert.equal(await s.repositories.exists(name), true, name);
      assert.equal(await s.repositories.exists('a/b/c'), false);
      assert.equal(await s.repositories.exists('A'), false, 'names are case-sensitive');
    });

    it('walking repository pages of any size yields every repository once, in order', async (s) => {
      const names = Array.from({ length: 23 }, (_, index) => `repo/${String(index).padStart(2, '0')}`);
      for (const name of [...names].reverse()) await stored(s, name, digest('shared'), 6);
      for (const limit of [1, 2, 5, 22, 23, 24]) {
        assert.deepEqual(await walk((after) => s.repositories.list({ limit, ...(after === undefined ? {} : { after }) })), names, `limit ${limit}`);
      }
    });

    // ---------------------------------------------------------------- blob links

    it('link creates the repository and records the size', async (s) => {
      const layer = digest('layer');
      await stored(s, 'team/app', layer, 1234);
      assert.equal(await s.repositories.exists('team/app'), true);
      assert.deepEqual(await s.repositories.list({ limit: 10 }), ['team/app']);
      assert.equal(await s.blobs.linked('team/app', layer), 1234);
      assert.equal(await s.blobs.anywhere(layer), 1234);
      assert.equal(await s.blobs.linked('team/other', layer), undefined, 'a link is per repository');
      assert.equal(await s.blobs.linked('team/app', digest('other layer')), undefined);
      assert.equal(await s.blobs.anywhere(digest('other layer')), undefined);
    });

    it('linking the same blob twice is idempotent', async (s) => {
      const layer = digest('twice');
      await stored(s, 'app', layer, 10);
      await stored(s, 'app', layer, 10);
      assert.equal(await s.blobs.linked('app', layer), 10);
      assert.equal(await s.blobs.unlink('app', layer), true);
      assert.equal(await s.blobs.linked('app', layer), undefined, 'one unlink removes the (single) link');
    });

    it('a zero-size blob is linked (0 is not "absent")', async (s) => {
      const empty = digest('');
      await stored(s, 'app', empty, 0);
      assert.equal(await s.blobs.linked('app', empty), 0);
      assert.equal(await s.blobs.anywhere(empty), 0);
    });

    it('unlinking a blob in one repository keeps it in another', async (s) => {
      const layer = digest('shared layer');
      await stored(s, 'one', layer, 42);
      await stored(s, 'two', layer, 42);
      assert.equal(await s.blobs.unlink('one', layer), true);
      assert.equal(await s.blobs.linked('one', layer), undefined);
      assert.equal(await s.blobs.linked('two', layer), 42, 'deleting a blob from one repository does not take it from another');
      assert.equal(await s.blobs.anywhere(layer), 42);
      assert.equal(await s.blobs.unlink('one', layer), false, 'unlinking twice');
      assert.equal(await s.blobs.unlink('two', layer), true);
      assert.equal(await s.blobs.anywhere(layer), undefined, 'no repository links it any more');
      // Linking again after every link is gone works.
      await stored(s, 'three', layer, 42);
      assert.equal(await s.blobs.linked('three', layer), 42);
      assert.equal(await s.blobs.anywhere(layer), 42);
    });

    it('unlink in an unknown repository returns false and creates nothing', async (s) => {
      assert.equal(await s.blobs.unlink('ghost', digest('x')), false);
      assert.equal(await s.repositories.exists('ghost'), false);
      assert.equal(await s.blobs.linked('ghost', digest('x')), undefined);
    });

    it('concurrent link calls for the same digest all succeed', async (s) => {
      const layer = digest('concurrent');
      const repositories = Array.from({ length: 10 }, (_, index) => `concurrent/r${index}`);
      await Promise.all([...repositories, ...repositories].map((repository) => stored(s, repository, layer, 77)));
      for (const repository of repositories) assert.equal(await s.blobs.linked(repository, layer), 77, repository);
      assert.equal(await s.blobs.anywhere(layer), 77);
      assert.deepEqual(await s.repositories.list({ limit: 100 }), [...repositories].sort());
    });

    // ---------------------------------------------------------------- manifests

    it('a manifest with missing blobs or children is refused and nothing is written', async (s) => {
      const config = digest('config');
      const layer = digest('layer');
      const child = digest('child manifest');
      // The layer exists, but in another repository: that does not count.
      await stored(s, 'elsewhere', layer, 3);
      const record = manifestRecord('fresh/repo', { config, layers: [layer] });
      const result = await s.manifests.put(record, { blobs: [config, layer, config], manifests: [child] }, 'latest');
      assert.equal(result.ok, false);
      assert.ok(!result.ok);
      assert.deepEqual([...result.missingBlobs].sort(), [config, layer].sort());
      assert.deepEqual([...result.missingManifests], [child]);
      assert.equal(await s.manifests.get('fresh/repo', record.digest), undefined);
      assert.equal(await s.manifests.getByTag('fresh/repo', 'latest'), undefined);
      assert.deepEqual(await s.tags.list('fresh/repo', { limit: 10 }), []);
      assert.equal(await s.repositories.exists('fresh/repo'), false, 'a refused push must not create the repository');
      assert.deepEqual(await s.repositories.list({ limit: 10 }), ['elsewhere']);
    });

    it('a refused manifest does not move an existing tag', async (s) => {
      const config = digest('config');
      await stored(s, 'app', config, 2);
      const good = manifestRecord('app', { config, n: 1 });
      assert.deepEqual(await s.manifests.put(good, { blobs: [config], manifests: [] }, 'latest'), { ok: true });
      const bad = manifestRecord('app', { config, n: 2 });
      const result = await s.manifests.put(bad, { blobs: [config, digest('missing')], manifests: [] }, 'latest');
      assert.deepEqual(result, { ok: false, missingBlobs: [digest('missing')], missingManifests: [] });
      assert.equal((await s.manifests.getByTag('app', 'latest'))?.digest, good.digest);
      assert.equal(await s.manifests.get('app', bad.digest), undefined);
    });

    it('put stores the manifest; get by digest and by tag return it exactly', async (s) => {
      const config = digest('config');
      const layer = digest('layer');
      await stored(s, 'team/app', config, 100);
      await stored(s, 'team/app', layer, 2000);
      const record = manifestRecord(
        'team/app',
        { config, layers: [layer] },
        {
          artifactType: 'application/vnd.example.thing',
          annotations: { 'org.opencontainers.image.created': '2026-01-01T00:00:00Z', empty: '' },
          pushedAt: new Date(T0 + 1234),
        },
      );
      assert.deepEqual(await s.manifests.put(record, { blobs: [config, layer], manifests: [] }, 'v1.0'), { ok: true });
      assert.deepEqual(await s.manifests.get('team/app', record.digest), record);
      assert.deepEqual(await s.manifests.getByTag('team/app', 'v1.0'), record);
      assert.equal(await s.manifests.get('team/other', record.digest), undefined, 'manifests are per repository');
      assert.equal(await s.manifests.getByTag('team/app', 'v2.0'), undefined);
      assert.equal(await s.manifests.getByTag('team/app', 'V1.0'), undefined, 'tags are case-sensitive');
      assert.deepEqual(await s.tags.list('team/app', { limit: 10 }), ['v1.0']);
    });

    it('put without optional fields returns a record without them', async (s) => {
      const record = manifestRecord('plain', { layers: [] });
      assert.deepEqual(await s.manifests.put(record, { blobs: [], manifests: [] }), { ok: true });
      const stored = await s.manifests.get('plain', record.digest);
      assert.deepEqual(stored, record);
      assert.equal(stored?.artifactType, undefined);
      assert.equal(stored?.subject, undefined);
      assert.equal(stored?.annotations, undefined);
    });

    it('put without a tag creates the repository and no tag', async (s) => {
      const record = manifestRecord('by/digest', { only: 'digest' });
      assert.deepEqual(await s.manifests.put(record, { blobs: [], manifests: [] }), { ok: true });
      assert.equal(await s.repositories.exists('by/digest'), true);
      assert.deepEqual(await s.tags.list('by/digest', { limit: 10 }), []);
      assert.equal((await s.manifests.get('by/digest', record.digest))?.digest, record.digest);
    });

    it('an index is accepted when its child manifests are present, refused when not', async (s) => {
      const child = manifestRecord('multi', { platform: 'amd64' });
      const index = manifestRecord('multi', { manifests: [child.digest] }, { mediaType: OCI_INDEX });
      const refused = await s.manifests.put(index, { blobs: [], manifests: [child.digest] }, 'latest');
      assert.deepEqual(refused, { ok: false, missingBlobs: [], missingManifests: [child.digest] });
      assert.deepEqual(await s.manifests.put(child, { blobs: [], manifests: [] }), { ok: true });
      assert.deepEqual(await s.manifests.put(index, { blobs: [], manifests: [child.digest] }, 'latest'), { ok: true });
      assert.equal((await s.manifests.getByTag('multi', 'latest'))?.mediaType, OCI_INDEX);
      // A child in another repository does not count.
      const elsewhere = manifestRecord('multi2', { manifests: [child.digest] }, { mediaType: OCI_INDEX });
      assert.equal((await s.manifests.put(elsewhere, { blobs: [], manifests: [child.digest] })).ok, false);
    });

    it('parents and children: the indexes over a manifest and the manifests an index lists, in one repository', async (s) => {
      const a = manifestRecord('tree', { platform: 'amd64' });
      const b = manifestRecord('tree', { platform: 'arm64' });
      const both = manifestRecord('tree', { manifests: [a.digest, b.digest] }, { mediaType: OCI_INDEX });
      const onlyA = manifestRecord('tree', { manifests: [a.digest] }, { mediaType: OCI_INDEX });
      const nested = manifestRecord('tree', { manifests: [both.digest] }, { mediaType: OCI_INDEX });
      for (const child of [a, b]) await s.manifests.put(child, { blobs: [], manifests: [] });
      await s.manifests.put(both, { blobs: [], manifests: [a.digest, b.digest] }, 'multi');
      await s.manifests.put(onlyA, { blobs: [], manifests: [a.digest] });
      await s.manifests.put(nested, { blobs: [], manifests: [both.digest] });
      assert.deepEqual(await s.manifests.parents('tree', a.digest), [both.digest, onlyA.digest].sort());
      assert.deepEqual(await s.manifests.parents('tree', b.digest), [both.digest]);
      assert.deepEqual(await s.manifests.parents('tree', both.digest), [nested.digest]);
      assert.deepEqual(await s.manifests.parents('tree', nested.digest), []);
      assert.deepEqual(await s.manifests.children('tree', both.digest), [a.digest, b.digest].sort());
      assert.deepEqual(await s.manifests.children('tree', a.digest), []);
      // The same child pushed elsewhere has no parents there.
      await s.manifests.put({ ...a, repository: 'elsewhere' }, { blobs: [], manifests: [] });
      assert.deepEqual(await s.manifests.parents('elsewhere', a.digest), []);
      assert.deepEqual(await s.manifests.parents('no-such-repository', a.digest), []);
      // Deleting an index drops its edges; deleting a child leaves the index's list as pushed.
      assert.equal(await s.manifests.delete('tree', both.digest), true);
      assert.deepEqual(await s.manifests.parents('tree', a.digest), [onlyA.digest]);
      assert.deepEqual(await s.manifests.parents('tree', b.digest), []);
      assert.deepEqual(await s.manifests.children('tree', both.digest), []);
      assert.deepEqual(await s.manifests.children('tree', nested.digest), [both.digest]);
    });

    it('pushing a tag again moves it to the new digest', async (s) => {
      const first = manifestRecord('app', { version: 1 });
      const second = manifestRecord('app', { version: 2 }, { pushedAt: new Date(T0 + 60_000) });
      await s.manifests.put(first, { blobs: [], manifests: [] }, 'latest');
      await s.manifests.put(second, { blobs: [], manifests: [] }, 'latest');
      assert.equal((await s.manifests.getByTag('app', 'latest'))?.digest, second.digest);
      assert.deepEqual(await s.manifests.get('app', first.digest), first, 'the old manifest stays, untagged');
      assert.deepEqual(await s.tags.list('app', { limit: 10 }), ['latest']);
      // And back again.
      await s.manifests.put(first, { blobs: [], manifests: [] }, 'latest');
      assert.equal((await s.manifests.getByTag('app', 'latest'))?.digest, first.digest);
    });

    it('keepTag: an immutable tag is set once, may be pushed again with its manifest, is never moved, and a refusal writes nothing', async (s) => {
      const first = manifestRecord('locked', { version: 1 });
      const second = manifestRecord('locked', { version: 2 });
      const none = { blobs: [], manifests: [] };
      assert.deepEqual(await s.manifests.put(first, none, 'v1', { keepTag: true }), { ok: true }, 'a free tag is taken');
      assert.deepEqual(await s.manifests.put(first, none, 'v1', { keepTag: true }), { ok: true }, 'the same manifest again');
      assert.deepEqual(await s.manifests.put(second, none, 'v1', { keepTag: true }), { ok: false, missingBlobs: [], missingManifests: [], tagTakenBy: first.digest });
      assert.equal((await s.manifests.getByTag('locked', 'v1'))?.digest, first.digest);
      assert.equal(await s.manifests.get('locked', second.digest), undefined, 'the refused manifest is not stored');
      const unknownLayer = manifestRecord('locked', { version: 3 });
      const refused = await s.manifests.put(unknownLayer, { blobs: [digest('never linked')], manifests: [] }, 'v1', { keepTag: true });
      assert.equal(refused.ok === false && refused.tagTakenBy, first.digest, 'the tag is checked before the references');
      assert.deepEqual(await s.manifests.put(second, none, 'v2', { keepTag: true }), { ok: true }, 'another free tag');
      assert.deepEqual(await s.manifests.put({ ...second, repository: 'unlocked' }, none, 'v1', { keepTag: true }), { ok: true }, 'tags are per repository');
      assert.deepEqual(await s.manifests.put(second, none, 'v1'), { ok: true }, 'without keepTag the tag moves');
      assert.equal((await s.manifests.getByTag('locked', 'v1'))?.digest, second.digest);
    });

    it('keepTag: of concurrent pushes of different manifests to one free tag, exactly one gets it', async (s) => {
      const records = Array.from({ length: 8 }, (_, index) => manifestRecord('contended', { index }));
      const results = await Promise.all(records.map((record) => s.manifests.put(record, { blobs: [], manifests: [] }, 'release', { keepTag: true })));
      const winners = records.filter((_, index) => results[index]!.ok);
      assert.equal(winners.length, 1, JSON.stringify(results));
      assert.equal((await s.manifests.getByTag('contended', 'release'))?.digest, winners[0]!.digest);
      for (const result of results) if (!result.ok) assert.equal(result.tagTakenBy, winners[0]!.digest);
      assert.equal((await s.manifests.list('contended', { limit: 100 })).length, 1, 'the losers stored nothing');
    });

    it('putting the same digest again is idempotent and can add tags', async (s) => {
      const record = manifestRecord('app', { same: true });
      assert.deepEqual(await s.manifests.put(record, { blobs: [], manifests: [] }, 'a'), { ok: true });
      assert.deepEqual(await s.manifests.put(record, { blobs: [], manifests: [] }, 'a'), { ok: true });
      assert.deepEqual(await s.manifests.put(record, { blobs: [], manifests: [] }, 'b'), { ok: true });
      assert.deepEqual(await s.manifests.put(record, { blobs: [], manifests: [] }), { ok: true });
      assert.deepEqual(await s.manifests.get('app', record.digest), record);
      assert.deepEqual(await s.tags.list('app', { limit: 10 }), ['a', 'b']);
      assert.equal((await s.manifests.getByTag('app', 'a'))?.digest, record.digest);
      assert.equal((await s.manifests.getByTag('app', 'b'))?.digest, record.digest);
      assert.deepEqual(await s.repositories.list({ limit: 10 }), ['app']);
    });

    it('the same manifest in two repositories is independent', async (s) => {
      const one = manifestRecord('one', { shared: true });
      const two = { ...one, repository: 'two' };
      await s.manifests.put(one, { blobs: [], manifests: [] }, 'x');
      await s.manifests.put(two, { blobs: [], manifests: [] }, 'y');
      assert.equal(await s.manifests.delete('one', one.digest), true);
      assert.equal(await s.manifests.get('one', one.digest), undefined);
      assert.deepEqual(await s.manifests.get('two', two.digest), two);
      assert.deepEqual(await s.tags.list('two', { limit: 10 }), ['y']);
    });

    it('deleting a manifest by digest removes it and every tag pointing at it', async (s) => {
      const doomed = manifestRecord('app', { doomed: true });
      const kept = manifestRecord('app', { kept: true });
      await s.manifests.put(doomed, { blobs: [], manifests: [] }, 'a');
      await s.manifests.put(doomed, { blobs: [], manifests: [] }, 'b');
      await s.manifests.put(kept, { blobs: [], manifests: [] }, 'c');
      assert.equal(await s.manifests.delete('app', doomed.digest), true);
      assert.equal(await s.manifests.get('app', doomed.digest), undefined);
      assert.equal(await s.manifests.getByTag('app', 'a'), undefined);
      assert.equal(await s.manifests.getByTag('app', 'b'), undefined);
      assert.deepEqual(await s.tags.list('app', { limit: 10 }), ['c']);
      assert.equal((await s.manifests.getByTag('app', 'c'))?.digest, kept.digest);
      assert.equal(await s.manifests.delete('app', doomed.digest), false, 'deleting twice');
      assert.equal(await s.manifests.delete('ghost', doomed.digest), false);
      assert.equal(await s.repositories.exists('ghost'), false);
      // The digest can be pushed again afterwards.
      assert.deepEqual(await s.manifests.put(doomed, { blobs: [], manifests: [] }, 'a'), { ok: true });
      assert.equal((await s.manifests.getByTag('app', 'a'))?.digest, doomed.digest);
    });

    it('deleting a tag keeps the manifest', async (s) => {
      const record = manifestRecord('app', { tagged: true });
      await s.manifests.put(record, { blobs: [], manifests: [] }, 'a');
      await s.manifests.put(record, { blobs: [], manifests: [] }, 'b');
      assert.equal(await s.tags.delete('app', 'a'), true);
      assert.equal(await s.tags.delete('app', 'a'), false);
      assert.equal(await s.tags.delete('ghost', 'a'), false);
      assert.equal(await s.manifests.getByTag('app', 'a'), undefined);
      assert.deepEqual(await s.manifests.get('app', record.digest), record);
      assert.deepEqual(await s.tags.list('app', { limit: 10 }), ['b']);
    });

    it('content bytes round-trip exactly, including bytes that are not UTF-8', async (s) => {
      const bytes = Buffer.concat([
        Buffer.from('{"schemaVersion":2,"x":"'),
        Buffer.from([0x00, 0xc3, 0x28, 0xa0, 0xa1, 0xe2, 0x28, 0xa1, 0xf0, 0x28, 0x8c, 0xbc, 0xff, 0xfe, 0xfd, 0x80]),
        Buffer.from(Array.from({ length: 256 }, (_, index) => index)),
        Buffer.from('"}\r\n\u00e9\ufeff'),
      ]);
      const record: ManifestRecord = { ...manifestRecord('bytes', {}), content: bytes, digest: digest(bytes), size: bytes.length };
      await s.manifests.put(record, { blobs: [], manifests: [] }, 'raw');
      const stored = await s.manifests.get('bytes', record.digest);
      assert.ok(stored);
      assert.ok(Buffer.isBuffer(stored.content), 'content is a Buffer');
      assert.equal(stored.content.length, bytes.length);
      assert.equal(Buffer.compare(stored.content, bytes), 0, 'content differs from what was stored');
      assert.equal(Buffer.compare((await s.manifests.getByTag('bytes', 'raw'))!.content, bytes), 0);
    });

    it('a large manifest (4 MiB) round-trips exactly', async (s) => {
      const bytes = Buffer.alloc(4 * 1024 * 1024);
      for (let index = 0; index < bytes.length; index += 4) bytes.writeUInt32LE((index * 2654435761) >>> 0, index);
      const record: ManifestRecord = { ...manifestRecord('big', {}), content: bytes, digest: digest(bytes), size: bytes.length };
      await s.manifests.put(record, { blobs: [], manifests: [] });
      const stored = await s.manifests.get('big', record.digest);
      assert.equal(stored?.size, bytes.length);
      assert.equal(Buffer.compare(stored.content, bytes), 0);
    });

    it('concurrent puts of the same manifest and tag all succeed', async (s) => {
      const config = digest('config');
      await stored(s, 'race', config, 1);
      const record = manifestRecord('race', { config });
      const results = await Promise.all(Array.from({ length: 10 }, () => s.manifests.put(record, { blobs: [config], manifests: [] }, 'latest')));
      for (const result of results) assert.deepEqual(result, { ok: true });
      assert.deepEqual(await s.manifests.getByTag('race', 'latest'), record);
      assert.deepEqual(await s.tags.list('race', { limit: 10 }), ['latest']);
    });

    // ---------------------------------------------------------------- tags

    it('tags are listed in lexical (code unit) order with limit and after', async (s) => {
      const tags = ['latest', 'A', 'a', '1.0', '_x', 'v1.10', 'v1.9', 'Z', '0', 'a-b', 'a.b', 'a_b'];
      const record = manifestRecord('app', { tags: true });
      for (const tag of tags) await s.manifests.put(record, { blobs: [], manifests: [] }, tag);
      await s.manifests.put(manifestRecord('other', { other: true }), { blobs: [], manifests: [] }, 'other-only');
      const sorted = ['0', '1.0', 'A', 'Z', '_x', 'a', 'a-b', 'a.b', 'a_b', 'latest', 'v1.10', 'v1.9'];
      assert.deepEqual([...tags].sort(), sorted, 'test bug: expected order is code-unit order');
      assert.deepEqual(await s.tags.list('app', { limit: 100 }), sorted);
      assert.deepEqual(await s.tags.list('app', { limit: 3 }), ['0', '1.0', 'A']);
      assert.deepEqual(await s.tags.list('app', { limit: 3, after: 'A' }), ['Z', '_x', 'a']);
      assert.deepEqual(await s.tags.list('app', { limit: 2, after: 'Z' }), ['_x', 'a']);
      assert.deepEqual(await s.tags.list('app', { limit: 2, after: 'a' }), ['a-b', 'a.b']);
      assert.deepEqual(await s.tags.list('app', { limit: 100, after: 'v1.9' }), []);
      assert.deepEqual(await s.tags.list('app', { limit: 2, after: 'b' }), ['latest', 'v1.10'], '`after` need not be a tag');
      assert.deepEqual(await s.tags.list('app', { limit: 0 }), []);
      for (const limit of [1, 2, 5, 11, 12, 13]) {
        assert.deepEqual(await walk((after) => s.tags.list('app', { limit, ...(after === undefined ? {} : { after }) })), sorted, `limit ${limit}`);
      }
      assert.deepEqual(await s.tags.list('other', { limit: 100 }), ['other-only']);
      assert.deepEqual(await s.tags.list('ghost', { limit: 100 }), []);
    });

    // ---------------------------------------------------------------- referrers

    it('referrers lists manifests by subject with artifactType and annotations', async (s) => {
      const subject = manifestRecord('app', { image: true });
      await s.manifests.put(subject, { blobs: [], manifests: [] }, 'v1');
      const signature = manifestRecord(
        'app',
        { signature: true },
        { subject: subject.digest, artifactType: 'application/vnd.example.signature', annotations: { 'org.example.signer': 'ci' } },
      );
      const sbom = manifestRecord('app', { sbom: true }, { subject: subject.digest, artifactType: 'application/spdx+json' });
      const bare = manifestRecord('app', { bare: true }, { subject: subject.digest });
      const unrelated = manifestRecord('app', { unrelated: true }, { subject: digest('some other subject'), artifactType: 'x/y' });
      const index = manifestRecord('app', { index: true }, { subject: subject.digest, mediaType: OCI_INDEX, artifactType: 'application/vnd.example.index' });
      for (const record of [signature, sbom, bare, unrelated, index]) {
        assert.deepEqual(await s.manifests.put(record, { blobs: [], manifests: [] }), { ok: true });
      }
      const referrers = await s.manifests.referrers('app', subject.digest);
      assert.deepEqual(
        sortByDigest(referrers),
        sortByDigest([
          {
            digest: signature.digest,
            mediaType: OCI_MANIFEST,
            size: signature.size,
            artifactType: 'application/vnd.example.signature',
            annotations: { 'org.example.signer': 'ci' },
          },
          { digest: sbom.digest, mediaType: OCI_MANIFEST, size: sbom.size, artifactType: 'application/spdx+json' },
          { digest: bare.digest, mediaType: OCI_MANIFEST, size: bare.size },
          { digest: index.digest, mediaType: OCI_INDEX, size: index.size, artifactType: 'application/vnd.example.index' },
        ]),
      );
      assert.deepEqual(await s.manifests.referrers('other', subject.digest), [], 'referrers are per repository');
      assert.deepEqual(await s.manifests.referrers('app', digest('nothing refers to this')), []);
      // Deleting a referrer removes it from the list.
      await s.manifests.delete('app', signature.digest);
      assert.deepEqual(
        (await s.manifests.referrers('app', subject.digest)).map((referrer) => referrer.digest).sort(),
        [sbom.digest, bare.digest, index.digest].sort(),
      );
    });

    it('referrers are listed even when the subject itself was never pushed', async (s) => {
      const missingSubject = digest('subject pushed later');
      const referrer = manifestRecord('app', { early: true }, { subject: missingSubject, artifactType: 'application/vnd.example.early' });
      await s.manifests.put(referrer, { blobs: [], manifests: [] });
      assert.deepEqual(await s.manifests.referrers('app', missingSubject), [
        { digest: referrer.digest, mediaType: OCI_MANIFEST, size: referrer.size, artifactType: 'application/vnd.example.early' },
      ]);
    });

    // ---------------------------------------------------------------- authorization generation

    it('the authorization generation moves with every change a decision reads, and only with those', async (s) => {
      let last = await s.authorizationGeneration();
      const moved = async (what: string, change: () => Promise<unknown>) => {
        await change();
        const now = await s.authorizationGeneration();
        assert.notEqual(now, last, `${what} must move the generation`);
        last = now;
      };
      const stayed = async (what: string, change: () => Promise<unknown>) => {
        await change();
        assert.equal(await s.authorizationGeneration(), last, `${what} must not move the generation`);
      };
      const ids = s.identities;
      await moved('createUser', () => ids.createUser({ accountId: ACCOUNT, userName: 'gen', userId: 'AIDAGENERATIONUSER01', path: '/', createdAt: new Date(T0) }));
      await moved('createAccessKey', () =>
        ids.createAccessKey({ accessKeyId: 'AKIAGENERATION000001', accountId: ACCOUNT, userName: 'gen', sealedSecret: Buffer.from('x'), status: 'Active', createdAt: new Date(T0) }),
      );
      await moved('setAccessKeyStatus', () => ids.setAccessKeyStatus('AKIAGENERATION000001', 'Inactive'));
      await moved('putUserPolicy', () => ids.putUserPolicy({ accountId: ACCOUNT, userName: 'gen', policyName: 'p', document: '{}' }));
      await moved('putUserPolicy again (replace)', () => ids.putUserPolicy({ accountId: ACCOUNT, userName: 'gen', policyName: 'p', document: '{"a":1}' }));
      await moved('deleteUserPolicy', () => ids.deleteUserPolicy(ACCOUNT, 'gen', 'p'));
      await moved('deleteAccessKey', () => ids.deleteAccessKey('AKIAGENERATION000001'));
      await moved('deleteUser', () => ids.deleteUser(ACCOUNT, 'gen'));
      await moved('repositories.create', () => s.repositories.create('gen/repo', DEFAULT_REPOSITORY_SETTINGS, {}, new Date(T0)));
      await moved('repositories.setPolicy', () => s.repositories.setPolicy('gen/repo', '{}'));
      await moved('repositories.updateTags', () => s.repositories.updateTags('gen/repo', { team: 'a' }, []));
      await moved('registry.setPolicy', () => s.registry.setPolicy(ACCOUNT, '{}'));
      await moved('accountSettings.put', () => s.accountSettings.put(ACCOUNT, 'BLOB_MOUNTING', 'DISABLED'));
      const config = digest('generation config');
      await stayed('blobs.link', () => stored(s, 'gen/repo', config, 10));
      await stayed('manifests.put', () => s.manifests.put(manifestRecord('gen/repo', { config }), { blobs: [config], manifests: [] }, 'v1'));
      await moved('repositories.delete', () => s.repositories.delete('gen/repo', { force: true }));
    });

    // ---------------------------------------------------------------- leases

    it('a lease is held by one holder until it expires, renewed by its holder, and released only by it', async (s) => {
      const at = (seconds: number) => new Date(T0 + seconds * 1000);
      assert.equal(await s.leases.tryAcquire('purge', 'node-a', at(60), at(0)), true, 'free: taken');
      assert.equal(await s.leases.tryAcquire('purge', 'node-b', at(70), at(10)), false, 'held by another until 60 s');
      assert.equal(await s.leases.tryAcquire('gc', 'node-b', at(70), at(10)), true, 'another lease is independent');
      assert.equal(await s.leases.tryAcquire('purge', 'node-a', at(120), at(30)), true, 'the holder renews');
      assert.equal(await s.leases.tryAcquire('purge', 'node-b', at(130), at(90)), false, 'the renewal counts: still held at 90 s');
      await s.leases.release('purge', 'node-b');
      assert.equal(await s.leases.tryAcquire('purge', 'node-b', at(130), at(100)), false, 'releasing a lease one does not hold does nothing');
      assert.equal(await s.leases.tryAcquire('purge', 'node-b', at(200), at(120)), true, 'expired: taken over');
      await s.leases.release('purge', 'node-b');
      assert.equal(await s.leases.tryAcquire('purge', 'node-c', at(300), at(121)), true, 'released: free at once');
    });

    it('of many holders asking at once, exactly one gets the lease', async (s) => {
      const now = new Date(T0);
      const results = await Promise.all(Array.from({ length: 8 }, (_, i) => s.leases.tryAcquire('race', `node-${i}`, new Date(T0 + 60_000), now)));
      assert.equal(results.filter(Boolean).length, 1);
    });

    // ---------------------------------------------------------------- uploads

    it('identities: users are unique per account regardless of case, listed by name, deleted with their keys and policies', async (s) => {
      const ids = s.identities;
      const user = (userName: string, accountId = ACCOUNT) => ({ accountId, userName, userId: `AIDA${randomUUID().replace(/-/g, '').slice(0, 17).toUpperCase()}`, path: '/', createdAt: new Date(T0) });
      assert.equal(await ids.createUser(user('alice')), true);
      assert.equal(await ids.createUser(user('Alice')), false, 'IAM user names are unique regardless of case');
      assert.equal(await ids.createUser(user('alice', OTHER_ACCOUNT)), true, 'another account may reuse the name');
      for (const name of ['carol', 'bob', 'dave']) assert.equal(await ids.createUser(user(name)), true);
      assert.equal((await ids.getUser(ACCOUNT, 'alice'))?.path, '/');
      assert.equal(await ids.getUser(ACCOUNT, 'nobody'), undefined);
      assert.deepEqual((await ids.listUsers(ACCOUNT, { limit: 2 })).map((u) => u.userName), ['alice', 'bob']);
      assert.deepEqual((await ids.listUsers(ACCOUNT, { limit: 10, after: 'bob' })).map((u) => u.userName), ['carol', 'dave']);
      assert.deepEqual((await ids.listUsers(OTHER_ACCOUNT, { limit: 10 })).map((u) => u.userName), ['alice']);

      const sealed = Buffer.from([0, 1, 2, 250, 255]);
      await ids.createAccessKey({ accessKeyId: 'AKIAEXAMPLEALICE0001', accountId: ACCOUNT, userName: 'alice', sealedSecret: sealed, status: 'Active', createdAt: new Date(T0) });
      await ids.putUserPolicy({ accountId: ACCOUNT, userName: 'alice', policyName: 'pull', document: '{"Version":"2012-10-17","Statement":[]}' });
      assert.equal(await ids.deleteUser(ACCOUNT, 'alice'), true);
      assert.equal(await ids.getAccessKey('AKIAEXAMPLEALICE0001'), undefined, 'keys go with their user');
      assert.deepEqual(await ids.listUserPolicies(ACCOUNT, 'alice'), [], 'policies go with their user');
      assert.equal(await ids.deleteUser(ACCOUNT, 'alice'), false);
      assert.ok(await ids.getUser(OTHER_ACCOUNT, 'alice'), 'the other account keeps its alice');
    });

    it('identities: access keys keep their sealed secret byte for byte; status changes; deletes report', async (s) => {
      const ids = s.identities;
      await ids.createUser({ accountId: ACCOUNT, userName: 'ci', userId: 'AIDAEXAMPLECI000001', path: '/robots/', createdAt: new Date(T0) });
      const sealed = Buffer.from([1, 0, 0x80, 0xff, 0x00, 0x7f]);
      const key = { accessKeyId: 'AKIAEXAMPLECI0000001', accountId: ACCOUNT, userName: 'ci', sealedSecret: sealed, status: 'Active' as const, createdAt: new Date(T0) };
      await ids.createAccessKey(key);
      await ids.createAccessKey({ ...key, accessKeyId: 'AKIAEXAMPLECI0000002', createdAt: new Date(T0 + 1000) });
      assert.deepEqual(await ids.getAccessKey(key.accessKeyId), key);
      assert.deepEqual((await ids.listAccessKeys(ACCOUNT, 'ci')).map((k) => k.accessKeyId), ['AKIAEXAMPLECI0000001', 'AKIAEXAMPLECI0000002']);
      assert.equal(await ids.setAccessKeyStatus(key.accessKeyId, 'Inactive'), true);
      assert.equal((await ids.getAccessKey(key.accessKeyId))?.status, 'Inactive');
      assert.equal(await ids.setAccessKeyStatus('AKIAUNKNOWN000000000', 'Active'), false);
      assert.equal(await ids.deleteAccessKey(key.accessKeyId), true);
      assert.equal(await ids.deleteAccessKey(key.accessKeyId), false);
      await assert.rejects(
        ids.createAccessKey({ ...key, accessKeyId: 'AKIAEXAMPLENOUSER001', userName: 'ghost' }),
        'a key needs an existing user',
      );
    });

    it('identities: inline policies are created, replaced, listed by name and deleted', async (s) => {
      const ids = s.identities;
      await ids.createUser({ accountId: ACCOUNT, userName: 'dev', userId: 'AIDAEXAMPLEDEV00001', path: '/', createdAt: new Date(T0) });
      const doc = (sid: string) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: sid, Effect: 'Allow', Action: 'ecr:*', Resource: '*' }] });
      await ids.putUserPolicy({ accountId: ACCOUNT, userName: 'dev', policyName: 'push', document: doc('A') });
      await ids.putUserPolicy({ accountId: ACCOUNT, userName: 'dev', policyName: 'pull', document: doc('B') });
      await ids.putUserPolicy({ accountId: ACCOUNT, userName: 'dev', policyName: 'push', document: doc('C') });
      assert.deepEqual(await ids.listUserPolicies(ACCOUNT, 'dev'), ['pull', 'push']);
      assert.equal((await ids.getUserPolicy(ACCOUNT, 'dev', 'push'))?.document, doc('C'), 'put replaces');
      assert.equal(await ids.getUserPolicy(ACCOUNT, 'dev', 'nope'), undefined);
      assert.equal(await ids.deleteUserPolicy(ACCOUNT, 'dev', 'push'), true);
      assert.equal(await ids.deleteUserPolicy(ACCOUNT, 'dev', 'push'), false);
      assert.deepEqual(await ids.listUserPolicies(ACCOUNT, 'dev'), ['pull']);
    });

    it('identities: the first key check claimed stays; later claims get it back byte for byte', async (s) => {
      const ids = s.identities;
      assert.equal(await ids.keyCheck(), undefined, 'none before the first claim');
      const first = Buffer.from([1, 0, 0xff, 0x80, 0x00, 0x7f, 42]);
      assert.deepEqual(await ids.claimKeyCheck(first), first);
      assert.deepEqual(await ids.claimKeyCheck(Buffer.from('another key')), first, 'a second claim changes nothing');
      assert.deepEqual(await ids.keyCheck(), first);
      const racing = await Promise.all([Buffer.from('a'), Buffer.from('b')].map((value) => ids.claimKeyCheck(value)));
      assert.deepEqual(racing, [first, first]);
    });

    it('repositories: created with settings and tags, read back, defaults for ones made by a push', async (s) => {
      const settings = {
        imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION' as const,
        imageTagMutabilityExclusionFilters: [{ filterType: 'WILDCARD' as const, filter: 'latest*' }],
        scanOnPush: true,
        encryption: { encryptionType: 'KMS' as const, kmsKey: 'arn:aws:kms:us-east-1:123456789012:key/abc' },
      };
      assert.equal(await s.repositories.create('team/app', settings, { team: 'a' }, new Date(T0)), true);
      assert.equal(await s.repositories.create('team/app', DEFAULT_REPOSITORY_SETTINGS, {}, new Date(T0)), false, 'names are unique');
      assert.deepEqual(await s.repositories.get('team/app'), { name: 'team/app', createdAt: new Date(T0), settings, tags: { team: 'a' } });
      await stored(s, 'pushed/app', digest('layer'), 10);
      const pushed = await s.repositories.get('pushed/app');
      assert.deepEqual(pushed?.settings, DEFAULT_REPOSITORY_SETTINGS);
      assert.deepEqual(pushed?.tags, {});
      assert.equal(await s.repositories.get('absent'), undefined);
      assert.deepEqual(await s.repositories.list({ limit: 10 }), ['pushed/app', 'team/app']);
    });

    it('repositories: settings, tags and policy change in place; absent repositories report false', async (s) => {
      await s.repositories.create('r', DEFAULT_REPOSITORY_SETTINGS, { a: '1', b: '2' }, new Date(T0));
      const immutable = { ...DEFAULT_REPOSITORY_SETTINGS, imageTagMutability: 'IMMUTABLE' as const };
      assert.equal(await s.repositories.updateSettings('r', immutable), true);
      assert.equal(await s.repositories.updateTags('r', { b: '3', c: '4' }, ['a']), true);
      assert.equal(await s.repositories.setPolicy('r', '{"Version":"2012-10-17","Statement":[]}'), true);
      const record = await s.repositories.get('r');
      assert.equal(record?.settings.imageTagMutability, 'IMMUTABLE');
      assert.deepEqual(record?.tags, { b: '3', c: '4' });
      assert.equal(record?.policy, '{"Version":"2012-10-17","Statement":[]}');
      assert.equal(await s.repositories.setPolicy('r', undefined), true);
      assert.equal((await s.repositories.get('r'))?.policy, undefined);
      assert.equal(await s.repositories.updateSettings('nope', immutable), false);
      assert.equal(await s.repositories.updateTags('nope', {}, []), false);
      assert.equal(await s.repositories.setPolicy('nope', '{}'), false);
    });

    it('repositories: delete refuses one with images unless forced, and a forced delete takes everything with it', async (s) => {
      const config = digest('config');
      await stored(s, 'full', config, 2);
      await stored(s, 'other', config, 2);
      const manifest = manifestRecord('full', { config });
      assert.deepEqual(await s.manifests.put(manifest, { blobs: [config], manifests: [] }, 'v1'), { ok: true });
      assert.equal(await s.repositories.delete('full', { force: false }), 'not-empty');
      assert.equal(await s.manifests.getByTag('full', 'v1') !== undefined, true, 'a refused delete changes nothing');
      assert.equal(await s.repositories.delete('full', { force: true }), 'deleted');
      assert.equal(await s.repositories.exists('full'), false);
      assert.equal(await s.manifests.get('full', manifest.digest), undefined);
      assert.deepEqual(await s.tags.list('full', { limit: 10 }), []);
      assert.equal(await s.blobs.linked('full', config), undefined);
      assert.equal(await s.blobs.linked('other', config), 2, 'other repositories keep their links');
      await s.repositories.create('empty', DEFAULT_REPOSITORY_SETTINGS, {}, new Date(T0));
      assert.equal(await s.repositories.delete('empty', { force: false }), 'deleted');
      assert.equal(await s.repositories.delete('empty', { force: false }), 'not-found');
    });

    it('registry policy: per account, set, replaced and removed', async (s) => {
      assert.equal(await s.registry.getPolicy(ACCOUNT), undefined);
      await s.registry.setPolicy(ACCOUNT, '{"a":1}');
      await s.registry.setPolicy(OTHER_ACCOUNT, '{"b":2}');
      await s.registry.setPolicy(ACCOUNT, '{"a":2}');
      assert.equal(await s.registry.getPolicy(ACCOUNT), '{"a":2}');
      assert.equal(await s.registry.getPolicy(OTHER_ACCOUNT), '{"b":2}');
      await s.registry.setPolicy(ACCOUNT, undefined);
      assert.equal(await s.registry.getPolicy(ACCOUNT), undefined);
    });

    it('repositories: created with a policy, which is there from the first read', async (s) => {
      const policy = '{"Version":"2012-10-17","Statement":[]}';
      assert.equal(await s.repositories.create('with/policy', DEFAULT_REPOSITORY_SETTINGS, {}, new Date(T0), policy), true);
      assert.equal((await s.repositories.get('with/policy'))?.policy, policy);
      assert.equal(await s.repositories.create('with/policy', DEFAULT_REPOSITORY_SETTINGS, {}, new Date(T0), '{}'), false);
      assert.equal((await s.repositories.get('with/policy'))?.policy, policy, 'a refused create changes nothing');
    });

    it('creation templates: created per account, unique by prefix with or without the trailing slash, read back exactly', async (s) => {
      const full = creationTemplate('prod/team/', {
        description: 'team repositories',
        encryption: { encryptionType: 'KMS', kmsKey: 'arn:aws:kms:us-east-1:123456789012:key/abc' },
        resourceTags: { team: 'a', env: 'prod' },
        imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
        imageTagMutabilityExclusionFilters: [{ filterType: 'WILDCARD', filter: 'latest*' }],
        repositoryPolicy: '{"Version":"2012-10-17","Statement":[]}',
        lifecyclePolicy: '{"rules":[]}',
        appliedFor: ['CREATE_ON_PUSH', 'REPLICATION'],
        customRoleArn: 'arn:aws:iam::123456789012:role/ecr-templates',
      });
      assert.equal(await s.creationTemplates.create(full), true);
      assert.deepEqual(await s.creationTemplates.get(ACCOUNT, 'prod/team/'), full);
      assert.deepEqual(await s.creationTemplates.get(ACCOUNT, 'prod/team'), full, 'the trailing slash is assumed');
      assert.equal(await s.creationTemplates.create(creationTemplate('prod/team')), false, 'the same prefix without the slash');
      assert.deepEqual(await s.creationTemplates.get(ACCOUNT, 'prod/team'), full, 'a refused create changes nothing');
      const minimal = creationTemplate('ROOT');
      assert.equal(await s.creationTemplates.create(minimal), true);
      assert.deepEqual(await s.creationTemplates.get(ACCOUNT, 'ROOT'), minimal, 'optional fields stay absent');
      assert.equal(await s.creationTemplates.get(ACCOUNT, 'prod'), undefined, 'a shorter prefix is another template');
      assert.equal(await s.creationTemplates.get(OTHER_ACCOUNT, 'prod/team'), undefined, 'templates belong to one account');
      assert.equal(await s.creationTemplates.create({ ...minimal, accountId: OTHER_ACCOUNT }), true);
    });

    it('creation templates: listed by prefix without its slash, paged with limit and after', async (s) => {
      for (const prefix of ['b', 'a/', 'ROOT', 'a/b', 'a-b']) assert.equal(await s.creationTemplates.create(creationTemplate(prefix)), true, prefix);
      await s.creationTemplates.create({ ...creationTemplate('z'), accountId: OTHER_ACCOUNT });
      const prefixes = async (page: { limit: number; after?: string }) => (await s.creationTemplates.list(ACCOUNT, page)).map((t) => t.prefix);
      assert.deepEqual(await prefixes({ limit: 10 }), ['ROOT', 'a/', 'a-b', 'a/b', 'b']);
      assert.deepEqual(await prefixes({ limit: 2 }), ['ROOT', 'a/']);
      assert.deepEqual(await prefixes({ limit: 2, after: 'a' }), ['a-b', 'a/b'], 'after is compared without the slash');
      assert.deepEqual(await prefixes({ limit: 10, after: 'b' }), []);
      assert.deepEqual(await s.creationTemplates.list('000000000000', { limit: 10 }), []);
    });

    it('creation templates: update replaces the settings and keeps the spelling and creation time; delete reports', async (s) => {
      const original = creationTemplate('prod/', { resourceTags: { a: '1' }, repositoryPolicy: '{}' });
      await s.creationTemplates.create(original);
      const changed = creationTemplate('prod', {
        description: 'now described',
        imageTagMutability: 'IMMUTABLE',
        appliedFor: ['PULL_THROUGH_CACHE'],
        createdAt: new Date(T0 + 99_000),
        updatedAt: new Date(T0 + 5_000),
      });
      assert.equal(await s.creationTemplates.update(changed), true);
      assert.deepEqual(await s.creationTemplates.get(ACCOUNT, 'prod'), { ...changed, prefix: 'prod/', createdAt: original.createdAt });
      assert.equal(await s.creationTemplates.update(creationTemplate('absent')), false);
      assert.equal(await s.creationTemplates.update({ ...changed, accountId: OTHER_ACCOUNT }), false, 'another account has no such template');
      assert.equal(await s.creationTemplates.delete(OTHER_ACCOUNT, 'prod'), false);
      assert.equal(await s.creationTemplates.delete(ACCOUNT, 'prod'), true, 'deleted by the other spelling');
      assert.equal(await s.creationTemplates.get(ACCOUNT, 'prod/'), undefined);
      assert.equal(await s.creationTemplates.delete(ACCOUNT, 'prod/'), false);
    });

    it('account settings: per account, unset until put, replaced in place', async (s) => {
      assert.equal(await s.accountSettings.get(ACCOUNT, 'BLOB_MOUNTING'), undefined);
      await s.accountSettings.put(ACCOUNT, 'BLOB_MOUNTING', 'DISABLED');
      await s.accountSettings.put(ACCOUNT, 'REGISTRY_POLICY_SCOPE', 'V2');
      await s.accountSettings.put(OTHER_ACCOUNT, 'BLOB_MOUNTING', 'ENABLED');
      await s.accountSettings.put(ACCOUNT, 'BLOB_MOUNTING', 'ENABLED');
      assert.equal(await s.accountSettings.get(ACCOUNT, 'BLOB_MOUNTING'), 'ENABLED');
      assert.equal(await s.accountSettings.get(ACCOUNT, 'REGISTRY_POLICY_SCOPE'), 'V2');
      assert.equal(await s.accountSettings.get(OTHER_ACCOUNT, 'REGISTRY_POLICY_SCOPE'), undefined);
    });

    it('registry scanning: per account, unset until put, replaced whole, read back exactly', async (s) => {
      assert.equal(await s.registryScanning.get(ACCOUNT), undefined);
      const enhanced = {
        scanType: 'ENHANCED',
        rules: [
          { scanFrequency: 'CONTINUOUS_SCAN', repositoryFilters: [{ filter: 'prod*', filterType: 'WILDCARD' }, { filter: 'team/*/app', filterType: 'WILDCARD' }] },
          { scanFrequency: 'SCAN_ON_PUSH', repositoryFilters: [] },
        ],
      } as const;
      await s.registryScanning.put(ACCOUNT, enhanced);
      await s.registryScanning.put(OTHER_ACCOUNT, { scanType: 'BASIC', rules: [{ scanFrequency: 'SCAN_ON_PUSH', repositoryFilters: [{ filter: '*', filterType: 'WILDCARD' }] }] });
      assert.deepEqual(await s.registryScanning.get(ACCOUNT), enhanced);
      await s.registryScanning.put(ACCOUNT, { scanType: 'BASIC', rules: [] });
      assert.deepEqual(await s.registryScanning.get(ACCOUNT), { scanType: 'BASIC', rules: [] }, 'a put replaces the rules too');
      assert.equal((await s.registryScanning.get(OTHER_ACCOUNT))?.rules[0]?.repositoryFilters[0]?.filter, '*', 'accounts are apart');
    });

    it('pull time exclusions: per account, unique, bounded, listed by ARN with limit and after, removed', async (s) => {
      const arn = (name: string) => `arn:aws:iam::${ACCOUNT}:${name}`;
      assert.equal(await s.pullTimeExclusions.add(ACCOUNT, arn('role/scanner'), new Date(T0), 3), 'added');
      assert.equal(await s.pullTimeExclusions.add(ACCOUNT, arn('role/scanner'), new Date(T0 + 1_000), 3), 'exists');
      assert.equal(await s.pullTimeExclusions.add(ACCOUNT, arn('user/ci/bot'), new Date(T0 + 2_000), 3), 'added');
      assert.equal(await s.pullTimeExclusions.add(ACCOUNT, arn('role/Scanner'), new Date(T0 + 3_000), 3), 'added', 'ARNs compare exactly');
      assert.equal(await s.pullTimeExclusions.add(ACCOUNT, arn('user/late'), new Date(T0), 3), 'full');
      assert.equal(await s.pullTimeExclusions.add(OTHER_ACCOUNT, arn('user/late'), new Date(T0 + 4_000), 3), 'added', 'the limit is per account');
      assert.deepEqual(await s.pullTimeExclusions.list(ACCOUNT, { limit: 10 }), [
        { principalArn: arn('role/Scanner'), createdAt: new Date(T0 + 3_000) },
        { principalArn: arn('role/scanner'), createdAt: new Date(T0) },
        { principalArn: arn('user/ci/bot'), createdAt: new Date(T0 + 2_000) },
      ]);
      const arns = async (page: { limit: number; after?: string }) => (await s.pullTimeExclusions.list(ACCOUNT, page)).map((record) => record.principalArn);
      assert.deepEqual(await arns({ limit: 2 }), [arn('role/Scanner'), arn('role/scanner')]);
      assert.deepEqual(await arns({ limit: 2, after: arn('role/scanner') }), [arn('user/ci/bot')]);
      assert.deepEqual(await arns({ limit: 2, after: arn('user/zz') }), []);
      assert.equal(await s.pullTimeExclusions.remove(OTHER_ACCOUNT, arn('role/scanner')), false, 'another account has no such exclusion');
      assert.equal(await s.pullTimeExclusions.remove(ACCOUNT, arn('role/scanner')), true);
      assert.equal(await s.pullTimeExclusions.remove(ACCOUNT, arn('role/scanner')), false);
      assert.equal(await s.pullTimeExclusions.add(ACCOUNT, arn('user/late'), new Date(T0 + 5_000), 3), 'added', 'room again after a removal');
      assert.deepEqual(await arns({ limit: 10 }), [arn('role/Scanner'), arn('user/ci/bot'), arn('user/late')]);
      assert.deepEqual((await s.pullTimeExclusions.list(OTHER_ACCOUNT, { limit: 10 })).map((record) => record.principalArn), [arn('user/late')]);
    });

    // ---------------------------------------------------------------- usage metering (src/storage/meta/usage-store.ts)

    describe('usage store', () => {
      const traffic = (day: string, repository: string, bytesIn: number, bytesOut: number, pushes: number, pulls: number) => ({ day, repository, bytesIn, bytesOut, pushes, pulls });

      it('addTraffic adds to the day\'s row of each repository; traffic reads a range of days in order', async (s) => {
        await s.usage.addTraffic([]);
        await s.usage.addTraffic([traffic('2026-03-01', 'b', 10, 20, 1, 2), traffic('2026-03-01', 'a', 1, 2, 0, 1), traffic('2026-03-02', 'a', 5, 0, 1, 0)]);
        await s.usage.addTraffic([traffic('2026-03-01', 'b', 100, 200, 1, 3)]);
        // Counts beyond 2^32, as a busy month's bytes are.
        await s.usage.addTraffic([traffic('2026-03-31', 'a', 6_000_000_000, 9_000_000_000_000, 0, 0)]);
        assert.deepEqual(await s.usage.traffic('2026-03-01', '2026-03-31'), [
          traffic('2026-03-01', 'a', 1, 2, 0, 1),
          traffic('2026-03-01', 'b', 110, 220, 2, 5),
          traffic('2026-03-02', 'a', 5, 0, 1, 0),
          traffic('2026-03-31', 'a', 6_000_000_000, 9_000_000_000_000, 0, 0),
        ]);
        assert.deepEqual(await s.usage.traffic('2026-03-02', '2026-03-30'), [traffic('2026-03-02', 'a', 5, 0, 1, 0)]);
        assert.deepEqual(await s.usage.traffic('2026-04-01', '2026-04-30'), []);
      });

      it('addTraffic from writers at once: every increment counts', async (s) => {
        await Promise.all(Array.from({ length: 20 }, (_, n) => s.usage.addTraffic([traffic('2026-03-05', 'hot', n, 1, 1, 0), traffic('2026-03-05', `cold-${n % 3}`, 1, 0, 0, 1)])));
        const rows = await s.usage.traffic('2026-03-05', '2026-03-05');
        assert.deepEqual(rows.find((row) => row.repository === 'hot'), traffic('2026-03-05', 'hot', 190, 20, 20, 0));
        assert.deepEqual(rows.filter((row) => row.repository.startsWith('cold-')).map((row) => row.pulls), [7, 7, 6]);
      });

      it('recordPullTimes: many manifests in one call; later times win, unknown manifests are skipped', async (s) => {
        const config = digest('usage config');
        await stored(s, 'pulls/a', config, 5);
        await stored(s, 'pulls/b', config, 5);
        const a = manifestRecord('pulls/a', { config });
        const b = manifestRecord('pulls/b', { config });
        await s.manifests.put(a, { blobs: [config], manifests: [] }, 'v1');
        await s.manifests.put(b, { blobs: [config], manifests: [] }, 'v1');
        await s.usage.recordPullTimes([]);
        await s.usage.recordPullTimes([
          { repository: 'pulls/a', digest: a.digest, at: new Date(T0 + 60_000) },
          { repository: 'pulls/b', digest: b.digest, at: new Date(T0 + 30_000) },
          { repository: 'pulls/a', digest: digest('absent'), at: new Date(T0) },
          { repository: 'no-such-repository', digest: a.digest, at: new Date(T0) },
        ]);
        assert.deepEqual((await s.manifests.summary('pulls/a', a.digest))?.lastPulledAt, new Date(T0 + 60_000));
        assert.deepEqual((await s.manifests.summary('pulls/b', b.digest))?.lastPulledAt, new Date(T0 + 30_000));
        await s.usage.recordPullTimes([
          { repository: 'pulls/a', digest: a.digest, at: new Date(T0 + 1_000) },
          { repository: 'pulls/b', digest: b.digest, at: new Date(T0 + 90_000) },
        ]);
        assert.deepEqual((await s.manifests.summary('pulls/a', a.digest))?.lastPulledAt, new Date(T0 + 60_000), 'time does not go back');
        assert.deepEqual((await s.manifests.summary('pulls/b', b.digest))?.lastPulledAt, new Date(T0 + 90_000));
        assert.equal(await s.repositories.exists('no-such-repository'), false, 'recording pulls creates nothing');
      });

      it('storedBytes: each repository stores the distinct blobs its manifests reference once; the registry each blob once', async (s) => {
        const base = digest('base layer');
        const app = digest('app layer');
        const tool = digest('tool layer');
        const config = digest('shared config');
        const loose = digest('uploaded, never referenced');
        for (const [repository, blob, size] of [
          ['svc/a', base, 1000],
          ['svc/a', app, 200],
          ['svc/a', config, 7],
          ['svc/b', base, 1000],
          ['svc/b', tool, 30],
          ['svc/b', config, 7],
          ['svc/b', loose, 5000],
          ['svc/empty', loose, 5000],
        ] as const) {
          await stored(s, repository, blob, size);
        }
        // Two images in svc/a share the base layer and the config: counted once there.
        await s.manifests.put(manifestRecord('svc/a', { n: 1 }), { blobs: [config, base], manifests: [] }, 'v1');
        await s.manifests.put(manifestRecord('svc/a', { n: 2 }), { blobs: [config, base, app], manifests: [] }, 'v2');
        await s.manifests.put(manifestRecord('svc/b', { n: 3 }), { blobs: [config, base, tool], manifests: [] }, 'v1');
        const storedBytes = await s.usage.storedBytes();
        assert.deepEqual(storedBytes.repositories, [
          { repository: 'svc/a', bytes: 1207 },
          { repository: 'svc/b', bytes: 1037 },
          { repository: 'svc/empty', bytes: 0 },
        ]);
        assert.equal(storedBytes.registry, 1237, 'base and config once across both repositories; the unreferenced blob not at all');
        // A repository of one image stores exactly what DescribeImages reports as its size.
        assert.equal((await s.manifests.list('svc/b', { limit: 10 }))[0]!.blobBytes, 1037);
      });

      it('storage snapshots: a day\'s snapshot replaces the earlier one of that day; zero rows are not kept', async (s) => {
        assert.deepEqual(await s.usage.storageSnapshots('2026-03-01', '2026-03-31'), []);
        await s.usage.saveStorageSnapshot({ day: '2026-03-01', repositories: [{ repository: 'a', bytes: 10 }, { repository: 'gone', bytes: 4 }], registry: 12, takenAt: new Date(T0) });
        await s.usage.saveStorageSnapshot({ day: '2026-03-02', repositories: [{ repository: 'a', bytes: 20 }, { repository: 'b', bytes: 0 }], registry: 20, takenAt: new Date(T0 + 1) });
        await s.usage.saveStorageSnapshot({ day: '2026-03-01', repositories: [{ repository: 'a', bytes: 11 }, { repository: 'big', bytes: 5_000_000_000_000 }], registry: 5_000_000_000_011, takenAt: new Date(T0 + 2) });
        await s.usage.saveStorageSnapshot({ day: '2026-04-01', repositories: [], registry: 0, takenAt: new Date(T0 + 3) });
        assert.deepEqual(await s.usage.storageSnapshots('2026-03-01', '2026-03-31'), [
          { day: '2026-03-01', repositories: [{ repository: 'a', bytes: 11 }, { repository: 'big', bytes: 5_000_000_000_000 }], registry: 5_000_000_000_011, takenAt: new Date(T0 + 2) },
          { day: '2026-03-02', repositories: [{ repository: 'a', bytes: 20 }], registry: 20, takenAt: new Date(T0 + 1) },
        ]);
        assert.deepEqual(await s.usage.storageSnapshots('2026-04-01', '2026-04-30'), [{ day: '2026-04-01', repositories: [], registry: 0, takenAt: new Date(T0 + 3) }]);
      });
    });

    it('manifests.list: by digest, paged, with sorted tags and the bytes of referenced blobs', async (s) => {
      const config = digest('config');
      const layer = digest('layer');
      await stored(s, 'imgs', config, 100);
      await stored(s, 'imgs', layer, 1000);
      const a = manifestRecord('imgs', { config, n: 'a' });
      const b = manifestRecord('imgs', { config, n: 'b' });
      assert.deepEqual(await s.manifests.put(a, { blobs: [config, layer], manifests: [] }, 'v2'), { ok: true });
      assert.deepEqual(await s.manifests.put(a, { blobs: [config, layer], manifests: [] }, 'v1'), { ok: true });
      assert.deepEqual(await s.manifests.put(b, { blobs: [config], manifests: [] }), { ok: true });
      const all = await s.manifests.list('imgs', { limit: 10 });
      assert.deepEqual(all.map((image) => image.digest), [a.digest, b.digest].sort());
      const imageA = all.find((image) => image.digest === a.digest)!;
      assert.deepEqual(imageA.tags, ['v1', 'v2']);
      assert.equal(imageA.blobBytes, 1100);
      assert.equal(imageA.mediaType, a.mediaType);
      assert.deepEqual(all.find((image) => image.digest === b.digest)!.tags, []);
      const first = await s.manifests.list('imgs', { limit: 1 });
      const second = await s.manifests.list('imgs', { limit: 1, after: first[0]!.digest });
      assert.deepEqual([...first, ...second].map((image) => image.digest), all.map((image) => image.digest));
      assert.deepEqual(await s.manifests.list('nothing-here', { limit: 10 }), []);
      assert.deepEqual(await s.manifests.summary('imgs', a.digest), imageA);
      assert.equal(await s.manifests.summary('imgs', digest('absent')), undefined);
    });

    it('manifests.summary reports the subject of a referrer and none for other manifests', async (s) => {
      const subject = manifestRecord('refs', { role: 'subject' });
      const referrer = manifestRecord('refs', { role: 'sbom' }, { artifactType: 'application/vnd.example.sbom', subject: subject.digest });
      await s.manifests.put(subject, { blobs: [], manifests: [] }, 'v1');
      await s.manifests.put(referrer, { blobs: [], manifests: [] });
      const summary = await s.manifests.summary('refs', referrer.digest);
      assert.equal(summary?.subject, subject.digest);
      assert.equal(summary?.artifactType, 'application/vnd.example.sbom');
      assert.equal('subject' in (await s.manifests.summary('refs', subject.digest))!, false);
      const listed = await s.manifests.list('refs', { limit: 10 });
      assert.equal(listed.find((image) => image.digest === referrer.digest)?.subject, subject.digest);
    });

    it('upload sessions: create, get, delete', async (s) => {
      const upload = uploadRecord('team/app', T0);
      await s.uploads.create(upload);
      assert.deepEqual(await s.uploads.get(upload.id), upload);
      assert.equal(await s.uploads.get(randomUUID()), undefined);
      assert.equal(await s.uploads.delete(upload.id), true);
      assert.equal(await s.uploads.get(upload.id), undefined);
      assert.equal(await s.uploads.delete(upload.id), false);
    });

    it('advance is a compare-and-set on the offset', async (s) => {
      const upload = uploadRecord('app', T0);
      await s.uploads.create(upload);
      const at = new Date(T0 + 5_000);
      assert.equal(await s.uploads.advance(upload.id, 0, 100, at), true);
      assert.deepEqual(await s.uploads.get(upload.id), { ...upload, offset: 100, updatedAt: at });
      // A writer that still believes the offset is 0 lost the race.
      assert.equal(await s.uploads.advance(upload.id, 0, 50, new Date(T0 + 6_000)), false);
      assert.deepEqual(await s.uploads.get(upload.id), { ...upload, offset: 100, updatedAt: at }, 'a failed advance changes nothing');
      assert.equal(await s.uploads.advance(upload.id, 100, 250, new Date(T0 + 7_000)), true);
      assert.equal((await s.uploads.get(upload.id))?.offset, 250);
      assert.equal(await s.uploads.advance(randomUUID(), 0, 1, at), false, 'advancing an unknown upload');
    });

    it('complete ends the session and links the blob into its repository in one step', async (s) => {
      const upload = uploadRecord('done/app', T0);
      await s.uploads.create(upload);
      const digest = `sha256:${'c'.repeat(64)}`;
      assert.equal(await s.blobs.reserve(digest, 4242, new Date(T0)), 'reserved');
      assert.equal(await s.uploads.complete(upload.id, 'done/app', digest, 4242), true);
      assert.equal(await s.uploads.get(upload.id), undefined, 'the session is gone');
      assert.equal(await s.blobs.linked('done/app', digest), 4242, 'the blob is linked');
      assert.equal(await s.repositories.exists('done/app'), true, 'the repository exists');
    });

    it('concurrent advances from the same offset: exactly one wins', async (s) => {
      const upload = uploadRecord('app', T0);
      await s.uploads.create(upload);
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, index) => s.uploads.advance(upload.id, 0, 10 * (index + 1), new Date(T0 + index))),
      );
      assert.equal(results.filter(Boolean).length, 1, `results: ${results.join(', ')}`);
      const winner = results.indexOf(true);
      assert.equal((await s.uploads.get(upload.id))?.offset, 10 * (winner + 1));
    });

    it('listUpdatedBefore returns sessions idle since before the cutoff, up to the limit', async (s) => {
      const old1 = uploadRecord('a', T0);
      const old2 = uploadRecord('b', T0 + 1_000);
      const fresh = uploadRecord('c', T0 + 2_000);
      for (const upload of [fresh, old2, old1]) await s.uploads.create(upload);
      const cutoff = new Date(T0 + 2_000);
      assert.deepEqual(sortById(await s.uploads.listUpdatedBefore(cutoff, 10)), sortById([old1, old2]), 'the cutoff is exclusive');
      const limited = await s.uploads.listUpdatedBefore(cutoff, 1);
      assert.equal(limited.length, 1);
      assert.ok([old1.id, old2.id].includes(limited[0]!.id));
      assert.deepEqual(await s.uploads.listUpdatedBefore(new Date(T0), 10), []);
      // advance() refreshes updatedAt, so an active session is no longer stale.
      assert.equal(await s.uploads.advance(old1.id, 0, 10, new Date(T0 + 3_000)), true);
      assert.deepEqual(
        (await s.uploads.listUpdatedBefore(cutoff, 10)).map((upload) => upload.id),
        [old2.id],
      );
      // Deleted sessions disappear.
      await s.uploads.delete(old2.id);
      assert.deepEqual(await s.uploads.listUpdatedBefore(cutoff, 10), []);
    });

    // ---------------------------------------------------------------- lifecycle (test/conformance/lifecycle-store.suite.ts)

    lifecycleStoreContract(it);
    // ---------------------------------------------------------------- garbage collection
    // Reserve, link and touch (BlobLinkStore) and the BlobCollectionStore: every state
    // change of a blob goes through its row, and a mark shuts every link out.
    describe('garbage collection', () => {
      /** A cutoff after everything the test did: only age-independent rules decide. */
      const later = () => new Date(Date.now() + 60_000);

      it('a reserved blob is invisible until linked, and a link needs a reserved row', async (s) => {
        const layer = digest('gc reserved');
        assert.equal(await s.blobs.link('gc/app', layer, 5), false, 'no row: refused');
        assert.equal(await s.repositories.exists('gc/app'), false, 'a refused link writes nothing');
        assert.equal(await s.blobs.reserve(layer, 5, new Date(T0)), 'reserved');
        assert.equal(await s.blobs.linked('gc/app', layer), undefined);
        assert.equal(await s.blobs.anywhere(layer), undefined, 'a row without links is not a blob anyone can see');
        assert.equal(await s.blobs.reserve(layer, 5, new Date(T0 + 1)), 'reserved', 'reserving again is fine');
        assert.equal(await s.blobs.link('gc/app', layer, 5), true);
        assert.equal(await s.blobs.linked('gc/app', layer), 5);
        assert.equal(await s.blobs.touch(layer, new Date()), true);
        assert.equal(await s.blobs.touch(digest('gc never stored'), new Date()), false, 'touching an unknown blob');
      });

      it('unreferenced lists blobs no manifest references and nothing touched since the cutoff, sorted and paged', async (s) => {
        const old = [digest('gc old 1'), digest('gc old 2'), digest('gc old 3')].sort();
        for (const [index, layer] of old.entries()) assert.equal(await s.blobs.reserve(layer, 10 + index, new Date(T0)), 'reserved');
        const fresh = digest('gc fresh');
        await s.blobs.reserve(fresh, 7, new Date(T0 + 10_000));
        const cutoff = new Date(T0 + 5_000);
        assert.deepEqual(
          (await s.blobCollection.unreferenced(cutoff, undefined, 10)).map((blob) => blob.digest),
          old,
        );
        assert.deepEqual(await s.blobCollection.unreferenced(cutoff, undefined, 1), [{ digest: old[0], size: 10 }]);
        assert.deepEqual((await s.blobCollection.unreferenced(cutoff, old[0], 10)).map((blob) => blob.digest), old.slice(1));
        assert.deepEqual(await s.blobCollection.unreferencedTotals(cutoff), { blobs: 3, bytes: 10 + 11 + 12 });
        // Reserving an old blob again (an upload of the same bytes) protects it.
        await s.blobs.reserve(old[1]!, 11, new Date(T0 + 6_000));
        assert.deepEqual((await s.blobCollection.unreferenced(cutoff, undefined, 10)).map((blob) => blob.digest), [old[0], old[2]]);
        // Touching does too (a HEAD that told a client the blob exists).
        await stored(s, 'gc/touched', old[2]!, 12);
        assert.equal(await s.blobs.touch(old[2]!, new Date(T0 + 7_000)), true);
        assert.deepEqual((await s.blobCollection.unreferenced(cutoff, undefined, 10)).map((blob) => blob.digest), [old[0]]);
      });

      it('a blob referenced by a manifest in any repository is never a candidate, until the manifest goes', async (s) => {
        const config = digest('gc config');
        await stored(s, 'gc/one', config, 3);
        await stored(s, 'gc/two', config, 3);
        const record = manifestRecord('gc/one', { config });
        assert.deepEqual(await s.manifests.put(record, { blobs: [config], manifests: [] }, 'v1'), { ok: true });
        // Unlinked from the other repository: still referenced from gc/one.
        await s.blobs.unlink('gc/two', config);
        assert.deepEqual(await s.blobCollection.unreferenced(later(), undefined, 10), []);
        assert.deepEqual(await s.blobCollection.mark([config], later()), [], 'mark re-checks the references');
        assert.equal(await s.blobs.linked('gc/one', config), 3, 'a refused mark leaves the links');
        assert.equal(await s.manifests.delete('gc/one', record.digest), true);
        assert.deepEqual(await s.blobCollection.unreferenced(later(), undefined, 10), [{ digest: config, size: 3 }]);
      });

      it('mark unlinks the blob everywhere and shuts out reserve, link, touch and upload completion until forget', async (s) => {
        const layer = digest('gc marked');
        await stored(s, 'gc/a', layer, 9);
        await stored(s, 'gc/b', layer, 9);
        assert.deepEqual(await s.blobCollection.mark([layer], new Date(T0)), [], 'touched after the cutoff: kept');
        assert.deepEqual(await s.blobCollection.mark([layer], later()), [layer]);
        assert.deepEqual(await s.blobCollection.mark([layer], later()), [], 'marking twice does nothing');
        assert.equal(await s.blobs.linked('gc/a', layer), undefined);
        assert.equal(await s.blobs.linked('gc/b', layer), undefined);
        assert.equal(await s.blobs.anywhere(layer), undefined);
        assert.equal(await s.blobs.reserve(layer, 9, new Date()), 'busy');
        assert.equal(await s.blobs.link('gc/a', layer, 9), false);
        assert.equal(await s.blobs.touch(layer, new Date()), false);
        const upload = uploadRecord('gc/a', T0);
        await s.uploads.create(upload);
        assert.equal(await s.uploads.complete(upload.id, 'gc/a', layer, 9), false);
        assert.equal((await s.uploads.get(upload.id))?.id, upload.id, 'a refused completion leaves the session');
        const record = manifestRecord('gc/a', { layer });
        assert.deepEqual(await s.manifests.put(record, { blobs: [layer], manifests: [] }), { ok: false, missingBlobs: [layer], missingManifests: [] });
        assert.deepEqual(await s.blobCollection.unreferenced(later(), undefined, 10), [], 'a marked blob is no candidate');
        assert.deepEqual(await s.blobCollection.marked(undefined, 10), [{ digest: layer, size: 9 }]);
        assert.equal(await s.blobCollection.forget([layer]), 1);
        assert.deepEqual(await s.blobCollection.marked(undefined, 10), []);
        assert.equal(await s.blobs.reserve(layer, 9, new Date()), 'reserved', 'after forget the digest can be stored afresh');
        assert.equal(await s.uploads.complete(upload.id, 'gc/a', layer, 9), true);
        assert.equal(await s.blobs.linked('gc/a', layer), 9);
      });

      it('forget removes only marked rows', async (s) => {
        const live = digest('gc live');
        await stored(s, 'gc/live', live, 4);
        assert.equal(await s.blobCollection.forget([live]), 0);
        assert.equal(await s.blobs.linked('gc/live', live), 4);
      });

      it('marked lists marks sorted and paged; known tells which digests have a row', async (s) => {
        const layers = [digest('gc m1'), digest('gc m2'), digest('gc m3')].sort();
        for (const layer of layers) await s.blobs.reserve(layer, 1, new Date(T0));
        assert.deepEqual((await s.blobCollection.mark(layers, new Date(T0 + 1))).sort(), layers);
        assert.deepEqual((await s.blobCollection.marked(undefined, 2)).map((blob) => blob.digest), layers.slice(0, 2));
        assert.deepEqual((await s.blobCollection.marked(layers[1], 2)).map((blob) => blob.digest), layers.slice(2));
        const unknown = digest('gc unknown');
        assert.deepEqual(await s.blobCollection.known([...layers, unknown]), new Set(layers));
        assert.deepEqual(await s.blobCollection.known([]), new Set());
      });

      it('claimOrphan inserts a marked row only where there is none', async (s) => {
        const orphan = digest('gc orphan');
        assert.equal(await s.blobCollection.claimOrphan(orphan, 20, new Date(T0)), true);
        assert.equal(await s.blobCollection.claimOrphan(orphan, 20, new Date(T0)), false);
        assert.deepEqual(await s.blobCollection.marked(undefined, 10), [{ digest: orphan, size: 20 }]);
        assert.equal(await s.blobs.reserve(orphan, 20, new Date()), 'busy', 'an upload waits for the orphan delete');
        const owned = digest('gc owned');
        await s.blobs.reserve(owned, 5, new Date());
        assert.equal(await s.blobCollection.claimOrphan(owned, 5, new Date()), false, 'a reserved digest belongs to its upload');
        assert.equal(await s.blobs.link('gc/owned', owned, 5), true);
      });

      it('deleting a repository leaves its unreferenced blobs to the collector', async (s) => {
        const layer = digest('gc repo delete');
        await stored(s, 'gc/gone', layer, 6);
        assert.equal(await s.repositories.delete('gc/gone', { force: true }), 'deleted');
        assert.deepEqual(await s.blobCollection.unreferenced(later(), undefined, 10), [{ digest: layer, size: 6 }]);
        assert.deepEqual(await s.blobCollection.mark([layer], later()), [layer]);
      });
    });
  });
}

// ---------------------------------------------------------------------- helpers

function digest(content: string | Uint8Array): string {
  return `sha256:${createHash('sha256').update(content).digest('hex')}`;
}

interface RecordOptions {
  readonly mediaType?: string;
  readonly artifactType?: string;
  readonly subject?: string;
  readonly annotations?: Record<string, string>;
  readonly pushedAt?: Date;
}

function manifestRecord(repository: string, body: object, options: RecordOptions = {}): ManifestRecord {
  const content = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: options.mediaType ?? OCI_MANIFEST, ...body }));
  return {
    repository,
    digest: digest(content),
    mediaType: options.mediaType ?? OCI_MANIFEST,
    size: content.length,
    content,
    pushedAt: options.pushedAt ?? new Date(T0),
    ...(options.artifactType === undefined ? {} : { artifactType: options.artifactType }),
    ...(options.subject === undefined ? {} : { subject: options.subject }),
    ...(options.annotations === undefined ? {} : { annotations: options.annotations }),
  };
}

const ACCOUNT = '123456789012';
const OTHER_ACCOUNT = '210987654321';

function creationTemplate(prefix: string, overrides: Partial<CreationTemplateRecord> = {}): CreationTemplateRecord {
  return {
    accountId: ACCOUNT,
    prefix,
    encryption: { encryptionType: 'AES256' },
    resourceTags: {},
    imageTagMutability: 'MUTABLE',
    imageTagMutabilityExclusionFilters: [],
    appliedFor: ['CREATE_ON_PUSH'],
    createdAt: new Date(T0),
    updatedAt: new Date(T0),
    ...overrides,
  };
}

function uploadRecord(repository: string, at: number): UploadRecord {
  return { id: randomUUID(), repository, offset: 0, startedAt: new Date(at - 500), updatedAt: new Date(at) };
}

/** A blob uploaded as the registry uploads one: reserved (its bytes committed), then linked. */
async function stored(s: MetadataStore, repository: string, digest: string, size: number): Promise<boolean> {
  assert.equal(await s.blobs.reserve(digest, size, new Date()), 'reserved', `reserving ${digest}`);
  return s.blobs.link(repository, digest, size);
}

async function walk(page: (after: string | undefined) => Promise<string[]>): Promise<string[]> {
  const all: string[] = [];
  let after: string | undefined;
  for (let guard = 0; guard < 1000; guard++) {
    const items = await page(after);
    if (items.length === 0) return all;
    all.push(...items);
    after = items[items.length - 1];
  }
  throw new Error('pagination did not terminate');
}

function sortByDigest<T extends { digest: string }>(items: readonly T[]): T[] {
  return [...items].sort((a, b) => (a.digest < b.digest ? -1 : a.digest > b.digest ? 1 : 0));
}

function sortById<T extends { id: string }>(items: readonly T[]): T[] {
  return [...items].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
