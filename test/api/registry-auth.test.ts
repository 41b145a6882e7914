// `registryAuth: required`: the registry API wants `AWS:<token>` (from
// GetAuthorizationToken) and authorizes each request with the caller's policies.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startBerth, type BerthProcess } from '../helpers/berth-process.ts';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { missingTools, run, Skopeo, ToolSandbox } from '../helpers/clients.ts';
import { buildTestImages } from '../helpers/oci-images.ts';
import { SqliteMetadataStore } from '../../src/storage/meta/sqlite/sqlite-metadata-store.ts';
import { sealSecret } from '../../src/auth/tokens/secret-box.ts';

const missing = missingTools('aws');
const skip = missing.length > 0 && `not installed: ${missing.join(', ')}`;
let berth: BerthProcess;
const sha = (data: Buffer) => `sha256:${createHash('sha256').update(data).digest('hex')}`;

before(async () => {
  berth = await startBerth({ env: { BERTH_REGISTRY_AUTH: 'required' } });
});
after(async () => {
  await berth?.stop();
});

async function loginPassword(env: Record<string, string> = {}): Promise<string> {
  const { stdout } = await run('aws', ['ecr', 'get-login-password', '--endpoint-url', berth.url, '--region', 'us-east-1'], {
    env: {
      ...process.env,
      AWS_SHARED_CREDENTIALS_FILE: join(berth.dataDir, 'credentials'),
      AWS_CONFIG_FILE: join(berth.dataDir, 'no-aws-config'),
      AWS_EC2_METADATA_DISABLED: 'true',
      ...env,
    },
  });
  return stdout.trim();
}

const basic = (token: string) => ({ Authorization: `Basic ${Buffer.from(`AWS:${token}`).toString('base64')}` });

async function pushImage(repo: string, headers: Record<string, string>): Promise<number> {
  const config = Buffer.from(`{"repo":"${repo}"}`);
  const blob = await fetch(`${berth.url}/v2/${repo}/blobs/uploads/?digest=${sha(config)}`, { method: 'POST', body: config, headers });
  if (blob.status !== 201) return blob.status;
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha(config), size: config.length },
    layers: [],
  });
  const put = await fetch(`${berth.url}/v2/${repo}/manifests/v1`, {
    method: 'PUT',
    body: manifest,
    headers: { ...headers, 'Content-Type': 'application/vnd.oci.image.manifest.v1+json' },
  });
  return put.status;
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

test('a pull-only user pulls, is DENIED a push, and loses access when its key is deactivated', { skip }, async () => {
  const adminAuth = basic(await loginPassword());
  assert.equal(await pushImage('auth/shared', adminAuth), 201);
  const serverKey = await readFile(join(berth.dataDir, 'server.key'));
  const store = SqliteMetadataStore.open({ path: join(berth.dataDir, 'berth.db') });
  try {
    await store.identities.createUser({ accountId: '123456789012', userName: 'puller', userId: 'AIDAPULLERPULLER0001', path: '/', createdAt: new Date() });
    await store.identities.createAccessKey({ accessKeyId: 'AKIAPULLERPULLER0001', accountId: '123456789012', userName: 'puller', sealedSecret: sealSecret('puller-secret', serverKey), status: 'Active', createdAt: new Date() });
    await store.identities.putUserPolicy({
      accountId: '123456789012',
      userName: 'puller',
      policyName: 'pull-only',
      document: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['ecr:GetAuthorizationToken', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'], Resource: '*' }] }),
    });
  } finally {
    await store.close();
  }
  const pullerAuth = basic(await loginPassword({ AWS_SHARED_CREDENTIALS_FILE: '/dev/null', AWS_ACCESS_KEY_ID: 'AKIAPULLERPULLER0001', AWS_SECRET_ACCESS_KEY: 'puller-secret' }));
  assert.equal((await fetch(`${berth.url}/v2/auth/shared/manifests/v1`, { headers: pullerAuth })).status, 200);
  const denied = await fetch(`${berth.url}/v2/auth/shared/blobs/uploads/`, { method: 'POST', headers: pullerAuth });
  assert.equal(denied.status, 403);
  assert.equal(((await denied.json()) as { errors: Array<{ code: string }> }).errors[0]!.code, 'DENIED');
  assert.equal(await pushImage('auth/new-repo', pullerAuth), 403, 'creating a repository by push needs ecr:CreateRepository too');

  const again = SqliteMetadataStore.open({ path: join(berth.dataDir, 'berth.db') });
  try {
    await again.identities.setAccessKeyStatus('AKIAPULLERPULLER0001', 'Inactive');
  } finally {
    await again.close();
  }
  assert.equal((await fetch(`${berth.url}/v2/auth/shared/manifests/v1`, { headers: pullerAuth })).status, 401, 'a token dies with its key');
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
