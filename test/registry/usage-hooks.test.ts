// The metering hooks of the registry use cases over real drivers: what an upload, a
// push and a pull count, and lastRecordedPullTime going through the meter's batch
// (throttled per image, exclusions honoured) instead of a write per pull.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import pino from 'pino';
import { parseDigest, type Digest } from '../../src/model/digest.ts';
import { DEFAULT_LIMITS } from '../../src/registry/registry-context.ts';
import { createRegistry, type Registry } from '../../src/registry/registry.ts';
import { FsBlobStore } from '../../src/storage/blob/fs-blob-store.ts';
import { SqliteMetadataStore } from '../../src/storage/meta/sqlite/sqlite-metadata-store.ts';
import { UsageMeter } from '../../src/usage/usage-meter.ts';
import { startUsageFlush } from '../../src/usage/usage-flush.ts';
import { takeStorageSnapshot } from '../../src/usage/storage-snapshot.ts';

const ACCOUNT = '123456789012';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
let dir: string;
let registry: Registry;
let meter: UsageMeter;
let clock = new Date('2026-06-01T10:00:00Z');

const digestOf = (data: Buffer): Digest => parseDigest(`sha256:${createHash('sha256').update(data).digest('hex')}`) as Digest;
const chunk = (data: Buffer, start: number) => ({ body: Readable.from([data]), length: data.length, range: { start, end: start + data.length - 1 } });

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'berth-usage-hooks-'));
  meter = new UsageMeter(() => clock);
  registry = createRegistry({
    blobs: await FsBlobStore.open({ root: join(dir, 'blobs') }),
    metadata: SqliteMetadataStore.open({ path: join(dir, 'meta.db') }),
    limits: DEFAULT_LIMITS,
    now: () => clock,
    accountId: ACCOUNT,
    createOnPush: true,
    usage: meter,
  });
});

after(async () => {
  await registry.context.metadata.close();
  await registry.context.blobs.close();
  await rm(dir, { recursive: true, force: true });
});

async function pushImage(repository: string, tag: string, layer: Buffer): Promise<{ digest: string; manifest: Buffer }> {
  const config = Buffer.from(`{"tag":"${tag}"}`);
  await registry.uploads.putWhole(repository, digestOf(config), { body: Readable.from([config]), length: config.length });
  const session = await registry.uploads.start(repository);
  const half = Math.floor(layer.length / 2);
  await registry.uploads.append(repository, session.id, chunk(layer.subarray(0, half), 0));
  await registry.uploads.complete(repository, session.id, digestOf(layer), chunk(layer.subarray(half), half));
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: digestOf(config).value, size: config.length },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: digestOf(layer).value, size: layer.length }],
    }),
  );
  const pushed = await registry.manifests.put(repository, { kind: 'tag', tag }, manifest, OCI_MANIFEST);
  return { digest: pushed.digest, manifest };
}

test('uploads count the blob bytes stored (monolithic and chunked), a push its manifest', async () => {
  meter.drain();
  const layer = Buffer.alloc(10_000, 7);
  const { manifest } = await pushImage('hooks/push', 'v1', layer);
  const [row] = meter.drain().traffic;
  assert.deepEqual(row, { day: '2026-06-01', repository: 'hooks/push', bytesIn: '{"tag":"v1"}'.length + layer.length + manifest.length, bytesOut: 0, pushes: 1, pulls: 0 });
});

test('a pull counts every time; its time is queued at most once a minute per image and written by the flush in one batch', async () => {
  const { digest } = await pushImage('hooks/pull', 'v1', Buffer.alloc(100, 1));
  meter.drain();
  meter.flushed();
  const record = await registry.manifests.get('hooks/pull', { kind: 'tag', tag: 'v1' });
  const pulledAt = new Date(clock);
  registry.manifests.notePull(record);
  clock = new Date(clock.getTime() + 30_000);
  registry.manifests.notePull(record, `arn:aws:iam::${ACCOUNT}:user/ci`);
  assert.deepEqual(meter.pendingPullTime('hooks/pull', digest), pulledAt, 'the second pull within the minute is not a new time');
  const summary = async () => (await registry.context.metadata.manifests.summary('hooks/pull', digest))!;
  assert.equal((await summary()).lastPulledAt, undefined, 'nothing written per pull');
  assert.deepEqual(registry.manifests.lastPullTime('hooks/pull', digest, undefined), pulledAt, 'DescribeImages sees the queued time');

  const flush = startUsageFlush(meter, registry.context.metadata.usage, { intervalSeconds: 3600, log: pino({ level: 'silent' }) });
  await flush.flush();
  assert.deepEqual((await summary()).lastPulledAt, pulledAt);
  assert.equal(meter.pendingPullTime('hooks/pull', digest), undefined);
  const [row] = await registry.context.metadata.usage.traffic('2026-06-01', '2026-06-01').then((rows) => rows.filter((r) => r.repository === 'hooks/pull'));
  assert.equal(row!.pulls, 2);
  assert.equal(row!.bytesOut, 2 * record.size);

  await flush.stop();
});

test('a pull by a principal on the exclusion list counts as a pull but queues no time', async () => {
  const { digest } = await pushImage('hooks/excluded', 'v1', Buffer.alloc(100, 2));
  const scanner = `arn:aws:iam::${ACCOUNT}:user/scanner`;
  assert.equal(await registry.context.metadata.pullTimeExclusions.add(ACCOUNT, scanner, clock, 100), 'added');
  await registry.pullTimeExclusions.reload();
  meter.drain();
  const record = await registry.manifests.get('hooks/excluded', { kind: 'tag', tag: 'v1' });
  registry.manifests.notePull(record, scanner);
  await registry.pullTimeExclusions.settled();
  assert.equal(meter.pendingPullTime('hooks/excluded', digest), undefined);
  assert.deepEqual(meter.drain().traffic.map((row) => [row.repository, row.pulls]), [['hooks/excluded', 1]]);
});

test('a snapshot records each repository\'s stored bytes and the registry\'s once per blob', async () => {
  const shared = Buffer.alloc(5_000, 9);
  await pushImage('hooks/snap-a', 'v1', shared);
  await pushImage('hooks/snap-b', 'v1', shared);
  const taken = await takeStorageSnapshot(registry.context.metadata.usage, clock);
  assert.equal(taken.day, '2026-06-01');
  const [snapshot] = await registry.context.metadata.usage.storageSnapshots('2026-06-01', '2026-06-01');
  const bytes = (repository: string) => snapshot!.repositories.find((row) => row.repository === repository)?.bytes;
  assert.equal(bytes('hooks/snap-a'), shared.length + '{"tag":"v1"}'.length);
  assert.equal(bytes('hooks/snap-b'), shared.length + '{"tag":"v1"}'.length);
  const live = await registry.context.metadata.usage.storedBytes();
  assert.equal(snapshot!.registry, live.registry);
  assert.ok(live.registry < live.repositories.reduce((sum, row) => sum + row.bytes, 0), 'shared blobs count once in the registry');
});
