// The upload use case over real drivers: sessions that move between processes
// (two Registry instances over the same stores stand in for two nodes), and the
// purge of abandoned sessions.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { parseDigest, type Digest } from '../../src/model/digest.ts';
import { DEFAULT_LIMITS } from '../../src/registry/registry-context.ts';
import { createRegistry, type Registry } from '../../src/registry/registry.ts';
import { FsBlobStore } from '../../src/storage/blob/fs-blob-store.ts';
import { SqliteMetadataStore } from '../../src/storage/meta/sqlite/sqlite-metadata-store.ts';
import { RegistryError } from '../../src/errors/registry-error.ts';

let dir: string;
let nodeA: Registry;
let nodeB: Registry;
let clock = new Date('2026-01-01T00:00:00Z');

function digestOf(data: Buffer, algorithm: 'sha256' | 'sha512' = 'sha256'): Digest {
  return parseDigest(`${algorithm}:${createHash(algorithm).update(data).digest('hex')}`) as Digest;
}

const chunk = (data: Buffer, start?: number) => ({
  body: Readable.from([data]),
  length: data.length,
  ...(start !== undefined ? { range: { start, end: start + data.length - 1 } } : {}),
});

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'berth-uploads-'));
  const blobs = await FsBlobStore.open({ root: join(dir, 'blobs') });
  // Two metadata connections to one database file, as two processes would have.
  const make = () => createRegistry({ blobs, metadata: SqliteMetadataStore.open({ path: join(dir, 'meta.db') }), limits: DEFAULT_LIMITS, now: () => clock, accountId: '123456789012', createOnPush: true });
  nodeA = make();
  nodeB = make();
});

after(async () => {
  await nodeA.context.metadata.close();
  await nodeB.context.metadata.close();
  await rm(dir, { recursive: true, force: true });
});

test('a chunked upload that alternates between two nodes completes with the right digest', async () => {
  const parts = [randomBytes(70_000), randomBytes(1), randomBytes(300_000)];
  const whole = Buffer.concat(parts);
  const session = await nodeA.uploads.start('multi/node');
  let offset = 0;
  for (const [index, part] of parts.entries()) {
    const node = index % 2 === 0 ? nodeB : nodeA;
    const updated = await node.uploads.append('multi/node', session.id, chunk(part, offset));
    offset += part.length;
    assert.equal(updated.offset, offset);
  }
  // nodeA's running hash stopped at the first chunk, so completion must re-hash the staged bytes.
  const { size } = await nodeA.uploads.complete('multi/node', session.id, digestOf(whole));
  assert.equal(size, whole.length);
  assert.equal(await nodeB.blobs.size('multi/node', digestOf(whole)), whole.length);
});

test('sha512 uploads are verified by re-hashing', async () => {
  const data = randomBytes(10_000);
  const session = await nodeA.uploads.start('algo/test');
  await nodeA.uploads.append('algo/test', session.id, chunk(data));
  await nodeA.uploads.complete('algo/test', session.id, digestOf(data, 'sha512'));
  const stream = await nodeA.blobs.open('algo/test', digestOf(data, 'sha512'));
  const read: Buffer[] = [];
  for await (const piece of stream) read.push(piece as Buffer);
  assert.deepEqual(Buffer.concat(read), data);
});

test('an upload is visible only in its own repository', async () => {
  const session = await nodeA.uploads.start('owner/repo');
  await assert.rejects(nodeA.uploads.status('other/repo', session.id), (error: unknown) => (error as RegistryError).code === 'BLOB_UPLOAD_UNKNOWN');
  await nodeA.uploads.cancel('owner/repo', session.id);
});

test('purge removes idle sessions and orphaned staging, and keeps fresh ones', async () => {
  const stale = await nodeA.uploads.start('purge/me');
  await nodeA.uploads.append('purge/me', stale.id, chunk(randomBytes(1000)));
  clock = new Date(clock.getTime() + 2 * 3600_000);
  const fresh = await nodeA.uploads.start('purge/me');
  const purged = await nodeA.uploads.purge(new Date(clock.getTime() - 3600_000));
  assert.ok(purged >= 1);
  await assert.rejects(nodeA.uploads.status('purge/me', stale.id), (error: unknown) => (error as RegistryError).code === 'BLOB_UPLOAD_UNKNOWN');
  assert.equal((await nodeA.uploads.status('purge/me', fresh.id)).offset, 0);
  const staged = await readdir(join(dir, 'blobs', 'uploads'));
  assert.ok(!staged.includes(stale.id));
  assert.ok(staged.includes(fresh.id));
  await nodeA.uploads.cancel('purge/me', fresh.id);
});

test('a mount links an existing blob without moving bytes, and unlinking one repository keeps the other', async () => {
  const data = randomBytes(2048);
  const digest = digestOf(data);
  await nodeA.uploads.putWhole('mount/source', digest, chunk(data));
  assert.equal(await nodeA.blobs.mount('mount/target', digest, 'mount/source'), data.length);
  assert.equal(await nodeA.blobs.mount('mount/elsewhere', digest, 'mount/nowhere'), undefined);
  assert.equal(await nodeA.blobs.mount('mount/anywhere', digest, undefined), data.length);
  await nodeA.blobs.delete('mount/source', digest);
  await assert.rejects(nodeA.blobs.size('mount/source', digest), (error: unknown) => (error as RegistryError).code === 'BLOB_UNKNOWN');
  assert.equal(await nodeA.blobs.size('mount/target', digest), data.length);
});

test('purge leaves alone a session this process is writing, however old its row', async () => {
  const session = await nodeA.uploads.start('purge/busy');
  const body = new Readable({ read() {} });
  const appending = nodeA.uploads.append('purge/busy', session.id, { body });
  body.push(randomBytes(1000));
  await new Promise((resolve) => setTimeout(resolve, 50));
  await nodeA.uploads.purge(new Date(clock.getTime() + 365 * 86400_000));
  body.push(null);
  assert.equal((await appending).offset, 1000);
  assert.equal((await nodeA.uploads.status('purge/busy', session.id)).offset, 1000);
  await nodeA.uploads.cancel('purge/busy', session.id);
});

test('two nodes writing the same range of one session at once: one writes, the other waits and is refused, the staged bytes stay the winner\'s', async () => {
  const session = await nodeA.uploads.start('race/writers');
  const winner = randomBytes(200_000);
  const loser = randomBytes(200_000);
  // Node A's chunk arrives slowly, so node B's request comes while A is still writing.
  const slow = new Readable({ read() {} });
  const writing = nodeA.uploads.append('race/writers', session.id, { body: slow, length: winner.length, range: { start: 0, end: winner.length - 1 } });
  slow.push(winner.subarray(0, 1000));
  await new Promise((resolve) => setTimeout(resolve, 100));
  const racing = nodeB.uploads.append('race/writers', session.id, chunk(loser, 0));
  await new Promise((resolve) => setTimeout(resolve, 300));
  slow.push(winner.subarray(1000));
  slow.push(null);
  assert.equal((await writing).offset, winner.length);
  // B got the session only after A let go: its chunk no longer starts at the session's end.
  await assert.rejects(racing, (error: unknown) => error instanceof RegistryError && (error.code === 'BLOB_UPLOAD_INVALID' || error.code === 'RANGE_INVALID' || error.code === 'SIZE_INVALID'));
  const { size } = await nodeA.uploads.complete('race/writers', session.id, digestOf(winner));
  assert.equal(size, winner.length);
  const read: Buffer[] = [];
  for await (const piece of await nodeB.blobs.open('race/writers', digestOf(winner))) read.push(piece as Buffer);
  assert.deepEqual(Buffer.concat(read), winner);
});
