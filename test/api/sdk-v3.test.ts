// The control plane through the AWS SDK for JavaScript v3, as applications call it: every
// ECR operation Berth implements, with the fields and types the SDK deserializes (Dates
// from epoch seconds, numbers, blobs), the SDK's paginators over several pages, the
// exception classes the SDK maps from `__type`, and IAM + STS for a second user whose
// pull-only key works within its policy and stops working when deactivated or deleted.
// Where ECR's state comes from the registry API (referrers, pull times), /v2/ is called
// logged in as the administrator.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  BatchCheckLayerAvailabilityCommand,
  BatchDeleteImageCommand,
  BatchGetImageCommand,
  BatchGetRepositoryScanningConfigurationCommand,
  CompleteLayerUploadCommand,
  CreateRepositoryCommand,
  CreateRepositoryCreationTemplateCommand,
  DeleteLifecyclePolicyCommand,
  DeleteRegistryPolicyCommand,
  DeleteRepositoryCommand,
  DeleteRepositoryCreationTemplateCommand,
  DeleteRepositoryPolicyCommand,
  DescribeImagesCommand,
  DescribeRegistryCommand,
  DescribeRepositoriesCommand,
  DescribeRepositoryCreationTemplatesCommand,
  ECRClient,
  ECRServiceException,
  GetAccountSettingCommand,
  GetAuthorizationTokenCommand,
  GetDownloadUrlForLayerCommand,
  GetLifecyclePolicyCommand,
  GetLifecyclePolicyPreviewCommand,
  GetRegistryPolicyCommand,
  GetRepositoryPolicyCommand,
  ImageAlreadyExistsException,
  ImageNotFoundException,
  ImageTagAlreadyExistsException,
  InitiateLayerUploadCommand,
  InvalidLayerPartException,
  InvalidParameterException,
  LayersNotFoundException,
  LifecyclePolicyNotFoundException,
  LifecyclePolicyPreviewNotFoundException,
  ListImageReferrersCommand,
  ListImagesCommand,
  ListTagsForResourceCommand,
  PutAccountSettingCommand,
  PutImageCommand,
  PutImageScanningConfigurationCommand,
  PutImageTagMutabilityCommand,
  PutLifecyclePolicyCommand,
  PutRegistryPolicyCommand,
  RegistryPolicyNotFoundException,
  RepositoryAlreadyExistsException,
  RepositoryNotEmptyException,
  RepositoryNotFoundException,
  RepositoryPolicyNotFoundException,
  SetRepositoryPolicyCommand,
  StartLifecyclePolicyPreviewCommand,
  TagResourceCommand,
  TemplateAlreadyExistsException,
  TemplateNotFoundException,
  TooManyTagsException,
  UntagResourceCommand,
  UpdateRepositoryCreationTemplateCommand,
  UploadLayerPartCommand,
  UploadNotFoundException,
  ValidationException,
  paginateDescribeImages,
  paginateDescribeRepositories,
  paginateDescribeRepositoryCreationTemplates,
  paginateListImages,
  type ImageReferrer,
  type ListImageReferrersCommandInput,
  DeregisterPullTimeUpdateExclusionCommand,
  GetRegistryScanningConfigurationCommand,
  ListPullTimeUpdateExclusionsCommand,
  PutRegistryScanningConfigurationCommand,
  RegisterPullTimeUpdateExclusionCommand,
} from '@aws-sdk/client-ecr';
import {
  CreateAccessKeyCommand,
  CreateUserCommand,
  DeleteAccessKeyCommand,
  EntityAlreadyExistsException,
  GetUserCommand,
  IAMClient,
  IAMServiceException,
  MalformedPolicyDocumentException,
  NoSuchEntityException,
  PutUserPolicyCommand,
  UpdateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, STSClient, STSServiceException } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity } from '@smithy/types';
import { ECR_HANDLERS } from '../../src/ecr/ecr-operations.ts';
import { adminFetch } from '../helpers/admin-fetch.ts';
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

  // A manifest without mediaType needs imageManifestMediaType, as on ECR.
  const bare = JSON.parse(manifestOf(config, layer, 'five')) as Record<string, unknown>;
  delete bare['mediaType'];
  const untyped = JSON.stringify(bare);
  const refused = await rejection(ecr.send(new PutImageCommand({ repositoryName: 'sdk/put', imageManifest: untyped, imageTag: 'v5' })), 'InvalidParameterException', 400, InvalidParameterException);
  assert.equal(refused.message, "Invalid parameter at 'ImageManifest' failed to satisfy constraint: 'Invalid JSON syntax'");
  const typed = await ecr.send(new PutImageCommand({ repositoryName: 'sdk/put', imageManifest: untyped, imageTag: 'v5', imageManifestMediaType: OCI_MANIFEST }));
  assert.deepEqual([typed.image?.imageId, typed.image?.imageManifestMediaType], [{ imageDigest: sha256(untyped), imageTag: 'v5' }, OCI_MANIFEST]);
  const described = await ecr.send(new DescribeImagesCommand({ repositoryName: 'sdk/put', imageIds: [{ imageTag: 'v5' }] }));
  assert.equal(described.imageDetails?.[0]?.imageManifestMediaType, OCI_MANIFEST, 'stored with the media type the request named');
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
      // Berth has no archive tier: every image is ACTIVE.
      imageStatus: 'ACTIVE',
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

const SBOM = 'application/vnd.example.sbom.v1';
const SIGNATURE = 'application/vnd.example.signature.v1';
/** The OCI empty descriptor's content: the config of an artifact that has none. */
const EMPTY_JSON = Buffer.from('{}');

/** Pushes a blob through the registry API (/v2/) in one monolithic POST, logged in. */
async function pushBlobOverV2(repository: string, bytes: Buffer): Promise<void> {
  const response = await adminFetch(berth, `/v2/${repository}/blobs/uploads/?digest=${sha256(bytes)}`, { method: 'POST', body: bytes });
  assert.equal(response.status, 201, await response.text());
}

/** An OCI artifact: an empty config, one payload, and `subject` as the image it refers to. */
function artifactOf(subject: string, artifactType: string, payload: Buffer, annotations?: Record<string, string>): string {
  return JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    artifactType,
    config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: sha256(EMPTY_JSON), size: EMPTY_JSON.length },
    layers: [{ mediaType: 'application/octet-stream', digest: sha256(payload), size: payload.length }],
    subject: { mediaType: OCI_MANIFEST, digest: sha256(subject), size: Buffer.byteLength(subject) },
    ...(annotations ? { annotations } : {}),
  });
}

/** Follows ListImageReferrers' nextToken by hand: the SDK has no paginator for it (the model declares none). */
async function referrerPages(input: ListImageReferrersCommandInput): Promise<ImageReferrer[][]> {
  const pages: ImageReferrer[][] = [];
  let nextToken: string | undefined;
  do {
    const page = await ecr.send(new ListImageReferrersCommand({ ...input, ...(nextToken ? { nextToken } : {}) }));
    pages.push(page.referrers!);
    nextToken = page.nextToken;
    assert.ok(nextToken === undefined || typeof nextToken === 'string');
    assert.ok(pages.length <= 10, 'the pages end');
  } while (nextToken);
  return pages;
}

test('ListImageReferrers: artifacts pushed through /v2/ with a subject, every field, artifactTypes filter, pages; DescribeImages of a referrer', async () => {
  const { config, layer } = await repositoryWithBlobs('sdk/referrers');
  const subject = manifestOf(config, layer, 'subject');
  const unreferenced = manifestOf(config, layer, 'nobody refers to me');
  await ecr.send(new PutImageCommand({ repositoryName: 'sdk/referrers', imageManifest: subject, imageTag: 'v1' }));
  await ecr.send(new PutImageCommand({ repositoryName: 'sdk/referrers', imageManifest: unreferenced, imageTag: 'v2' }));

  const payloads = [Buffer.from('{"spdxVersion":"SPDX-2.3"}'), Buffer.from('{"bomFormat":"CycloneDX"}'), Buffer.from('signature bytes')];
  const artifacts = [
    artifactOf(subject, SBOM, payloads[0]!, { 'org.example.kind': 'spdx', 'org.opencontainers.image.created': '2024-01-01T00:00:00Z' }),
    artifactOf(subject, SBOM, payloads[1]!),
    artifactOf(subject, SIGNATURE, payloads[2]!),
  ];
  await pushBlobOverV2('sdk/referrers', EMPTY_JSON);
  for (const payload of payloads) await pushBlobOverV2('sdk/referrers', payload);
  for (const artifact of artifacts) {
    const put = await adminFetch(berth, `/v2/sdk/referrers/manifests/${sha256(artifact)}`, { method: 'PUT', body: artifact, headers: { 'Content-Type': OCI_MANIFEST } });
    assert.equal(put.status, 201, await put.text());
    assert.equal(put.headers.get('oci-subject'), sha256(subject), 'the registry took the subject');
  }
  const expected: ImageReferrer[] = artifacts
    .map((artifact) => {
      const parsed = JSON.parse(artifact) as { artifactType: string; annotations?: Record<string, string> };
      return {
        digest: sha256(artifact),
        mediaType: OCI_MANIFEST,
        artifactType: parsed.artifactType,
        size: Buffer.byteLength(artifact),
        ...(parsed.annotations ? { annotations: parsed.annotations } : {}),
        artifactStatus: 'ACTIVE' as const,
      };
    })
    .sort((a, b) => (a.digest < b.digest ? -1 : 1));

  const subjectId = { imageDigest: sha256(subject) };
  const all = await ecr.send(new ListImageReferrersCommand({ repositoryName: 'sdk/referrers', subjectId }));
  assert.equal(all.$metadata.httpStatusCode, 200);
  assert.equal(all.nextToken, undefined);
  assert.deepEqual(all.referrers, expected);
  for (const referrer of all.referrers!) assert.equal(typeof referrer.size, 'number');

  const signatures = await ecr.send(new ListImageReferrersCommand({ repositoryName: 'sdk/referrers', subjectId, filter: { artifactTypes: [SIGNATURE] } }));
  assert.deepEqual(signatures.referrers, expected.filter((referrer) => referrer.artifactType === SIGNATURE));
  const anyStatus = await ecr.send(new ListImageReferrersCommand({ repositoryName: 'sdk/referrers', subjectId, filter: { artifactTypes: [SBOM, SIGNATURE], artifactStatus: 'ANY' } }));
  assert.deepEqual(anyStatus.referrers, expected);
  const archived = await ecr.send(new ListImageReferrersCommand({ repositoryName: 'sdk/referrers', subjectId, filter: { artifactStatus: 'ARCHIVED' } }));
  assert.deepEqual(archived.referrers, [], 'no archive tier: nothing is ARCHIVED');
  const nobody = await ecr.send(new ListImageReferrersCommand({ repositoryName: 'sdk/referrers', subjectId: { imageDigest: sha256(unreferenced) } }));
  assert.deepEqual(nobody.referrers, []);

  const onePerPage = await referrerPages({ repositoryName: 'sdk/referrers', subjectId, maxResults: 1 });
  assert.deepEqual(onePerPage, expected.map((referrer) => [referrer]), 'one referrer a page, each once, in digest order');
  const sbomPages = await referrerPages({ repositoryName: 'sdk/referrers', subjectId, maxResults: 1, filter: { artifactTypes: [SBOM] } });
  assert.deepEqual(sbomPages.flat(), expected.filter((referrer) => referrer.artifactType === SBOM));
  assert.equal(sbomPages.length, 2, 'the filter applies before paging');

  const sbom = expected.find((referrer) => referrer.artifactType === SBOM && referrer.annotations === undefined)!;
  const detail = (await ecr.send(new DescribeImagesCommand({ repositoryName: 'sdk/referrers', imageIds: [{ imageDigest: sbom.digest }] }))).imageDetails![0]!;
  assert.ok(isRecent(detail.imagePushedAt), `imagePushedAt ${String(detail.imagePushedAt)}`);
  assert.deepEqual(
    { ...detail, imagePushedAt: undefined },
    {
      registryId: ACCOUNT,
      repositoryName: 'sdk/referrers',
      imageDigest: sbom.digest,
      imageSizeInBytes: EMPTY_JSON.length + payloads[1]!.length,
      imagePushedAt: undefined,
      imageManifestMediaType: OCI_MANIFEST,
      artifactMediaType: SBOM,
      subjectManifestDigest: sha256(subject),
      imageStatus: 'ACTIVE',
    },
  );

  await rejection(ecr.send(new ListImageReferrersCommand({ repositoryName: 'sdk/none', subjectId })), 'RepositoryNotFoundException', 400, RepositoryNotFoundException);
  const badDigest = ecr.send(new ListImageReferrersCommand({ repositoryName: 'sdk/referrers', subjectId: { imageDigest: 'sha256:abc' } }));
  await rejection(badDigest, 'InvalidParameterException', 400, InvalidParameterException);
  const badToken = await rejection(ecr.send(new ListImageReferrersCommand({ repositoryName: 'sdk/referrers', subjectId, nextToken: 'bogus' })), 'InvalidParameterException', 400, InvalidParameterException);
  assert.match(badToken.message, /nextToken/);
  const tooMany = await rejection(ecr.send(new ListImageReferrersCommand({ repositoryName: 'sdk/referrers', subjectId, maxResults: 51 })), 'InvalidParameterException', 400, InvalidParameterException);
  assert.match(tooMany.message, /'maxResults'/);
});

test('lastRecordedPullTime: a Date once the manifest is pulled with a /v2/ GET or BatchGetImage, absent after a HEAD', async () => {
  const { config, layer } = await repositoryWithBlobs('sdk/pulls');
  const manifests = { got: manifestOf(config, layer, 'got'), headed: manifestOf(config, layer, 'headed'), batched: manifestOf(config, layer, 'batched') };
  for (const [imageTag, imageManifest] of Object.entries(manifests)) await ecr.send(new PutImageCommand({ repositoryName: 'sdk/pulls', imageManifest, imageTag }));
  const pullTimes = async () => {
    const { imageDetails } = await ecr.send(new DescribeImagesCommand({ repositoryName: 'sdk/pulls' }));
    return new Map(imageDetails!.map((detail) => [detail.imageDigest!, detail.lastRecordedPullTime]));
  };
  for (const [digest, pulledAt] of await pullTimes()) assert.equal(pulledAt, undefined, `${digest} was never pulled`);

  const headed = await adminFetch(berth, '/v2/sdk/pulls/manifests/headed', { method: 'HEAD', headers: { Accept: OCI_MANIFEST } });
  assert.equal(headed.status, 200);
  const before = Date.now();
  const got = await adminFetch(berth, '/v2/sdk/pulls/manifests/got', { headers: { Accept: OCI_MANIFEST } });
  assert.equal(got.status, 200);
  assert.equal(await got.text(), manifests.got);
  await ecr.send(new BatchGetImageCommand({ repositoryName: 'sdk/pulls', imageIds: [{ imageTag: 'batched' }] }));
  const after = Date.now();

  const times = await pullTimes();
  assert.equal(times.get(sha256(manifests.headed)), undefined, 'a HEAD is not a pull');
  for (const pulled of [manifests.got, manifests.batched]) {
    const pulledAt = times.get(sha256(pulled));
    assert.ok(pulledAt instanceof Date, `lastRecordedPullTime is a Date: ${String(pulledAt)}`);
    // The wire carries epoch seconds, perhaps without the milliseconds.
    assert.ok(pulledAt.getTime() >= before - 1000 && pulledAt.getTime() <= after + 1000, `${pulledAt.toISOString()} is between the pulls`);
  }
  const named = await ecr.send(new DescribeImagesCommand({ repositoryName: 'sdk/pulls', imageIds: [{ imageTag: 'got' }] }));
  assert.deepEqual(named.imageDetails![0]!.lastRecordedPullTime, times.get(sha256(manifests.got)), 'the same time when the image is named');
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
  // ECR accepts statements that share a Sid (IAM does not; see the IAM test below).
  const sharedSid = JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Sid: 'pull', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: ['ecr:BatchGetImage'] },
      { Sid: 'pull', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: ['ecr:GetDownloadUrlForLayer'] },
    ],
  });
  assert.equal((await ecr.send(new SetRepositoryPolicyCommand({ repositoryName: 'sdk/policy', policyText: sharedSid }))).policyText, sharedSid);
  assert.equal((await ecr.send(new GetRepositoryPolicyCommand({ repositoryName: 'sdk/policy' }))).policyText, sharedSid);
  await ecr.send(new SetRepositoryPolicyCommand({ repositoryName: 'sdk/policy', policyText }));
  const malformed = ecr.send(new SetRepositoryPolicyCommand({ repositoryName: 'sdk/policy', policyText: '{"Statement":[{"Effect":"Perhaps"}]}' }));
  await rejection(malformed, 'InvalidParameterException', 400, InvalidParameterException);
  assert.equal((await ecr.send(new DeleteRepositoryPolicyCommand({ repositoryName: 'sdk/policy' }))).policyText, policyText);
  await rejection(ecr.send(new DeleteRepositoryPolicyCommand({ repositoryName: 'sdk/policy' })), 'RepositoryPolicyNotFoundException', 400, RepositoryPolicyNotFoundException);

  await rejection(ecr.send(new GetRegistryPolicyCommand({})), 'RegistryPolicyNotFoundException', 400, RegistryPolicyNotFoundException);
  // Two statements with one Sid: both are kept and both deny.
  const registryPolicy = JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Sid: 'fence', Effect: 'Deny', Principal: '*', Action: 'ecr:CreateRepository', Resource: `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/sdk-forbidden/*` },
      { Sid: 'fence', Effect: 'Deny', Principal: '*', Action: 'ecr:CreateRepository', Resource: `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/sdk-fenced/*` },
    ],
  });
  const put = await ecr.send(new PutRegistryPolicyCommand({ policyText: registryPolicy }));
  assert.deepEqual({ registryId: put.registryId, policyText: put.policyText }, { registryId: ACCOUNT, policyText: registryPolicy });
  assert.equal((await ecr.send(new GetRegistryPolicyCommand({}))).policyText, registryPolicy);
  const denied = await rejection(ecr.send(new CreateRepositoryCommand({ repositoryName: 'sdk-forbidden/x' })), 'AccessDeniedException', 400, ECRServiceException);
  assert.match(denied.message, /is not authorized to perform: ecr:CreateRepository .*explicit deny/);
  await rejection(ecr.send(new CreateRepositoryCommand({ repositoryName: 'sdk-fenced/x' })), 'AccessDeniedException', 400, ECRServiceException);
  assert.equal((await ecr.send(new DeleteRegistryPolicyCommand({}))).policyText, registryPolicy);
  await rejection(ecr.send(new DeleteRegistryPolicyCommand({})), 'RegistryPolicyNotFoundException', 400, RegistryPolicyNotFoundException);
});

const PULL_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Sid: 'pull', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'] }],
});
const LIFECYCLE = JSON.stringify({ rules: [{ rulePriority: 1, selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 14 }, action: { type: 'expire' } }] });

test('repository creation templates: create with every member, describe, update, delete; Dates, enums and nested shapes', async () => {
  const created = await ecr.send(
    new CreateRepositoryCreationTemplateCommand({
      prefix: 'sdk-templates/team',
      description: 'team repositories',
      encryptionConfiguration: { encryptionType: 'KMS', kmsKey: `arn:aws:kms:${REGION}:${ACCOUNT}:key/k-1` },
      resourceTags: [{ Key: 'team', Value: 'sdk' }, { Key: 'env', Value: 'test' }],
      imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
      imageTagMutabilityExclusionFilters: [{ filterType: 'WILDCARD', filter: 'dev-*' }],
      repositoryPolicy: PULL_POLICY,
      lifecyclePolicy: LIFECYCLE,
      appliedFor: ['CREATE_ON_PUSH', 'REPLICATION'],
      customRoleArn: `arn:aws:iam::${ACCOUNT}:role/ecr-templates`,
    }),
  );
  assert.equal(created.registryId, ACCOUNT);
  const template = created.repositoryCreationTemplate!;
  assert.ok(isRecent(template.createdAt), `createdAt ${String(template.createdAt)}`);
  assert.ok(template.updatedAt instanceof Date);
  assert.equal(template.updatedAt.getTime(), template.createdAt!.getTime(), 'a new template was last updated when created');
  assert.deepEqual(
    { ...template, createdAt: undefined, updatedAt: undefined },
    {
      prefix: 'sdk-templates/team',
      description: 'team repositories',
      encryptionConfiguration: { encryptionType: 'KMS', kmsKey: `arn:aws:kms:${REGION}:${ACCOUNT}:key/k-1` },
      resourceTags: [{ Key: 'team', Value: 'sdk' }, { Key: 'env', Value: 'test' }],
      imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
      imageTagMutabilityExclusionFilters: [{ filterType: 'WILDCARD', filter: 'dev-*' }],
      repositoryPolicy: PULL_POLICY,
      lifecyclePolicy: LIFECYCLE,
      appliedFor: ['CREATE_ON_PUSH', 'REPLICATION'],
      customRoleArn: `arn:aws:iam::${ACCOUNT}:role/ecr-templates`,
      createdAt: undefined,
      updatedAt: undefined,
    },
  );

  const described = await ecr.send(new DescribeRepositoryCreationTemplatesCommand({ prefixes: ['sdk-templates/team'] }));
  assert.equal(described.registryId, ACCOUNT);
  assert.equal(described.nextToken, undefined);
  assert.deepEqual(described.repositoryCreationTemplates, [template]);

  const updated = await ecr.send(
    new UpdateRepositoryCreationTemplateCommand({
      prefix: 'sdk-templates/team/',
      imageTagMutability: 'MUTABLE',
      resourceTags: [{ Key: 'team', Value: 'renamed' }],
      description: '',
      appliedFor: ['PULL_THROUGH_CACHE'],
    }),
  );
  assert.equal(updated.registryId, ACCOUNT);
  const changed = updated.repositoryCreationTemplate!;
  assert.deepEqual(
    { ...changed, updatedAt: undefined },
    {
      prefix: 'sdk-templates/team',
      encryptionConfiguration: template.encryptionConfiguration,
      resourceTags: [{ Key: 'team', Value: 'renamed' }],
      imageTagMutability: 'MUTABLE',
      repositoryPolicy: PULL_POLICY,
      lifecyclePolicy: LIFECYCLE,
      appliedFor: ['PULL_THROUGH_CACHE'],
      customRoleArn: template.customRoleArn,
      createdAt: template.createdAt,
      updatedAt: undefined,
    },
    'an empty description clears it, the exclusion filters went with their mutability, members not given are kept',
  );
  assert.ok(changed.updatedAt instanceof Date && changed.updatedAt.getTime() >= template.updatedAt.getTime());

  const deleted = await ecr.send(new DeleteRepositoryCreationTemplateCommand({ prefix: 'sdk-templates/team' }));
  assert.deepEqual({ registryId: deleted.registryId, repositoryCreationTemplate: deleted.repositoryCreationTemplate }, { registryId: ACCOUNT, repositoryCreationTemplate: changed });
  assert.deepEqual((await ecr.send(new DescribeRepositoryCreationTemplatesCommand({ prefixes: ['sdk-templates/team'] }))).repositoryCreationTemplates, []);
});

test('repository creation templates: the modeled exceptions', async () => {
  await ecr.send(new CreateRepositoryCreationTemplateCommand({ prefix: 'sdk-templates/errs', appliedFor: ['CREATE_ON_PUSH'] }));
  try {
    const duplicate = ecr.send(new CreateRepositoryCreationTemplateCommand({ prefix: 'sdk-templates/errs/', appliedFor: ['REPLICATION'] }));
    const exists = await rejection(duplicate, 'TemplateAlreadyExistsException', 400, TemplateAlreadyExistsException);
    assert.equal(exists.message, `A repository creation template with prefix 'sdk-templates/errs' already exists in the registry with id '${ACCOUNT}'`);
    const update = ecr.send(new UpdateRepositoryCreationTemplateCommand({ prefix: 'sdk-templates/nowhere', description: 'x' }));
    const notFound = await rejection(update, 'TemplateNotFoundException', 400, TemplateNotFoundException);
    assert.equal(notFound.message, `The repository creation template with prefix 'sdk-templates/nowhere' does not exist in the registry with id '${ACCOUNT}'`);
    await rejection(ecr.send(new DeleteRepositoryCreationTemplateCommand({ prefix: 'sdk-templates/nowhere' })), 'TemplateNotFoundException', 400, TemplateNotFoundException);

    const noScenario = await rejection(ecr.send(new CreateRepositoryCreationTemplateCommand({ prefix: 'sdk-templates/x', appliedFor: [] })), 'ValidationException', 400, ValidationException);
    assert.match(noScenario.message, /appliedFor/);
    const foreignRole = ecr.send(new CreateRepositoryCreationTemplateCommand({ prefix: 'sdk-templates/x', appliedFor: ['CREATE_ON_PUSH'], customRoleArn: 'arn:aws:iam::999999999999:role/elsewhere' }));
    assert.match((await rejection(foreignRole, 'ValidationException', 400, ValidationException)).message, /customRoleArn/);
    const badPrefix = await rejection(ecr.send(new CreateRepositoryCreationTemplateCommand({ prefix: 'Upper/Case', appliedFor: ['CREATE_ON_PUSH'] })), 'InvalidParameterException', 400, InvalidParameterException);
    assert.match(badPrefix.message, /'prefix' failed to satisfy constraint/);
    const badUpdate = ecr.send(new UpdateRepositoryCreationTemplateCommand({ prefix: 'sdk-templates/errs', lifecyclePolicy: '{not json' }));
    assert.match((await rejection(badUpdate, 'InvalidParameterException', 400, InvalidParameterException)).message, /'lifecyclePolicy'/);
    const badToken = ecr.send(new DescribeRepositoryCreationTemplatesCommand({ nextToken: 'Tk9UIEEgVE9LRU4h' }));
    assert.match((await rejection(badToken, 'InvalidParameterException', 400, InvalidParameterException)).message, /nextToken/);
    const tooMany = ecr.send(new DescribeRepositoryCreationTemplatesCommand({ maxResults: 1001 }));
    assert.match((await rejection(tooMany, 'InvalidParameterException', 400, InvalidParameterException)).message, /'maxResults'/);
    assert.deepEqual((await ecr.send(new DescribeRepositoryCreationTemplatesCommand({ prefixes: ['sdk-templates/x'] }))).repositoryCreationTemplates, [], 'no refused template was stored');
  } finally {
    await ecr.send(new DeleteRepositoryCreationTemplateCommand({ prefix: 'sdk-templates/errs' }));
  }
});

test('paginateDescribeRepositoryCreationTemplates walks every page, with and without prefixes', async () => {
  const prefixes = ['sdk-tpl-page/a', 'sdk-tpl-page/b', 'sdk-tpl-page/c', 'sdk-tpl-page/d', 'sdk-tpl-page/e'];
  for (const prefix of prefixes) await ecr.send(new CreateRepositoryCreationTemplateCommand({ prefix, appliedFor: ['REPLICATION'] }));
  try {
    const pages: string[][] = [];
    for await (const page of paginateDescribeRepositoryCreationTemplates({ client: ecr, pageSize: 2 }, {})) {
      assert.equal(page.registryId, ACCOUNT);
      assert.ok(page.repositoryCreationTemplates!.length <= 2);
      for (const template of page.repositoryCreationTemplates!) assert.ok(template.createdAt instanceof Date && template.updatedAt instanceof Date);
      pages.push(page.repositoryCreationTemplates!.map((template) => template.prefix!));
    }
    const all = pages.flat();
    assert.ok(pages.length >= 3, `${pages.length} pages`);
    assert.equal(new Set(all).size, all.length, 'no template twice');
    assert.deepEqual(all.filter((prefix) => prefix.startsWith('sdk-tpl-page/')), prefixes);

    // Named prefixes page too; an unknown one is left out, a trailing slash names the same template.
    const named: string[][] = [];
    const input = { prefixes: ['sdk-tpl-page/e', 'sdk-tpl-page/b/', 'sdk-tpl-page/zzz', 'sdk-tpl-page/a', 'sdk-tpl-page/d'] };
    for await (const page of paginateDescribeRepositoryCreationTemplates({ client: ecr, pageSize: 3 }, input)) {
      named.push(page.repositoryCreationTemplates!.map((template) => template.prefix!));
    }
    assert.deepEqual(named, [['sdk-tpl-page/a', 'sdk-tpl-page/b', 'sdk-tpl-page/d'], ['sdk-tpl-page/e']]);
  } finally {
    for (const prefix of prefixes) await ecr.send(new DeleteRepositoryCreationTemplateCommand({ prefix }));
  }
});

test('account settings: initial values, a put that reads back, ValidationException for unknown names and values', async () => {
  const read = async (name: string) => {
    const answer = await ecr.send(new GetAccountSettingCommand({ name }));
    return { name: answer.name, value: answer.value };
  };
  assert.deepEqual(await read('BASIC_SCAN_TYPE_VERSION'), { name: 'BASIC_SCAN_TYPE_VERSION', value: 'AWS_NATIVE' });
  assert.deepEqual(await read('REGISTRY_POLICY_SCOPE'), { name: 'REGISTRY_POLICY_SCOPE', value: 'V2' });
  assert.deepEqual(await read('BLOB_MOUNTING'), { name: 'BLOB_MOUNTING', value: 'ENABLED' });
  try {
    const put = await ecr.send(new PutAccountSettingCommand({ name: 'BLOB_MOUNTING', value: 'DISABLED' }));
    assert.equal(put.$metadata.httpStatusCode, 200);
    assert.deepEqual({ name: put.name, value: put.value }, { name: 'BLOB_MOUNTING', value: 'DISABLED' });
    assert.deepEqual(await read('BLOB_MOUNTING'), { name: 'BLOB_MOUNTING', value: 'DISABLED' });
  } finally {
    await ecr.send(new PutAccountSettingCommand({ name: 'BLOB_MOUNTING', value: 'ENABLED' }));
  }
  assert.deepEqual(await read('BLOB_MOUNTING'), { name: 'BLOB_MOUNTING', value: 'ENABLED' });

  const unknown = await rejection(ecr.send(new GetAccountSettingCommand({ name: 'NO_SUCH_SETTING' })), 'ValidationException', 400, ValidationException);
  assert.match(unknown.message, /^Invalid account setting name 'NO_SUCH_SETTING'/);
  await rejection(ecr.send(new PutAccountSettingCommand({ name: 'NO_SUCH_SETTING', value: 'ON' })), 'ValidationException', 400, ValidationException);
  const badValue = await rejection(ecr.send(new PutAccountSettingCommand({ name: 'REGISTRY_POLICY_SCOPE', value: 'V1' })), 'ValidationException', 400, ValidationException);
  assert.match(badValue.message, /valid values are V2/);
  const tooLong = await rejection(ecr.send(new GetAccountSettingCommand({ name: 'x'.repeat(65) })), 'InvalidParameterException', 400, InvalidParameterException);
  assert.match(tooLong.message, /'name'/);
});

test('DescribeRegistry: the registry id and an empty replication configuration', async () => {
  // The operation takes no input, so no request can provoke its modeled exceptions.
  const registry = await ecr.send(new DescribeRegistryCommand({}));
  assert.deepEqual({ registryId: registry.registryId, replicationConfiguration: registry.replicationConfiguration }, { registryId: ACCOUNT, replicationConfiguration: { rules: [] } });
});

test('BatchGetRepositoryScanningConfiguration: scan frequency from scan on push, failures for missing repositories', async () => {
  await ecr.send(new CreateRepositoryCommand({ repositoryName: 'sdk/scan-on', imageScanningConfiguration: { scanOnPush: true } }));
  await ecr.send(new CreateRepositoryCommand({ repositoryName: 'sdk/scan-off' }));
  const answer = await ecr.send(new BatchGetRepositoryScanningConfigurationCommand({ repositoryNames: ['sdk/scan-on', 'sdk/scan-off', 'sdk/scan-missing'] }));
  const configuration = (repositoryName: string, scanOnPush: boolean) => ({
    repositoryArn: `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/${repositoryName}`,
    repositoryName,
    scanOnPush,
    scanFrequency: scanOnPush ? 'SCAN_ON_PUSH' : 'MANUAL',
    appliedScanFilters: [],
  });
  assert.deepEqual(answer.scanningConfigurations, [configuration('sdk/scan-on', true), configuration('sdk/scan-off', false)]);
  assert.deepEqual(answer.failures, [
    { repositoryName: 'sdk/scan-missing', failureCode: 'REPOSITORY_NOT_FOUND', failureReason: `The repository with name 'sdk/scan-missing' does not exist in the registry with id '${ACCOUNT}'` },
  ]);

  await ecr.send(new PutImageScanningConfigurationCommand({ repositoryName: 'sdk/scan-off', imageScanningConfiguration: { scanOnPush: true } }));
  const turnedOn = await ecr.send(new BatchGetRepositoryScanningConfigurationCommand({ repositoryNames: ['sdk/scan-off'] }));
  assert.deepEqual(turnedOn.scanningConfigurations, [configuration('sdk/scan-off', true)]);
  assert.deepEqual(turnedOn.failures, []);

  const names = Array.from({ length: 26 }, (_, i) => `sdk/scan-${i}`);
  const tooMany = await rejection(ecr.send(new BatchGetRepositoryScanningConfigurationCommand({ repositoryNames: names })), 'InvalidParameterException', 400, InvalidParameterException);
  assert.match(tooMany.message, /'repositoryNames'/);
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
    // IAM, unlike ECR, refuses a policy that repeats a Sid.
    const repeatedSid = { Version: '2012-10-17', Statement: [{ Sid: 'Read', ...pullOnly.Statement[0] }, { Sid: 'Read', Effect: 'Allow', Action: 'ecr:DescribeRepositories', Resource: '*' }] };
    const malformed = await rejection(
      iam.send(new PutUserPolicyCommand({ UserName: 'puller', PolicyName: 'repeated', PolicyDocument: JSON.stringify(repeatedSid) })),
      'MalformedPolicyDocumentException',
      400,
      MalformedPolicyDocumentException,
    );
    assert.match(malformed.message, /Statement IDs \(SID\) in a single policy must be unique/);

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

test('registry scanning configuration and pull time update exclusions (in detail: control-plane-scanning.test.ts)', async () => {
  assert.deepEqual((await ecr.send(new GetRegistryScanningConfigurationCommand({}))).scanningConfiguration, { scanType: 'BASIC', rules: [] });
  const rules = [{ scanFrequency: 'SCAN_ON_PUSH' as const, repositoryFilters: [{ filter: 'sdk/scan*', filterType: 'WILDCARD' as const }] }];
  assert.deepEqual((await ecr.send(new PutRegistryScanningConfigurationCommand({ scanType: 'BASIC', rules }))).registryScanningConfiguration, { scanType: 'BASIC', rules });
  const principalArn = `arn:aws:iam::${ACCOUNT}:role/sdk-scanner`;
  assert.ok((await ecr.send(new RegisterPullTimeUpdateExclusionCommand({ principalArn }))).createdAt instanceof Date);
  assert.deepEqual((await ecr.send(new ListPullTimeUpdateExclusionsCommand({}))).pullTimeUpdateExclusions, [principalArn]);
  assert.equal((await ecr.send(new DeregisterPullTimeUpdateExclusionCommand({ principalArn }))).principalArn, principalArn);
  await ecr.send(new PutRegistryScanningConfigurationCommand({}));
});

test('lifecycle policies: put, get, preview with its Dates, summary and pages, delete; the modeled exceptions (in detail: control-plane-lifecycle.test.ts)', async () => {
  const repositoryName = 'sdk/lifecycle';
  const { config, layer } = await repositoryWithBlobs(repositoryName);
  for (const tag of ['v1', 'v2', 'v3']) {
    await ecr.send(new PutImageCommand({ repositoryName, imageManifest: manifestOf(config, layer, tag), imageTag: tag }));
  }
  const noPolicy = await rejection(ecr.send(new GetLifecyclePolicyCommand({ repositoryName })), 'LifecyclePolicyNotFoundException', 400, LifecyclePolicyNotFoundException);
  assert.equal(noPolicy.message, `Lifecycle policy does not exist for the repository with name '${repositoryName}' in the registry with id '${ACCOUNT}'`);
  await rejection(ecr.send(new GetLifecyclePolicyPreviewCommand({ repositoryName })), 'LifecyclePolicyPreviewNotFoundException', 400, LifecyclePolicyPreviewNotFoundException);
  const bad = JSON.stringify({ rules: [{ rulePriority: 1, selection: { tagStatus: 'bogus', countType: 'imageCountMoreThan', countNumber: 1 }, action: { type: 'expire' } }] });
  const refused = await rejection(ecr.send(new PutLifecyclePolicyCommand({ repositoryName, lifecyclePolicyText: bad })), 'InvalidParameterException', 400, InvalidParameterException);
  assert.equal(
    refused.message,
    `Invalid parameter at 'LifecyclePolicyText' failed to satisfy constraint: 'Lifecycle policy validation failure: instance value (bogus) not found in enum :(possible values: ["any", "tagged", "untagged"])'`,
  );

  const policy = JSON.stringify({ rules: [{ rulePriority: 1, selection: { tagStatus: 'tagged', tagPrefixList: ['v'], countType: 'imageCountMoreThan', countNumber: 1 }, action: { type: 'expire' } }] });
  const put = await ecr.send(new PutLifecyclePolicyCommand({ repositoryName, lifecyclePolicyText: policy }));
  assert.deepEqual({ registryId: put.registryId, repositoryName: put.repositoryName, lifecyclePolicyText: put.lifecyclePolicyText }, { registryId: ACCOUNT, repositoryName, lifecyclePolicyText: policy });
  const got = await ecr.send(new GetLifecyclePolicyCommand({ repositoryName }));
  assert.equal(got.lifecyclePolicyText, policy);
  assert.deepEqual(got.lastEvaluatedAt, new Date(0), 'never evaluated yet: the epoch, as ECR answers');

  const started = await ecr.send(new StartLifecyclePolicyPreviewCommand({ repositoryName }));
  assert.deepEqual({ status: started.status, lifecyclePolicyText: started.lifecyclePolicyText }, { status: 'IN_PROGRESS', lifecyclePolicyText: policy });
  let preview = await ecr.send(new GetLifecyclePolicyPreviewCommand({ repositoryName }));
  for (let attempt = 0; preview.status === 'IN_PROGRESS' && attempt < 50; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    preview = await ecr.send(new GetLifecyclePolicyPreviewCommand({ repositoryName }));
  }
  assert.equal(preview.status, 'COMPLETE');
  assert.equal(preview.summary?.expiringImageTotalCount, 2);
  const results = preview.previewResults ?? [];
  assert.deepEqual(results.map((result) => result.imageTags).sort(), [['v1'], ['v2']]);
  for (const result of results) {
    assert.ok(isRecent(result.imagePushedAt), 'imagePushedAt is a Date');
    assert.deepEqual([result.action?.type, result.appliedRulePriority, result.storageClass], ['EXPIRE', 1, 'STANDARD']);
    assert.match(result.imageDigest ?? '', /^sha256:[0-9a-f]{64}$/);
  }
  const first = await ecr.send(new GetLifecyclePolicyPreviewCommand({ repositoryName, maxResults: 1 }));
  assert.equal(first.previewResults?.length, 1);
  const second = await ecr.send(new GetLifecyclePolicyPreviewCommand({ repositoryName, maxResults: 1, nextToken: first.nextToken! }));
  assert.deepEqual([...first.previewResults!, ...second.previewResults!].map((result) => result.imageDigest), results.map((result) => result.imageDigest));
  assert.equal(second.nextToken, undefined);

  const deleted = await ecr.send(new DeleteLifecyclePolicyCommand({ repositoryName }));
  assert.equal(deleted.lifecyclePolicyText, policy);
  assert.deepEqual(deleted.lastEvaluatedAt, new Date(0), 'a preview is not an evaluation');
  await rejection(ecr.send(new DeleteLifecyclePolicyCommand({ repositoryName })), 'LifecyclePolicyNotFoundException', 400, LifecyclePolicyNotFoundException);
  await ecr.send(new DeleteRepositoryCommand({ repositoryName, force: true }));
});

test('every ECR operation Berth implements was called through the SDK above', () => {
  const missing = [...ECR_HANDLERS.keys()].filter((operation) => !exercised.has(operation));
  assert.deepEqual(missing, []);
});
