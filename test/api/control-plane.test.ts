// The control plane's front door with the real AWS CLI: the first start creates an
// administrator whose printed credentials work at once, SigV4 failures get AWS's
// error names, and operations not built yet get a clear error, never a 500.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { stat, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startBerth, type BerthProcess } from '../helpers/berth-process.ts';
import { missingTools } from '../helpers/clients.ts';
import { awsCli } from '../helpers/aws-cli.ts';
import type { AccessKey } from '../helpers/registry-login.ts';

const missing = missingTools('aws');
let berth: BerthProcess;
let credentials: string;
/** The administrator's registry login, for the /v2/ side of the tests that use both APIs. */
let registryAuth: { Authorization: string };

before(async () => {
  berth = await startBerth();
  credentials = join(berth.dataDir, 'credentials');
  registryAuth = { Authorization: (await berth.login()).authorization };
});
after(async () => {
  await berth?.stop();
});

/** The AWS CLI against this Berth, as the administrator unless a user's key is given. */
const aws = (args: string[], user?: AccessKey) => awsCli(berth, args, { user });

test('the first start writes the administrator credentials, mode 0600, and prints them once', async () => {
  const info = await stat(credentials);
  assert.equal(info.mode & 0o777, 0o600);
  const text = await readFile(credentials, 'utf8');
  const id = /aws_access_key_id = (AKIA[A-Z2-7]{16})/.exec(text)?.[1];
  assert.ok(id, text);
  // The banner follows the `listening` line that startBerth waits for: give it a moment.
  for (let i = 0; i < 50 && !berth.logs.some((line) => line.includes(id)); i++) await new Promise((r) => setTimeout(r, 100));
  assert.ok(berth.logs.some((line) => line.includes(id)), 'the banner shows the key id');
  assert.equal((await stat(join(berth.dataDir, 'server.key'))).mode & 0o777, 0o600);
});

test('a restart keeps the administrator and prints no new credentials', async () => {
  const before = await readFile(credentials, 'utf8');
  const again = await startBerth({ dataDir: berth.dataDir });
  try {
    assert.equal(await readFile(credentials, 'utf8'), before);
    // Wait for the whole banner before looking for what it must not contain.
    for (let i = 0; i < 50 && !again.logs.some((line) => line.includes('podman push')); i++) await new Promise((r) => setTimeout(r, 100));
    assert.ok(again.logs.some((line) => line.includes('podman push')), 'the banner was printed');
    assert.ok(!again.logs.some((line) => line.includes('aws_secret_access_key')), 'no credentials printed the second time');
  } finally {
    await again.stop();
  }
});

test('aws sts get-caller-identity answers for the administrator', { skip: missing.length > 0 && `not installed: ${missing.join(', ')}` }, async () => {
  const { stdout } = await aws(['sts', 'get-caller-identity']);
  const identity = JSON.parse(stdout) as { Account: string; Arn: string; UserId: string };
  assert.equal(identity.Account, '123456789012');
  assert.equal(identity.Arn, 'arn:aws:iam::123456789012:user/admin');
  assert.match(identity.UserId, /^AIDA[A-Z2-7]{16}$/);
});

test('a wrong secret or an unknown key gets AWS\'s own errors', { skip: missing.length > 0 && `not installed: ${missing.join(', ')}` }, async () => {
  const text = await readFile(credentials, 'utf8');
  const id = /aws_access_key_id = (\S+)/.exec(text)![1]!;
  const wrong = await aws(['sts', 'get-caller-identity'], { accessKeyId: id, secretAccessKey: 'not-the-secret' }).catch((error: { stderr: string }) => error);
  assert.match((wrong as { stderr: string }).stderr, /SignatureDoesNotMatch/);
  const unknown = await aws(['ecr', 'describe-repositories'], { accessKeyId: 'AKIAAAAAAAAAAAAAAAAA', secretAccessKey: 'x' }).catch((error: { stderr: string }) => error);
  assert.match((unknown as { stderr: string }).stderr, /UnrecognizedClientException/);
});

test('an ECR operation not built yet is a clear error, not a 500', { skip: missing.length > 0 && `not installed: ${missing.join(', ')}` }, async () => {
  const result = await aws(['ecr', 'describe-pull-through-cache-rules']).catch((error: { stderr: string }) => error);
  assert.match((result as { stderr: string }).stderr, /UnsupportedOperationException.*DescribePullThroughCacheRules/);
});

test('an unsigned control-plane request is MissingAuthenticationToken', async () => {
  const json = await fetch(`${berth.url}/`, {
    method: 'POST',
    headers: { 'X-Amz-Target': 'AmazonEC2ContainerRegistry_V20150921.DescribeRepositories', 'Content-Type': 'application/x-amz-json-1.1' },
    body: '{}',
  });
  assert.equal(json.status, 400);
  assert.equal(((await json.json()) as { __type: string }).__type, 'MissingAuthenticationTokenException');
  const query = await fetch(`${berth.url}/`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'Action=GetCallerIdentity&Version=2011-06-15' });
  assert.equal(query.status, 403);
  assert.match(await query.text(), /<Code>MissingAuthenticationToken<\/Code>/);
});

test('repositories: create, list, refuse duplicates and unknown names, delete', { skip: missing.length > 0 && `not installed: ${missing.join(', ')}` }, async () => {
  const created = JSON.parse(
    (await aws(['ecr', 'create-repository', '--repository-name', 'team-a/svc', '--image-tag-mutability', 'IMMUTABLE', '--tags', 'Key=team,Value=a'])).stdout,
  ) as { repository: Record<string, unknown> };
  assert.equal(created.repository.repositoryArn, 'arn:aws:ecr:us-east-1:123456789012:repository/team-a/svc');
  assert.equal(created.repository.repositoryUri, `${berth.hostPort}/team-a/svc`);
  assert.equal(created.repository.imageTagMutability, 'IMMUTABLE');
  assert.equal(typeof created.repository.createdAt, 'number');
  const duplicate = await aws(['ecr', 'create-repository', '--repository-name', 'team-a/svc']).catch((error: { stderr: string }) => error);
  assert.match((duplicate as { stderr: string }).stderr, /RepositoryAlreadyExistsException/);
  const listed = JSON.parse((await aws(['ecr', 'describe-repositories'])).stdout) as { repositories: Array<{ repositoryName: string }> };
  assert.ok(listed.repositories.some((repository) => repository.repositoryName === 'team-a/svc'));
  const unknown = await aws(['ecr', 'describe-repositories', '--repository-names', 'no/such']).catch((error: { stderr: string }) => error);
  assert.match((unknown as { stderr: string }).stderr, /RepositoryNotFoundException/);
  const deleted = JSON.parse((await aws(['ecr', 'delete-repository', '--repository-name', 'team-a/svc'])).stdout) as { repository: { repositoryName: string } };
  assert.equal(deleted.repository.repositoryName, 'team-a/svc');
});

test('describe-repositories pages with nextToken', { skip: missing.length > 0 && `not installed: ${missing.join(', ')}` }, async () => {
  for (const name of ['page/a', 'page/b', 'page/c']) await aws(['ecr', 'create-repository', '--repository-name', name]);
  const first = JSON.parse((await aws(['ecr', 'describe-repositories', '--max-items', '2', '--page-size', '2'])).stdout) as { repositories: unknown[]; NextToken?: string };
  assert.equal(first.repositories.length, 2);
  assert.ok(first.NextToken);
  const all = JSON.parse((await aws(['ecr', 'describe-repositories', '--page-size', '1'])).stdout) as { repositories: Array<{ repositoryName: string }> };
  assert.deepEqual(all.repositories.map((r) => r.repositoryName).filter((n) => n.startsWith('page/')), ['page/a', 'page/b', 'page/c']);
});

test('get-login-password gives a registry token for the caller', { skip: missing.length > 0 && `not installed: ${missing.join(', ')}` }, async () => {
  const { stdout } = await aws(['ecr', 'get-login-password']);
  assert.match(stdout.trim(), /^berth1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
  const data = JSON.parse((await aws(['ecr', 'get-authorization-token'])).stdout) as { authorizationData: Array<{ authorizationToken: string; expiresAt: number; proxyEndpoint: string }> };
  const entry = data.authorizationData[0]!;
  assert.match(Buffer.from(entry.authorizationToken, 'base64').toString(), /^AWS:berth1\./);
  assert.equal(entry.proxyEndpoint, `http://${berth.hostPort}`);
  assert.ok(Math.abs(entry.expiresAt - (Date.now() / 1000 + 12 * 3600)) < 120, 'expires in 12 hours');
});

test('a user whose identity policy only allows reads is denied CreateRepository', { skip: missing.length > 0 && `not installed: ${missing.join(', ')}` }, async () => {
  // No IAM API yet: put the user straight into the store the server shares (SQLite in WAL mode).
  const { SqliteMetadataStore } = await import('../../src/storage/meta/sqlite/sqlite-metadata-store.ts');
  const { sealSecret } = await import('../../src/auth/tokens/secret-box.ts');
  const serverKey = await readFile(join(berth.dataDir, 'server.key'));
  const store = SqliteMetadataStore.open({ path: join(berth.dataDir, 'berth.db') });
  try {
    await store.identities.createUser({ accountId: '123456789012', userName: 'reader', userId: 'AIDAREADERREADER0001', path: '/', createdAt: new Date() });
    await store.identities.createAccessKey({ accessKeyId: 'AKIAREADERREADER0001', accountId: '123456789012', userName: 'reader', sealedSecret: sealSecret('reader-secret', serverKey), status: 'Active', createdAt: new Date() });
    await store.identities.putUserPolicy({ accountId: '123456789012', userName: 'reader', policyName: 'read', document: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['ecr:Describe*', 'ecr:GetAuthorizationToken'], Resource: '*' }] }) });
  } finally {
    await store.close();
  }
  const reader = { accessKeyId: 'AKIAREADERREADER0001', secretAccessKey: 'reader-secret' };
  await aws(['ecr', 'describe-repositories'], reader);
  const denied = await aws(['ecr', 'create-repository', '--repository-name', 'reader/new'], reader).catch((error: { stderr: string }) => error);
  assert.match((denied as { stderr: string }).stderr, /AccessDeniedException.*arn:aws:iam::123456789012:user\/reader is not authorized to perform: ecr:CreateRepository/);
});

test('images pushed through /v2/ are listed, described and fetched through ECR', { skip: missing.length > 0 && `not installed: ${missing.join(', ')}` }, async () => {
  const { createHash } = await import('node:crypto');
  const sha = (data: Buffer) => `sha256:${createHash('sha256').update(data).digest('hex')}`;
  const config = Buffer.from('{"architecture":"amd64","os":"linux"}');
  const layer = Buffer.from('layer bytes '.repeat(100));
  for (const blob of [config, layer]) {
    assert.equal((await fetch(`${berth.url}/v2/ecr/images/blobs/uploads/?digest=${sha(blob)}`, { method: 'POST', body: blob, headers: registryAuth })).status, 201);
  }
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha(config), size: config.length },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: sha(layer), size: layer.length }],
  }));
  for (const tag of ['v1', 'latest']) {
    const put = await fetch(`${berth.url}/v2/ecr/images/manifests/${tag}`, { method: 'PUT', body: manifest, headers: { ...registryAuth, 'Content-Type': 'application/vnd.oci.image.manifest.v1+json' } });
    assert.equal(put.status, 201);
  }
  const listed = JSON.parse((await aws(['ecr', 'list-images', '--repository-name', 'ecr/images'])).stdout) as { imageIds: Array<{ imageDigest: string; imageTag?: string }> };
  assert.deepEqual(listed.imageIds.map((id) => id.imageTag).sort(), ['latest', 'v1']);
  assert.ok(listed.imageIds.every((id) => id.imageDigest === sha(manifest)));
  const described = JSON.parse((await aws(['ecr', 'describe-images', '--repository-name', 'ecr/images', '--image-ids', 'imageTag=v1'])).stdout) as {
    imageDetails: Array<{ imageDigest: string; imageTags: string[]; imageSizeInBytes: number; imageManifestMediaType: string; imagePushedAt: number }>;
  };
  const detail = described.imageDetails[0]!;
  assert.equal(detail.imageDigest, sha(manifest));
  assert.deepEqual(detail.imageTags, ['latest', 'v1']);
  assert.equal(detail.imageSizeInBytes, config.length + layer.length);
  assert.equal(detail.imageManifestMediaType, 'application/vnd.oci.image.manifest.v1+json');
  const fetched = JSON.parse((await aws(['ecr', 'batch-get-image', '--repository-name', 'ecr/images', '--image-ids', 'imageTag=latest', 'imageTag=nope'])).stdout) as {
    images: Array<{ imageManifest: string; imageId: { imageDigest: string } }>;
    failures: Array<{ failureCode: string; imageId: { imageTag: string } }>;
  };
  assert.equal(fetched.images[0]!.imageManifest, manifest.toString());
  assert.equal(fetched.images[0]!.imageId.imageDigest, sha(manifest));
  assert.deepEqual(fetched.failures.map((failure) => [failure.imageId.imageTag, failure.failureCode]), [['nope', 'ImageNotFound']]);
  const missingImage = await aws(['ecr', 'describe-images', '--repository-name', 'ecr/images', '--image-ids', 'imageTag=nope']).catch((error: { stderr: string }) => error);
  assert.match((missingImage as { stderr: string }).stderr, /ImageNotFoundException/);
  const notEmpty = await aws(['ecr', 'delete-repository', '--repository-name', 'ecr/images']).catch((error: { stderr: string }) => error);
  assert.match((notEmpty as { stderr: string }).stderr, /RepositoryNotEmptyException/);
  await aws(['ecr', 'delete-repository', '--repository-name', 'ecr/images', '--force']);
  assert.equal((await fetch(`${berth.url}/v2/ecr/images/manifests/v1`, { headers: registryAuth })).status, 404);
});

test('put-image retags, immutability refuses a moved tag on both APIs, batch-delete-image and layer checks', { skip: missing.length > 0 && `not installed: ${missing.join(', ')}` }, async () => {
  const { createHash } = await import('node:crypto');
  const sha = (data: Buffer) => `sha256:${createHash('sha256').update(data).digest('hex')}`;
  await aws(['ecr', 'create-repository', '--repository-name', 'ecr/immutable', '--image-tag-mutability', 'IMMUTABLE']);
  const manifests = [] as Buffer[];
  for (const n of [1, 2]) {
    const config = Buffer.from(`{"n":${n}}`);
    assert.equal((await fetch(`${berth.url}/v2/ecr/immutable/blobs/uploads/?digest=${sha(config)}`, { method: 'POST', body: config, headers: registryAuth })).status, 201);
    manifests.push(Buffer.from(JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha(config), size: config.length },
      layers: [],
    })));
  }
  const [first, second] = manifests as [Buffer, Buffer];
  const put = JSON.parse((await aws(['ecr', 'put-image', '--repository-name', 'ecr/immutable', '--image-tag', 'v1', '--image-manifest', first.toString()])).stdout) as { image: { imageId: { imageDigest: string } } };
  assert.equal(put.image.imageId.imageDigest, sha(first));
  const again = await aws(['ecr', 'put-image', '--repository-name', 'ecr/immutable', '--image-tag', 'v1', '--image-manifest', first.toString()]).catch((error: { stderr: string }) => error);
  assert.match((again as { stderr: string }).stderr, /ImageAlreadyExistsException/);
  const moved = await aws(['ecr', 'put-image', '--repository-name', 'ecr/immutable', '--image-tag', 'v1', '--image-manifest', second.toString()]).catch((error: { stderr: string }) => error);
  assert.match((moved as { stderr: string }).stderr, /ImageTagAlreadyExistsException/);
  const v2Push = await fetch(`${berth.url}/v2/ecr/immutable/manifests/v1`, { method: 'PUT', body: second, headers: { ...registryAuth, 'Content-Type': 'application/vnd.oci.image.manifest.v1+json' } });
  assert.equal(v2Push.status, 400);
  assert.match(await v2Push.text(), /cannot be overwritten because the repository is immutable/);
  await aws(['ecr', 'put-image', '--repository-name', 'ecr/immutable', '--image-tag', 'v1-copy', '--image-manifest', first.toString()]);

  const config1 = sha(Buffer.from('{"n":1}'));
  const layers = JSON.parse((await aws(['ecr', 'batch-check-layer-availability', '--repository-name', 'ecr/immutable', '--layer-digests', config1, sha(Buffer.from('absent'))])).stdout) as {
    layers: Array<{ layerDigest: string; layerAvailability: string; layerSize: number }>;
    failures: Array<{ failureCode: string }>;
  };
  assert.deepEqual(layers.layers.map((layer) => [layer.layerDigest, layer.layerAvailability, layer.layerSize]), [[config1, 'AVAILABLE', 7]]);
  assert.deepEqual(layers.failures.map((failure) => failure.failureCode), ['MissingLayerDigest']);

  const deletedTag = JSON.parse((await aws(['ecr', 'batch-delete-image', '--repository-name', 'ecr/immutable', '--image-ids', 'imageTag=v1-copy'])).stdout) as { imageIds: unknown[]; failures: unknown[] };
  assert.equal(deletedTag.imageIds.length, 1);
  assert.equal((await fetch(`${berth.url}/v2/ecr/immutable/manifests/v1`, { headers: registryAuth })).status, 200, 'another tag kept the image');
  const deletedImage = JSON.parse((await aws(['ecr', 'batch-delete-image', '--repository-name', 'ecr/immutable', '--image-ids', `imageDigest=${sha(first)}`, 'imageTag=nope'])).stdout) as {
    imageIds: Array<{ imageDigest: string }>;
    failures: Array<{ failureCode: string }>;
  };
  assert.deepEqual(deletedImage.imageIds.map((id) => id.imageDigest), [sha(first)]);
  assert.deepEqual(deletedImage.failures.map((failure) => failure.failureCode), ['ImageNotFound']);
  assert.equal((await fetch(`${berth.url}/v2/ecr/immutable/manifests/v1`, { headers: registryAuth })).status, 404);
});

test('IAM: users, access keys and inline policies through the AWS CLI, and the new key works with its policy', { skip: missing.length > 0 && `not installed: ${missing.join(', ')}` }, async () => {
  const user = JSON.parse((await aws(['iam', 'create-user', '--user-name', 'ci-bot'])).stdout) as { User: { Arn: string; UserId: string } };
  assert.equal(user.User.Arn, 'arn:aws:iam::123456789012:user/ci-bot');
  const duplicate = await aws(['iam', 'create-user', '--user-name', 'CI-bot']).catch((error: { stderr: string }) => error);
  assert.match((duplicate as { stderr: string }).stderr, /EntityAlreadyExists/);
  const listed = JSON.parse((await aws(['iam', 'list-users'])).stdout) as { Users: Array<{ UserName: string }> };
  assert.ok(listed.Users.some((u) => u.UserName === 'ci-bot'));
  const key = JSON.parse((await aws(['iam', 'create-access-key', '--user-name', 'ci-bot'])).stdout) as { AccessKey: { AccessKeyId: string; SecretAccessKey: string; Status: string } };
  assert.equal(key.AccessKey.Status, 'Active');
  const policy = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['ecr:DescribeRepositories'], Resource: '*' }] };
  await aws(['iam', 'put-user-policy', '--user-name', 'ci-bot', '--policy-name', 'describe', '--policy-document', JSON.stringify(policy)]);
  const got = JSON.parse((await aws(['iam', 'get-user-policy', '--user-name', 'ci-bot', '--policy-name', 'describe'])).stdout) as { PolicyDocument: unknown };
  assert.deepEqual(got.PolicyDocument, policy);
  const malformed = await aws(['iam', 'put-user-policy', '--user-name', 'ci-bot', '--policy-name', 'bad', '--policy-document', '{"Statement":[{"Effect":"Maybe","Action":"*","Resource":"*"}]}']).catch((error: { stderr: string }) => error);
  assert.match((malformed as { stderr: string }).stderr, /MalformedPolicyDocument/);
  const repeatedSid = { Version: '2012-10-17', Statement: [{ Sid: 'Read', ...policy.Statement[0] }, { Sid: 'Read', Effect: 'Allow', Action: 'ecr:ListImages', Resource: '*' }] };
  const repeated = await aws(['iam', 'put-user-policy', '--user-name', 'ci-bot', '--policy-name', 'repeated', '--policy-document', JSON.stringify(repeatedSid)]).catch((error: { stderr: string }) => error);
  assert.match((repeated as { stderr: string }).stderr, /MalformedPolicyDocument.*Statement IDs \(SID\) in a single policy must be unique/, 'IAM, unlike ECR, wants unique Sids');

  const asBot = { accessKeyId: key.AccessKey.AccessKeyId, secretAccessKey: key.AccessKey.SecretAccessKey };
  await aws(['ecr', 'describe-repositories'], asBot);
  const denied = await aws(['ecr', 'create-repository', '--repository-name', 'bot/repo'], asBot).catch((error: { stderr: string }) => error);
  assert.match((denied as { stderr: string }).stderr, /AccessDeniedException/);
  const noIam = await aws(['iam', 'create-user', '--user-name', 'escalate'], asBot).catch((error: { stderr: string }) => error);
  assert.match((noIam as { stderr: string }).stderr, /AccessDenied/);

  const conflict = await aws(['iam', 'delete-user', '--user-name', 'ci-bot']).catch((error: { stderr: string }) => error);
  assert.match((conflict as { stderr: string }).stderr, /DeleteConflict/);
  await aws(['iam', 'update-access-key', '--user-name', 'ci-bot', '--access-key-id', key.AccessKey.AccessKeyId, '--status', 'Inactive']);
  const inactive = await aws(['ecr', 'describe-repositories'], asBot).catch((error: { stderr: string }) => error);
  assert.match((inactive as { stderr: string }).stderr, /UnrecognizedClientException/);
  await aws(['iam', 'delete-access-key', '--user-name', 'ci-bot', '--access-key-id', key.AccessKey.AccessKeyId]);
  await aws(['iam', 'delete-user-policy', '--user-name', 'ci-bot', '--policy-name', 'describe']);
  await aws(['iam', 'delete-user', '--user-name', 'ci-bot']);
  const gone = await aws(['iam', 'get-user', '--user-name', 'ci-bot']).catch((error: { stderr: string }) => error);
  assert.match((gone as { stderr: string }).stderr, /NoSuchEntity/);
});

test('layers: initiate, upload parts in order, complete, and download — the same blob the registry API serves', { skip: missing.length > 0 && `not installed: ${missing.join(', ')}` }, async () => {
  const { createHash, randomBytes } = await import('node:crypto');
  const { writeFile } = await import('node:fs/promises');
  await aws(['ecr', 'create-repository', '--repository-name', 'ecr/layers']);
  const parts = [randomBytes(3000), randomBytes(1234)];
  const whole = Buffer.concat(parts);
  const digest = `sha256:${createHash('sha256').update(whole).digest('hex')}`;
  const init = JSON.parse((await aws(['ecr', 'initiate-layer-upload', '--repository-name', 'ecr/layers'])).stdout) as { uploadId: string; partSize: number };
  assert.ok(init.partSize > 0);
  let first = 0;
  for (const [index, part] of parts.entries()) {
    const file = join(berth.dataDir, `part-${index}`);
    await writeFile(file, part);
    const answer = JSON.parse(
      (await aws(['ecr', 'upload-layer-part', '--repository-name', 'ecr/layers', '--upload-id', init.uploadId, '--part-first-byte', String(first), '--part-last-byte', String(first + part.length - 1), '--layer-part-blob', `fileb://${file}`])).stdout,
    ) as { lastByteReceived: number };
    first += part.length;
    assert.equal(answer.lastByteReceived, first - 1);
  }
  const outOfOrder = await aws(['ecr', 'upload-layer-part', '--repository-name', 'ecr/layers', '--upload-id', init.uploadId, '--part-first-byte', '0', '--part-last-byte', '2999', '--layer-part-blob', `fileb://${join(berth.dataDir, 'part-0')}`]).catch((error: { stderr: string }) => error);
  assert.match((outOfOrder as { stderr: string }).stderr, /InvalidLayerPartException/);
  const done = JSON.parse((await aws(['ecr', 'complete-layer-upload', '--repository-name', 'ecr/layers', '--upload-id', init.uploadId, '--layer-digests', digest])).stdout) as { layerDigest: string };
  assert.equal(done.layerDigest, digest);
  const url = JSON.parse((await aws(['ecr', 'get-download-url-for-layer', '--repository-name', 'ecr/layers', '--layer-digest', digest])).stdout) as { downloadUrl: string };
  // Pre-signed like ECR's S3 URL: no login needed, but only for this blob and until it expires.
  const downloaded = await fetch(url.downloadUrl);
  assert.equal(downloaded.status, 200);
  assert.deepEqual(Buffer.from(await downloaded.arrayBuffer()), whole);
  const signed = new URL(url.downloadUrl);
  assert.equal(Number(signed.searchParams.get('X-Berth-Expires')) - Math.floor(Date.now() / 1000) > 3500, true, 'valid for an hour');
  const elsewhere = new URL(signed);
  elsewhere.pathname = elsewhere.pathname.replace('ecr/layers', 'ecr/other');
  assert.equal((await fetch(elsewhere)).status, 401, 'the signature covers the repository');
  const stretched = new URL(signed);
  stretched.searchParams.set('X-Berth-Expires', String(Number(signed.searchParams.get('X-Berth-Expires')) + 86_400));
  assert.equal((await fetch(stretched)).status, 401, 'and the expiry');
  assert.equal((await fetch(url.downloadUrl, { headers: registryAuth })).status, 200);
  const unknownUpload = await aws(['ecr', 'complete-layer-upload', '--repository-name', 'ecr/layers', '--upload-id', '00000000-0000-0000-0000-000000000000', '--layer-digests', digest]).catch((error: { stderr: string }) => error);
  assert.match((unknownUpload as { stderr: string }).stderr, /UploadNotFoundException/);
});

test('repository and registry policies: stored, enforced (explicit deny wins), lock-out check, deleted', { skip: missing.length > 0 && `not installed: ${missing.join(', ')}` }, async () => {
  await aws(['ecr', 'create-repository', '--repository-name', 'ecr/guarded']);
  const none = await aws(['ecr', 'get-repository-policy', '--repository-name', 'ecr/guarded']).catch((error: { stderr: string }) => error);
  assert.match((none as { stderr: string }).stderr, /RepositoryPolicyNotFoundException/);
  // Two statements share the Sid 'keep', which ECR accepts: both are enforced.
  const denyDelete = JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Sid: 'keep', Effect: 'Deny', Principal: '*', Action: 'ecr:DeleteRepository' },
      { Sid: 'keep', Effect: 'Deny', Principal: '*', Action: 'ecr:PutImageTagMutability' },
    ],
  });
  await aws(['ecr', 'set-repository-policy', '--repository-name', 'ecr/guarded', '--policy-text', denyDelete]);
  const stored = JSON.parse((await aws(['ecr', 'get-repository-policy', '--repository-name', 'ecr/guarded'])).stdout) as { policyText: string };
  assert.deepEqual(JSON.parse(stored.policyText), JSON.parse(denyDelete));
  const refused = await aws(['ecr', 'delete-repository', '--repository-name', 'ecr/guarded']).catch((error: { stderr: string }) => error);
  assert.match((refused as { stderr: string }).stderr, /AccessDeniedException.*explicit deny/);
  const frozen = await aws(['ecr', 'put-image-tag-mutability', '--repository-name', 'ecr/guarded', '--image-tag-mutability', 'IMMUTABLE']).catch((error: { stderr: string }) => error);
  assert.match((frozen as { stderr: string }).stderr, /AccessDeniedException.*ecr:PutImageTagMutability.*explicit deny/);

  const lockOut = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Principal: '*', Action: 'ecr:SetRepositoryPolicy' }] });
  const needsForce = await aws(['ecr', 'set-repository-policy', '--repository-name', 'ecr/guarded', '--policy-text', lockOut]).catch((error: { stderr: string }) => error);
  assert.match((needsForce as { stderr: string }).stderr, /InvalidParameterException.*force/);
  const malformed = await aws(['ecr', 'set-repository-policy', '--repository-name', 'ecr/guarded', '--policy-text', '{"Statement":[{"Effect":"Allow","Action":"ecr:*","Condition":{"NoSuchOperator":{"a":"b"}}}]}']).catch((error: { stderr: string }) => error);
  assert.match((malformed as { stderr: string }).stderr, /InvalidParameterException/);

  await aws(['ecr', 'delete-repository-policy', '--repository-name', 'ecr/guarded']);
  await aws(['ecr', 'delete-repository', '--repository-name', 'ecr/guarded']);

  const registryPolicy = JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Sid: 'fence', Effect: 'Deny', Principal: '*', Action: 'ecr:CreateRepository', Resource: 'arn:aws:ecr:us-east-1:123456789012:repository/forbidden/*' },
      { Sid: 'fence', Effect: 'Deny', Principal: '*', Action: 'ecr:CreateRepository', Resource: 'arn:aws:ecr:us-east-1:123456789012:repository/fenced/*' },
    ],
  });
  await aws(['ecr', 'put-registry-policy', '--policy-text', registryPolicy]);
  const blocked = await aws(['ecr', 'create-repository', '--repository-name', 'forbidden/x']).catch((error: { stderr: string }) => error);
  assert.match((blocked as { stderr: string }).stderr, /AccessDeniedException/);
  const fenced = await aws(['ecr', 'create-repository', '--repository-name', 'fenced/x']).catch((error: { stderr: string }) => error);
  assert.match((fenced as { stderr: string }).stderr, /AccessDeniedException/, 'the second statement with the same Sid counts too');
  await aws(['ecr', 'create-repository', '--repository-name', 'allowed/x']);
  assert.deepEqual(JSON.parse((JSON.parse((await aws(['ecr', 'get-registry-policy'])).stdout) as { policyText: string }).policyText), JSON.parse(registryPolicy));
  await aws(['ecr', 'delete-registry-policy']);
  await aws(['ecr', 'create-repository', '--repository-name', 'forbidden/x']);
});

test('repository settings after creation: tag mutability, scan on push, resource tags by ARN', { skip: missing.length > 0 && `not installed: ${missing.join(', ')}` }, async () => {
  const created = JSON.parse((await aws(['ecr', 'create-repository', '--repository-name', 'ecr/settings', '--tags', 'Key=a,Value=1'])).stdout) as { repository: { repositoryArn: string } };
  const arn = created.repository.repositoryArn;
  await aws(['ecr', 'put-image-tag-mutability', '--repository-name', 'ecr/settings', '--image-tag-mutability', 'IMMUTABLE']);
  await aws(['ecr', 'put-image-scanning-configuration', '--repository-name', 'ecr/settings', '--image-scanning-configuration', 'scanOnPush=true']);
  const described = JSON.parse((await aws(['ecr', 'describe-repositories', '--repository-names', 'ecr/settings'])).stdout) as {
    repositories: Array<{ imageTagMutability: string; imageScanningConfiguration: { scanOnPush: boolean } }>;
  };
  assert.equal(described.repositories[0]!.imageTagMutability, 'IMMUTABLE');
  assert.equal(described.repositories[0]!.imageScanningConfiguration.scanOnPush, true);
  await aws(['ecr', 'tag-resource', '--resource-arn', arn, '--tags', 'Key=b,Value=2', 'Key=a,Value=3']);
  await aws(['ecr', 'untag-resource', '--resource-arn', arn, '--tag-keys', 'b']);
  const tags = JSON.parse((await aws(['ecr', 'list-tags-for-resource', '--resource-arn', arn])).stdout) as { tags: Array<{ Key: string; Value: string }> };
  assert.deepEqual(tags.tags, [{ Key: 'a', Value: '3' }]);
  const wrong = await aws(['ecr', 'list-tags-for-resource', '--resource-arn', 'arn:aws:ecr:us-east-1:999999999999:repository/ecr/settings']).catch((error: { stderr: string }) => error);
  assert.match((wrong as { stderr: string }).stderr, /InvalidParameterException|AccessDenied/);
});

test('a new database next to an old credentials file keeps the old file aside and writes the new one', async () => {
  const { mkdtemp, writeFile: write, readdir, rm } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const dir = await mkdtemp(join(tmpdir(), 'berth-oldcreds-'));
  try {
    await write(join(dir, 'credentials'), '[default]\naws_access_key_id = AKIAOLDOLDOLDOLDOLD1\n', { mode: 0o600 });
    const fresh = await startBerth({ dataDir: dir });
    await fresh.stop();
    const names = await readdir(dir);
    assert.ok(names.some((name) => /^credentials\.\d+\.old$/.test(name)), names.join(', '));
    assert.doesNotMatch(await readFile(join(dir, 'credentials'), 'utf8'), /AKIAOLD/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
