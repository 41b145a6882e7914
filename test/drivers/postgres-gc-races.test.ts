// Garbage collection's marks against pushes, links and reserves on two Berth nodes
// sharing one PostgreSQL database. Each race is forced into its dangerous interleaving:
// a third connection holds a row lock that pauses one side right after it took its own
// locks, the other side is started and seen waiting (pg_stat_activity), and the pause
// is released. Each test fails if the lock that orders the two sides is removed:
//  - a push holds its blob links FOR KEY SHARE: a mark's DELETE of the links waits for
//    it, and the mark's reference check (a new statement) sees the committed push;
//  - a link (and a touch) updates the blobs row first: a mark (FOR UPDATE) waits for
//    it and finds the blob touched;
//  - a mark holds the blobs row FOR UPDATE: a reserve waits, finds the mark, answers busy.
// Then randomized rounds of real pushes and marks check the invariant without a pause.
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
/** The third connection that pauses one side of a race by holding a lock. */
let pause: pg.Client;
/** Looks at the database from outside both nodes. */
let observer: pg.Client;

before(async () => {
  if (!server) return;
  const url = await server.createDatabase();
  [nodeA, nodeB] = await Promise.all([PostgresMetadataStore.open({ url, poolSize: 4 }), PostgresMetadataStore.open({ url, poolSize: 4 })]);
  pause = new pg.Client({ connectionString: url });
  observer = new pg.Client({ connectionString: url });
  await Promise.all([pause.connect(), observer.connect()]);
});

after(async () => {
  await pause?.end();
  await observer?.end();
  await nodeA?.close();
  await nodeB?.close();
  await server?.stop();
});

const ROUNDS = 60;
let serial = 0;

function digest(content: string): string {
  return `sha256:${createHash('sha256').update(content).digest('hex')}`;
}

function manifest(repository: string, body: object): ManifestRecord {
  const content = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', ...body }));
  return { repository, digest: digest(content.toString()), mediaType: 'application/vnd.oci.image.manifest.v1+json', size: content.length, content, pushedAt: new Date() };
}

/** A blob stored long ago (reserved and linked, then aged by hand): a candidate for any recent cutoff. */
async function oldLinkedBlob(repository: string, size = 5): Promise<string> {
  const layer = digest(`gc race layer ${serial++} ${Date.now()}`);
  assert.equal(await nodeA.blobs.reserve(layer, size, new Date()), 'reserved');
  assert.equal(await nodeA.blobs.link(repository, layer, size), true);
  await observer.query(`UPDATE blobs SET touched_at = now() - interval '1 hour', created_at = now() - interval '1 hour' WHERE digest = $1`, [layer]);
  return layer;
}

/** Resolves once `count` backends of this database wait for a lock. */
async function waitersReach(count: number): Promise<void> {
  for (let attempt = 0; attempt < 500; attempt++) {
    const result = await observer.query(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
    );
    if ((result.rows[0].n as number) >= count) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`never saw ${count} backends waiting for a lock`);
}

async function isMarked(layer: string): Promise<boolean> {
  const result = await observer.query('SELECT deleting FROM blobs WHERE digest = $1', [layer]);
  return result.rows[0]?.deleting === true;
}

const recentCutoff = () => new Date(Date.now() - 60_000);

test('a mark that meets a push holding the blob links waits for it, sees its reference and marks nothing', { skip }, async () => {
  const name = 'gc-race/push';
  const layer = await oldLinkedBlob(name);
  const image = manifest(name, { layer });
  const repositoryId = (await observer.query('SELECT id FROM repositories WHERE name = $1', [name])).rows[0].id as number;
  // Pause the push after its link check: the same manifest row, inserted and not committed.
  await pause.query('BEGIN');
  await pause.query(
    `INSERT INTO manifests (repository_id, digest, media_type, size, content, pushed_at) VALUES ($1, $2, $3, $4, $5, now())`,
    [repositoryId, image.digest, image.mediaType, image.size, image.content],
  );
  const pushing = nodeA.manifests.put(image, { blobs: [layer], manifests: [] }, 'v1');
  await waitersReach(1);
  const marking = nodeB.blobCollection.mark([layer], recentCutoff());
  await waitersReach(2);
  await pause.query('ROLLBACK');
  assert.deepEqual(await pushing, { ok: true });
  assert.deepEqual(await marking, [], 'the mark saw the reference the push committed');
  assert.equal(await isMarked(layer), false);
  assert.equal(await nodeB.blobs.linked(name, layer), 5, 'the rolled-back mark restored the link');
});

test('a push that meets a mark holding the blob links waits for it and is refused', { skip }, async () => {
  const name = 'gc-race/push-after';
  const layer = await oldLinkedBlob(name);
  // Pause the mark after its DELETE of the links: hold another link of the same blob FOR KEY SHARE.
  const other = 'gc-race/push-after-other';
  assert.equal(await nodeA.blobs.link(other, layer, 5), true);
  await observer.query(`UPDATE blobs SET touched_at = now() - interval '1 hour' WHERE digest = $1`, [layer]);
  await pause.query('BEGIN');
  await pause.query(
    'SELECT 1 FROM repository_blobs rb JOIN repositories r ON r.id = rb.repository_id WHERE r.name = $1 AND rb.digest = $2 FOR KEY SHARE OF rb',
    [other, layer],
  );
  const marking = nodeB.blobCollection.mark([layer], recentCutoff());
  await waitersReach(1);
  const pushing = nodeA.manifests.put(manifest(name, { layer }), { blobs: [layer], manifests: [] }, 'v1');
  await waitersReach(2);
  await pause.query('COMMIT');
  assert.deepEqual(await marking, [layer]);
  assert.deepEqual(await pushing, { ok: false, missingBlobs: [layer], missingManifests: [] }, 'the push found the links gone');
});

test('a mark that meets a link in progress waits for it, finds the blob touched and marks nothing', { skip }, async () => {
  const name = 'gc-race/link';
  const layer = await oldLinkedBlob('gc-race/link-origin');
  await nodeA.repositories.create(name, DEFAULT_REPOSITORY_SETTINGS, {}, new Date());
  // Pause the link after its update of the blobs row: hold the target repository FOR UPDATE.
  await pause.query('BEGIN');
  await pause.query('SELECT id FROM repositories WHERE name = $1 FOR UPDATE', [name]);
  const linking = nodeA.blobs.link(name, layer, 5);
  await waitersReach(1);
  const marking = nodeB.blobCollection.mark([layer], recentCutoff());
  await waitersReach(2);
  await pause.query('ROLLBACK');
  assert.equal(await linking, true);
  assert.deepEqual(await marking, [], 'the link touched the blob before the mark could look at it');
  assert.equal(await nodeB.blobs.linked(name, layer), 5);
  assert.equal(await isMarked(layer), false);
});

test('a reserve that meets a mark in progress waits for it and answers busy', { skip }, async () => {
  const name = 'gc-race/reserve';
  const layer = await oldLinkedBlob(name);
  // Pause the mark after its FOR UPDATE: hold the blob's link FOR KEY SHARE, as a push would.
  await pause.query('BEGIN');
  await pause.query('SELECT 1 FROM repository_blobs WHERE digest = $1 FOR KEY SHARE', [layer]);
  const marking = nodeB.blobCollection.mark([layer], recentCutoff());
  await waitersReach(1);
  const reserving = nodeA.blobs.reserve(layer, 5, new Date());
  await waitersReach(2);
  await pause.query('COMMIT');
  assert.deepEqual(await marking, [layer]);
  assert.equal(await reserving, 'busy', 'the reserve found the mark');
  assert.equal(await nodeA.blobs.link(name, layer, 5), false);
  assert.equal(await nodeA.blobs.touch(layer, new Date()), false);
});

test('real pushes, links and reserves racing real marks: a stored manifest never references a marked blob', { skip }, async () => {
  let pushed = 0;
  let marked = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const name = `gc-race/rounds-${round % 4}`;
    const layer = await oldLinkedBlob(name);
    const image = manifest(name, { layer, round });
    const [put, marks, reserve] = await Promise.all([
      nodeA.manifests.put(image, { blobs: [layer], manifests: [] }),
      nodeB.blobCollection.mark([layer], recentCutoff()),
      new Promise((resolve) => setTimeout(resolve, round % 3)).then(() => nodeA.blobs.reserve(layer, 5, new Date())),
    ]);
    const isMarkedNow = await isMarked(layer);
    assert.equal(isMarkedNow, marks.length === 1, `round ${round}`);
    if (put.ok) {
      pushed++;
      assert.equal(isMarkedNow, false, `round ${round}: a manifest was stored over a marked blob`);
      assert.equal(await nodeB.blobs.linked(name, layer), 5);
    } else {
      assert.deepEqual(put.missingBlobs, [layer]);
    }
    if (isMarkedNow) {
      marked++;
      assert.equal(reserve, 'busy', `round ${round}: a reserve succeeded on a blob that stayed marked`);
      assert.equal(await nodeB.blobCollection.forget([layer]), 1);
    }
  }
  assert.equal(pushed + marked >= ROUNDS, true);
});
