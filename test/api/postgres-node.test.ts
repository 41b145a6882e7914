// `berth serve` on PostgreSQL (BERTH_DATABASE_URL) with the filesystem blob store: two
// nodes on one database and one data directory, as a scale-out deployment behind a
// load balancer would be (the blob directory standing in for shared storage). A push
// through one node's /v2/ pulls from the other with the same login, the control plane
// of either node sees it, `berth admin` works on the same database, and the database
// password is never logged.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DescribeImagesCommand, DescribeRepositoriesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { berthMain, startBerth, type BerthProcess } from '../helpers/berth-process.ts';
import { run } from '../helpers/clients.ts';
import { postgresMissing, startTestPostgres, type TestPostgres } from '../helpers/postgres.ts';
import { administratorKey, type RegistryLogin } from '../helpers/registry-login.ts';

const missing = postgresMissing();
const skip = missing ?? false;
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

let postgres: TestPostgres | undefined;
let databaseUrl: string;
let nodeA: BerthProcess;
let nodeB: BerthProcess;

before(async () => {
  if (missing !== undefined) return;
  postgres = await startTestPostgres();
  databaseUrl = await postgres.createDatabase();
  const env = { BERTH_DATABASE_URL: databaseUrl };
  // The first node migrates the database, makes the server key and the administrator;
  // the second finds all three.
  nodeA = await startBerth({ env });
  nodeB = await startBerth({ env, dataDir: nodeA.dataDir });
});

after(async () => {
  await nodeB?.stop();
  await nodeA?.stop();
  await postgres?.stop();
});

function sha256(data: Buffer): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

async function pushBlob(node: BerthProcess, login: RegistryLogin, repository: string, blob: Buffer): Promise<string> {
  const digest = sha256(blob);
  const started = await fetch(`${node.url}/v2/${repository}/blobs/uploads/`, { method: 'POST', headers: { authorization: login.authorization } });
  assert.equal(started.status, 202, await started.text());
  const location = new URL(started.headers.get('location')!, node.url);
  location.searchParams.set('digest', digest);
  const put = await fetch(location, {
    method: 'PUT',
    headers: { authorization: login.authorization, 'content-type': 'application/octet-stream' },
    body: blob,
  });
  assert.equal(put.status, 201, await put.text());
  return digest;
}

test('two nodes on one PostgreSQL database: push through one, pull through the other, the control plane of both sees it', { skip }, async () => {
  assert.equal(existsSync(join(nodeA.dataDir, 'berth.db')), false, 'no SQLite database is made');
  const login = await nodeA.login();
  const repository = 'scale/out';
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } }));
  const layer = Buffer.from('a layer pushed to node A '.repeat(100));
  const configDigest = await pushBlob(nodeA, login, repository, config);
  const layerDigest = await pushBlob(nodeA, login, repository, layer);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: config.length },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: layerDigest, size: layer.length }],
    }),
  );
  const pushed = await fetch(`${nodeA.url}/v2/${repository}/manifests/v1`, {
    method: 'PUT',
    headers: { authorization: login.authorization, 'content-type': OCI_MANIFEST },
    body: manifest,
  });
  assert.equal(pushed.status, 201, await pushed.text());
  assert.equal(pushed.headers.get('docker-content-digest'), sha256(manifest));

  // Node B: the same login (tokens are signed by the shared server key), the same rows.
  const pulled = await fetch(`${nodeB.url}/v2/${repository}/manifests/v1`, { headers: { authorization: login.authorization, accept: OCI_MANIFEST } });
  assert.equal(pulled.status, 200);
  assert.equal(Buffer.compare(Buffer.from(await pulled.arrayBuffer()), manifest), 0, 'node B serves the exact bytes node A stored');
  const blob = await fetch(`${nodeB.url}/v2/${repository}/blobs/${layerDigest}`, { headers: { authorization: login.authorization } });
  assert.equal(blob.status, 200);
  assert.equal(Buffer.compare(Buffer.from(await blob.arrayBuffer()), layer), 0);
  const tags = await fetch(`${nodeB.url}/v2/${repository}/tags/list`, { headers: { authorization: login.authorization } });
  assert.deepEqual(await tags.json(), { name: repository, tags: ['v1'] });

  const key = await administratorKey(nodeA.dataDir);
  for (const node of [nodeA, nodeB]) {
    const ecr = new ECRClient({ endpoint: node.url, region: 'us-east-1', credentials: key, maxAttempts: 1 });
    try {
      const repositories = await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [repository] }));
      assert.equal(repositories.repositories?.[0]?.repositoryName, repository);
      const images = await ecr.send(new DescribeImagesCommand({ repositoryName: repository }));
      assert.deepEqual(
        images.imageDetails?.map((image) => ({ digest: image.imageDigest, tags: image.imageTags, size: image.imageSizeInBytes })),
        [{ digest: sha256(manifest), tags: ['v1'], size: config.length + layer.length }],
      );
    } finally {
      ecr.destroy();
    }
  }
});

test('berth admin works on the same PostgreSQL database as the running nodes', { skip }, async () => {
  const env = { ...process.env, BERTH_DATABASE_URL: databaseUrl, BERTH_LOG_LEVEL: 'silent' };
  const created = await run(process.execPath, [berthMain, 'admin', 'create-user', '--user-name', 'ci-bot', '--data-dir', nodeA.dataDir], { env });
  assert.equal((JSON.parse(created.stdout) as { User: { UserName: string } }).User.UserName, 'ci-bot');
  const listed = await run(process.execPath, [berthMain, 'admin', 'list-users', '--data-dir', nodeA.dataDir], { env });
  assert.deepEqual(
    (JSON.parse(listed.stdout) as { Users: Array<{ UserName: string }> }).Users.map((user) => user.UserName),
    ['admin', 'ci-bot'],
    'the administrator node A made and the user just created',
  );
});

test('the nodes log where the metadata is without the database password', { skip }, () => {
  const password = new URL(databaseUrl).password;
  assert.ok(password.length > 0, 'the test URL carries a password');
  for (const node of [nodeA, nodeB]) {
    assert.ok(node.logs.some((line) => line.includes('metadata in PostgreSQL') && line.includes(':***@127.0.0.1')), node.logs.join('\n'));
    assert.equal(node.logs.filter((line) => line.includes(password)).length, 0, 'a log line shows the password');
  }
});

test('an unreachable database stops the start with a message that names it without its password', { skip }, async () => {
  const url = new URL(databaseUrl);
  url.port = '1';
  await assert.rejects(startBerth({ env: { BERTH_DATABASE_URL: url.toString() }, timeoutMs: 20_000 }), (error: Error) => {
    assert.match(error.message, /cannot open the PostgreSQL database postgres:\/\/berth:\*\*\*@127\.0\.0\.1:1\//);
    assert.equal(error.message.includes(url.password), false, error.message);
    return true;
  });
});
