// The PostgreSQL MetadataStore against the MetadataStore contract, on a real server the
// test starts (test/helpers/postgres.ts): one server for this file, a new database for
// every test. Plus what only this driver has: its migrations, run by several nodes at once.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { PostgresMetadataStore } from '../../src/storage/meta/postgres/postgres-metadata-store.ts';
import { POSTGRES_MIGRATIONS } from '../../src/storage/meta/postgres/migrations.ts';
import { SQLITE_MIGRATIONS } from '../../src/storage/meta/sqlite/migrations.ts';
import { describeMetadataStore } from '../conformance/metadata-store.suite.ts';
import { postgresMissing, startTestPostgres, type TestPostgres } from '../helpers/postgres.ts';

const missing = postgresMissing();
const server = missing === undefined ? await startTestPostgres() : undefined;
after(() => server?.stop());

test('both drivers have the same schema history (a migration added to one needs its twin in the other)', () => {
  assert.equal(POSTGRES_MIGRATIONS.length, SQLITE_MIGRATIONS.length);
});

if (server === undefined) {
  test('PostgreSQL metadata store', { skip: missing }, () => undefined);
} else {
  const urls = new WeakMap<PostgresMetadataStore, string>();
  describeMetadataStore({
    name: 'postgres',
    create: async () => {
      const url = await server.createDatabase();
      const store = await PostgresMetadataStore.open({ url });
      urls.set(store, url);
      return store;
    },
    destroy: async (store) => {
      await store.close();
      await server.dropDatabase(urls.get(store)!);
    },
  });
  describeMigrations(server);
}

function describeMigrations(server: TestPostgres): void {
  describe('postgres migrations', () => {
    const withDatabase = async (t: { after: (fn: () => Promise<void>) => void }): Promise<{ url: string; sql: pg.Client }> => {
      const url = await server.createDatabase();
      const sql = new pg.Client({ connectionString: url });
      await sql.connect();
      t.after(async () => {
        await sql.end();
        await server.dropDatabase(url);
      });
      return { url, sql };
    };
    const versions = async (sql: pg.Client) => (await sql.query('SELECT version FROM schema_migrations ORDER BY version')).rows.map((row) => row.version as number);
    const all = POSTGRES_MIGRATIONS.map((_, index) => index + 1);

    test('a new database is brought to the current schema; reopening keeps the data and migrates nothing again', async (t) => {
      const { url, sql } = await withDatabase(t);
      const first = await PostgresMetadataStore.open({ url });
      await first.blobs.reserve(`sha256:${'ab'.repeat(32)}`, 99, new Date());
      await first.blobs.link('team/app', `sha256:${'ab'.repeat(32)}`, 99);
      await first.close();
      assert.deepEqual(await versions(sql), all);
      for (let round = 0; round < 3; round++) await (await PostgresMetadataStore.open({ url })).close();
      assert.deepEqual(await versions(sql), all, 'each migration is recorded once');
      const again = await PostgresMetadataStore.open({ url });
      t.after(() => again.close());
      assert.equal(await again.blobs.linked('team/app', `sha256:${'ab'.repeat(32)}`), 99);
    });

    test('nodes starting together on an empty database migrate it once, and all of them open', async (t) => {
      const { url, sql } = await withDatabase(t);
      const stores = await Promise.all(Array.from({ length: 6 }, () => PostgresMetadataStore.open({ url, poolSize: 2 })));
      t.after(() => Promise.all(stores.map((store) => store.close())));
      assert.deepEqual(await versions(sql), all);
      await Promise.all(stores.map((store, index) => store.blobs.reserve(`sha256:${'cd'.repeat(32)}`, index, new Date()).then(() => store.blobs.link(`node/${index}`, `sha256:${'cd'.repeat(32)}`, index))));
      assert.deepEqual(await stores[0]!.repositories.list({ limit: 10 }), ['node/0', 'node/1', 'node/2', 'node/3', 'node/4', 'node/5']);
    });

    test('a database with a newer schema version is refused and left untouched', async (t) => {
      const { url, sql } = await withDatabase(t);
      await (await PostgresMetadataStore.open({ url })).close();
      await sql.query('INSERT INTO schema_migrations (version) VALUES ($1)', [POSTGRES_MIGRATIONS.length + 1]);
      await assert.rejects(PostgresMetadataStore.open({ url }), /newer than this Berth/);
      assert.deepEqual(await versions(sql), [...all, POSTGRES_MIGRATIONS.length + 1]);
    });

    test('a database of schema 3 upgrades in place: its images have no pull time yet, templates and account settings start empty', async (t) => {
      const { url, sql } = await withDatabase(t);
      await sql.query('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())');
      for (const [index, migration] of POSTGRES_MIGRATIONS.slice(0, 3).entries()) {
        await sql.query(migration);
        await sql.query('INSERT INTO schema_migrations (version) VALUES ($1)', [index + 1]);
      }
      const digest = `sha256:${'ab'.repeat(32)}`;
      const { rows } = await sql.query("INSERT INTO repositories (name, created_at) VALUES ('legacy/app', $1) RETURNING id", [new Date(1_700_000_000_000)]);
      await sql.query(
        'INSERT INTO manifests (repository_id, digest, media_type, size, content, pushed_at) VALUES ($1, $2, $3, 2, $4, $5)',
        [rows[0].id, digest, 'application/vnd.oci.image.manifest.v1+json', Buffer.from('{}'), new Date(1_700_000_000_000)],
      );
      const store = await PostgresMetadataStore.open({ url });
      t.after(() => store.close());
      const repository = await store.repositories.get('legacy/app');
      assert.deepEqual(repository?.createdAt, new Date(1_700_000_000_000));
      assert.equal(repository?.settings.imageTagMutability, 'MUTABLE', 'repositories from before settings existed get the defaults');
      const summary = await store.manifests.summary('legacy/app', digest);
      assert.equal(summary?.digest, digest);
      assert.equal(summary?.lastPulledAt, undefined);
      await store.usage.recordPullTimes([{ repository: 'legacy/app', digest, at: new Date(1_800_000_000_000) }]);
      assert.deepEqual((await store.manifests.summary('legacy/app', digest))?.lastPulledAt, new Date(1_800_000_000_000));
      assert.deepEqual(await store.creationTemplates.list('123456789012', { limit: 10 }), []);
      assert.equal(await store.accountSettings.get('123456789012', 'BLOB_MOUNTING'), undefined);
      assert.deepEqual(await versions(sql), all);
    });

    test('a running node keeps working when a newer node adds columns to its tables (rolling upgrade)', async (t) => {
      const { url, sql } = await withDatabase(t);
      const store = await PostgresMetadataStore.open({ url, poolSize: 1 });
      t.after(() => store.close());
      const content = Buffer.from('{"schemaVersion":2}');
      const record = { repository: 'live/app', digest: `sha256:${'ef'.repeat(32)}`, mediaType: 'application/vnd.oci.image.manifest.v1+json', size: content.length, content, pushedAt: new Date(1_700_000_000_000) };
      await store.manifests.put(record, { blobs: [], manifests: [] }, 'v1');
      await store.identities.createUser({ accountId: '123456789012', userName: 'ci', userId: 'AIDAEXAMPLECI000001', path: '/', createdAt: new Date(1_700_000_000_000) });
      const reads = async () => ({
        byTag: (await store.manifests.getByTag('live/app', 'v1'))?.digest,
        repository: (await store.repositories.get('live/app'))?.name,
        user: (await store.identities.getUser('123456789012', 'CI'))?.userName,
        images: (await store.manifests.list('live/app', { limit: 10 })).map((image) => image.tags),
      });
      const before = await reads(); // prepares the statements on the pool's one connection
      for (const table of ['manifests', 'repositories', 'users', 'tags', 'uploads']) await sql.query(`ALTER TABLE ${table} ADD COLUMN added_later TEXT`);
      assert.deepEqual(await reads(), before);
      assert.deepEqual(before, { byTag: record.digest, repository: 'live/app', user: 'ci', images: [['v1']] });
    });

    test('an unreachable server is an error that names no password', async () => {
      const url = 'postgres://berth:s3cret-password@127.0.0.1:1/nothing';
      await assert.rejects(PostgresMetadataStore.open({ url }), (error: Error) => {
        assert.doesNotMatch(String(error.stack), /s3cret-password/);
        return true;
      });
    });
  });
}
