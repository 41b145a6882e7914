// The control plane through the AWS SDK for JavaScript v3, as applications call it: every
// ECR operation Berth implements, with the fields and types the SDK deserializes (Dates
// from epoch seconds, numbers, blobs), the SDK's paginators over several pages, the
// exception classes the SDK maps from `__type`, and IAM + STS for a second user whose
// pull-only key works within its policy and stops working when deactivated or deleted.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  BatchCheckLayerAvailabilityCommand,
  BatchDeleteImageCommand,
  BatchGetImageCommand,
  CompleteLayerUploadCommand,
  CreateRepositoryCommand,
  DeleteRegistryPolicyCommand,
  DeleteRepositoryCommand,
  DeleteRepositoryPolicyCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  ECRServiceException,
  GetAuthorizationTokenCommand,
  GetDownloadUrlForLayerCommand,
  GetRegistryPolicyCommand,
  GetRepositoryPolicyCommand,
  ImageAlreadyExistsException,
  ImageNotFoundException,
  ImageTagAlreadyExistsException,
  InitiateLayerUploadCommand,
  InvalidLayerPartException,
  InvalidParameterException,
  LayersNotFoundException,
  ListImagesCommand,
  ListTagsForResourceCommand,
  PutImageCommand,
  PutImageScanningConfigurationCommand,
  PutImageTagMutabilityCommand,
  PutRegistryPolicyCommand,
  RegistryPolicyNotFoundException,
  RepositoryAlreadyExistsException,
  RepositoryNotEmptyException,
  RepositoryNotFoundException,
  RepositoryPolicyNotFoundException,
  SetRepositoryPolicyCommand,
  TagResourceCommand,
  TooManyTagsException,
  UntagResourceCommand,
  UploadLayerPartCommand,
  UploadNotFoundException,
  paginateDescribeImages,
  paginateDescribeRepositories,
  paginateListImages,
} from '@aws-sdk/client-ecr';
import {
  CreateAccessKeyCommand,
  CreateUserCommand,
  DeleteAccessKeyCommand,
  EntityAlreadyExistsException,
  GetUserCommand,
  IAMClient,
  IAMServiceException,
  NoSuchEntityException,
  PutUserPolicyCommand,
  UpdateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, STSClient, STSServiceException } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity } from '@smithy/types';
import { ECR_HANDLERS } from '../../src/ecr/ecr-operations.ts';
import { startBerth, type BerthProcess } from '../helpers/berth-process.ts';

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

let berth: BerthProcess;
let admin: AwsCredentialIdentity;
let ecr: ECRClient;
/** Every ECR operation the admin client has called, to check that none was left out. */
const exercised = new Set<string>();

before(async () => {
  berth = await startBerth();
  const text = await readFile(join(berth.dataDir, 'credentials'), 'utf8');
  admin = {
    accessKeyId: /aws_access_key_id = (\S+)/.exec(text)![1]!,
    secretAccessKey: /aws_secret_access_key = (\S+)/.exec(text)![1]!,
  };
  ecr = ecrClient(admin);
  ecr.middlewareStack.add(
    (next, context) => (args) => {
      exercised.add(String(context.commandName).replace(/Command$/, ''));
      return next(args);
    },
    { step: 'initialize', name: 'recordOperation' },
  );
});
after(async () => {
  ecr?.destroy();
  await berth?.stop();
});

/** A client as an application configures one for a custom endpoint; no retries hide an error. */
function clientConfig(credentials: AwsCredentialIdentity) {
  return { endpoint: berth.url, region: REGION, credentials, maxAttempts: 1 };
}
function ecrClient(credentials: AwsCredentialIdentity): ECRClient {
  return new ECRClient(clientConfig(credentials));
}

interface SdkError extends Error {
  readonly $fault: 'client' | 'server';
  readonly $metadata: { readonly httpStatusCode?: number; readonly requestId?: string };
}

/**
 * The error a call rejects with, checked for the exception name, status and class the SDK
 * maps. Modeled exceptions are named by their shape (IAM's EntityAlreadyExists code is an
 * EntityAlreadyExistsException); others by the code on the wire, as ECRServiceException etc.
 */
async function rejection(call: Promise<unknown>, name: string, status: number, type: abstract new (...args: never[]) => Error): Promise<SdkError> {
  const error = await call.then(
    () => assert.fail(`expected ${name}`),
    (thrown: unknown) => thrown as SdkError,
  );
  assert.ok(error instanceof type, `${error.name} is a ${type.name}: ${error.message}`);
  assert.equal(error.name, name, error.message);
  assert.equal(error.$metadata.httpStatusCode, status, error.message);
  assert.equal(error.$fault, status >= 500 ? 'server' : 'client');
  assert.match(error.$metadata.requestId ?? '', /^[0-9a-f-]{36}$/, 'the request id header is read');
  return error;
}

function sha256(data: Uint8Array | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** Pushes a blob through ECR's layer API in parts of `partSize` bytes; returns its digest. */
async function pushLayer(repositoryName: string, blob: Buffer, partSize = blob.length): Promise<string> {
  const started = await ecr.send(new InitiateLayerUploadCommand({ repositoryName }));
  assert.equal(typeof started.uploadId, 'string');
  assert.equal(typeof started.partSize, 'number');
  for (let first = 0; first < blob.length; first += partSize) {
    const part = blob.subarray(first, Math.min(blob.length, first + partSize));
    const uploaded = await ecr.send(
      new UploadLayerPartCommand({ repositoryName, uploadId: started.uploadId, partFirstByte: first, partLastByte: first + part.length - 1, layerPartBlob: part }),
    );
    assert.deepEqual(
      { registryId: uploaded.registryId, repositoryName: uploaded.repositoryName, uploadId: uploaded.uploadId, lastByteReceived: uploaded.lastByteReceived },
      { registryId: ACCOUNT, repositoryName, uploadId: started.uploadId, lastByteReceived: first + part.length - 1 },
    );
  }
  const digest = sha256(blob);
  const completed = await ecr.send(new CompleteLayerUploadCommand({ repositoryName, uploadId: started.uploadId, layerDigests: [digest] }));
  assert.deepEqual(
    { registryId: completed.registryId, repositoryName: completed.repositoryName, uploadId: completed.uploadId, layerDigest: completed.layerDigest },
    { registryId: ACCOUNT, repositoryName, uploadId: started.uploadId, layerDigest: digest },
  );
  return digest;
}

/** An OCI image manifest over a config and one layer; `note` makes each one distinct. */
function manifestOf(config: Buffer, layer: Buffer, note: string): string {
  return JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(config), size: config.length },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: sha256(layer), size: layer.length }],
    annotations: { note },
  });
}

/** Creates a repository holding a config and a layer blob, pushed through the layer API. */
async function repositoryWithBlobs(repositoryName: string): Promise<{ config: Buffer; layer: Buffer }> {
  await ecr.send(new CreateRepositoryCommand({ repositoryName }));
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } }));
  const layer = Buffer.from('layer bytes '.repeat(50));
  await pushLayer(repositoryName, config);
  await pushLayer(repositoryName, layer);
  return { config, layer };
}

function isRecent(date: Date | undefined): boolean {
  return date instanceof Date && Math.abs(date.getTime() - Date.now()) < 5 * 60_000;
}

test('CreateRepository: every field of the repository, with createdAt as a Date', async () => {
  const created = await ecr.send(
    new CreateRepositoryCommand({
      repositoryName: 'sdk/create',
      imageTagMutability: 'IMMUTABLE',
      imageScanningConfiguration: { scanOnPush: true },
      tags: [{ Key: 'team', Value: 'a' }],
    }),
  );
  assert.equal(created.$metadata.httpStatusCode, 200);
  const repository = created.repository!;
  assert.ok(isRecent(repository.createdAt), `createdAt ${String(repository.createdAt)}`);
  assert.deepEqual(
    { ...repository, createdAt: undefined },
    {
      repositoryArn: `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/sdk/create`,
      registryId: ACCOUNT,
      repositoryName: 'sdk/create',
      repositoryUri: `${berth.hostPort}/sdk/create`,
      createdAt: undefined,
      imageTagMutability: 'IMMUTABLE',
      imageScanningConfiguration: { scanOnPush: true },
      encryptionConfiguration: { encryptionType: 'AES256' },
    },
  );
  const duplicate = await rejection(ecr.send(new CreateRepositoryCommand({ repositoryName: 'sdk/create' })), 'RepositoryAlreadyExistsException', 400, RepositoryAlreadyExistsException);
  assert.equal(duplicate.message, `The repository with name 'sdk/create' already exists in the registry with id '${ACCOUNT}'`);
  const invalid = await rejection(ecr.send(new CreateRepositoryCommand({ repositoryName: 'Upper/Case' })), 'InvalidParameterException', 400, InvalidParameterException);
  assert.match(invalid.message, /^Invalid parameter at 'repositoryName' failed to satisfy constraint: 'must satisfy regular expression/);
  const tags = Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
  await rejection(ecr.send(new CreateRepositoryCommand({ repositoryName: 'sdk/too-many-tags', tags })), 'TooManyTagsException', 400, TooManyTagsException);
});

test('DescribeRepositories by name, unknown names, and DeleteRepository of a non-empty repository', async () => {
  const described = await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ['sdk/create'] }));
  assert.equal(described.repositories?.length, 1);
  assert.ok(described.repositories![0]!.createdAt instanceof Date);
  assert.equal(described.nextToken, undefined);
  const missing = await rejection(ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ['sdk/create', 'sdk/none'] })), 'RepositoryNotFoundException', 400, RepositoryNotFoundException);
  assert.equal(missing.message, `The repository with name 'sdk/none' does not exist in the registry with id '${ACCOUNT}'`);

  const { config, layer } = await repositoryWithBlobs('sdk/delete-me');
  await ecr.send(new PutImageCommand({ repositoryName: 'sdk/delete-me', imageManifest: manifestOf(config, layer, 'x'), imageTag: 'v1' }));
  await rejection(ecr.send(new DeleteRepositoryCommand({ repositoryName: 'sdk/delete-me' })), 'RepositoryNotEmptyException', 400, RepositoryNotEmptyException);
  const deleted = await ecr.send(new DeleteRepositoryCommand({ repositoryName: 'sdk/delete-me', force: true }));
  assert.equal(deleted.repository?.repositoryName, 'sdk/delete-me');
  assert.ok(deleted.repository?.createdAt instanceof Date);
  await rejection(ecr.send(new DeleteRepositoryCommand({ repositoryName: 'sdk/delete-me' })), 'RepositoryNotFoundException', 400, RepositoryNotFoundException);
});

test('paginateDescribeRepositories walks every page of pageSize repositories', async () => {
  const names = ['sdk-page/a', 'sdk-page/b', 'sdk-page/c', 'sdk-page/d', 'sdk-page/e'];
  for (const repositoryName of names) await ecr.send(new CreateRepositoryCommand({ repositoryName }));
  const pages: string[][] = [];
  for await (const page of paginateDescribeRepositories({ client: ecr, pageSize: 2 }, {})) {
    assert.ok(page.repositories!.length <= 2);
    pages.push(page.repositories!.map((repository) => repository.repositoryName!));
  }
  const all = pages.flat();
  assert.ok(pages.length >= 3, `${pages.length} pages`);
  assert.equal(new Set(all).size, all.length, 'no repository twice');
  assert.deepEqual(all.filter((name) => name.startsWith('sdk-page/')), names);
  const invalid = await rejection(ecr.send(new DescribeRepositoriesCommand({ maxResults: 1001 })), 'InvalidParameterException', 400, InvalidParameterException);
  assert.match(invalid.message, /'maxResults'/);
});

test('the layer API: parts in order, availability, download URL; bad parts and unknown uploads are refused', async () => {
  await ecr.send(new CreateRepositoryCommand({ repositoryName: 'sdk/layers' }));
  const blob = Buffer.from(Array.from({ length: 5000 }, (_, i) => i % 251));
  const digest = await pushLayer('sdk/layers', blob, 2048);

  const availability = await ecr.send(new BatchCheckLayerAvailabilityCommand({ repositoryName: 'sdk/layers', layerDigests: [digest, sha256('absent')] }));
  assert.deepEqual(availability.layers, [{ layerDigest: digest, layerAvailability: 'AVAILABLE', layerSize: blob.length }]);
  assert.deepEqual(availability.failures, [{ layerDigest: sha256('absent'), failureCode: 'MissingLayerDigest', failureReason: 'Could not find the layer in the repository' }]);

  const url = await ecr.send(new GetDownloadUrlForLayerCommand({ repositoryName: 'sdk/layers', layerDigest: digest }));
  assert.equal(url.layerDigest, digest);
  assert.deepEqual(Buffer.from(await (await fetch(url.downloadUrl!)).arrayBuffer()), blob);
  await rejection(ecr.send(new GetDownloadUrlForLayerCommand({ repositoryName: 'sdk/layers', layerDigest: sha256('absent') })), 'LayersNotFoundException', 400, LayersNotFoundException);

  const { uploadId } = await ecr.send(new InitiateLayerUploadCommand({ repositoryName: 'sdk/layers' }));
  const gap = ecr.send(new UploadLayerPartCommand({ repositoryName: 'sdk/layers', uploadId, partFirstByte: 10, partLastByte: 12, layerPartBlob: new Uint8Array([1, 2, 3]) }));
  await rejection(gap, 'InvalidLayerPartException', 400, InvalidLayerPartException);
  const unknown = ecr.send(new CompleteLayerUploadCommand({ repositoryName: 'sdk/layers', uploadId: '00000000-0000-0000-0000-000000000000', layerDigests: [digest] }));
  await rejection(unknown, 'UploadNotFoundException', 400, UploadNotFoundException);
  await rejection(ecr.send(new InitiateLayerUploadCommand({ repositoryName: 'sdk/none' })), 'RepositoryNotFoundException', 400, RepositoryNotFoundException);
});

test('PutImage: the image as stored; the same tag again, a moved immutable tag and missing layers are refused', async () => {
  const { config, layer } = await repositoryWithBlobs('sdk/put');
  const manifest = manifestOf(config, layer, 'one');
  const put = await ecr.send(new PutImageCommand({ repositoryName: 'sdk/put', imageManifest: manifest, imageTag: 'v1', imageManifestMediaType: OCI_MANIFEST }));
  assert.deepEqual(put.image, {
    registryId: ACCOUNT,
    repositoryName: 'sdk/put',
    imageId: { imageDigest: sha256(manifest), imageTag: 'v1' },
    imageManifest: manifest,
    imageManifestMediaType: OCI_MANIFEST,
  });
  await rejection(ecr.send(new PutImageCommand({ repositoryName: 'sdk/put', imageManifest: manifest, imageTag: 'v1' })), 'ImageAlreadyExistsException', 400, ImageAlreadyExistsException);

  await ecr.send(new PutImageTagMutabilityCommand({ repositoryName: 'sdk/put', imageTagMutability: 'IMMUTABLE' }));
  const moved = ecr.send(new PutImageCommand({ repositoryName: 'sdk/put', imageManifest: manifestOf(config, layer, 'two'), imageTag: 'v1' }));
  await rejection(moved, 'ImageTagAlreadyExistsException', 400, ImageTagAlreadyExistsException);

  const dangling = manifestOf(config, Buffer.from('never pushed'), 'three');
  await rejection(ecr.send(new PutImageCommand({ repositoryName: 'sdk/put', imageManifest: dangling, imageTag: 'v3' })), 'LayersNotFoundException', 400, LayersNotFoundException);
  const notJson = ecr.send(new PutImageCommand({ repositoryName: 'sdk/put', imageManifest: 'not json', imageTag: 'v4' }));
  await rejection(notJson, 'InvalidParameterException', 400, InvalidParameterException);
});

test('images: ListImages, DescribeImages and BatchGetImage with their shapes; ImageNotFoundException', async () => {
  const { config, layer } = await repositoryWithBlobs('sdk/images');
  const tagged = manifestOf(config, layer, 'tagged');
  const untagged = manifestOf(config, layer, 'untagged');
  await ecr.send(new PutImageCommand({ repositoryName: 'sdk/images', imageManifest: tagged, imageTag: 'v1' }));
  await ecr.send(new PutImageCommand({ repositoryName: 'sdk/images', imageManifest: tagged, imageTag: 'latest' }));
  await ecr.send(new PutImageCommand({ repositoryName: 'sdk/images', imageManifest: untagged, imageDigest: sha256(untagged) }));

  const listed = await ecr.send(new ListImagesCommand({ repositoryName: 'sdk/images', filter: { tagStatus: 'TAGGED' } }));
  assert.deepEqual(
    listed.imageIds!.map((id) => `${id.imageTag}@${id.imageDigest}`).sort(),
    [`latest@${sha256(tagged)}`, `v1@${sha256(tagged)}`],
  );
  const bare = await ecr.send(new ListImagesCommand({ repositoryName: 'sdk/images', filter: { tagStatus: 'UNTAGGED' } }));
  assert.deepEqual(bare.imageIds, [{ imageDigest: sha256(untagged) }]);

  const described = await ecr.send(new DescribeImagesCommand({ repositoryName: 'sdk/images', imageIds: [{ imageTag: 'v1' }] }));
  const detail = described.imageDetails![0]!;
  assert.ok(isRecent(detail.imagePushedAt), `imagePushedAt ${String(detail.imagePushedAt)}`);
  assert.deepEqual(
    { ...detail, imagePushedAt: undefined },
    {
      registryId: ACCOUNT,
      repositoryName: 'sdk/images',
      imageDigest: sha256(tagged),
      imageTags: ['latest', 'v1'],
      imageSizeInBytes: config.length + layer.length,
      imagePushedAt: undefined,
      imageManifestMediaType: OCI_MANIFEST,
      // ECR reports an image's config media type as its artifact media type.
      artifactMediaType: 'application/vnd.oci.image.config.v1+json',
    },
  );
  const notFound = ecr.send(new DescribeImagesCommand({ repositoryName: 'sdk/images', imageIds: [{ imageTag: 'nope' }] }));
  const error = await rejection(notFound, 'ImageNotFoundException', 400, ImageNotFoundException);
  assert.match(error.message, /imageTag='nope'.*does not exist within the repository with name 'sdk\/images'/);

  const fetched = await ecr.send(
    new BatchGetImageCommand({ repositoryName: 'sdk/images', imageIds: [{ imageTag: 'latest' }, { imageTag: 'nope' }, { imageTag: 'v1', imageDigest: sha256(untagged) }] }),
  );
  assert.deepEqual(fetched.images, [
    { registryId: ACCOUNT, repositoryName: 'sdk/images', imageId: { imageDigest: sha256(tagged), imageTag: 'latest' }, imageManifest: tagged, imageManifestMediaType: OCI_MANIFEST },
  ]);
  assert.deepEqual(
    fetched.failures!.map((failure) => [failure.imageId?.imageTag, failure.failureCode]),
    [['nope', 'ImageNotFound'], ['v1', 'ImageTagDoesNotMatchDigest']],
  );
  const otherType = await ecr.send(new BatchGetImageCommand({ repositoryName: 'sdk/images', imageIds: [{ imageTag: 'v1' }], acceptedMediaTypes: ['application/vnd.docker.distribution.manifest.v2+json'] }));
  assert.equal(otherType.failures![0]!.failureCode, 'UnsupportedImageType');
});

test('paginateListImages and paginateDescribeImages walk more images than one page', async () => {
  const { config, layer } = await repositoryWithBlobs('sdk/many');
  const digests: string[] = [];
  for (let i = 0; i < 7; i++) {
    const manifest = manifestOf(config, layer, `image ${i}`);
    digests.push(sha256(manifest));
    await ecr.send(new PutImageCommand({ repositoryName: 'sdk/many', imageManifest: manifest, imageTag: `t${i}` }));
  }
  const listPages: number[] = [];
  const listed: string[] = [];
  for await (const page of paginateListImages({ client: ecr, pageSize: 3 }, { repositoryName: 'sdk/many' })) {
    listPages.push(page.imageIds!.length);
    listed.push(...page.imageIds!.map((id) => id.imageDigest!));
  }
  assert.deepEqual(listPages, [3, 3, 1]);
  assert.deepEqual(listed.sort(), [...digests].sort());

  const describePages: number[] = [];
  const described: string[] = [];
  for await (const page of paginateDescribeImages({ client: ecr, pageSize: 2 }, { repositoryName: 'sdk/many' })) {
    describePages.push(page.imageDetails!.length);
    for (const detail of page.imageDetails!) {
      assert.ok(detail.imagePushedAt instanceof Date);
      assert.equal(typeof detail.imageSizeInBytes, 'number');
      described.push(detail.imageDigest!);
    }
  }
  assert.deepEqual(describePages, [2, 2, 2, 1]);
  assert.deepEqual(described.sort(), [...digests].sort());

  const deleted = await ecr.send(new BatchDeleteImageCommand({ repositoryName: 'sdk/many', imageIds: [{ imageTag: 't0' }, { imageDigest: digests[1]! }, { imageTag: 'nope' }] }));
  assert.deepEqual(deleted.imageIds, [{ imageDigest: digests[0], imageTag: 't0' }, { imageDigest: digests[1] }]);
  assert.deepEqual(deleted.failures, [{ imageId: { imageTag: 'nope' }, failureCode: 'ImageNotFound', failureReason: 'Requested image not found' }]);
  const left = await ecr.send(new ListImagesCommand({ repositoryName: 'sdk/many' }));
  assert.equal(left.imageIds!.length, 5);
});

test('repository settings: tag mutability, scan on push, and tags by ARN', async () => {
  const created = await ecr.send(new CreateRepositoryCommand({ repositoryName: 'sdk/settings', tags: [{ Key: 'a', Value: '1' }] }));
  const resourceArn = created.repository!.repositoryArn!;
  const mutability = await ecr.send(new PutImageTagMutabilityCommand({ repositoryName: 'sdk/settings', imageTagMutability: 'IMMUTABLE' }));
  assert.deepEqual(
    { registryId: mutability.registryId, repositoryName: mutability.repositoryName, imageTagMutability: mutability.imageTagMutability },
    { registryId: ACCOUNT, repositoryName: 'sdk/settings', imageTagMutability: 'IMMUTABLE' },
  );
  const scanning = await ecr.send(new PutImageScanningConfigurationCommand({ repositoryName: 'sdk/settings', imageScanningConfiguration: { scanOnPush: true } }));
  assert.deepEqual(scanning.imageScanningConfiguration, { scanOnPush: true });
  assert.equal(scanning.repositoryName, 'sdk/settings');
  const described = (await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ['sdk/settings'] }))).repositories![0]!;
  assert.equal(described.imageTagMutability, 'IMMUTABLE');
  assert.deepEqual(described.imageScanningConfiguration, { scanOnPush: true });

  const tagged = await ecr.send(new TagResourceCommand({ resourceArn, tags: [{ Key: 'b', Value: '2' }, { Key: 'a', Value: '3' }] }));
  assert.deepEqual(Object.keys(tagged).filter((key) => key !== '$metadata'), []);
  await ecr.send(new UntagResourceCommand({ resourceArn, tagKeys: ['b'] }));
  assert.deepEqual((await ecr.send(new ListTagsForResourceCommand({ resourceArn }))).tags, [{ Key: 'a', Value: '3' }]);
  const elsewhere = ecr.send(new ListTagsForResourceCommand({ resourceArn: `arn:aws:ecr:${REGION}:999999999999:repository/sdk/settings` }));
  await rejection(elsewhere, 'InvalidParameterException', 400, InvalidParameterException);
});

test('repository and registry policies: set, get, delete, and the not-found exceptions', async () => {
  await ecr.send(new CreateRepositoryCommand({ repositoryName: 'sdk/policy' }));
  await rejection(ecr.send(new GetRepositoryPolicyCommand({ repositoryName: 'sdk/policy' })), 'RepositoryPolicyNotFoundException', 400, RepositoryPolicyNotFoundException);
  const policyText = JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'pull', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: ['ecr:BatchGetImage'] }] });
  const set = await ecr.send(new SetRepositoryPolicyCommand({ repositoryName: 'sdk/policy', policyText }));
  assert.deepEqual({ registryId: set.registryId, repositoryName: set.repositoryName, policyText: set.policyText }, { registryId: ACCOUNT, repositoryName: 'sdk/policy', policyText });
  assert.equal((await ecr.send(new GetRepositoryPolicyCommand({ repositoryName: 'sdk/policy' }))).policyText, policyText);
  const malformed = ecr.send(new SetRepositoryPolicyCommand({ repositoryName: 'sdk/policy', policyText: '{"Statement":[{"Effect":"Perhaps"}]}' }));
  await rejection(malformed, 'InvalidParameterException', 400, InvalidParameterException);
  assert.equal((await ecr.send(new DeleteRepositoryPolicyCommand({ repositoryName: 'sdk/policy' }))).policyText, policyText);
  await rejection(ecr.send(new DeleteRepositoryPolicyCommand({ repositoryName: 'sdk/policy' })), 'RepositoryPolicyNotFoundException', 400, RepositoryPolicyNotFoundException);

  await rejection(ecr.send(new GetRegistryPolicyCommand({})), 'RegistryPolicyNotFoundException', 400, RegistryPolicyNotFoundException);
  const registryPolicy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Principal: '*', Action: 'ecr:CreateRepository', Resource: `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/sdk-forbidden/*` }] });
  const put = await ecr.send(new PutRegistryPolicyCommand({ policyText: registryPolicy }));
  assert.deepEqual({ registryId: put.registryId, policyText: put.policyText }, { registryId: ACCOUNT, policyText: registryPolicy });
  assert.equal((await ecr.send(new GetRegistryPolicyCommand({}))).policyText, registryPolicy);
  const denied = await rejection(ecr.send(new CreateRepositoryCommand({ repositoryName: 'sdk-forbidden/x' })), 'AccessDeniedException', 400, ECRServiceException);
  assert.match(denied.message, /is not authorized to perform: ecr:CreateRepository .*explicit deny/);
  assert.equal((await ecr.send(new DeleteRegistryPolicyCommand({}))).policyText, registryPolicy);
  await rejection(ecr.send(new DeleteRegistryPolicyCommand({})), 'RegistryPolicyNotFoundException', 400, RegistryPolicyNotFoundException);
});

test('GetAuthorizationToken: a base64 AWS:<token> pair, expiresAt a Date 12 hours ahead, the proxy endpoint', async () => {
  const answer = await ecr.send(new GetAuthorizationTokenCommand({}));
  const data = answer.authorizationData![0]!;
  assert.match(Buffer.from(data.authorizationToken!, 'base64').toString('utf8'), /^AWS:berth1\./);
  assert.ok(data.expiresAt instanceof Date);
  assert.ok(Math.abs(data.expiresAt.getTime() - (Date.now() + 12 * 3600_000)) < 120_000, String(data.expiresAt));
  assert.equal(data.proxyEndpoint, berth.url);
  const badRegistry = ecr.send(new GetAuthorizationTokenCommand({ registryIds: ['not-an-account'] }));
  await rejection(badRegistry, 'InvalidParameterException', 400, InvalidParameterException);
});

test('an oversized request gets an AWS error the SDK reads, never a reset connection', async () => {
  const iam = new IAMClient(clientConfig(admin));
  try {
    for (const size of [1_100_000, 6_000_000]) {
      const tooBig = await rejection(ecr.send(new SetRepositoryPolicyCommand({ repositoryName: 'sdk/policy', policyText: 'x'.repeat(size) })), 'SerializationException', 413, ECRServiceException);
      assert.equal(tooBig.message, 'Request body exceeds the limit of 1048576 bytes');
      await rejection(iam.send(new PutUserPolicyCommand({ UserName: 'admin', PolicyName: 'big', PolicyDocument: 'x'.repeat(size) })), 'InvalidRequest', 413, IAMServiceException);
    }
    // The connection survives: the next call on the same client just works.
    assert.equal((await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ['sdk/policy'] }))).repositories?.length, 1);
  } finally {
    iam.destroy();
  }
});

test('IAM and STS: a pull-only user can read images but not push or create; deactivated or deleted keys are refused', async () => {
  const iam = new IAMClient(clientConfig(admin));
  const sts = new STSClient(clientConfig(admin));
  const { config, layer } = await repositoryWithBlobs('sdk/pull');
  const manifest = manifestOf(config, layer, 'pull');
  await ecr.send(new PutImageCommand({ repositoryName: 'sdk/pull', imageManifest: manifest, imageTag: 'v1' }));
  try {
    const user = (await iam.send(new CreateUserCommand({ UserName: 'puller', Path: '/ci/' }))).User!;
    assert.equal(user.Arn, `arn:aws:iam::${ACCOUNT}:user/ci/puller`);
    assert.match(user.UserId!, /^AIDA[A-Z2-7]{16}$/);
    assert.ok(isRecent(user.CreateDate), 'CreateDate is a Date');
    await rejection(iam.send(new CreateUserCommand({ UserName: 'Puller' })), 'EntityAlreadyExistsException', 409, EntityAlreadyExistsException);
    await rejection(iam.send(new GetUserCommand({ UserName: 'nobody' })), 'NoSuchEntityException', 404, NoSuchEntityException);

    const key = (await iam.send(new CreateAccessKeyCommand({ UserName: 'puller' }))).AccessKey!;
    assert.equal(key.Status, 'Active');
    assert.match(key.AccessKeyId!, /^AKIA[A-Z2-7]{16}$/);
    assert.ok(isRecent(key.CreateDate));
    const pullOnly = {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: ['ecr:GetAuthorizationToken', 'ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage', 'ecr:DescribeImages', 'ecr:ListImages'],
          Resource: '*',
        },
      ],
    };
    await iam.send(new PutUserPolicyCommand({ UserName: 'puller', PolicyName: 'pull-only', PolicyDocument: JSON.stringify(pullOnly) }));

    const credentials = { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! };
    const asPuller = ecrClient(credentials);
    const stsAsPuller = new STSClient(clientConfig(credentials));
    const iamAsPuller = new IAMClient(clientConfig(credentials));
    try {
      const identity = await stsAsPuller.send(new GetCallerIdentityCommand({}));
      assert.deepEqual({ Arn: identity.Arn, Account: identity.Account, UserId: identity.UserId }, { Arn: user.Arn, Account: ACCOUNT, UserId: user.UserId });
      assert.equal((await asPuller.send(new DescribeImagesCommand({ repositoryName: 'sdk/pull' }))).imageDetails!.length, 1);
      assert.equal((await asPuller.send(new BatchGetImageCommand({ repositoryName: 'sdk/pull', imageIds: [{ imageTag: 'v1' }] }))).images![0]!.imageManifest, manifest);

      const push = asPuller.send(new PutImageCommand({ repositoryName: 'sdk/pull', imageManifest: manifestOf(config, layer, 'pushed'), imageTag: 'v2' }));
      const denied = await rejection(push, 'AccessDeniedException', 400, ECRServiceException);
      assert.equal(
        denied.message,
        `User: ${user.Arn} is not authorized to perform: ecr:PutImage on resource: arn:aws:ecr:${REGION}:${ACCOUNT}:repository/sdk/pull because no identity-based policy allows the action`,
      );
      await rejection(asPuller.send(new CreateRepositoryCommand({ repositoryName: 'sdk/by-puller' })), 'AccessDeniedException', 400, ECRServiceException);
      await rejection(iamAsPuller.send(new CreateUserCommand({ UserName: 'escalate' })), 'AccessDenied', 403, IAMServiceException);

      await iam.send(new UpdateAccessKeyCommand({ UserName: 'puller', AccessKeyId: key.AccessKeyId, Status: 'Inactive' }));
      const inactive = await rejection(asPuller.send(new DescribeImagesCommand({ repositoryName: 'sdk/pull' })), 'UnrecognizedClientException', 400, ECRServiceException);
      assert.equal(inactive.message, 'The security token included in the request is invalid.');
      await rejection(stsAsPuller.send(new GetCallerIdentityCommand({})), 'InvalidClientTokenId', 403, STSServiceException);
      await rejection(iamAsPuller.send(new GetUserCommand({})), 'InvalidClientTokenId', 403, IAMServiceException);

      await iam.send(new UpdateAccessKeyCommand({ UserName: 'puller', AccessKeyId: key.AccessKeyId, Status: 'Active' }));
      assert.equal((await stsAsPuller.send(new GetCallerIdentityCommand({}))).Arn, user.Arn, 'reactivated');

      await iam.send(new DeleteAccessKeyCommand({ UserName: 'puller', AccessKeyId: key.AccessKeyId }));
      await rejection(asPuller.send(new BatchGetImageCommand({ repositoryName: 'sdk/pull', imageIds: [{ imageTag: 'v1' }] })), 'UnrecognizedClientException', 400, ECRServiceException);
      await rejection(stsAsPuller.send(new GetCallerIdentityCommand({})), 'InvalidClientTokenId', 403, STSServiceException);
    } finally {
      for (const client of [asPuller, stsAsPuller, iamAsPuller]) client.destroy();
    }
  } finally {
    iam.destroy();
    sts.destroy();
  }
});

test('every ECR operation Berth implements was called through the SDK above', () => {
  const missing = [...ECR_HANDLERS.keys()].filter((operation) => !exercised.has(operation));
  assert.deepEqual(missing, []);
});
