// Usage metering end to end: `berth serve`, skopeo pushes and pulls an image we built
// (so we know every byte of it), the AWS CLI describes and batch-gets it, another
// repository mounts its blobs; then `berth usage --format json` (run beside the server)
// and GET /metrics must agree with the bytes actually pushed and pulled, and the stored
// bytes with what DescribeImages reports. A restart loses no count.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { berthMain, berthNodeFlags, startBerth, type BerthProcess } from '../helpers/berth-process.ts';
import { missingTools, run, Skopeo, ToolSandbox } from '../helpers/clients.ts';
import { buildTestImages, MEDIA_TYPES, type BuiltImage } from '../helpers/oci-images.ts';
import { awsCli } from '../helpers/aws-cli.ts';
import { adminFetch } from '../helpers/admin-fetch.ts';

const missing = missingTools('aws', 'skopeo');
const PLAIN_HTTP = { scheme: 'http' } as const;
const PULLS = 3;
const REPOSITORY = 'metered/app';
const MOUNTED = 'metered/mounted';
const VIA_ECR = 'metered/ecr-api';

interface UsageRow {
  readonly repository: string;
  readonly storedBytes: number | null;
  readonly bytesIn: number;
  readonly bytesOut: number;
  readonly pushes: number;
  readonly pulls: number;
}

interface UsageJson {
  readonly repositories: UsageRow[];
  readonly total: Omit<UsageRow, 'repository'>;
  readonly registry: { readonly storedBytes: number | null };
}

describe('usage metering: skopeo + AWS CLI against `berth serve`, then `berth usage` and /metrics', { skip: missing.length ? `not installed: ${missing.join(', ')}` : false }, () => {
  let berth: BerthProcess;
  let dataDir: string;
  let work: string;
  let image: BuiltImage;
  let sandbox: ToolSandbox;
  let skopeo: Skopeo;

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'berth-e2e-usage-'));
    dataDir = join(work, 'data');
    berth = await startBerth({ dataDir, env: { BERTH_USAGE_FLUSH_INTERVAL: '200ms' } });
    image = (await buildTestImages(join(work, 'layout'))).single;
    sandbox = await ToolSandbox.create();
    skopeo = new Skopeo(sandbox);
    const password = (await awsCli(berth, ['ecr', 'get-login-password'])).stdout.trim();
    await skopeo.login(berth.hostPort, { username: 'AWS', password }, PLAIN_HTTP);
  });
  after(async () => {
    await sandbox?.cleanup();
    await berth?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  // What the image is made of, byte for byte.
  const blobBytes = () => image.config.size + image.layers.reduce((sum, layer) => sum + layer.descriptor.size, 0);
  const manifestBytes = () => image.manifestBytes.length;

  /** `berth usage --format json` in its own process, beside the running server. */
  async function usageReport(): Promise<UsageJson> {
    const result = await run(process.execPath, [...berthNodeFlags, berthMain, 'usage', '--format', 'json', '--data-dir', dataDir]);
    return JSON.parse(result.stdout) as UsageJson;
  }

  /** The report once the server's flush (every 200 ms here) has written what `ready` waits for. */
  async function settledReport(ready: (report: UsageJson) => boolean): Promise<UsageJson> {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const report = await usageReport();
      if (ready(report) || Date.now() > deadline) return report;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  async function metrics(): Promise<string> {
    const response = await fetch(`${berth.url}/metrics`);
    assert.equal(response.status, 200, 'no credentials needed');
    assert.match(response.headers.get('content-type') ?? '', /^text\/plain/);
    return response.text();
  }

  const sample = (text: string, series: string): number | undefined => {
    const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
    return line === undefined ? undefined : Number(line.slice(series.length + 1));
  };

  const row = (report: UsageJson, repository: string) => report.repositories.find((candidate) => candidate.repository === repository);

  it('skopeo pushes the image once and pulls it three times; batch-get-image gets it once more', async () => {
    await skopeo.copy(`oci:${join(work, 'layout')}:single`, `docker://${berth.hostPort}/${REPOSITORY}:v1`, { destTls: PLAIN_HTTP });
    for (let pull = 0; pull < PULLS; pull++) {
      // A fresh layout each time: skopeo downloads every blob again.
      await skopeo.copy(`docker://${berth.hostPort}/${REPOSITORY}:v1`, `oci:${join(work, `pulled-${pull}`)}:v1`, { srcTls: PLAIN_HTTP });
    }
    const batch = JSON.parse((await awsCli(berth, ['ecr', 'batch-get-image', '--repository-name', REPOSITORY, '--image-ids', 'imageTag=v1'])).stdout) as { images: unknown[] };
    assert.equal(batch.images.length, 1);
  });

  it('DescribeImages: imageSizeInBytes is the image\'s blob bytes, and the pull time shows at once', async () => {
    const described = JSON.parse((await awsCli(berth, ['ecr', 'describe-images', '--repository-name', REPOSITORY])).stdout) as {
      imageDetails: Array<{ imageDigest: string; imageSizeInBytes: number; lastRecordedPullTime?: number }>;
    };
    const [detail] = described.imageDetails;
    assert.equal(detail!.imageDigest, image.manifest.digest);
    assert.equal(detail!.imageSizeInBytes, blobBytes());
    assert.ok(detail!.lastRecordedPullTime !== undefined && Math.abs(detail!.lastRecordedPullTime - Date.now() / 1000) < 120, 'pulled just now');
  });

  it('another repository mounts the blobs and pushes the same manifest: no blob bytes in, stored in both, once in the registry', async () => {
    for (const blob of [image.config, ...image.layers.map((layer) => layer.descriptor)]) {
      const mounted = await adminFetch(berth, `/v2/${MOUNTED}/blobs/uploads/?mount=${blob.digest}&from=${REPOSITORY}`, { method: 'POST' });
      assert.equal(mounted.status, 201, `mounted ${blob.digest}`);
    }
    const put = await adminFetch(berth, `/v2/${MOUNTED}/manifests/v1`, { method: 'PUT', body: image.manifestBytes, headers: { 'Content-Type': MEDIA_TYPES.ociManifest } });
    assert.equal(put.status, 201);
  });

  it('the ECR layer API (UploadLayerPart, in two parts per blob) and PutImage count as bytes in and a push', async () => {
    await awsCli(berth, ['ecr', 'create-repository', '--repository-name', VIA_ECR]);
    const blobs = [image.configBytes, ...image.layers.map((layer) => layer.gzip)];
    for (const [index, blob] of blobs.entries()) {
      const { uploadId } = JSON.parse((await awsCli(berth, ['ecr', 'initiate-layer-upload', '--repository-name', VIA_ECR])).stdout) as { uploadId: string };
      const half = Math.floor(blob.length / 2);
      for (const [first, last] of [[0, half - 1], [half, blob.length - 1]] as const) {
        const part = join(work, `part-${index}-${first}`);
        await writeFile(part, blob.subarray(first, last + 1));
        await awsCli(berth, ['ecr', 'upload-layer-part', '--repository-name', VIA_ECR, '--upload-id', uploadId, '--part-first-byte', String(first), '--part-last-byte', String(last), '--layer-part-blob', `fileb://${part}`]);
      }
      const digest = index === 0 ? image.config.digest : image.layers[index - 1]!.descriptor.digest;
      await awsCli(berth, ['ecr', 'complete-layer-upload', '--repository-name', VIA_ECR, '--upload-id', uploadId, '--layer-digests', digest]);
    }
    const manifestFile = join(work, 'manifest.json');
    await writeFile(manifestFile, image.manifestBytes);
    await awsCli(berth, ['ecr', 'put-image', '--repository-name', VIA_ECR, '--image-tag', 'v1', '--image-manifest', `file://${manifestFile}`]);
  });

  it('`berth usage --format json` agrees with the bytes pushed and pulled', async () => {
    const pulled = PULLS * (blobBytes() + manifestBytes()) + manifestBytes();
    const report = await settledReport(
      (candidate) => row(candidate, REPOSITORY)?.pulls === PULLS + 1 && row(candidate, MOUNTED)?.pushes === 1 && row(candidate, VIA_ECR)?.pushes === 1,
    );
    assert.deepEqual(row(report, REPOSITORY), {
      ...row(report, REPOSITORY),
      storedBytes: blobBytes(),
      bytesIn: blobBytes() + manifestBytes(),
      bytesOut: pulled,
      pushes: 1,
      pulls: PULLS + 1,
    });
    assert.deepEqual(row(report, MOUNTED), { ...row(report, MOUNTED), storedBytes: blobBytes(), bytesIn: manifestBytes(), bytesOut: 0, pushes: 1, pulls: 0 });
    assert.deepEqual(row(report, VIA_ECR), { ...row(report, VIA_ECR), storedBytes: blobBytes(), bytesIn: blobBytes() + manifestBytes(), bytesOut: 0, pushes: 1, pulls: 0 });
    assert.equal(report.total.storedBytes, 3 * blobBytes(), 'as ECR bills: each repository its own layers');
    assert.equal(report.registry.storedBytes, blobBytes(), 'after deduplication: each blob once');
    assert.equal(report.total.bytesIn, 2 * blobBytes() + 3 * manifestBytes());
    assert.equal(report.total.bytesOut, pulled);
  });

  it('GET /metrics agrees: bytes in and out, pushes, pulls, stored bytes, requests by operation', async () => {
    const text = await metrics();
    assert.equal(sample(text, 'berth_received_bytes_total'), 2 * blobBytes() + 3 * manifestBytes());
    assert.equal(sample(text, 'berth_sent_bytes_total'), PULLS * (blobBytes() + manifestBytes()) + manifestBytes());
    assert.equal(sample(text, 'berth_pushes_total'), 3);
    assert.equal(sample(text, 'berth_pulls_total'), PULLS + 1);
    assert.equal(sample(text, 'berth_stored_bytes'), blobBytes());
    assert.equal(sample(text, 'berth_http_requests_total{operation="manifest.get",status="200"}'), PULLS);
    assert.equal(sample(text, 'berth_http_requests_total{operation="manifest.put",status="201"}'), 2);
    assert.equal(sample(text, 'berth_http_requests_total{operation="blob.get",status="200"}'), PULLS * (1 + image.layers.length));
    assert.equal(sample(text, 'berth_http_requests_total{operation="ecr.BatchGetImage",status="200"}'), 1);
    assert.equal(sample(text, 'berth_http_requests_total{operation="ecr.DescribeImages",status="200"}'), 1);
    assert.equal(sample(text, 'berth_http_requests_total{operation="ecr.UploadLayerPart",status="200"}'), 2 * (1 + image.layers.length));
    assert.equal(sample(text, 'berth_http_requests_total{operation="ecr.PutImage",status="200"}'), 1);
    assert.match(text, /^berth_http_request_duration_seconds_bucket\{le="\+Inf",operation="manifest\.get",status="200"\} 3$/m);
    assert.doesNotMatch(text, /metered\//, 'no repository names in the metrics');
  });

  it('a restart loses no count: the server flushes when it stops', async () => {
    const before = await usageReport();
    await berth.stop();
    // An hour between flushes: only the flush at shutdown can write this server's counts.
    berth = await startBerth({ dataDir, env: { BERTH_USAGE_FLUSH_INTERVAL: '1h' } });
    const password = (await awsCli(berth, ['ecr', 'get-login-password'])).stdout.trim();
    await skopeo.login(berth.hostPort, { username: 'AWS', password }, PLAIN_HTTP);
    await skopeo.copy(`docker://${berth.hostPort}/${REPOSITORY}:v1`, `oci:${join(work, 'pulled-after-restart')}:v1`, { srcTls: PLAIN_HTTP });
    await berth.stop();
    berth = await startBerth({ dataDir });
    const afterRestart = await usageReport();
    assert.deepEqual(row(afterRestart, REPOSITORY), {
      ...row(before, REPOSITORY)!,
      bytesOut: row(before, REPOSITORY)!.bytesOut + blobBytes() + manifestBytes(),
      pulls: row(before, REPOSITORY)!.pulls + 1,
    });
  });
});
