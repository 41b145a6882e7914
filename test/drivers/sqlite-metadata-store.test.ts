// The SQLite MetadataStore against the MetadataStore contract (in memory and in a file),
// plus what only a file database has: persistence and schema migrations.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { SqliteMetadataStore } from '../../src/storage/meta/sqlite/sqlite-metadata-store.ts';
import { SQLITE_MIGRATIONS } from '../../src/storage/meta/sqlite/migrations.ts';
import { describeMetadataStore } from '../conformance/metadata-store.suite.ts';

const dirs = new WeakMap<SqliteMetadataStore, string>();

describeMetadataStore({
  name: 'sqlite :memory:',
  create: () => SqliteMetadataStore.open({ path: ':memory:' }),
  destroy: (store) => store.close(),
});

describeMetadataStore({
  name: 'sqlite file',
  create: () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-sqlite-'));
    const store = SqliteMetadataStore.open({ path: join(dir, 'nested', 'berth.db') });
    dirs.set(store, dir);
    return store;
  },
  destroy: async (store) => {
    await store.close();
    rmSync(dirs.get(store)!, { recursive: true, force: true });
  },
});

function tempDatabase(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'berth-sqlite-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'berth.db');
}

function userVersion(path: string): number {
  const db = new DatabaseSync(path);
  try {
    return Number((db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version);
  } finally {
    db.close();
  }
}

test('sqlite file: reopening the database keeps its data', async (t) => {
  const path = tempDatabase(t);
  const content = Buffer.from('{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","x":"\u00ff"}');
  const manifestDigest = 'sha256:' + 'ab'.repeat(32);
  const layer = 'sha256:' + 'cd'.repeat(32);
  const first = SqliteMetadataStore.open({ path });
  await first.blobs.reserve(layer, 99, new Date());
  await first.blobs.link('team/app', layer, 99);
  const put = await first.manifests.put(
    {
      repository: 'team/app',
      digest: manifestDigest,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      size: content.length,
      content,
      pushedAt: new Date(1_700_000_000_000),
    },
    { blobs: [layer], manifests: [] },
    'latest',
  );
  assert.deepEqual(put, { ok: true });
  await first.uploads.create({ id: 'u-1', repository: 'team/app', offset: 7, startedAt: new Date(1), updatedAt: new Date(2) });
  await first.close();

  const second = SqliteMetadataStore.open({ path });
  t.after(() => second.close());
  assert.deepEqual(await second.repositories.list({ limit: 10 }), ['team/app']);
  assert.equal(await second.blobs.linked('team/app', layer), 99);
  const stored = await second.manifests.getByTag('team/app', 'latest');
  assert.equal(stored?.digest, manifestDigest);
  assert.equal(Buffer.compare(stored.content, content), 0);
  assert.equal((await second.uploads.get('u-1'))?.offset, 7);
});

test('sqlite file: migrations run once and are idempotent on reopen', async (t) => {
  const path = tempDatabase(t);
  await SqliteMetadataStore.open({ path }).close();
  assert.equal(userVersion(path), SQLITE_MIGRATIONS.length);
  for (let round = 0; round < 3; round++) {
    const store = SqliteMetadataStore.open({ path });
    await store.blobs.reserve('sha256:' + 'e'.repeat(64), 1, new Date());
    await store.blobs.link(`repo${round}`, 'sha256:' + 'e'.repeat(64), 1);
    await store.close();
  }
  assert.equal(userVersion(path), SQLITE_MIGRATIONS.length);
  const store = SqliteMetadataStore.open({ path });
  t.after(() => store.close());
  assert.deepEqual(await store.repositories.list({ limit: 10 }), ['repo0', 'repo1', 'repo2']);
});

test('sqlite file: a database with a newer schema version refuses to open', async (t) => {
  const path = tempDatabase(t);
  await SqliteMetadataStore.open({ path }).close();
  const db = new DatabaseSync(path);
  db.exec(`PRAGMA user_version = ${SQLITE_MIGRATIONS.length + 1}`);
  db.close();
  assert.throws(() => SqliteMetadataStore.open({ path }), /newer/);
  assert.equal(userVersion(path), SQLITE_MIGRATIONS.length + 1, 'the refused database is left untouched');
});

test(
  'sqlite file: a refused database is closed again',
  { skip: !existsSync('/proc/self/fd') && 'needs /proc/self/fd' },
  async (t) => {
    const path = tempDatabase(t);
    await SqliteMetadataStore.open({ path }).close();
    const db = new DatabaseSync(path);
    db.exec(`PRAGMA user_version = ${SQLITE_MIGRATIONS.length + 1}`);
    db.close();
    const openFiles = () =>
      readdirSync('/proc/self/fd').filter((fd) => {
        try {
          return readlinkSync(`/proc/self/fd/${fd}`).startsWith(path);
        } catch {
          return false;
        }
      });
    assert.deepEqual(openFiles(), []);
    assert.throws(() => SqliteMetadataStore.open({ path }), /newer/);
    assert.deepEqual(openFiles(), [], 'the database file is still open');
  },
);

test('sqlite file: a database made by the first schema upgrades in place and keeps its content', async (t) => {
  const path = tempDatabase(t);
  const old = new DatabaseSync(path);
  old.exec(SQLITE_MIGRATIONS[0]!);
  old.exec('PRAGMA user_version = 1');
  old.prepare('INSERT INTO repositories (name, created_at) VALUES (?, ?)').run('legacy/app', 1_700_000_000_000);
  old.close();
  const store = SqliteMetadataStore.open({ path });
  try {
    const repository = await store.repositories.get('legacy/app');
    assert.equal(repository?.createdAt.getTime(), 1_700_000_000_000);
    assert.equal(repository?.settings.imageTagMutability, 'MUTABLE', 'repositories from before settings existed get the defaults');
    assert.deepEqual(repository?.tags, {});
    assert.equal(await store.identities.getUser('123456789012', 'nobody'), undefined, 'the identity tables exist');
  } finally {
    await store.close();
  }
  const version = new DatabaseSync(path);
  assert.equal(Number((version.prepare('PRAGMA user_version').get() as { user_version: number }).user_version), SQLITE_MIGRATIONS.length);
  version.close();
});

test('sqlite file: a database of schema 3 upgrades in place: its images have no pull time yet, templates and account settings start empty', async (t) => {
  const path = tempDatabase(t);
  const old = new DatabaseSync(path);
  for (const migration of SQLITE_MIGRATIONS.slice(0, 3)) old.exec(migration);
  old.exec('PRAGMA user_version = 3');
  old.prepare('INSERT INTO repositories (id, name, created_at) VALUES (1, ?, ?)').run('legacy/app', 1_700_000_000_000);
  const digest = 'sha256:' + 'ab'.repeat(32);
  old
    .prepare('INSERT INTO manifests (repository_id, digest, media_type, size, content, pushed_at) VALUES (1, ?, ?, 2, ?, ?)')
    .run(digest, 'application/vnd.oci.image.manifest.v1+json', Buffer.from('{}'), 1_700_000_000_000);
  old.close();
  const store = SqliteMetadataStore.open({ path });
  try {
    const summary = await store.manifests.summary('legacy/app', digest);
    assert.equal(summary?.digest, digest);
    assert.equal(summary?.lastPulledAt, undefined);
    await store.usage.recordPullTimes([{ repository: 'legacy/app', digest, at: new Date(1_800_000_000_000) }]);
    assert.deepEqual((await store.manifests.summary('legacy/app', digest))?.lastPulledAt, new Date(1_800_000_000_000));
    assert.deepEqual(await store.creationTemplates.list('123456789012', { limit: 10 }), []);
    assert.equal(await store.accountSettings.get('123456789012', 'BLOB_MOUNTING'), undefined);
  } finally {
    await store.close();
  }
  assert.equal(userVersion(path), SQLITE_MIGRATIONS.length);
});
