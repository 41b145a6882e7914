// The shared row→record mappers (src/storage/meta/rows/) with each driver's column
// values: the same row, as node:sqlite and as pg hand it back, gives the same record.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ifFound } from '../../../src/storage/meta/rows/column-values.ts';
import { manifestRows } from '../../../src/storage/meta/rows/manifest-rows.ts';
import { mergedResourceTags } from '../../../src/storage/meta/rows/repository-rows.ts';
import { SQLITE_VALUES } from '../../../src/storage/meta/sqlite/sqlite-column-values.ts';
import { POSTGRES_VALUES } from '../../../src/storage/meta/postgres/postgres-column-values.ts';

const pushedAt = new Date('2024-05-06T07:08:09.123Z');
const content = Buffer.from('{"schemaVersion":2}');

test('a manifest row reads the same from SQLite (integer time, Uint8Array BLOB) and PostgreSQL (Date, Buffer)', () => {
  const common = { digest: 'sha256:aa', media_type: 'application/vnd.oci.image.manifest.v1+json', size: content.length, artifact_type: null, subject: 'sha256:bb' };
  // node:sqlite returns a BLOB as a Uint8Array that may sit inside a larger buffer.
  const backing = new Uint8Array(content.length + 4);
  backing.set(content, 2);
  const sqliteRow = { ...common, content: backing.subarray(2, 2 + content.length), pushed_at: pushedAt.getTime(), annotations: '{"a":"1"}' };
  const postgresRow = { ...common, content, pushed_at: pushedAt, annotations: '{"a":"1"}' };

  const expected = {
    repository: 'repo',
    digest: 'sha256:aa',
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    size: content.length,
    content,
    pushedAt,
    subject: 'sha256:bb',
    annotations: { a: '1' },
  };
  const fromSqlite = manifestRows(SQLITE_VALUES).manifest('repo', sqliteRow);
  assert.deepEqual(fromSqlite, expected);
  assert.ok(Buffer.isBuffer(fromSqlite.content));
  assert.deepEqual(manifestRows(POSTGRES_VALUES).manifest('repo', postgresRow), expected);
  // NULL columns leave their optional fields out rather than set them to undefined.
  assert.equal('artifactType' in fromSqlite, false);
});

test('an image summary reads its tags from SQLite json_group_array text and from a PostgreSQL array', () => {
  const row = { digest: 'sha256:aa', media_type: 'm', blob_bytes: 42, artifact_type: null, subject: null, last_pulled_at: null };
  const expected = { digest: 'sha256:aa', mediaType: 'm', blobBytes: 42, pushedAt, tags: ['a', 'b'] };
  assert.deepEqual(manifestRows(SQLITE_VALUES).imageSummary({ ...row, pushed_at: pushedAt.getTime(), tag_names: '["a","b"]' }), expected);
  assert.deepEqual(manifestRows(POSTGRES_VALUES).imageSummary({ ...row, pushed_at: pushedAt, tag_names: ['a', 'b'] }), expected);
  const pulledAt = new Date(pushedAt.getTime() + 1000);
  assert.deepEqual(
    manifestRows(SQLITE_VALUES).imageSummary({ ...row, pushed_at: pushedAt.getTime(), last_pulled_at: pulledAt.getTime(), tag_names: '[]' }).lastPulledAt,
    pulledAt,
  );
});

test('ifFound maps a row and keeps a missing one undefined', () => {
  assert.equal(ifFound(undefined, () => 'record'), undefined);
  assert.equal(ifFound({ id: 1 }, (row) => `record ${String(row.id)}`), 'record 1');
});

test('merging resource tags overwrites and adds before removing', () => {
  assert.equal(mergedResourceTags('{"a":"1","b":"2"}', { b: '3', c: '4' }, ['a', 'c']), '{"b":"3"}');
});
