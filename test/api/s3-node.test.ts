// `berth serve` with BERTH_STORAGE=s3 against an S3-compatible server the test starts
// itself: images pushed and pulled over the registry API (fetch with a login, and
// skopeo), blob GETs answered with a 307 to a presigned S3 URL (or streamed when
// storage.s3.redirect is off), an upload continued across two worker processes on one
// bucket, and a missing bucket refused at start-up in one line.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { access, mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { ECRClient, GetDownloadUrlForLayerCommand } from '@aws-sdk/client-ecr';
import { administratorKey } from '../helpers/registry-login.ts';
import { createS3Client } from '../../src/storage/blob/s3/s3-client.ts';
import { startBerth, type BerthProcess } from '../helpers/berth-process.ts';
import { missingTools, Skopeo, ToolSandbox } from '../helpers/clients.ts';
import { buildTestImages, MEDIA_TYPES, OciLayout } from '../helpers/oci-images.ts';
import { startS3TestServer, type S3TestServer } from '../helpers/s3/s3-test-server.ts';

const MiB = 1024 * 1024;
let s3: S3TestServer;
/** The S3 endpoint under another host name than Berth's, as in production: clients must not send Berth's credentials there. */
let endpoint: string;

before(async () => {
  s3 = await startS3TestServer();
  endpoint = s3.endpoint.replace('127.0.0.1', 'localhost');
});
after(async () => {
  await s3?.stop();
});

/** A Berth node on the test bucket; the SDK finds the S3 account through its default chain (AWS_* variables). */
function berthOnS3(options: { prefix: string; redirect?: boolean; args?: string[]; bucket?: string }): Promise<BerthProcess> {
  return startBerth({
    ...(options.args ? { args: options.args } : {}),
    env: {
      BERTH_STORAGE: 's3',
      BERTH_S3_BUCKET: options.bucket ?? s3.bucket,
      BERTH_S3_ENDPOINT: endpoint,
      BERTH_S3_PREFIX: options.prefix,
      BERTH_S3_REDIRECT: String(options.redirect ?? true),
      ...s3.env,
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
      AWS_EC2_METADATA_DISABLED: 'true',
    },
  });
}

function sha256(data: Buffer): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** A registry client made of fetch calls with the administrator's login. */
function registryClient(berth: BerthProcess, authorization: string) {
  const call = (method: string, path: string, init: { headers?: Record<string, string>; body?: Buffer; redirect?: 'manual' | 'follow' } = {}) =>
    fetch(path.startsWith('http') ? path : `${berth.url}${path}`, {
      method,
      headers: { Authorization: authorization, ...init.headers },
      ...(init.body ? { body: init.body } : {}),
      redirect: init.redirect ?? 'manual',
    });
  return {
    call,
    /** A chunked upload: POST, one PATCH per piece, PUT with the digest. */
    async pushChunked(repository: string, pieces: Buffer[]): Promise<string> {
      const digest = sha256(Buffer.concat(pieces));
      const started = await call('POST', `/v2/${repository}/blobs/uploads/`);
      assert.equal(started.status, 202);
      let location = started.headers.get('location')!;
      let offset = 0;
      for (const piece of pieces) {
        const patched = await call('PATCH', location, {
          headers: { 'Content-Type': 'application/octet-stream', 'Content-Range': `${offset}-${offset + piece.length - 1}` },
          body: piece,
        });
        assert.equal(patched.status, 202, await patched.text());
        offset += piece.length;
        location = patched.headers.get('location')!;
      }
      const done = await call('PUT', `${location}${location.includes('?') ? '&' : '?'}digest=${digest}`);
      assert.equal(done.status, 201, await done.text());
      return digest;
    },
    /** A monolithic upload: POST with the digest and the whole blob. */
    async pushWhole(repository: string, blob: Buffer): Promise<string> {
      const digest = sha256(blob);
      const done = await call('POST', `/v2/${repository}/blobs/uploads/?digest=${digest}`, { headers: { 'Content-Type': 'application/octet-stream' }, body: blob });
      assert.equal(done.status, 201, await done.text());
      return digest;
    },
  };
}

describe('berth on S3 with redirects (the default)', () => {
  let berth: BerthProcess;
  let client: ReturnType<typeof registryClient>;
  const prefix = `node-${randomUUID()}/`;
  const layer = randomBytes(10 * MiB + 3);
  let layerDigest: string;

  before(async () => {
    berth = await berthOnS3({ prefix });
    client = registryClient(berth, (await berth.login()).authorization);
  });
  after(async () => {
    await berth?.stop();
  });

  test('a pushed image lands in the bucket, not in the data directory', async () => {
    // Chunks of a byte, 6 MiB and the rest: none of them is an S3 part.
    layerDigest = await client.pushChunked('apps/web', [layer.subarray(0, 1), layer.subarray(1, 6 * MiB + 1), layer.subarray(6 * MiB + 1)]);
    const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [layerDigest] } }));
    const configDigest = await client.pushWhole('apps/web', config);
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MEDIA_TYPES.ociManifest,
        config: { mediaType: MEDIA_TYPES.ociConfig, digest: configDigest, size: config.length },
        layers: [{ mediaType: MEDIA_TYPES.ociLayerGzip, digest: layerDigest, size: layer.length }],
      }),
    );
    const put = await client.call('PUT', '/v2/apps/web/manifests/v1', { headers: { 'Content-Type': MEDIA_TYPES.ociManifest }, body: manifest });
    assert.equal(put.status, 201, await put.text());

    const inspector = createS3Client({ endpoint: s3.endpoint, region: s3.region, forcePathStyle: true, credentials: s3.credentials });
    try {
      const listed = await inspector.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: prefix }));
      const keys = (listed.Contents ?? []).map((object) => object.Key).sort();
      assert.deepEqual(keys, [configDigest, layerDigest].map((digest) => `${prefix}blobs/sha256/${digest.slice(7, 9)}/${digest.slice(7)}`).sort());
    } finally {
      inspector.destroy();
    }
    await assert.rejects(access(join(berth.dataDir, 'blobs')), { code: 'ENOENT' });
  });

  test('a blob GET answers 307 to a presigned URL that serves the bytes and ranges without a login', async () => {
    const redirected = await client.call('GET', `/v2/apps/web/blobs/${layerDigest}`);
    assert.equal(redirected.status, 307);
    assert.equal(redirected.headers.get('docker-content-digest'), layerDigest);
    const location = redirected.headers.get('location')!;
    assert.ok(location.startsWith(`${endpoint}/${s3.bucket}/${prefix}blobs/sha256/`), location);
    const fromS3 = await fetch(location);
    assert.equal(fromS3.status, 200);
    assert.equal(sha256(Buffer.from(await fromS3.arrayBuffer())), layerDigest);

    const ranged = await client.call('GET', `/v2/apps/web/blobs/${layerDigest}`, { headers: { Range: 'bytes=7-16' } });
    assert.equal(ranged.status, 307);
    const part = await fetch(ranged.headers.get('location')!, { headers: { Range: 'bytes=7-16' } });
    assert.equal(part.status, 206);
    assert.deepEqual(Buffer.from(await part.arrayBuffer()), layer.subarray(7, 17));

    // A client that follows redirects gets the bytes (fetch drops the registry login on the way to another origin).
    const followed = await client.call('GET', `/v2/apps/web/blobs/${layerDigest}`, { redirect: 'follow' });
    assert.equal(followed.status, 200);
    assert.equal(sha256(Buffer.from(await followed.arrayBuffer())), layerDigest);
  });

  test('GetDownloadUrlForLayer answers the store\'s own presigned URL, as ECR answers an S3 one', async () => {
    const ecr = new ECRClient({ endpoint: berth.url, region: 'us-east-1', credentials: await administratorKey(berth.dataDir), maxAttempts: 1 });
    try {
      const { downloadUrl, layerDigest: answered } = await ecr.send(new GetDownloadUrlForLayerCommand({ repositoryName: 'apps/web', layerDigest }));
      assert.equal(answered, layerDigest);
      assert.ok(downloadUrl!.startsWith(`${endpoint}/${s3.bucket}/${prefix}blobs/sha256/`), downloadUrl);
      const fromS3 = await fetch(downloadUrl!);
      assert.equal(fromS3.status, 200);
      assert.equal(sha256(Buffer.from(await fromS3.arrayBuffer())), layerDigest);
    } finally {
      ecr.destroy();
    }
  });

  test('HEAD, manifests and refusals are answered by Berth itself', async () => {
    const head = await client.call('HEAD', `/v2/apps/web/blobs/${layerDigest}`);
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('content-length'), String(layer.length));
    assert.equal(head.headers.get('location'), null);
    const manifest = await client.call('GET', '/v2/apps/web/manifests/v1', { headers: { Accept: MEDIA_TYPES.ociManifest } });
    assert.equal(manifest.status, 200);
    await manifest.arrayBuffer();
    const unknown = await client.call('GET', `/v2/apps/web/blobs/${sha256(Buffer.from('absent'))}`);
    assert.equal(unknown.status, 404);
    await unknown.arrayBuffer();
    const anonymous = await fetch(`${berth.url}/v2/apps/web/blobs/${layerDigest}`, { redirect: 'manual' });
    assert.equal(anonymous.status, 401, 'no presigned URL without authorization');
    await anonymous.arrayBuffer();
  });

  test('usage metering counts a redirected download as the bytes it hands over (docs/usage.md)', async () => {
    const sent = async () => {
      const text = await (await fetch(`${berth.url}/metrics`)).text();
      return Number(/^berth_sent_bytes_total (\d+)$/m.exec(text)![1]);
    };
    const before = await sent();
    const whole = await client.call('GET', `/v2/apps/web/blobs/${layerDigest}`);
    assert.equal(whole.status, 307);
    await whole.arrayBuffer();
    assert.equal(await sent(), before + layer.length, 'a 307: the blob\'s size');
    const ranged = await client.call('GET', `/v2/apps/web/blobs/${layerDigest}`, { headers: { Range: 'bytes=7-16' } });
    assert.equal(ranged.status, 307);
    await ranged.arrayBuffer();
    assert.equal(await sent(), before + layer.length + 10, 'a ranged 307: the range');
    const ecr = new ECRClient({ endpoint: berth.url, region: 'us-east-1', credentials: await administratorKey(berth.dataDir), maxAttempts: 1 });
    try {
      await ecr.send(new GetDownloadUrlForLayerCommand({ repositoryName: 'apps/web', layerDigest }));
    } finally {
      ecr.destroy();
    }
    assert.equal(await sent(), before + 2 * layer.length + 10, 'a presigned URL from GetDownloadUrlForLayer: the layer\'s size');
  });

  const missing = missingTools('skopeo');
  test('skopeo pushes an image and pulls it back through the redirects', { skip: missing.length ? `not installed: ${missing.join(', ')}` : false, timeout: 120_000 }, async () => {
    const work = await mkdtemp(join(tmpdir(), 'berth-s3-skopeo-'));
    const sandbox = await ToolSandbox.create();
    try {
      // Layers larger than one 8 MiB segment: committed as multipart uploads of server-side copies.
      const images = await buildTestImages(join(work, 'source'), { layerBytes: 9 * MiB });
      const skopeo = new Skopeo(sandbox);
      const plainHttp = { scheme: 'http' } as const;
      await skopeo.login(berth.hostPort, await berth.login(), plainHttp);
      await skopeo.copy(`oci:${images.layout.dir}:single`, `docker://${berth.hostPort}/team/api:v1`, { destTls: plainHttp });
      await skopeo.copy(`docker://${berth.hostPort}/team/api:v1`, `oci:${join(work, 'pulled')}:v1`, { srcTls: plainHttp });
      const pulled = new OciLayout(join(work, 'pulled'));
      const root = await pulled.resolve('v1');
      assert.equal(root.digest, images.single.manifest.digest);
      const blobs = await pulled.verifyTree(root);
      for (const layer of images.single.layers) assert.ok(blobs.has(layer.descriptor.digest), `layer ${layer.descriptor.digest} pulled`);
      const served = berth.logs.filter((line) => line.includes('"status":307')).length;
      assert.ok(served >= images.single.layers.length, `${served} redirects in the access log`);
    } finally {
      await sandbox.cleanup();
      await rm(work, { recursive: true, force: true });
    }
  });
});

test('with storage.s3.redirect off, blob GETs stream through Berth', async () => {
  const berth = await berthOnS3({ prefix: `streamed-${randomUUID()}/`, redirect: false });
  try {
    const client = registryClient(berth, (await berth.login()).authorization);
    const blob = randomBytes(3 * MiB + 5);
    const digest = await client.pushWhole('apps/streamed', blob);
    const whole = await client.call('GET', `/v2/apps/streamed/blobs/${digest}`);
    assert.equal(whole.status, 200);
    assert.equal(whole.headers.get('location'), null);
    assert.equal(sha256(Buffer.from(await whole.arrayBuffer())), digest);
    const ranged = await client.call('GET', `/v2/apps/streamed/blobs/${digest}`, { headers: { Range: `bytes=${blob.length - 4}-` } });
    assert.equal(ranged.status, 206);
    assert.deepEqual(Buffer.from(await ranged.arrayBuffer()), blob.subarray(blob.length - 4));
  } finally {
    await berth.stop();
  }
});

test('two worker processes on one bucket continue each other’s uploads', { timeout: 60_000 }, async () => {
  const berth = await berthOnS3({ prefix: `workers-${randomUUID()}/`, args: ['--workers', '2'] });
  try {
    const authorization = (await berth.login()).authorization;
    /** One request on a fresh connection, so that the kernel spreads them over the workers. */
    const call = (method: string, path: string, headers: Record<string, string | number> = {}, body?: Buffer) =>
      new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }>((resolve, reject) => {
        const req = request(`${berth.url}${path}`, { method, headers: { Authorization: authorization, ...headers }, agent: false }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        });
        req.on('error', reject);
        req.end(body);
      });
    const parts = [randomBytes(1), randomBytes(3 * MiB), randomBytes(17), randomBytes(6 * MiB + 1), randomBytes(64 * 1024), randomBytes(5)];
    const digest = sha256(Buffer.concat(parts));
    const started = await call('POST', '/v2/workers/app/blobs/uploads/');
    assert.equal(started.status, 202);
    let location = String(started.headers.location);
    let offset = 0;
    for (const part of parts) {
      const patched = await call('PATCH', location, { 'Content-Range': `${offset}-${offset + part.length - 1}`, 'Content-Length': part.length }, part);
      assert.equal(patched.status, 202, patched.body.toString());
      offset += part.length;
      location = String(patched.headers.location);
    }
    const done = await call('PUT', `${location}?digest=${digest}`);
    assert.equal(done.status, 201, done.body.toString());
    for (let i = 0; i < 12; i++) assert.equal((await call('GET', '/v2/')).status, 200);
    await new Promise((resolve) => setTimeout(resolve, 100)); // let the access-log lines arrive
    const pids = new Set<number>();
    for (const line of berth.logs) {
      try {
        const entry = JSON.parse(line) as { msg?: string; pid?: number; method?: string };
        if (entry.msg === 'request' && entry.pid !== undefined) pids.add(entry.pid);
      } catch {
        // the banner
      }
    }
    assert.equal(pids.size, 2, 'both workers answered requests');
    const redirected = await call('GET', `/v2/workers/app/blobs/${digest}`);
    assert.equal(redirected.status, 307);
    const fromS3 = await fetch(String(redirected.headers.location));
    assert.equal(sha256(Buffer.from(await fromS3.arrayBuffer())), digest);
  } finally {
    await berth.stop();
  }
});

test('a bucket that does not exist stops `berth serve` at start-up with one clear line', async () => {
  await assert.rejects(berthOnS3({ prefix: '', bucket: 'no-such-bucket' }), (error: Error) => {
    assert.match(error.message, /berth exited with 1 before listening/);
    assert.match(error.message, /berth: cannot open the blob store: s3: cannot use bucket "no-such-bucket": it does not exist/);
    assert.doesNotMatch(error.message, /\n\s+at /, 'no stack trace');
    return true;
  });
});
