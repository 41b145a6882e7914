// The "done means", in one story against a real `berth serve`: skopeo pushes
// three releases; with the AWS CLI, a lifecycle policy's preview lists exactly what
// `berth lifecycle run` then expires; the server's own garbage collection schedule
// (every 2 s here, 4 s grace) reclaims exactly the expired images' blobs while skopeo
// keeps pushing, and everything kept or pushed meanwhile pulls back; `berth usage` and
// `/metrics` agree with each other and with the bytes pushed, pulled and stored.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { awsCli } from '../helpers/aws-cli.ts';
import { berthMain, berthNodeFlags, type BerthProcess } from '../helpers/berth-process.ts';
import { missingTools, run, type Skopeo } from '../helpers/clients.ts';
import { buildTestImages, type BuiltImage } from '../helpers/oci-images.ts';
import { blobsOf, PLAIN_HTTP as plainHttp, startSkopeoSession, type SkopeoSession } from '../helpers/skopeo-session.ts';
import { until } from '../helpers/until.ts';

const missing = missingTools('skopeo', 'aws');
const skip = missing.length ? `not installed: ${missing.join(', ')}` : false;
const REPO = 'shop/api';
const LIVE = 'shop/live';
const GRACE_SECONDS = 4;

let session: SkopeoSession;
let berth: BerthProcess;
let skopeo: Skopeo;
let work: string;

before(async () => {
  if (skip) return;
  session = await startSkopeoSession('housekeeping', {
    BERTH_GC_INTERVAL: '2s',
    BERTH_GC_GRACE_PERIOD: `${GRACE_SECONDS}s`,
    BERTH_USAGE_FLUSH_INTERVAL: '200ms',
    BERTH_LIFECYCLE_ENABLED: 'false',
  });
  ({ berth, skopeo, work } = session);
});

after(async () => {
  await session?.close();
});

const blobPath = (digest: string) => session.blobPath(digest);
const sizeOf = (blobs: ReadonlyArray<{ digest: string; size: number }>) => [...new Map(blobs.map((blob) => [blob.digest, blob.size])).values()].reduce((sum, size) => sum + size, 0);

async function built(name: string): Promise<BuiltImage> {
  return (await buildTestImages(join(work, name), { layerBytes: 64 * 1024 })).single;
}

async function push(name: string, reference: string): Promise<void> {
  await skopeo.copy(`oci:${join(work, name)}:single`, `docker://${berth.hostPort}/${reference}`, { destTls: plainHttp });
}

const pullAndVerify = (reference: string, image: BuiltImage, into: string) => session.pullAndVerify(reference, image, into);

async function aws<T>(args: string[]): Promise<T> {
  return JSON.parse((await awsCli(berth, args)).stdout) as T;
}

async function berthCommand(...args: string[]): Promise<string> {
  const result = await run(process.execPath, [...berthNodeFlags, berthMain, ...args, '--data-dir', berth.dataDir], { env: { ...process.env, BERTH_LOG_LEVEL: 'silent' } });
  return result.stdout;
}

const sample = (text: string, series: string): number | undefined => {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

test('preview = lifecycle run; the scheduled GC reclaims exactly the expired blobs while pushes go on; usage and /metrics agree', { skip, timeout: 240_000 }, async () => {
  const releases = { v1: await built('v1'), v2: await built('v2'), v3: await built('v3') };
  for (const tag of ['v1', 'v2', 'v3'] as const) await push(tag, `${REPO}:${tag}`);

  // Keep the newest release: the preview names v1 and v2, and the run expires exactly those.
  const policy = JSON.stringify({
    rules: [{ rulePriority: 1, description: 'keep the newest release', selection: { tagStatus: 'tagged', tagPrefixList: ['v'], countType: 'imageCountMoreThan', countNumber: 1 }, action: { type: 'expire' } }],
  });
  await awsCli(berth, ['ecr', 'put-lifecycle-policy', '--repository-name', REPO, '--lifecycle-policy-text', policy]);
  await awsCli(berth, ['ecr', 'start-lifecycle-policy-preview', '--repository-name', REPO]);
  await awsCli(berth, ['ecr', 'wait', 'lifecycle-policy-preview-complete', '--repository-name', REPO]);
  const preview = await aws<{ previewResults: Array<{ imageDigest: string; appliedRulePriority: number }> }>(['ecr', 'get-lifecycle-policy-preview', '--repository-name', REPO]);
  const previewed = new Set(preview.previewResults.map((result) => result.imageDigest));
  assert.deepEqual(previewed, new Set([releases.v1.manifest.digest, releases.v2.manifest.digest]));

  const output = await berthCommand('lifecycle', 'run');
  const expired = new Set([...output.matchAll(/^expired shop\/api@(sha256:[0-9a-f]{64}) .* by rule 1/gm)].map((match) => match[1]!));
  assert.deepEqual(expired, previewed, `the run expires exactly the preview:\n${output}`);
  const left = await aws<{ imageIds: Array<{ imageDigest: string }> }>(['ecr', 'list-images', '--repository-name', REPO]);
  assert.deepEqual(left.imageIds.map((id) => id.imageDigest), [releases.v3.manifest.digest]);

  // The expired releases' blobs that the kept one does not share are garbage now.
  const keptBlobs = new Set(blobsOf(releases.v3).map((blob) => blob.digest));
  const garbage = [...blobsOf(releases.v1), ...blobsOf(releases.v2)].filter((blob) => !keptBlobs.has(blob.digest));
  assert.ok(garbage.length >= 4, 'each expired release has layers of its own');

  // While the server's schedule collects them, skopeo keeps pushing new images.
  const live: BuiltImage[] = [];
  let collecting = true;
  const pusher = (async () => {
    for (let index = 0; collecting || live.length < 2; index++) {
      const image = await built(`live-${index}`);
      await push(`live-${index}`, `${LIVE}:l${index}`);
      live.push(image);
    }
  })();
  try {
    await until('the expired blobs to leave the disk', async () => (garbage.every((blob) => !existsSync(blobPath(blob.digest))) ? true : undefined), 60_000);
  } finally {
    collecting = false;
    await pusher;
  }

  await pullAndVerify(`${REPO}:v3`, releases.v3, 'v3-pulled');
  for (const [index, image] of live.entries()) await pullAndVerify(`${LIVE}:l${index}`, image, `live-${index}-pulled`);

  // /metrics (this server's scheduled GC) and `berth usage` (what every process flushed) tell the same story.
  const garbageBytes = sizeOf(garbage);
  const metrics = await until('the GC pass to be counted', async () => {
    const text = await (await fetch(`${berth.url}/metrics`)).text();
    return sample(text, 'berth_gc_bytes_reclaimed_total') === garbageBytes ? text : undefined;
  });
  const storedNow = sizeOf([releases.v3, ...live].flatMap(blobsOf));
  assert.equal(sample(metrics, 'berth_stored_bytes'), storedNow, 'stored: the kept release and the live images, each blob once');
  assert.equal(sample(metrics, 'berth_pushes_total'), 3 + live.length);
  const pushedBytes = [releases.v1, releases.v2, releases.v3, ...live].reduce((sum, image) => sum + sizeOf(blobsOf(image)) + image.manifestBytes.length, 0);
  assert.equal(sample(metrics, 'berth_received_bytes_total'), pushedBytes, 'bytes in: every blob and manifest pushed, once');
  const pulledBytes = [releases.v3, ...live].reduce((sum, image) => sum + sizeOf(blobsOf(image)) + image.manifestBytes.length, 0);
  assert.equal(sample(metrics, 'berth_sent_bytes_total'), pulledBytes, 'bytes out: what the pulls downloaded');

  interface UsageRow { storedBytes: number | null; bytesIn: number; bytesOut: number; pushes: number; pulls: number }
  const report = await until('the usage flush', async () => {
    const parsed = JSON.parse(await berthCommand('usage', '--format', 'json')) as { total: UsageRow; registry: { storedBytes: number | null }; repositories: Array<UsageRow & { repository: string }> };
    return parsed.total.bytesOut === pulledBytes ? parsed : undefined;
  });
  assert.equal(report.total.bytesIn, sample(metrics, 'berth_received_bytes_total'));
  assert.equal(report.total.bytesOut, sample(metrics, 'berth_sent_bytes_total'));
  assert.equal(report.total.pushes, sample(metrics, 'berth_pushes_total'));
  assert.equal(report.total.pulls, sample(metrics, 'berth_pulls_total'));
  assert.equal(report.registry.storedBytes, sample(metrics, 'berth_stored_bytes'));
  const api = report.repositories.find((row) => row.repository === REPO);
  const described = await aws<{ imageDetails: Array<{ imageSizeInBytes: number }> }>(['ecr', 'describe-images', '--repository-name', REPO]);
  assert.equal(api?.storedBytes, described.imageDetails[0]?.imageSizeInBytes, "the repository stores exactly its one image's size");
});
