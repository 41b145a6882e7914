// Registry auth as it ships (`registryAuth: required`, the default): the registry API
// wants `AWS:<token>` (from GetAuthorizationToken) or an access key id and its secret,
// and authorizes each request with the caller's policies. A caller without
// credentials gets only what a policy grants "*". `registryAuth: off` serves everyone.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { startBerth, type BerthProcess } from '../helpers/berth-process.ts';
import { administratorKey, basicLogin, type AccessKey } from '../helpers/registry-login.ts';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { missingTools, Skopeo, ToolSandbox } from '../helpers/clients.ts';
import { buildTestImages } from '../helpers/oci-images.ts';
import { awsCli } from '../helpers/aws-cli.ts';
import { pushTinyImage } from '../helpers/tiny-image.ts';

const missing = missingTools('aws');
const skip = missing.length > 0 && `not installed: ${missing.join(', ')}`;
const ACCOUNT = '123456789012';
let berth: BerthProcess;
const sha = (data: Buffer) => `sha256:${createHash('sha256').update(data).digest('hex')}`;

before(async () => {
  berth = await startBerth();
});
after(async () => {
  await berth?.stop();
});

/** The AWS CLI against this Berth, as the administrator unless a user is named. */
const aws = (args: string[], user?: AccessKey) => awsCli(berth, args, { user });

async function loginPassword(user?: AccessKey): Promise<string> {
  return (await aws(['ecr', 'get-login-password'], user)).stdout.trim();
}

/** A user made the way an administrator makes one: create-user, create-access-key, put-user-policy. */
async function createUser(userName: string, statements: object[]): Promise<AccessKey> {
  await aws(['iam', 'create-user', '--user-name', userName]);
  const created = JSON.parse((await aws(['iam', 'create-access-key', '--user-name', userName])).stdout) as { AccessKey: { AccessKeyId: string; SecretAccessKey: string } };
  await aws(['iam', 'put-user-policy', '--user-name', userName, '--policy-name', 'registry', '--policy-document', JSON.stringify({ Version: '2012-10-17', Statement: statements })]);
  return { accessKeyId: created.AccessKey.AccessKeyId, secretAccessKey: created.AccessKey.SecretAccessKey };
}

const basic = (token: string) => ({ Authorization: basicLogin('AWS', token).authorization });
const repositoryArn = (name: string) => `arn:aws:ecr:us-east-1:${ACCOUNT}:repository/${name}`;
/** The one blob of the image pushImage(repo) pushes: its config. */
const configOf = (repo: string) => Buffer.from(`{"repo":"${repo}"}`);

/** Pushes a tiny image tagged v1 whose config is configOf(repo); returns the push's status. */
async function pushImage(repo: string, headers: { Authorization?: string }, url = berth.url): Promise<number> {
  return (await pushTinyImage(url, repo, 'v1', headers.Authorization, { config: configOf(repo) })).status;
}

test('without credentials /v2/ answers 401 with the Basic challenge docker login expects', async () => {
  const response = await fetch(`${berth.url}/v2/`);
  assert.equal(response.status, 401);
  assert.match(response.headers.get('www-authenticate') ?? '', /^Basic realm="[^"]+",service="ecr\.amazonaws\.com"$/);
  assert.equal(((await response.json()) as { errors: Array<{ code: string }> }).errors[0]!.code, 'UNAUTHORIZED');
  assert.equal((await fetch(`${berth.url}/v2/any/repo/manifests/latest`)).status, 401);
});

test('the administrator\'s token pushes and pulls', { skip }, async () => {
  const auth = basic(await loginPassword());
  assert.equal((await fetch(`${berth.url}/v2/`, { headers: auth })).status, 200);
  assert.equal(await pushImage('auth/admin', auth), 201);
  assert.equal((await fetch(`${berth.url}/v2/auth/admin/manifests/v1`, { headers: auth })).status, 200);
});

test('tampered, foreign and malformed credentials get 401 UNAUTHORIZED', { skip }, async () => {
  const token = await loginPassword();
  const tampered = token.slice(0, -2) + (token.endsWith('A') ? 'BB' : 'AA');
  for (const headers of [basic(tampered), { Authorization: `Basic ${Buffer.from('admin:secret').toString('base64')}` }, { Authorization: 'Bearer x' }]) {
    const response = await fetch(`${berth.url}/v2/`, { headers });
    assert.equal(response.status, 401, JSON.stringify(headers));
  }
});

test('an access key id and its secret log in as Basic credentials; a wrong secret gets 401', async () => {
  const admin = await administratorKey(berth.dataDir);
  const byKey = { Authorization: basicLogin(admin.accessKeyId, admin.secretAccessKey).authorization };
  assert.equal((await fetch(`${berth.url}/v2/`, { headers: byKey })).status, 200);
  assert.equal(await pushImage('auth/by-key', byKey), 201);
  assert.equal((await fetch(`${berth.url}/v2/auth/by-key/manifests/v1`, { headers: byKey })).status, 200);

  const wrong = { Authorization: basicLogin(admin.accessKeyId, `${admin.secretAccessKey}x`).authorization };
  const refused = await fetch(`${berth.url}/v2/`, { headers: wrong });
  assert.equal(refused.status, 401);
  assert.equal(((await refused.json()) as { errors: Array<{ code: string }> }).errors[0]!.code, 'UNAUTHORIZED');
  assert.equal((await fetch(`${berth.url}/v2/auth/by-key/manifests/v1`, { headers: wrong })).status, 401);
});

test('a pull-only user pulls, is DENIED a push, and loses access when its key is deactivated', { skip }, async () => {
  const adminAuth = basic(await loginPassword());
  assert.equal(await pushImage('auth/shared', adminAuth), 201);
  const puller = await createUser('puller', [
    { Effect: 'Allow', Action: ['ecr:GetAuthorizationToken', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'], Resource: '*' },
  ]);
  const pullerAuth = basic(await loginPassword(puller));
  assert.equal((await fetch(`${berth.url}/v2/auth/shared/manifests/v1`, { headers: pullerAuth })).status, 200);
  const denied = await fetch(`${berth.url}/v2/auth/shared/blobs/uploads/`, { method: 'POST', headers: pullerAuth });
  assert.equal(denied.status, 403);
  assert.equal(((await denied.json()) as { errors: Array<{ code: string }> }).errors[0]!.code, 'DENIED');
  assert.equal(await pushImage('auth/new-repo', pullerAuth), 403, 'creating a repository by push needs ecr:CreateRepository too');

  await aws(['iam', 'update-access-key', '--user-name', 'puller', '--access-key-id', puller.accessKeyId, '--status', 'Inactive']);
  assert.equal((await fetch(`${berth.url}/v2/auth/shared/manifests/v1`, { headers: pullerAuth })).status, 401, 'a token dies with its key');
});

test('a repository policy granting "*" pulls lets anyone pull without credentials; a push and /v2/ still want a login', { skip }, async () => {
  assert.equal(await pushImage('auth/public', basic(await loginPassword())), 201);
  const config = configOf('auth/public');
  assert.equal((await fetch(`${berth.url}/v2/auth/public/manifests/v1`)).status, 401, 'no policy yet: private');

  const publicPull = { Version: '2012-10-17', Statement: [{ Sid: 'PublicPull', Effect: 'Allow', Principal: '*', Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'] }] };
  await aws(['ecr', 'set-repository-policy', '--repository-name', 'auth/public', '--policy-text', JSON.stringify(publicPull)]);

  const manifest = await fetch(`${berth.url}/v2/auth/public/manifests/v1`, { headers: { Accept: 'application/vnd.oci.image.manifest.v1+json' } });
  assert.equal(manifest.status, 200);
  assert.equal(((await manifest.json()) as { config: { digest: string } }).config.digest, sha(config));
  const blob = await fetch(`${berth.url}/v2/auth/public/blobs/${sha(config)}`);
  assert.equal(blob.status, 200);
  assert.deepEqual(Buffer.from(await blob.arrayBuffer()), config);

  const push = await fetch(`${berth.url}/v2/auth/public/blobs/uploads/`, { method: 'POST' });
  assert.equal(push.status, 401, 'the grant is for pulls only');
  assert.match(push.headers.get('www-authenticate') ?? '', /^Basic /);
  assert.equal(await pushImage('auth/public', {}), 401);
  assert.equal((await fetch(`${berth.url}/v2/`)).status, 401, '/v2/ is where docker login checks credentials');
  assert.equal((await fetch(`${berth.url}/v2/auth/admin/manifests/v1`)).status, 401, 'other repositories stay private');
});

test('a mount from a repository the caller may not read starts an upload (202) instead; the administrator\'s mount links (201)', { skip }, async () => {
  const adminAuth = basic(await loginPassword());
  assert.equal(await pushImage('auth/mount-source', adminAuth), 201);
  const digest = sha(configOf('auth/mount-source'));
  const mountQuery = `?mount=${digest}&from=auth/mount-source`;

  const linked = await fetch(`${berth.url}/v2/auth/mount-admin/blobs/uploads/${mountQuery}`, { method: 'POST', headers: adminAuth });
  assert.equal(linked.status, 201);
  assert.equal(linked.headers.get('location'), `/v2/auth/mount-admin/blobs/${digest}`);
  assert.equal(linked.headers.get('docker-content-digest'), digest);

  await aws(['ecr', 'create-repository', '--repository-name', 'auth/mount-target']);
  const pusher = await createUser('pusher', [
    { Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
    {
      Effect: 'Allow',
      Action: ['ecr:BatchCheckLayerAvailability', 'ecr:InitiateLayerUpload', 'ecr:UploadLayerPart', 'ecr:CompleteLayerUpload', 'ecr:PutImage', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
      Resource: repositoryArn('auth/mount-target'),
    },
  ]);
  const pusherAuth = basic(await loginPassword(pusher));
  assert.equal((await fetch(`${berth.url}/v2/auth/mount-source/blobs/${digest}`, { headers: pusherAuth })).status, 403, 'the pusher may not read the source');

  const started = await fetch(`${berth.url}/v2/auth/mount-target/blobs/uploads/${mountQuery}`, { method: 'POST', headers: pusherAuth });
  assert.equal(started.status, 202, 'no link: an upload session, as if no mount had been asked');
  const location = started.headers.get('location') ?? '';
  assert.match(location, /^\/v2\/auth\/mount-target\/blobs\/uploads\/[^/?]+/);
  assert.equal(started.headers.get('docker-content-digest'), null);
  assert.equal((await fetch(`${berth.url}/v2/auth/mount-target/blobs/${digest}`, { method: 'HEAD', headers: pusherAuth })).status, 404, 'the blob was not linked');

  // The client then uploads the bytes it has, which it may.
  const content = configOf('auth/mount-source');
  const finished = await fetch(`${berth.url}${location}${location.includes('?') ? '&' : '?'}digest=${digest}`, { method: 'PUT', body: content, headers: pusherAuth });
  assert.equal(finished.status, 201);
  assert.equal((await fetch(`${berth.url}/v2/auth/mount-target/blobs/${digest}`, { method: 'HEAD', headers: pusherAuth })).status, 200);
});

test('registryAuth: off serves the registry API without credentials', async () => {
  const open = await startBerth({ env: { BERTH_REGISTRY_AUTH: 'off' } });
  try {
    assert.equal((await fetch(`${open.url}/v2/`)).status, 200);
    assert.equal(await pushImage('open/app', {}, open.url), 201);
    assert.equal((await fetch(`${open.url}/v2/open/app/manifests/v1`)).status, 200);
  } finally {
    await open.stop();
  }
});

test('skopeo pushes and pulls with the password from get-login-password, and is refused without it', { skip: skip || (missingTools('skopeo').length > 0 && 'skopeo not installed') }, async () => {
  const work = await mkdtemp(join(tmpdir(), 'berth-auth-skopeo-'));
  const sandbox = await ToolSandbox.create();
  try {
    const skopeo = new Skopeo(sandbox);
    const images = await buildTestImages(join(work, 'layout'));
    const creds = `AWS:${await loginPassword()}`;
    const target = `docker://${berth.hostPort}/auth/skopeo:v1`;
    const refused = await skopeo.copy(`oci:${images.layout.dir}:single`, target, { destTls: { scheme: 'http' } }).catch((error: { stderr: string }) => error);
    assert.match((refused as { stderr: string }).stderr, /unauthorized|authentication required|401/i);
    await skopeo.copy(`oci:${images.layout.dir}:single`, target, { destTls: { scheme: 'http' }, extra: ['--dest-creds', creds] });
    const raw = await skopeo.raw(['inspect', '--raw', '--tls-verify=false', '--creds', creds, target]);
    assert.equal(sha(Buffer.from(raw.stdout)), images.single.manifest.digest);
  } finally {
    await sandbox.cleanup();
    await rm(work, { recursive: true, force: true });
  }
});

test('skopeo pulls without credentials from a repository whose policy grants "*" (its empty Basic login counts as anonymous)', { skip: skip || (missingTools('skopeo').length > 0 && 'skopeo not installed') }, async () => {
  const work = await mkdtemp(join(tmpdir(), 'berth-auth-anonymous-'));
  const sandbox = await ToolSandbox.create();
  try {
    const skopeo = new Skopeo(sandbox);
    const images = await buildTestImages(join(work, 'layout'));
    const target = `docker://${berth.hostPort}/auth/open-source:v1`;
    await skopeo.copy(`oci:${images.layout.dir}:single`, target, { destTls: { scheme: 'http' }, extra: ['--dest-creds', `AWS:${await loginPassword()}`] });
    const refused = await skopeo.raw(['inspect', '--raw', '--tls-verify=false', '--no-creds', target]).catch((error: { stderr: string }) => error);
    assert.match((refused as { stderr: string }).stderr, /unauthorized|authentication required|401/i, 'private until a policy says otherwise');

    const publicPull = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'] }] };
    await aws(['ecr', 'set-repository-policy', '--repository-name', 'auth/open-source', '--policy-text', JSON.stringify(publicPull)]);
    await skopeo.copy(target, `oci:${join(work, 'pulled')}:v1`, { srcTls: { scheme: 'http' }, extra: ['--src-no-creds'] });
    const raw = await skopeo.raw(['inspect', '--raw', '--tls-verify=false', '--no-creds', target]);
    assert.equal(sha(Buffer.from(raw.stdout)), images.single.manifest.digest);
  } finally {
    await sandbox.cleanup();
    await rm(work, { recursive: true, force: true });
  }
});
