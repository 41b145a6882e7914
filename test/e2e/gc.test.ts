// End-to-end garbage collection with real clients: skopeo pushes two images to a
// running `berth serve`, the AWS CLI deletes one (BatchDeleteImage), and `berth gc
// --grace-period 0s`, run beside the server on its data directory, reclaims exactly
// the bytes of the blobs only the deleted image used — its summary says so, and the
// files are gone — while the other image still pulls back byte for byte, and a push
// after the collection works. Then a collection while skopeo pushes and pulls.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { GcSummary } from '../../src/gc/gc-plan.ts';
import { awsCli } from '../helpers/aws-cli.ts';
import { berthMain, berthNodeFlags, type BerthProcess } from '../helpers/berth-process.ts';
import { missingTools, type Skopeo } from '../helpers/clients.ts';
import { run } from '../helpers/clients/process.ts';
import { buildTestImages } from '../helpers/oci-images.ts';
import { blobsOf, PLAIN_HTTP as plainHttp, startSkopeoSession, type SkopeoSession } from '../helpers/skopeo-session.ts';

const missing = missingTools('skopeo', 'aws');
const skip = missing.length ? `not installed: ${missing.join(', ')}` : false;

let session: SkopeoSession;
let berth: BerthProcess;
let skopeo: Skopeo;
let work: string;

before(async () => {
  if (skip) return;
  // The server's own schedule stays out of the way: this test runs the collector itself.
  session = await startSkopeoSession('gc', { BERTH_GC_ENABLED: 'false' });
  ({ berth, skopeo, work } = session);
});

after(async () => {
  await session?.close();
});

const blobPath = (digest: string) => session.blobPath(digest);
const pullAndVerify = (reference: string, image: Parameters<SkopeoSession['pullAndVerify']>[1], into: string) => session.pullAndVerify(reference, image, into);

test('berth gc reclaims a deleted image\'s layers beside a running server; the other image stays pullable', { skip, timeout: 180_000 }, async () => {
  const doomed = (await buildTestImages(join(work, 'doomed-src'))).single;
  const keptSet = await buildTestImages(join(work, 'kept-src'));
  const kept = keptSet.single;
  await skopeo.copy(`oci:${join(work, 'doomed-src')}:single`, `docker://${berth.hostPort}/team/doomed:v1`, { destTls: plainHttp });
  await skopeo.copy(`oci:${join(work, 'kept-src')}:single`, `docker://${berth.hostPort}/team/kept:v1`, { destTls: plainHttp });

  const deleted = JSON.parse((await awsCli(berth, ['ecr', 'batch-delete-image', '--repository-name', 'team/doomed', '--image-ids', 'imageTag=v1'])).stdout) as {
    imageIds: { imageDigest: string }[];
    failures: unknown[];
  };
  assert.deepEqual(deleted.failures, []);
  assert.equal(deleted.imageIds[0]?.imageDigest, doomed.manifest.digest);

  // Blobs the kept image shares with the deleted one (an identical config, say) stay.
  const keptDigests = new Set(blobsOf(kept).map((blob) => blob.digest));
  const reclaimable = blobsOf(doomed).filter((blob) => !keptDigests.has(blob.digest));
  assert.ok(reclaimable.length >= 2, 'the deleted image has layers of its own');
  for (const blob of reclaimable) assert.ok(existsSync(blobPath(blob.digest)), `${blob.digest} is on disk before`);

  const gc = (args: string[]) =>
    run(process.execPath, [...berthNodeFlags, berthMain, 'gc', '--data-dir', berth.dataDir, '--grace-period', '0s', '--json', ...args], { timeoutMs: 60_000 });
  const dry = JSON.parse((await gc(['--dry-run'])).stdout) as GcSummary;
  assert.equal(dry.blobsReclaimed, reclaimable.length);
  assert.equal(dry.bytesReclaimed, reclaimable.reduce((sum, blob) => sum + blob.size, 0));

  const summary = JSON.parse((await gc([])).stdout) as GcSummary;
  assert.equal(summary.blobsReclaimed, reclaimable.length, 'the deleted image\'s own blobs');
  assert.equal(summary.bytesReclaimed, reclaimable.reduce((sum, blob) => sum + blob.size, 0), 'exactly their sizes');
  assert.equal(summary.orphansReclaimed, 0);
  for (const blob of reclaimable) assert.equal(existsSync(blobPath(blob.digest)), false, `${blob.digest} is gone from disk`);
  for (const blob of blobsOf(kept)) assert.ok(existsSync(blobPath(blob.digest)), `${blob.digest} of the kept image stays`);

  await pullAndVerify('team/kept:v1', kept, 'kept-pulled');
  const gone = await fetch(`${berth.url}/v2/team/doomed/blobs/${reclaimable[0]!.digest}`, { method: 'HEAD', headers: { Authorization: (await berth.login()).authorization } });
  assert.equal(gone.status, 404);

  // The collected image can be pushed again: its blobs are stored afresh.
  await skopeo.copy(`oci:${join(work, 'doomed-src')}:single`, `docker://${berth.hostPort}/team/doomed:v2`, { destTls: plainHttp });
  await pullAndVerify('team/doomed:v2', doomed, 'doomed-pulled');
  const text = (await run(process.execPath, [...berthNodeFlags, berthMain, 'gc', '--data-dir', berth.dataDir], { timeoutMs: 60_000 })).stdout;
  assert.match(text, /^berth gc: reclaimed 0 blobs, 0 bytes in \d+\.\d s\n/, 'with the default grace period nothing young goes');
});

test('berth gc collects while skopeo pushes and pulls: the pushes complete and pull back', { skip, timeout: 180_000 }, async () => {
  const graceSeconds = 3;
  const old = (await buildTestImages(join(work, 'old-src'))).single;
  await skopeo.copy(`oci:${join(work, 'old-src')}:single`, `docker://${berth.hostPort}/busy/old:v1`, { destTls: plainHttp });
  await awsCli(berth, ['ecr', 'batch-delete-image', '--repository-name', 'busy/old', '--image-ids', 'imageTag=v1']);
  // The deleted image's blobs age past the grace period; what is pushed from now on stays younger.
  await new Promise((resolve) => setTimeout(resolve, graceSeconds * 1000 + 500));
  const fresh = await Promise.all([0, 1, 2].map(async (index) => ({ index, image: (await buildTestImages(join(work, `fresh-${index}-src`))).single })));
  const pushes = Promise.all(
    fresh.map(({ index }) => skopeo.copy(`oci:${join(work, `fresh-${index}-src`)}:single`, `docker://${berth.hostPort}/busy/fresh-${index}:v1`, { destTls: plainHttp })),
  );
  const pulls = Promise.all([0, 1].map((round) => pullAndVerify('team/kept:v1', undefined, `kept-during-${round}`)));
  const collected = run(process.execPath, [...berthNodeFlags, berthMain, 'gc', '--data-dir', berth.dataDir, '--grace-period', `${graceSeconds}s`, '--json'], { timeoutMs: 60_000 });
  const [summaryOut] = await Promise.all([collected, pushes, pulls]);
  const summary = JSON.parse(summaryOut.stdout) as GcSummary;
  assert.ok(summary.blobsReclaimed >= 2, `the deleted image's layers went: ${summaryOut.stdout}`);
  for (const blob of old.layers) assert.equal(existsSync(blobPath(blob.descriptor.digest)), false);
  for (const { index, image } of fresh) await pullAndVerify(`busy/fresh-${index}:v1`, image, `fresh-${index}-pulled`);
});
