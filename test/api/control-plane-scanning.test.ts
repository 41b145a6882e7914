// Registry scanning configuration and pull time update exclusions against a real
// server, twice over: with the real AWS CLI (the exclusion commands need the newest
// botocore model, given to the CLI through AWS_DATA_PATH; without it those tests skip)
// and with @aws-sdk/client-ecr, which speaks every operation everywhere. Pulls go
// through /v2/ with a real registry login and through BatchGetImage.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import {
  BatchGetImageCommand,
  BatchGetRepositoryScanningConfigurationCommand,
  CreateRepositoryCommand,
  DeregisterPullTimeUpdateExclusionCommand,
  DescribeImagesCommand,
  ECRClient,
  ECRServiceException,
  ExclusionAlreadyExistsException,
  ExclusionNotFoundException,
  GetRegistryScanningConfigurationCommand,
  InvalidParameterException,
  LimitExceededException,
  ListPullTimeUpdateExclusionsCommand,
  PutRegistryScanningConfigurationCommand,
  RegisterPullTimeUpdateExclusionCommand,
  StartImageScanCommand,
  ValidationException,
} from '@aws-sdk/client-ecr';
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { adminFetch } from '../helpers/admin-fetch.ts';
import { startBerth, type BerthProcess } from '../helpers/berth-process.ts';
import { missingTools, run } from '../helpers/clients.ts';
import { writeNewestEcrModel, type EcrModelDataPath } from '../helpers/ecr-model.ts';
import { administratorKey, loginWithKey, type AccessKey, type RegistryLogin } from '../helpers/registry-login.ts';
import { SqliteMetadataStore } from '../../src/storage/meta/sqlite/sqlite-metadata-store.ts';

const missing = missingTools('aws');
const skipWithoutCli = missing.length > 0 && `not installed: ${missing.join(', ')}`;
const ACCOUNT = '123456789012';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

let berth: BerthProcess;
let model: EcrModelDataPath | undefined;
let ecr: ECRClient;
/** A pull-only IAM user (path /bots/), as a vulnerability scanner would be set up. */
let scanner: { arn: string; key: AccessKey; login: RegistryLogin; ecr: ECRClient };

before(async () => {
  berth = await startBerth();
  model = writeNewestEcrModel(join(berth.dataDir, 'aws-models'));
  const admin = await administratorKey(berth.dataDir);
  ecr = new ECRClient({ endpoint: berth.url, region: 'us-east-1', credentials: admin, maxAttempts: 1 });
  const iam = new IAMClient({ endpoint: berth.url, region: 'us-east-1', credentials: admin, maxAttempts: 1 });
  try {
    const user = (await iam.send(new CreateUserCommand({ UserName: 'scanner', Path: '/bots/' }))).User!;
    const pullOnly = {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
        { Effect: 'Allow', Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:DescribeImages'], Resource: '*' },
      ],
    };
    await iam.send(new PutUserPolicyCommand({ UserName: 'scanner', PolicyName: 'pull', PolicyDocument: JSON.stringify(pullOnly) }));
    const created = (await iam.send(new CreateAccessKeyCommand({ UserName: 'scanner' }))).AccessKey!;
    const key = { accessKeyId: created.AccessKeyId!, secretAccessKey: created.SecretAccessKey! };
    scanner = {
      arn: user.Arn!,
      key,
      login: await loginWithKey(berth.url, key),
      ecr: new ECRClient({ endpoint: berth.url, region: 'us-east-1', credentials: key, maxAttempts: 1 }),
    };
  } finally {
    iam.destroy();
  }
});
after(async () => {
  ecr?.destroy();
  scanner?.ecr.destroy();
  await berth?.stop();
});

function aws(args: string[]) {
  return run('aws', [...args, '--endpoint-url', berth.url, '--region', 'us-east-1', '--output', 'json'], {
    env: {
      ...process.env,
      AWS_SHARED_CREDENTIALS_FILE: join(berth.dataDir, 'credentials'),
      AWS_CONFIG_FILE: join(berth.dataDir, 'no-aws-config'),
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_PAGER: '',
      ...(model ? { AWS_DATA_PATH: model.dataPath } : {}),
    },
  });
}

async function cli<T = Record<string, unknown>>(args: string[]): Promise<T> {
  const { stdout } = await aws(['ecr', ...args]);
  return (stdout.trim() === '' ? {} : JSON.parse(stdout)) as T;
}

/** The stderr of an AWS CLI call that must fail. */
async function cliError(args: string[]): Promise<string> {
  const outcome = await aws(['ecr', ...args]).then(
    (result) => ({ failed: false, stderr: result.stdout }),
    (error: { stderr: string }) => ({ failed: true, stderr: error.stderr }),
  );
  assert.ok(outcome.failed, `expected aws ecr ${args.join(' ')} to fail; it answered ${outcome.stderr}`);
  return outcome.stderr;
}

/** The exception a call rejects with, checked for its modeled class, name and status. */
async function rejection(call: Promise<unknown>, type: abstract new (...args: never[]) => Error, name = type.name): Promise<ECRServiceException> {
  const error = await call.then(
    () => assert.fail(`expected ${name}`),
    (thrown: unknown) => thrown as ECRServiceException,
  );
  assert.ok(error instanceof type, `${error.name} is a ${type.name}: ${error.message}`);
  assert.equal(error.name, name, error.message);
  assert.equal(error.$metadata.httpStatusCode, 400, error.message);
  return error;
}

const sha = (data: Buffer | string) => `sha256:${createHash('sha256').update(data).digest('hex')}`;

/** Pushes a one-blob OCI image over /v2/ as the administrator; answers the manifest's digest. */
async function pushImage(repository: string, tag: string): Promise<string> {
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', repository, tag }));
  assert.equal((await adminFetch(berth, `/v2/${repository}/blobs/uploads/?digest=${sha(config)}`, { method: 'POST', body: config })).status, 201);
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha(config), size: config.length },
    layers: [],
  });
  const put = await adminFetch(berth, `/v2/${repository}/manifests/${tag}`, { method: 'PUT', body: manifest, headers: { 'Content-Type': OCI_MANIFEST } });
  assert.equal(put.status, 201, await put.text());
  return sha(manifest);
}

async function lastPull(repositoryName: string, imageTag: string): Promise<Date | undefined> {
  const { imageDetails } = await ecr.send(new DescribeImagesCommand({ repositoryName, imageIds: [{ imageTag }] }));
  return imageDetails![0]!.lastRecordedPullTime;
}

/** A /v2/ manifest GET with the given registry login. */
async function pullOverV2(authorization: string, repository: string, tag: string): Promise<void> {
  const response = await fetch(`${berth.url}/v2/${repository}/manifests/${tag}`, { headers: { Authorization: authorization, Accept: OCI_MANIFEST } });
  const body = await response.text();
  assert.equal(response.status, 200, body);
}

// ------------------------------------------------------------------ AWS CLI

test('CLI: a new registry scans BASIC with no rules; put replaces the configuration, get reads it back', { skip: skipWithoutCli }, async () => {
  assert.deepEqual(await cli(['get-registry-scanning-configuration']), { registryId: ACCOUNT, scanningConfiguration: { scanType: 'BASIC', rules: [] } });
  const enhanced = {
    scanType: 'ENHANCED',
    rules: [
      { scanFrequency: 'CONTINUOUS_SCAN', repositoryFilters: [{ filter: 'cli/prod*', filterType: 'WILDCARD' }] },
      { scanFrequency: 'SCAN_ON_PUSH', repositoryFilters: [{ filter: 'cli', filterType: 'WILDCARD' }] },
    ],
  };
  assert.deepEqual(await cli(['put-registry-scanning-configuration', '--scan-type', 'ENHANCED', '--rules', JSON.stringify(enhanced.rules)]), {
    registryScanningConfiguration: enhanced,
  });
  assert.deepEqual(await cli(['get-registry-scanning-configuration']), { registryId: ACCOUNT, scanningConfiguration: enhanced });

  await cli(['create-repository', '--repository-name', 'cli/prod-api']);
  await cli(['create-repository', '--repository-name', 'cli/dev-api', '--image-scanning-configuration', 'scanOnPush=true']);
  await cli(['create-repository', '--repository-name', 'other/app', '--image-scanning-configuration', 'scanOnPush=true']);
  const arn = (name: string) => `arn:aws:ecr:us-east-1:${ACCOUNT}:repository/${name}`;
  const batch = await cli<{ scanningConfigurations: unknown[]; failures: unknown[] }>([
    'batch-get-repository-scanning-configuration', '--repository-names', 'cli/prod-api', 'cli/dev-api', 'other/app',
  ]);
  assert.deepEqual(batch, {
    scanningConfigurations: [
      { repositoryArn: arn('cli/prod-api'), repositoryName: 'cli/prod-api', scanOnPush: false, scanFrequency: 'CONTINUOUS_SCAN', appliedScanFilters: [{ filter: 'cli/prod*', filterType: 'WILDCARD' }] },
      { repositoryArn: arn('cli/dev-api'), repositoryName: 'cli/dev-api', scanOnPush: true, scanFrequency: 'SCAN_ON_PUSH', appliedScanFilters: [{ filter: 'cli', filterType: 'WILDCARD' }] },
      // Enhanced scanning leaves unmatched repositories unscanned, whatever their own flag says.
      { repositoryArn: arn('other/app'), repositoryName: 'other/app', scanOnPush: true, scanFrequency: 'MANUAL', appliedScanFilters: [] },
    ],
    failures: [],
  });

  // Back to basic with no rules: each repository's own scanOnPush decides again.
  assert.deepEqual(await cli(['put-registry-scanning-configuration', '--scan-type', 'BASIC']), { registryScanningConfiguration: { scanType: 'BASIC', rules: [] } });
  const basic = await cli<{ scanningConfigurations: Array<{ scanFrequency: string; appliedScanFilters: unknown[] }> }>([
    'batch-get-repository-scanning-configuration', '--repository-names', 'cli/prod-api', 'other/app',
  ]);
  assert.deepEqual(basic.scanningConfigurations.map((c) => [c.scanFrequency, c.appliedScanFilters]), [['MANUAL', []], ['SCAN_ON_PUSH', []]]);
});

test('CLI: scanning rules are checked against the model and the scan type', { skip: skipWithoutCli }, async () => {
  const rule = (scanFrequency: string, filter = '*') => ({ scanFrequency, repositoryFilters: [{ filter, filterType: 'WILDCARD' }] });
  assert.match(
    await cliError(['put-registry-scanning-configuration', '--scan-type', 'BASIC', '--rules', JSON.stringify([rule('SCAN_ON_PUSH'), rule('MANUAL'), rule('SCAN_ON_PUSH')])]),
    /InvalidParameterException.*'rules'.*less than or equal to 2/,
  );
  assert.match(
    await cliError(['put-registry-scanning-configuration', '--scan-type', 'BASIC', '--rules', JSON.stringify([rule('SCAN_ON_PUSH', 'Prod')])]),
    /InvalidParameterException.*'filter'.*regular expression/,
  );
  assert.match(await cliError(['put-registry-scanning-configuration', '--scan-type', 'FULL']), /InvalidParameterException.*'scanType'.*\[BASIC, ENHANCED\]/);
  assert.match(
    await cliError(['put-registry-scanning-configuration', '--scan-type', 'BASIC', '--rules', JSON.stringify([rule('CONTINUOUS_SCAN')])]),
    /ValidationException.*CONTINUOUS_SCAN is not supported for scan type BASIC/,
  );
  assert.match(
    await cliError(['put-registry-scanning-configuration', '--scan-type', 'ENHANCED', '--rules', JSON.stringify([rule('SCAN_ON_PUSH'), rule('SCAN_ON_PUSH', 'x')])]),
    /ValidationException.*appears more than once/,
  );
  assert.deepEqual(await cli(['get-registry-scanning-configuration']), { registryId: ACCOUNT, scanningConfiguration: { scanType: 'BASIC', rules: [] } }, 'refused puts change nothing');
  assert.match(await cliError(['start-image-scan', '--repository-name', 'cli/prod-api', '--image-id', 'imageTag=latest']), /UnsupportedOperationException/);
});

test('CLI: register, list and deregister pull time update exclusions', { skip: skipWithoutCli }, async (t) => {
  if (!model?.operations.includes('RegisterPullTimeUpdateExclusion')) return t.skip('no botocore ECR model with the pull time update exclusion operations on this machine');
  const role = `arn:aws:iam::${ACCOUNT}:role/cli-scanner`;
  const before = Date.now();
  const registered = await cli<{ principalArn: string; createdAt: number | string }>(['register-pull-time-update-exclusion', '--principal-arn', role]);
  assert.equal(registered.principalArn, role);
  const createdAt = typeof registered.createdAt === 'number' ? registered.createdAt * 1000 : Date.parse(registered.createdAt);
  assert.ok(createdAt >= before - 1_000 && createdAt <= Date.now() + 1_000, `createdAt is now: ${registered.createdAt}`);
  assert.match(await cliError(['register-pull-time-update-exclusion', '--principal-arn', role]), /ExclusionAlreadyExistsException/);
  assert.match(await cliError(['register-pull-time-update-exclusion', '--principal-arn', `arn:aws:iam::${ACCOUNT}:group/devs`]), /InvalidParameterException.*'principalArn'/);

  const listed = await cli<{ pullTimeUpdateExclusions: string[]; nextToken?: string }>(['list-pull-time-update-exclusions']);
  assert.ok(listed.pullTimeUpdateExclusions.includes(role), JSON.stringify(listed));
  assert.equal(listed.nextToken, undefined);
  const first = await cli<{ pullTimeUpdateExclusions: string[]; nextToken?: string }>(['list-pull-time-update-exclusions', '--max-results', '1']);
  assert.equal(first.pullTimeUpdateExclusions.length, 1);
  if (listed.pullTimeUpdateExclusions.length > 1) assert.equal(typeof first.nextToken, 'string');
  assert.match(await cliError(['list-pull-time-update-exclusions', '--max-results', '1001']), /InvalidParameterException.*'maxResults'/);

  assert.deepEqual(await cli(['deregister-pull-time-update-exclusion', '--principal-arn', role]), { principalArn: role });
  assert.match(await cliError(['deregister-pull-time-update-exclusion', '--principal-arn', role]), /ExclusionNotFoundException/);
});

// ------------------------------------------------------------------ SDK v3

test('SDK: registry scanning configuration — default, put, get, and what each repository gets', async () => {
  const current = await ecr.send(new GetRegistryScanningConfigurationCommand({}));
  assert.equal(current.registryId, ACCOUNT);
  assert.equal(current.scanningConfiguration?.scanType !== undefined, true);

  const basic = {
    scanType: 'BASIC' as const,
    rules: [{ scanFrequency: 'SCAN_ON_PUSH' as const, repositoryFilters: [{ filter: 'sdk/team-*', filterType: 'WILDCARD' as const }, { filter: 'legacy', filterType: 'WILDCARD' as const }] }],
  };
  const put = await ecr.send(new PutRegistryScanningConfigurationCommand(basic));
  assert.deepEqual(put.registryScanningConfiguration, basic);
  const read = await ecr.send(new GetRegistryScanningConfigurationCommand({}));
  assert.deepEqual({ registryId: read.registryId, scanningConfiguration: read.scanningConfiguration }, { registryId: ACCOUNT, scanningConfiguration: basic });

  for (const repositoryName of ['sdk/team-a', 'sdk/my-legacy-app', 'sdk/other']) await ecr.send(new CreateRepositoryCommand({ repositoryName }));
  await ecr.send(new CreateRepositoryCommand({ repositoryName: 'sdk/pushed', imageScanningConfiguration: { scanOnPush: true } }));
  const answer = await ecr.send(
    new BatchGetRepositoryScanningConfigurationCommand({ repositoryNames: ['sdk/team-a', 'sdk/my-legacy-app', 'sdk/other', 'sdk/pushed', 'sdk/absent'] }),
  );
  assert.deepEqual(
    answer.scanningConfigurations?.map((c) => ({ name: c.repositoryName, scanOnPush: c.scanOnPush, frequency: c.scanFrequency, filters: c.appliedScanFilters?.map((f) => f.filter) })),
    [
      { name: 'sdk/team-a', scanOnPush: false, frequency: 'SCAN_ON_PUSH', filters: ['sdk/team-*'] },
      { name: 'sdk/my-legacy-app', scanOnPush: false, frequency: 'SCAN_ON_PUSH', filters: ['legacy'] },
      { name: 'sdk/other', scanOnPush: false, frequency: 'MANUAL', filters: [] },
      { name: 'sdk/pushed', scanOnPush: true, frequency: 'SCAN_ON_PUSH', filters: [] },
    ],
  );
  assert.deepEqual(answer.failures?.map((f) => [f.repositoryName, f.failureCode]), [['sdk/absent', 'REPOSITORY_NOT_FOUND']]);

  await rejection(ecr.send(new PutRegistryScanningConfigurationCommand({ scanType: 'ENHANCED', rules: [{ scanFrequency: 'MANUAL', repositoryFilters: [] }] })), ValidationException);
  const tooMany = Array.from({ length: 101 }, (_, i) => ({ filter: `r${i}`, filterType: 'WILDCARD' as const }));
  const invalid = await rejection(ecr.send(new PutRegistryScanningConfigurationCommand({ scanType: 'ENHANCED', rules: [{ scanFrequency: 'SCAN_ON_PUSH', repositoryFilters: tooMany }] })), InvalidParameterException);
  assert.match(invalid.message, /'repositoryFilters'.*less than or equal to 100/);
  assert.deepEqual((await ecr.send(new GetRegistryScanningConfigurationCommand({}))).scanningConfiguration, basic, 'refused puts change nothing');
  // Berth has no scanner: starting a scan is not offered.
  await rejection(ecr.send(new StartImageScanCommand({ repositoryName: 'sdk/team-a', imageId: { imageTag: 'v1' } })), ECRServiceException, 'UnsupportedOperationException');
  await ecr.send(new PutRegistryScanningConfigurationCommand({}));
  assert.deepEqual((await ecr.send(new GetRegistryScanningConfigurationCommand({}))).scanningConfiguration, { scanType: 'BASIC', rules: [] }, 'an empty put is the default');
});

test('SDK: pull time update exclusions — register, pages, errors, the limit of 100, deregister', async () => {
  const arn = (i: number) => `arn:aws:iam::${ACCOUNT}:role/sdk/r${String(i).padStart(3, '0')}`;
  const before = Date.now();
  const first = await ecr.send(new RegisterPullTimeUpdateExclusionCommand({ principalArn: arn(0) }));
  assert.equal(first.principalArn, arn(0));
  assert.ok(first.createdAt instanceof Date && first.createdAt.getTime() >= before - 1_000 && first.createdAt.getTime() <= Date.now() + 1_000, String(first.createdAt));
  const again = await rejection(ecr.send(new RegisterPullTimeUpdateExclusionCommand({ principalArn: arn(0) })), ExclusionAlreadyExistsException);
  assert.match(again.message, new RegExp(`'${arn(0)}' already exists`));
  await rejection(ecr.send(new RegisterPullTimeUpdateExclusionCommand({ principalArn: 'arn:aws:iam::123:user/short-account' })), InvalidParameterException);
  await rejection(ecr.send(new RegisterPullTimeUpdateExclusionCommand({ principalArn: `arn:aws:iam::${ACCOUNT}:user/${'n'.repeat(200)}` })), InvalidParameterException);
  await rejection(ecr.send(new DeregisterPullTimeUpdateExclusionCommand({ principalArn: arn(999) })), ExclusionNotFoundException);

  const existing = (await ecr.send(new ListPullTimeUpdateExclusionsCommand({}))).pullTimeUpdateExclusions!.length;
  for (let i = 1; i < 100 - existing + 1; i++) await ecr.send(new RegisterPullTimeUpdateExclusionCommand({ principalArn: arn(i) }));
  const full = await rejection(ecr.send(new RegisterPullTimeUpdateExclusionCommand({ principalArn: arn(500) })), LimitExceededException);
  assert.match(full.message, /maximum of 100/);

  const all = await ecr.send(new ListPullTimeUpdateExclusionsCommand({}));
  assert.equal(all.pullTimeUpdateExclusions!.length, 100, 'without maxResults, up to 100');
  assert.equal(all.nextToken, undefined);
  assert.deepEqual(all.pullTimeUpdateExclusions, [...all.pullTimeUpdateExclusions!].sort(), 'listed by ARN');
  const paged: string[] = [];
  let nextToken: string | undefined;
  let pages = 0;
  do {
    const page = await ecr.send(new ListPullTimeUpdateExclusionsCommand({ maxResults: 30, ...(nextToken ? { nextToken } : {}) }));
    paged.push(...page.pullTimeUpdateExclusions!);
    nextToken = page.nextToken;
    pages++;
  } while (nextToken);
  assert.deepEqual(paged, all.pullTimeUpdateExclusions);
  assert.equal(pages, 4);
  await rejection(ecr.send(new ListPullTimeUpdateExclusionsCommand({ nextToken: 'not-a-token' })), InvalidParameterException);

  for (let i = 0; i < 100 - existing + 1; i++) {
    const removed = await ecr.send(new DeregisterPullTimeUpdateExclusionCommand({ principalArn: arn(i) }));
    assert.equal(removed.principalArn, arn(i));
  }
  assert.equal((await ecr.send(new ListPullTimeUpdateExclusionsCommand({}))).pullTimeUpdateExclusions!.length, existing - 1, 'all those registered here are gone');
});

test('honoured: pulls by an excluded principal (/v2/ GET, BatchGetImage) leave lastRecordedPullTime alone, until it is deregistered', async () => {
  const repository = 'honoured/app';
  for (const tag of ['v2-get', 'batch', 'admin', 'after']) await pushImage(repository, tag);
  await ecr.send(new RegisterPullTimeUpdateExclusionCommand({ principalArn: scanner.arn }));
  assert.equal(scanner.arn, `arn:aws:iam::${ACCOUNT}:user/bots/scanner`, 'the exclusion names the user with its path');
  try {
    await pullOverV2(scanner.login.authorization, repository, 'v2-get');
    const batch = await scanner.ecr.send(new BatchGetImageCommand({ repositoryName: repository, imageIds: [{ imageTag: 'batch' }] }));
    assert.equal(batch.images?.length, 1, 'the excluded principal still pulls');
    assert.equal(await lastPull(repository, 'v2-get'), undefined, 'a /v2/ GET by the scanner is not recorded');
    assert.equal(await lastPull(repository, 'batch'), undefined, 'a BatchGetImage by the scanner is not recorded');

    await pullOverV2((await berth.login()).authorization, repository, 'admin');
    assert.ok((await lastPull(repository, 'admin')) instanceof Date, 'other principals are recorded as before');
  } finally {
    await ecr.send(new DeregisterPullTimeUpdateExclusionCommand({ principalArn: scanner.arn }));
  }
  await pullOverV2(scanner.login.authorization, repository, 'after');
  assert.ok((await lastPull(repository, 'after')) instanceof Date, 'deregistered: the scanner\'s pulls count again');
  await pullOverV2(scanner.login.authorization, repository, 'v2-get');
  assert.ok((await lastPull(repository, 'v2-get')) instanceof Date, 'an image the scanner pulled while excluded is recorded now');
});

test('honoured across processes: an exclusion another process adds applies within the refresh interval', async () => {
  const repository = 'honoured/shared';
  for (const tag of ['early', 'late']) await pushImage(repository, tag);
  // Stands in for another Berth process (or worker) on the same database.
  const store = SqliteMetadataStore.open({ path: join(berth.dataDir, 'berth.db') });
  try {
    assert.equal(await store.pullTimeExclusions.add(ACCOUNT, scanner.arn, new Date(), 100), 'added');
  } finally {
    await store.close();
  }
  await new Promise((resolve) => setTimeout(resolve, 5_500));
  await pullOverV2(scanner.login.authorization, repository, 'late');
  assert.equal(await lastPull(repository, 'late'), undefined, 'the server read the list again');
  await ecr.send(new DeregisterPullTimeUpdateExclusionCommand({ principalArn: scanner.arn }));
  await pullOverV2(scanner.login.authorization, repository, 'early');
  assert.ok((await lastPull(repository, 'early')) instanceof Date);
});
