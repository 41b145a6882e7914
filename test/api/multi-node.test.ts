// Several stateless nodes: `berth serve` processes with data directories of their own,
// on one PostgreSQL database (test/helpers/postgres.ts) and one S3 bucket
// (test/helpers/s3/), sharing nothing else but the server key — node A reads it from a
// file (BERTH_SERVER_KEY_FILE), node B gets it as BERTH_SERVER_KEY. What the scale-out
// issue asks of them:
// - a chunked push whose requests alternate between the nodes, with one login, pulled
//   from the other node;
// - tag races from both nodes, on mutable and immutable repositories;
// - the control plane and IAM working on either node, a deactivated key refused at once
//   on the other;
// - the administrator created once by nodes starting together; nodes with another key
//   refused at start-up;
// - the upload purge on one node at a time, taken over when that node is killed in the
//   middle of an upload, which the other node then finishes.
// Every node and service is started here and stopped by its PID.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { CreateRepositoryCommand, DescribeRepositoriesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand, UpdateAccessKeyCommand } from '@aws-sdk/client-iam';
import { berthMain, startBerth, type BerthProcess } from '../helpers/berth-process.ts';
import { ClientError, run } from '../helpers/clients.ts';
import { postgresMissing, startTestPostgres, type TestPostgres } from '../helpers/postgres.ts';
import { administratorKey, basicLogin, loginWithKey, type AccessKey, type RegistryLogin } from '../helpers/registry-login.ts';
import { startS3TestServer, type S3TestServer } from '../helpers/s3/s3-test-server.ts';
import { until as untilPolled } from '../helpers/until.ts';

const missing = postgresMissing();
const skip = missing ?? false;
const MiB = 1024 * 1024;
const REGION = 'us-east-1';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
const OCI_LAYER = 'application/vnd.oci.image.layer.v1.tar+gzip';
/** How often the upload purge runs, and after how long an idle upload goes (short, to see it happen). */
const PURGE_INTERVAL = '1s';
const PURGE_AFTER_SECONDS = 6;

let postgres: TestPostgres | undefined;
let s3: S3TestServer | undefined;
let secrets: string;
let serverKey: Buffer;
let keyFile: string;
let databaseUrl: string;
let sql: pg.Client;
let nodeA: BerthProcess;
let nodeB: BerthProcess;
/** The administrator's key: in node A's data directory, the node that started first. */
let admin: AccessKey;
/** A login (GetAuthorizationToken) from node A, used on both nodes. */
let login: RegistryLogin;
const started: BerthProcess[] = [];

type KeyGiven = 'file' | 'value' | { readonly value: Buffer } | 'generated';

/** A node on the shared database and bucket, with a fresh data directory of its own. */
async function startNode(options: { key: KeyGiven; database?: string; prefix?: string }): Promise<BerthProcess> {
  const key: Record<string, string> =
    options.key === 'file'
      ? { BERTH_SERVER_KEY_FILE: keyFile }
      : options.key === 'value'
        ? { BERTH_SERVER_KEY: serverKey.toString('base64') }
        : options.key === 'generated'
          ? {}
          : { BERTH_SERVER_KEY: options.key.value.toString('base64') };
  const node = await startBerth({
    // Three nodes starting at once on a machine busy with the rest of the suite take a while.
    timeoutMs: 60_000,
    env: {
      BERTH_DATABASE_URL: options.database ?? databaseUrl,
      BERTH_STORAGE: 's3',
      BERTH_S3_BUCKET: s3!.bucket,
      // Another host name than the nodes': a client following a redirect must not take its login there.
      BERTH_S3_ENDPOINT: s3!.endpoint.replace('127.0.0.1', 'localhost'),
      BERTH_S3_PREFIX: options.prefix ?? 'registry/',
      BERTH_UPLOADS_PURGE_INTERVAL: PURGE_INTERVAL,
      BERTH_UPLOADS_PURGE_AFTER: `${PURGE_AFTER_SECONDS}s`,
      ...key,
      ...s3!.env,
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
      AWS_EC2_METADATA_DISABLED: 'true',
    },
  });
  started.push(node);
  return node;
}

before(async () => {
  if (missing !== undefined) return;
  [postgres, s3] = await Promise.all([startTestPostgres(), startS3TestServer()]);
  databaseUrl = await postgres.createDatabase();
  sql = new pg.Client({ connectionString: databaseUrl });
  secrets = await mkdtemp(join(tmpdir(), 'berth-multi-node-'));
  serverKey = randomBytes(32);
  keyFile = join(secrets, 'server.key');
  await writeFile(keyFile, serverKey, { mode: 0o600 });
  // A starts first on the empty database: it migrates it, claims the key check and
  // creates the administrator, whose key lands in A's data directory only.
  nodeA = await startNode({ key: 'file' });
  nodeB = await startNode({ key: 'value' });
  await sql.connect();
  admin = await administratorKey(nodeA.dataDir);
  login = await nodeA.login();
});

after(async () => {
  for (const node of started) await node.stop('SIGKILL');
  await sql?.end();
  await s3?.stop();
  await postgres?.stop();
  if (secrets) await rm(secrets, { recursive: true, force: true });
});

function sha256(data: Buffer): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Buffer;
}

/** One registry request to `node`; a Location of another node is taken by its path and query, which is what a load balancer would send on. */
async function call(node: BerthProcess, method: string, path: string, init: { headers?: Record<string, string>; body?: Buffer; authorization?: string } = {}): Promise<Answer> {
  const target = new URL(path, node.url);
  const url = `${node.url}${target.pathname}${target.search}`;
  const response = await fetch(url, {
    method,
    headers: { authorization: init.authorization ?? login.authorization, ...init.headers },
    ...(init.body ? { body: init.body } : {}),
    redirect: 'manual',
  });
  return { status: response.status, headers: response.headers, body: Buffer.from(await response.arrayBuffer()) };
}

/** A blob as a client pulls it: from the node, or from the bucket when the node redirects there. */
async function pullBlob(node: BerthProcess, repository: string, digest: string): Promise<Buffer> {
  const answer = await call(node, 'GET', `/v2/${repository}/blobs/${digest}`);
  if (answer.status === 200) return answer.body;
  assert.equal(answer.status, 307, answer.body.toString());
  const fromBucket = await fetch(answer.headers.get('location')!);
  assert.equal(fromBucket.status, 200);
  return Buffer.from(await fromBucket.arrayBuffer());
}

async function pushWhole(node: BerthProcess, repository: string, blob: Buffer): Promise<string> {
  const digest = sha256(blob);
  const done = await call(node, 'POST', `/v2/${repository}/blobs/uploads/?digest=${digest}`, { headers: { 'content-type': 'application/octet-stream' }, body: blob });
  assert.equal(done.status, 201, done.body.toString());
  return digest;
}

function imageManifest(configDigest: string, configSize: number, layers: ReadonlyArray<{ digest: string; size: number }>, annotations?: Record<string, string>): Buffer {
  return Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: OCI_CONFIG, digest: configDigest, size: configSize },
      layers: layers.map((layer) => ({ mediaType: OCI_LAYER, digest: layer.digest, size: layer.size })),
      ...(annotations ? { annotations } : {}),
    }),
  );
}

/** A repository holding one config and one layer, pushed through `node`, for manifests to refer to. */
async function seedRepository(node: BerthProcess, repository: string): Promise<(annotations: Record<string, string>) => Buffer> {
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] }, repository }));
  const layer = randomBytes(4096);
  const configDigest = await pushWhole(node, repository, config);
  const layerDigest = await pushWhole(node, repository, layer);
  return (annotations) => imageManifest(configDigest, config.length, [{ digest: layerDigest, size: layer.length }], annotations);
}

function putManifest(node: BerthProcess, repository: string, reference: string, manifest: Buffer): Promise<Answer> {
  return call(node, 'PUT', `/v2/${repository}/manifests/${reference}`, { headers: { 'content-type': OCI_MANIFEST }, body: manifest });
}

async function getManifest(node: BerthProcess, repository: string, reference: string): Promise<Answer> {
  return call(node, 'GET', `/v2/${repository}/manifests/${reference}`, { headers: { accept: OCI_MANIFEST } });
}

/** Pulls the tag from `node`: the manifest's bytes match its digest, and every blob's bytes theirs. */
async function pullImage(node: BerthProcess, repository: string, tag: string): Promise<{ digest: string; manifest: Buffer }> {
  const answer = await getManifest(node, repository, tag);
  assert.equal(answer.status, 200, answer.body.toString());
  const digest = answer.headers.get('docker-content-digest')!;
  assert.equal(sha256(answer.body), digest, 'the manifest bytes are those of its digest');
  const parsed = JSON.parse(answer.body.toString()) as { config: { digest: string }; layers: Array<{ digest: string }> };
  for (const descriptor of [parsed.config, ...parsed.layers]) {
    assert.equal(sha256(await pullBlob(node, repository, descriptor.digest)), descriptor.digest, `blob ${descriptor.digest} from ${node.url}`);
  }
  return { digest, manifest: answer.body };
}

/** The pid in a lease holder's name (hostname:pid:random). */
async function purgeLeaseHolderPid(): Promise<number | undefined> {
  const row = (await sql.query<{ holder: string }>(`SELECT holder FROM leases WHERE name = 'upload-purge'`)).rows[0];
  return row === undefined ? undefined : Number(row.holder.split(':').at(-2));
}

/** Polls like the shared helper, a little faster and for 20 s. */
const until = <T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000) => untilPolled(what, probe, timeoutMs, 100);

function logged(node: BerthProcess, message: string): number {
  return node.logs.filter((line) => line.includes(`"msg":"${message}`)).length;
}

test('nodes starting together on an empty database: one creates the administrator, its key works on every node', { skip }, async () => {
  const database = await postgres!.createDatabase();
  const prefix = `bootstrap-${randomUUID()}/`;
  const nodes = await Promise.all([0, 1, 2].map((index) => startNode({ key: index === 1 ? 'value' : 'file', database, prefix })));
  try {
    const holders = nodes.filter((node) => existsSync(join(node.dataDir, 'credentials')));
    assert.equal(holders.length, 1, 'exactly one data directory has the credentials file');
    assert.equal(nodes.map((node) => logged(node, 'created the administrator')).reduce((a, b) => a + b), 1, 'one node logged creating it');
    const check = new pg.Client({ connectionString: database });
    await check.connect();
    try {
      const users = await check.query<{ user_name: string }>('SELECT user_name FROM users');
      assert.deepEqual(users.rows.map((row) => row.user_name), ['admin']);
      assert.equal((await check.query('SELECT 1 FROM access_keys')).rowCount, 1, 'one access key');
    } finally {
      await check.end();
    }
    const key = await administratorKey(holders[0]!.dataDir);
    for (const node of nodes) {
      const nodeLogin = await loginWithKey(node.url, key);
      const answer = await call(node, 'GET', '/v2/', { authorization: nodeLogin.authorization });
      assert.equal(answer.status, 200, `${node.url}: ${answer.body.toString()}`);
      const secretLine = node.logs.filter((line) => line.includes(key.secretAccessKey));
      if (node === holders[0]) assert.ok(secretLine.length > 0, 'the node that created it shows the secret once, in its banner');
      else {
        assert.deepEqual(secretLine, [], 'the other nodes never show it');
        assert.ok(node.logs.some((line) => line.includes('The administrator was created by the node (or `berth admin`)')), 'their banner says where the key is');
      }
      for (const shown of [serverKey.toString('base64'), serverKey.toString('hex')]) {
        assert.equal(node.logs.filter((line) => line.includes(shown)).length, 0, 'the server key is never logged');
      }
    }
  } finally {
    for (const node of nodes) await node.stop();
  }
});

test('a node with another server key is refused at start-up, naming where its key came from', { skip }, async () => {
  const wrong = randomBytes(32);
  await assert.rejects(startNode({ key: { value: wrong } }), (error: Error) => {
    assert.match(error.message, /berth exited with 1 before listening/);
    assert.match(
      error.message,
      /berth: the server key \(from environment variable BERTH_SERVER_KEY\) is not the key of the registry in postgres:\/\/berth:\*\*\*@127\.0\.0\.1:\d+\/berth_test_\d+: it cannot open the key check stored there, sealed under another key\. Every node of a registry must use the same server key/,
    );
    assert.equal(error.message.includes(wrong.toString('base64')), false, 'the key is not shown');
    assert.equal(error.message.includes(new URL(databaseUrl).password), false, 'nor the database password');
    assert.doesNotMatch(error.message, /\n\s+at /, 'no stack trace');
    return true;
  });
  // The mistake of leaving the key out: each data directory makes its own.
  await assert.rejects(startNode({ key: 'generated' }), /berth: the server key \(from \S+\/server\.key, made at the first start in this data directory\) is not the key of the registry/);
  // berth admin would seal new keys under it: refused the same way.
  const dataDir = await mkdtemp(join(tmpdir(), 'berth-multi-node-admin-'));
  try {
    const env = { ...process.env, BERTH_DATABASE_URL: databaseUrl, BERTH_SERVER_KEY: wrong.toString('base64'), BERTH_LOG_LEVEL: 'silent' };
    await assert.rejects(run(process.execPath, [berthMain, 'admin', 'create-user', '--user-name', 'sealed-wrong', '--data-dir', dataDir], { env }), (error: ClientError) => {
      assert.equal(error.code, 1);
      assert.match(error.stderr, /^berth: the server key \(from environment variable BERTH_SERVER_KEY\) is not the key of the registry in postgres:/);
      return true;
    });
    assert.equal((await sql.query(`SELECT 1 FROM users WHERE user_name = 'sealed-wrong'`)).rowCount, 0);
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});

test('a chunked push whose every request goes to the other node, with one login, pulled from the other node', { skip }, async () => {
  const repository = 'alternating/app';
  // Pieces across S3 part boundaries: a byte, parts of 3 and 5 MiB, a small one; the PUT brings the rest.
  const layer = randomBytes(12 * MiB + 12_345);
  const cuts = [0, 1, 3 * MiB + 1, 8 * MiB + 7, 8 * MiB + 4096, layer.length - 777];
  const layerDigest = sha256(layer);
  const nodes = [nodeA, nodeB];
  let turn = 0;
  const next = () => nodes[turn++ % 2]!;

  const startedUpload = await call(next(), 'POST', `/v2/${repository}/blobs/uploads/`);
  assert.equal(startedUpload.status, 202, startedUpload.body.toString());
  let location = startedUpload.headers.get('location')!;
  for (let piece = 0; piece + 1 < cuts.length; piece++) {
    const [from, to] = [cuts[piece]!, cuts[piece + 1]!];
    const patched = await call(next(), 'PATCH', location, {
      headers: { 'content-type': 'application/octet-stream', 'content-range': `${from}-${to - 1}` },
      body: layer.subarray(from, to),
    });
    assert.equal(patched.status, 202, `piece ${piece}: ${patched.body.toString()}`);
    assert.equal(patched.headers.get('range'), `0-${to - 1}`);
    location = patched.headers.get('location')!;
  }
  const status = await call(next(), 'GET', location);
  assert.equal(status.status, 204);
  assert.equal(status.headers.get('range'), `0-${cuts.at(-1)! - 1}`, 'either node knows the offset');
  const put = await call(next(), 'PUT', `${location}?digest=${layerDigest}`, {
    headers: { 'content-type': 'application/octet-stream' },
    body: layer.subarray(cuts.at(-1)!),
  });
  assert.equal(put.status, 201, put.body.toString());
  assert.equal(put.headers.get('docker-content-digest'), layerDigest);

  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [layerDigest] } }));
  const configDigest = await pushWhole(next(), repository, config);
  const manifest = imageManifest(configDigest, config.length, [{ digest: layerDigest, size: layer.length }]);
  const pushedTo = next();
  const pushed = await putManifest(pushedTo, repository, 'v1', manifest);
  assert.equal(pushed.status, 201, pushed.body.toString());
  assert.equal(turn, 10, 'ten requests, alternating');

  const pulledFrom = pushedTo === nodeA ? nodeB : nodeA;
  const pulled = await pullImage(pulledFrom, repository, 'v1');
  assert.equal(pulled.digest, sha256(manifest));
  assert.deepEqual(pulled.manifest, manifest);
});

test('tag races from both nodes: the tag ends on one of the manifests, the same on both nodes', { skip, timeout: 120_000 }, async () => {
  const repository = 'races/mutable';
  const manifestFor = await seedRepository(nodeA, repository);
  for (let round = 0; round < 20; round++) {
    const fromA = manifestFor({ round: String(round), node: 'A' });
    const fromB = manifestFor({ round: String(round), node: 'B' });
    const [a, b] = await Promise.all([putManifest(nodeA, repository, 'latest', fromA), putManifest(nodeB, repository, 'latest', fromB)]);
    assert.deepEqual([a.status, b.status], [201, 201], `round ${round}: ${a.body.toString()} ${b.body.toString()}`);
    const onA = await getManifest(nodeA, repository, 'latest');
    const onB = await getManifest(nodeB, repository, 'latest');
    const digest = onA.headers.get('docker-content-digest');
    assert.ok(digest === sha256(fromA) || digest === sha256(fromB), `round ${round}: ${digest}`);
    assert.equal(onB.headers.get('docker-content-digest'), digest, `round ${round}: both nodes resolve the tag alike`);
    assert.equal(sha256(onA.body), digest);
    assert.deepEqual(onB.body, onA.body);
  }
});

test('tag races on an immutable repository: exactly one push wins the tag, the other is refused and stores nothing', { skip, timeout: 120_000 }, async () => {
  const repository = 'races/immutable';
  const ecr = new ECRClient({ endpoint: nodeB.url, region: REGION, credentials: admin, maxAttempts: 1 });
  try {
    await ecr.send(new CreateRepositoryCommand({ repositoryName: repository, imageTagMutability: 'IMMUTABLE' }));
  } finally {
    ecr.destroy();
  }
  const manifestFor = await seedRepository(nodeB, repository);
  for (let round = 0; round < 20; round++) {
    const tag = `release-${round}`;
    const pushes = [manifestFor({ round: String(round), node: 'A' }), manifestFor({ round: String(round), node: 'B' })];
    const answers = await Promise.all([putManifest(nodeA, repository, tag, pushes[0]!), putManifest(nodeB, repository, tag, pushes[1]!)]);
    const winners = answers.flatMap((answer, index) => (answer.status === 201 ? [index] : []));
    assert.equal(winners.length, 1, `round ${round}: ${answers.map((answer) => `${answer.status} ${answer.body.toString()}`).join(' | ')}`);
    const loser = answers[1 - winners[0]!]!;
    assert.equal(loser.status, 400);
    assert.match(loser.body.toString(), /MANIFEST_INVALID/);
    const winner = sha256(pushes[winners[0]!]!);
    for (const node of [nodeA, nodeB]) {
      const resolved = await getManifest(node, repository, tag);
      assert.equal(resolved.headers.get('docker-content-digest'), winner, `round ${round} on ${node.url}`);
      assert.equal((await getManifest(node, repository, sha256(pushes[1 - winners[0]!]!))).status, 404, 'the refused manifest was not stored');
    }
  }
});

test('the control plane and IAM on either node; a key deactivated on one node is refused on the other at once', { skip }, async () => {
  const clients = (node: BerthProcess, credentials: AccessKey) => ({
    ecr: new ECRClient({ endpoint: node.url, region: REGION, credentials, maxAttempts: 1 }),
    iam: new IAMClient({ endpoint: node.url, region: REGION, credentials, maxAttempts: 1 }),
  });
  const onA = clients(nodeA, admin);
  const onB = clients(nodeB, admin);
  try {
    await onA.ecr.send(new CreateRepositoryCommand({ repositoryName: 'control/made-on-a', tags: [{ Key: 'team', Value: 'a' }] }));
    const described = await onB.ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ['control/made-on-a'] }));
    assert.equal(described.repositories?.[0]?.repositoryName, 'control/made-on-a');
    assert.equal(described.repositories?.[0]?.repositoryArn, `arn:aws:ecr:${REGION}:123456789012:repository/control/made-on-a`);

    await onA.iam.send(new CreateUserCommand({ UserName: 'ci-reader' }));
    await onA.iam.send(
      new PutUserPolicyCommand({
        UserName: 'ci-reader',
        PolicyName: 'pull',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: ['ecr:GetAuthorizationToken', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:DescribeRepositories'], Resource: '*' }],
        }),
      }),
    );
    const created = (await onA.iam.send(new CreateAccessKeyCommand({ UserName: 'ci-reader' }))).AccessKey!;
    const ciKey = { accessKeyId: created.AccessKeyId!, secretAccessKey: created.SecretAccessKey! };

    // Made on A, logs in on B; the login from B and the key itself work on A.
    const ciLogin = await loginWithKey(nodeB.url, ciKey);
    const byKey = basicLogin(ciKey.accessKeyId, ciKey.secretAccessKey);
    const reader = clients(nodeB, ciKey);
    try {
      assert.equal((await reader.ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ['control/made-on-a'] }))).repositories?.length, 1);
    } finally {
      reader.ecr.destroy();
      reader.iam.destroy();
    }
    for (const authorization of [ciLogin.authorization, byKey.authorization]) {
      const pulled = await call(nodeA, 'GET', '/v2/alternating/app/manifests/v1', { authorization, headers: { accept: OCI_MANIFEST } });
      assert.equal(pulled.status, 200, pulled.body.toString());
      const pushAttempt = await call(nodeA, 'POST', '/v2/alternating/app/blobs/uploads/', { authorization });
      assert.equal(pushAttempt.status, 403, 'a reader may not push');
    }

    // Deactivated through node B: node A, which just allowed (and kept) the same requests, refuses them.
    await onB.iam.send(new UpdateAccessKeyCommand({ UserName: 'ci-reader', AccessKeyId: ciKey.accessKeyId, Status: 'Inactive' }));
    for (const authorization of [ciLogin.authorization, byKey.authorization]) {
      const refused = await call(nodeA, 'GET', '/v2/alternating/app/manifests/v1', { authorization, headers: { accept: OCI_MANIFEST } });
      assert.equal(refused.status, 401, refused.body.toString());
    }
    await assert.rejects(loginWithKey(nodeA.url, ciKey), { name: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' });
  } finally {
    for (const client of [onA, onB]) {
      client.ecr.destroy();
      client.iam.destroy();
    }
  }
});

test('the upload purge runs on one node at a time: the lease holder removes an abandoned upload', { skip, timeout: 60_000 }, async () => {
  const pids = new Set([nodeA.child.pid, nodeB.child.pid]);
  const holder = await until('a node to take the purge lease', purgeLeaseHolderPid);
  assert.ok(pids.has(holder), `the lease is held by node ${holder}`);
  const startedUpload = await call(nodeA, 'POST', '/v2/abandoned/app/blobs/uploads/');
  const location = startedUpload.headers.get('location')!;
  const patched = await call(nodeB, 'PATCH', location, { headers: { 'content-range': '0-9' }, body: randomBytes(10) });
  assert.equal(patched.status, 202);
  // Watch the lease while the upload ages: it stays with one node.
  const seen = new Set<number | undefined>();
  await until(`the abandoned upload to be purged (after ${PURGE_AFTER_SECONDS} s)`, async () => {
    seen.add(await purgeLeaseHolderPid());
    const status = await call(nodeA, 'GET', location);
    return status.status === 404 ? true : undefined;
  });
  assert.deepEqual([...seen], [holder], 'one holder all along');
  const holderNode = nodeA.child.pid === holder ? nodeA : nodeB;
  const other = holderNode === nodeA ? nodeB : nodeA;
  await until('the purge log line', async () => (logged(holderNode, 'purged abandoned uploads') > 0 ? true : undefined), 5_000);
  assert.equal(logged(other, 'purged abandoned uploads'), 0, 'the other node purged nothing');
});

test('kill -9 of the lease holder in the middle of a chunked upload: the other node finishes the upload and takes the lease over', { skip, timeout: 120_000 }, async () => {
  const repository = 'killed/app';
  const holderPid = await until('a lease holder', purgeLeaseHolderPid);
  const victim = nodeA.child.pid === holderPid ? nodeA : nodeB;
  const survivor = victim === nodeA ? nodeB : nodeA;
  const layer = randomBytes(11 * MiB + 99);
  const cuts = [0, 2 * MiB, 6 * MiB + 3, 9 * MiB, layer.length];
  const layerDigest = sha256(layer);

  const startedUpload = await call(victim, 'POST', `/v2/${repository}/blobs/uploads/`);
  assert.equal(startedUpload.status, 202);
  let location = startedUpload.headers.get('location')!;
  for (const piece of [0, 1]) {
    const patched = await call(victim, 'PATCH', location, {
      headers: { 'content-range': `${cuts[piece]}-${cuts[piece + 1]! - 1}` },
      body: layer.subarray(cuts[piece], cuts[piece + 1]),
    });
    assert.equal(patched.status, 202, patched.body.toString());
    location = patched.headers.get('location')!;
  }

  // The third PATCH is on its way (half of its body sent) when the node dies.
  const inFlight = new Promise<'answered' | 'cut off'>((resolve) => {
    const piece = layer.subarray(cuts[2], cuts[3]);
    const req = request(`${victim.url}${new URL(location, victim.url).pathname}`, {
      method: 'PATCH',
      headers: { authorization: login.authorization, 'content-range': `${cuts[2]}-${cuts[3]! - 1}`, 'content-length': piece.length },
    });
    req.on('error', () => resolve('cut off'));
    req.on('response', (res) => {
      res.resume();
      resolve('answered');
    });
    req.write(piece.subarray(0, piece.length >> 1));
    setTimeout(() => victim.child.kill('SIGKILL'), 300);
  });
  assert.equal(await inFlight, 'cut off', 'the node died with the PATCH half received');
  await new Promise<void>((resolve) => (victim.child.exitCode !== null || victim.child.signalCode !== null ? resolve() : victim.child.once('exit', () => resolve())));

  // The survivor: where does the upload stand, then the rest of it.
  const status = await call(survivor, 'GET', location);
  assert.equal(status.status, 204, status.body.toString());
  const offset = Number(status.headers.get('range')!.split('-')[1]) + 1;
  assert.equal(offset, cuts[2], 'the interrupted chunk counts for nothing');
  const rest = await call(survivor, 'PATCH', location, {
    headers: { 'content-range': `${cuts[2]}-${cuts[3]! - 1}` },
    body: layer.subarray(cuts[2], cuts[3]),
  });
  assert.equal(rest.status, 202, rest.body.toString());
  const put = await call(survivor, 'PUT', `${location}?digest=${layerDigest}`, { body: layer.subarray(cuts[3]), headers: { 'content-type': 'application/octet-stream' } });
  assert.equal(put.status, 201, put.body.toString());
  const config = Buffer.from(JSON.stringify({ architecture: 'arm64', os: 'linux', rootfs: { type: 'layers', diff_ids: [layerDigest] } }));
  const manifest = imageManifest(await pushWhole(survivor, repository, config), config.length, [{ digest: layerDigest, size: layer.length }]);
  assert.equal((await putManifest(survivor, repository, 'v1', manifest)).status, 201);
  assert.equal((await pullImage(survivor, repository, 'v1')).digest, sha256(manifest));

  // The dead node's lease runs out (one purge interval) and the survivor takes the job over.
  const next = await until('the survivor to take the purge lease', async () => ((await purgeLeaseHolderPid()) === survivor.child.pid ? true : undefined));
  assert.equal(next, true);

  // A node added now, with a data directory of its own, serves the same registry.
  const added = await startNode({ key: 'file' });
  assert.equal((await pullImage(added, repository, 'v1')).digest, sha256(manifest));
  assert.equal((await pullImage(added, 'alternating/app', 'v1')).manifest.length > 0, true);
});
