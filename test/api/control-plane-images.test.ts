// The image operations of the control plane with the real AWS CLI, over images pushed
// through /v2/: ListImageReferrers, BatchDeleteImage's protection of index children,
// and the exact shapes of DescribeImages, ListImages, BatchGetImage and PutImage.
// The CLI is given the newest botocore ECR model on the machine (see ecr-model.ts), so
// it knows ListImageReferrers and prints the newer ImageDetail members.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { adminFetch } from '../helpers/admin-fetch.ts';
import { awsCli } from '../helpers/aws-cli.ts';
import { startBerth, type BerthProcess } from '../helpers/berth-process.ts';
import { missingTools } from '../helpers/clients.ts';
import { writeNewestEcrModel, type EcrModelDataPath } from '../helpers/ecr-model.ts';
import { EMPTY_JSON, MEDIA_TYPES, OciLayout, sha256, type BuiltArtifact, type BuiltImage, type BuiltIndex } from '../helpers/oci-images.ts';

const missing = missingTools('aws');
const skipWithoutCli = missing.length > 0 && `not installed: ${missing.join(', ')}`;
const ACCOUNT = '123456789012';
const SBOM = 'application/vnd.example.sbom.v1';
const SIGNATURE = 'application/vnd.example.signature.v1';

let berth: BerthProcess;
let layout: OciLayout;
let model: EcrModelDataPath | undefined;

before(async () => {
  berth = await startBerth();
  layout = await OciLayout.create(join(berth.dataDir, 'layout'));
  model = writeNewestEcrModel(join(berth.dataDir, 'aws-models'));
});
after(async () => {
  await berth?.stop();
});

/** The AWS CLI as the administrator, with the newest ECR model when the installed CLI lacks some of it. */
function aws(args: string[]) {
  return awsCli(berth, args, { env: model ? { AWS_DATA_PATH: model.dataPath } : {} });
}

async function ecr<T>(args: string[]): Promise<T> {
  return JSON.parse((await aws(['ecr', ...args])).stdout) as T;
}

/** The stderr of a call that must fail. */
async function ecrError(args: string[]): Promise<string> {
  const result = await aws(['ecr', ...args]).then(
    (ok) => assert.fail(`expected ${args[0]} to fail, got ${ok.stdout}`),
    (error: { stderr: string }) => error,
  );
  return result.stderr;
}

// These push the built images, indexes and artifacts whose sizes and digests the tests
// compare, not tiny-image.ts's one-blob image.
async function pushBlob(repository: string, bytes: Buffer): Promise<void> {
  const response = await adminFetch(berth, `/v2/${repository}/blobs/uploads/?digest=${sha256(bytes)}`, { method: 'POST', body: bytes });
  assert.equal(response.status, 201, await response.text());
}

async function pushManifest(repository: string, reference: string, bytes: Buffer, mediaType: string): Promise<void> {
  const response = await adminFetch(berth, `/v2/${repository}/manifests/${reference}`, { method: 'PUT', body: bytes, headers: { 'Content-Type': mediaType } });
  assert.equal(response.status, 201, await response.text());
}

async function pushImageBlobs(repository: string, image: BuiltImage): Promise<void> {
  await pushBlob(repository, image.configBytes);
  for (const layer of image.layers) await pushBlob(repository, layer.gzip);
}

async function pushImage(repository: string, image: BuiltImage, reference = image.manifest.digest): Promise<void> {
  await pushImageBlobs(repository, image);
  await pushManifest(repository, reference, image.manifestBytes, MEDIA_TYPES.ociManifest);
}

async function pushIndex(repository: string, index: BuiltIndex, tag: string): Promise<void> {
  for (const image of index.images) await pushImage(repository, image);
  await pushManifest(repository, tag, index.indexBytes, MEDIA_TYPES.ociIndex);
}

async function pushArtifact(repository: string, artifact: BuiltArtifact): Promise<void> {
  await pushBlob(repository, EMPTY_JSON);
  for (const payload of artifact.payloads) await pushBlob(repository, payload);
  await pushManifest(repository, artifact.manifest.digest, artifact.manifestBytes, MEDIA_TYPES.ociManifest);
}

function imageBytes(image: BuiltImage): number {
  return image.configBytes.length + image.layers.reduce((sum, layer) => sum + layer.gzip.length, 0);
}

const small = { layers: [{ randomBytes: 2048 }] };

type Referrer = { digest: string; mediaType: string; artifactType?: string; size: number; annotations?: Record<string, string>; artifactStatus: string };
type ImageDetail = Record<string, unknown> & { imageDigest: string; imagePushedAt: number; imageTags?: string[] };
type ImageIds = Array<{ imageDigest: string; imageTag?: string }>;
type Failures = Array<{ imageId: { imageDigest?: string; imageTag?: string }; failureCode: string; failureReason: string }>;

test('list-image-referrers: every field, artifact type filter, nextToken pages, an empty list, bad input', { skip: skipWithoutCli }, async (t) => {
  if (!model?.operations.includes('ListImageReferrers')) return t.skip('no botocore ECR model with ListImageReferrers on this machine');
  const repository = 'ecr/referrers';
  await ecr(['create-repository', '--repository-name', repository]);
  const subject = await layout.addImage(small);
  const other = await layout.addImage(small);
  await pushImage(repository, subject, 'v1');
  await pushImage(repository, other, 'other');
  const artifacts = [
    await layout.addArtifact({ subject: subject.manifest, artifactType: SBOM, annotations: { 'org.example.kind': 'spdx' } }),
    await layout.addArtifact({ subject: subject.manifest, artifactType: SBOM }),
    await layout.addArtifact({ subject: subject.manifest, artifactType: SIGNATURE }),
  ];
  for (const artifact of artifacts) await pushArtifact(repository, artifact);
  const expected: Referrer[] = artifacts
    .map((artifact) => ({
      digest: artifact.manifest.digest,
      mediaType: MEDIA_TYPES.ociManifest,
      artifactType: artifact.artifactType,
      size: artifact.manifestBytes.length,
      annotations: (JSON.parse(artifact.manifestBytes.toString()) as { annotations: Record<string, string> }).annotations,
      artifactStatus: 'ACTIVE',
    }))
    .sort((a, b) => (a.digest < b.digest ? -1 : 1));

  const subjectId = ['--subject-id', `imageDigest=${subject.manifest.digest}`];
  const all = await ecr<{ referrers: Referrer[]; nextToken?: string }>(['list-image-referrers', '--repository-name', repository, ...subjectId]);
  assert.deepEqual(all, { referrers: expected });
  // The same set the OCI referrers API serves.
  const oci = (await (await adminFetch(berth, `/v2/${repository}/referrers/${subject.manifest.digest}`)).json()) as { manifests: Array<{ digest: string }> };
  assert.deepEqual(oci.manifests.map((m) => m.digest).sort(), expected.map((r) => r.digest));

  const signatures = await ecr<{ referrers: Referrer[] }>(['list-image-referrers', '--repository-name', repository, ...subjectId, '--filter', `artifactTypes=${SIGNATURE}`]);
  assert.deepEqual(signatures.referrers, expected.filter((r) => r.artifactType === SIGNATURE));
  const archived = await ecr<{ referrers: Referrer[] }>(['list-image-referrers', '--repository-name', repository, ...subjectId, '--filter', 'artifactStatus=ARCHIVED']);
  assert.deepEqual(archived.referrers, []);

  const seen: Referrer[] = [];
  let token: string | undefined;
  for (let page = 0; page < 5; page++) {
    const answer: { referrers: Referrer[]; nextToken?: string } = await ecr(['list-image-referrers', '--repository-name', repository, ...subjectId, '--max-results', '2', ...(token ? ['--next-token', token] : [])]);
    assert.ok(answer.referrers.length <= 2);
    seen.push(...answer.referrers);
    token = answer.nextToken;
    if (!token) break;
  }
  assert.deepEqual(seen, expected, 'two pages of at most two, each referrer once');

  assert.deepEqual(await ecr(['list-image-referrers', '--repository-name', repository, '--subject-id', `imageDigest=${other.manifest.digest}`]), { referrers: [] });
  assert.match(await ecrError(['list-image-referrers', '--repository-name', 'no/such', ...subjectId]), /RepositoryNotFoundException/);
  assert.match(await ecrError(['list-image-referrers', '--repository-name', repository, ...subjectId, '--next-token', 'bogus']), /InvalidParameterException.*nextToken/);
  assert.match(await ecrError(['list-image-referrers', '--repository-name', repository, '--subject-id', 'imageDigest=sha256:abc']), /InvalidParameterException/);
  assert.match(await ecrError(['list-image-referrers', '--repository-name', repository, ...subjectId, '--max-results', '51']), /InvalidParameterException.*maxResults/);
});

test('batch-delete-image: an index child alone is refused, a tag alone goes, the index with its children goes', { skip: skipWithoutCli }, async () => {
  const repository = 'ecr/multi';
  await ecr(['create-repository', '--repository-name', repository]);
  const index = await layout.addIndex(small);
  await pushIndex(repository, index, 'multi');
  const [amd64, arm64] = index.images.map((image) => image.manifest.digest) as [string, string];

  const refused = await ecr<{ imageIds: ImageIds; failures: Failures }>(['batch-delete-image', '--repository-name', repository, '--image-ids', `imageDigest=${amd64}`]);
  assert.deepEqual(refused.imageIds, []);
  assert.equal(refused.failures.length, 1);
  assert.deepEqual(refused.failures[0]!.imageId, { imageDigest: amd64 });
  assert.equal(refused.failures[0]!.failureCode, 'ImageReferencedByManifestList');
  assert.match(refused.failures[0]!.failureReason, new RegExp(`referenced by manifest list \\[${index.index.digest}\\]`));
  assert.equal((await adminFetch(berth, `/v2/${repository}/manifests/${amd64}`)).status, 200, 'the child is still there');

  // A tag on a child goes alone; the child stays, untagged, because the index lists it.
  await pushManifest(repository, 'amd64', index.images[0]!.manifestBytes, MEDIA_TYPES.ociManifest);
  const untagged = await ecr<{ imageIds: ImageIds; failures: Failures }>(['batch-delete-image', '--repository-name', repository, '--image-ids', 'imageTag=amd64']);
  assert.deepEqual(untagged, { imageIds: [{ imageDigest: amd64, imageTag: 'amd64' }], failures: [] });
  const child = await ecr<{ imageDetails: ImageDetail[] }>(['describe-images', '--repository-name', repository, '--image-ids', `imageDigest=${amd64}`]);
  assert.equal(child.imageDetails[0]!.imageTags, undefined);

  // Children named before their index, in the same request: all three go.
  const all = await ecr<{ imageIds: ImageIds; failures: Failures }>([
    'batch-delete-image', '--repository-name', repository, '--image-ids', `imageDigest=${amd64}`, `imageDigest=${arm64}`, `imageDigest=${index.index.digest}`,
  ]);
  assert.deepEqual(all, { imageIds: [{ imageDigest: amd64 }, { imageDigest: arm64 }, { imageDigest: index.index.digest }], failures: [] });
  assert.deepEqual(await ecr(['list-images', '--repository-name', repository]), { imageIds: [] });
});

test('batch-delete-image and batch-get-image: per-item failure codes of the model', { skip: skipWithoutCli }, async () => {
  const repository = 'ecr/failures';
  const image = await layout.addImage(small);
  await pushImage(repository, image, 'v1');
  const digest = image.manifest.digest;
  const absent = sha256('absent');
  const ids = [`imageTag=v1,imageDigest=${absent}`, 'imageDigest=sha256:abc', 'imageTag=-bad', `imageDigest=${absent}`, 'imageTag=nope'];
  const expected = [
    [{ imageTag: 'v1', imageDigest: absent }, 'ImageTagDoesNotMatchDigest'],
    [{ imageDigest: 'sha256:abc' }, 'InvalidImageDigest'],
    [{ imageTag: '-bad' }, 'InvalidImageTag'],
    [{ imageDigest: absent }, 'ImageNotFound'],
    [{ imageTag: 'nope' }, 'ImageNotFound'],
  ];
  const got = await ecr<{ images: unknown[]; failures: Failures }>(['batch-get-image', '--repository-name', repository, '--image-ids', ...ids]);
  assert.deepEqual(got.images, []);
  assert.deepEqual(got.failures.map((failure) => [failure.imageId, failure.failureCode]), expected);
  assert.ok(got.failures.every((failure) => failure.failureReason.length > 0));
  const noId = await ecr<{ failures: Failures }>(['batch-get-image', '--repository-name', repository, '--cli-input-json', JSON.stringify({ imageIds: [{}] })]);
  assert.deepEqual(noId.failures.map((failure) => [failure.imageId, failure.failureCode]), [[{}, 'MissingDigestAndTag']]);

  const deleted = await ecr<{ imageIds: ImageIds; failures: Failures }>(['batch-delete-image', '--repository-name', repository, '--image-ids', ...ids]);
  assert.deepEqual(deleted.imageIds, []);
  assert.deepEqual(deleted.failures.map((failure) => [failure.imageId, failure.failureCode]), expected);

  const fetched = await ecr<{ images: Array<Record<string, unknown>>; failures: Failures }>(['batch-get-image', '--repository-name', repository, '--image-ids', `imageTag=v1,imageDigest=${digest}`]);
  assert.deepEqual(fetched, {
    images: [{ registryId: ACCOUNT, repositoryName: repository, imageId: { imageDigest: digest, imageTag: 'v1' }, imageManifest: image.manifestBytes.toString(), imageManifestMediaType: MEDIA_TYPES.ociManifest }],
    failures: [],
  });
  const unaccepted = await ecr<{ failures: Failures }>(['batch-get-image', '--repository-name', repository, '--image-ids', 'imageTag=v1', '--accepted-media-types', MEDIA_TYPES.dockerManifest]);
  assert.deepEqual(unaccepted.failures.map((failure) => failure.failureCode), ['UnsupportedImageType']);
});

test('describe-images: the exact details of an image, an index and a referrer; filters, pages and bad tokens', { skip: skipWithoutCli }, async () => {
  const repository = 'ecr/describe';
  const image = await layout.addImage({ layers: [{ randomBytes: 4096 }, { randomBytes: 1024 }] });
  await pushImage(repository, image, 'v1');
  await pushManifest(repository, 'latest', image.manifestBytes, MEDIA_TYPES.ociManifest);
  const index = await layout.addIndex({ layers: [{ randomBytes: 3000 }] });
  await pushIndex(repository, index, 'multi');
  const artifact = await layout.addArtifact({ subject: image.manifest, artifactType: SBOM });
  await pushArtifact(repository, artifact);
  const describe = (...args: string[]) => ecr<{ imageDetails: ImageDetail[]; nextToken?: string }>(['describe-images', '--repository-name', repository, ...args]);
  const withoutTime = ({ imagePushedAt, ...rest }: ImageDetail) => {
    assert.ok(Math.abs(imagePushedAt - Date.now() / 1000) < 300, 'imagePushedAt is epoch seconds, just now');
    return rest;
  };

  const common = { registryId: ACCOUNT, repositoryName: repository, imageStatus: 'ACTIVE' };
  const [imageDetail] = (await describe('--image-ids', 'imageTag=v1', 'imageTag=latest')).imageDetails.map(withoutTime);
  assert.deepEqual(imageDetail, {
    ...common,
    imageDigest: image.manifest.digest,
    imageTags: ['latest', 'v1'],
    imageSizeInBytes: imageBytes(image),
    imageManifestMediaType: MEDIA_TYPES.ociManifest,
    artifactMediaType: MEDIA_TYPES.ociConfig,
  });
  const [indexDetail] = (await describe('--image-ids', 'imageTag=multi')).imageDetails.map(withoutTime);
  assert.deepEqual(indexDetail, {
    ...common,
    imageDigest: index.index.digest,
    imageTags: ['multi'],
    imageSizeInBytes: Math.max(...index.images.map(imageBytes)),
    imageManifestMediaType: MEDIA_TYPES.ociIndex,
  });
  const [artifactDetail] = (await describe('--image-ids', `imageDigest=${artifact.manifest.digest}`)).imageDetails.map(withoutTime);
  assert.deepEqual(artifactDetail, {
    ...common,
    imageDigest: artifact.manifest.digest,
    imageSizeInBytes: 2 + artifact.payloads[0]!.length,
    imageManifestMediaType: MEDIA_TYPES.ociManifest,
    artifactMediaType: SBOM,
    subjectManifestDigest: image.manifest.digest,
  });

  const untaggedDigests = [artifact.manifest.digest, ...index.images.map((child) => child.manifest.digest)].sort();
  const untagged = await describe('--filter', 'tagStatus=UNTAGGED');
  assert.deepEqual(untagged.imageDetails.map((d) => d.imageDigest), untaggedDigests);
  const tagged = await describe('--filter', 'tagStatus=TAGGED');
  assert.deepEqual(tagged.imageDetails.map((d) => d.imageDigest), [image.manifest.digest, index.index.digest].sort());
  assert.deepEqual((await describe('--filter', 'imageStatus=ARCHIVED')).imageDetails, []);

  const everything = (await describe()).imageDetails.map((d) => d.imageDigest);
  assert.equal(everything.length, 5);
  assert.deepEqual((await describe('--page-size', '2')).imageDetails.map((d) => d.imageDigest), everything, 'pages of two add up to the whole');
  const firstPage = await describe('--no-paginate', '--cli-input-json', JSON.stringify({ maxResults: 2 }));
  assert.equal(firstPage.imageDetails.length, 2);
  assert.ok(firstPage.nextToken);

  assert.match(await ecrError(['describe-images', '--repository-name', repository, '--starting-token', 'bogus']), /InvalidParameterException.*nextToken/);
  assert.match(await ecrError(['describe-images', '--repository-name', repository, '--image-ids', `imageTag=v1,imageDigest=${index.index.digest}`]), /ImageNotFoundException/);
  assert.match(await ecrError(['describe-images', '--repository-name', repository, '--image-ids', 'imageDigest=sha256:abc']), /InvalidParameterException/);
  assert.match(await ecrError(['describe-images', '--repository-name', repository, '--image-ids', 'imageTag=v1', '--page-size', '1']), /InvalidParameterException/);

  // ListImages pages image ids, so an image's two tags may straddle pages.
  const ids = await ecr<{ imageIds: ImageIds }>(['list-images', '--repository-name', repository, '--filter', 'tagStatus=TAGGED']);
  const expectedIds = [
    { imageDigest: image.manifest.digest, imageTag: 'latest' },
    { imageDigest: image.manifest.digest, imageTag: 'v1' },
    { imageDigest: index.index.digest, imageTag: 'multi' },
  ].sort((a, b) => (a.imageDigest < b.imageDigest ? -1 : a.imageDigest > b.imageDigest ? 1 : 0));
  assert.deepEqual(ids.imageIds, expectedIds);
  const onePerPage = await ecr<{ imageIds: ImageIds }>(['list-images', '--repository-name', repository, '--filter', 'tagStatus=TAGGED', '--page-size', '1']);
  assert.deepEqual(onePerPage.imageIds, expectedIds);
  const page = await ecr<{ imageIds: ImageIds; nextToken?: string }>(['list-images', '--repository-name', repository, '--no-paginate', '--cli-input-json', JSON.stringify({ maxResults: 1 })]);
  assert.equal(page.imageIds.length, 1);
  assert.ok(page.nextToken);
  assert.match(await ecrError(['list-images', '--repository-name', repository, '--starting-token', 'bogus']), /InvalidParameterException.*nextToken/);
});

test('put-image: digest check, declared media type, already exists, missing layers and children, invalid manifests', { skip: skipWithoutCli }, async () => {
  const repository = 'ecr/put';
  await ecr(['create-repository', '--repository-name', repository]);
  const image = await layout.addImage(small);
  await pushImageBlobs(repository, image);
  const manifest = image.manifestBytes.toString();
  const digest = image.manifest.digest;
  const put = (...args: string[]) => ecr<{ image: Record<string, unknown> }>(['put-image', '--repository-name', repository, '--image-manifest', manifest, ...args]);
  const putError = (...args: string[]) => ecrError(['put-image', '--repository-name', repository, ...args]);

  assert.match(await putError('--image-manifest', manifest, '--image-tag', 'v1', '--image-digest', sha256('other')), /ImageDigestDoesNotMatchException/);
  assert.deepEqual(await ecr(['list-images', '--repository-name', repository]), { imageIds: [] }, 'a refused put stores nothing');

  const stored = await put('--image-tag', 'v1', '--image-digest', digest, '--image-manifest-media-type', MEDIA_TYPES.ociManifest);
  assert.deepEqual(stored, {
    image: { registryId: ACCOUNT, repositoryName: repository, imageId: { imageDigest: digest, imageTag: 'v1' }, imageManifest: manifest, imageManifestMediaType: MEDIA_TYPES.ociManifest },
  });
  assert.match(await putError('--image-manifest', manifest, '--image-tag', 'v1'), /ImageAlreadyExistsException.*and tag 'v1' already exists/);
  assert.match(await putError('--image-manifest', manifest), /ImageAlreadyExistsException/);
  assert.deepEqual((await put('--image-tag', 'v2')).image.imageId, { imageDigest: digest, imageTag: 'v2' }, 'a new tag on the same manifest is a retag');

  assert.match(await putError('--image-manifest', manifest, '--image-tag', 'v3', '--image-manifest-media-type', MEDIA_TYPES.dockerManifest), /InvalidParameterException.*does not match/);
  assert.match(await putError('--image-manifest', '{"schemaVersion": 2,', '--image-tag', 'v3'), /InvalidParameterException.*imageManifest/);
  assert.match(await putError('--image-manifest', manifest, '--image-tag', 'bad:tag'), /InvalidParameterException.*imageTag/);
  assert.match(await putError('--image-manifest', manifest, '--image-digest', 'sha256:abc'), /InvalidParameterException.*imageDigest/);

  const missingLayer = sha256('never uploaded');
  const withMissingLayer = JSON.stringify({ ...JSON.parse(manifest), layers: [{ mediaType: MEDIA_TYPES.ociLayerGzip, digest: missingLayer, size: 14 }] });
  assert.match(await putError('--image-manifest', withMissingLayer, '--image-tag', 'broken'), new RegExp(`LayersNotFoundException.*${missingLayer}`));

  const missingChild = sha256('never pushed');
  const index = JSON.stringify({ schemaVersion: 2, mediaType: MEDIA_TYPES.ociIndex, manifests: [{ mediaType: MEDIA_TYPES.ociManifest, digest, size: image.manifestBytes.length }, { mediaType: MEDIA_TYPES.ociManifest, digest: missingChild, size: 100 }] });
  assert.match(await putError('--image-manifest', index, '--image-tag', 'multi'), new RegExp(`ReferencedImagesNotFoundException.*${missingChild}`));
  const tags = await ecr<{ imageIds: ImageIds }>(['list-images', '--repository-name', repository]);
  assert.deepEqual(tags.imageIds.map((id) => id.imageTag).sort(), ['v1', 'v2'], 'refused puts left no tags behind');
});

test('put-image: a manifest without mediaType needs --image-manifest-media-type, as on ECR; a /v2/ push names it in Content-Type', { skip: skipWithoutCli }, async () => {
  const repository = 'ecr/untyped';
  await ecr(['create-repository', '--repository-name', repository]);
  const image = await layout.addImage(small);
  await pushImageBlobs(repository, image);
  const document = JSON.parse(image.manifestBytes.toString()) as Record<string, unknown>;
  assert.equal(document['mediaType'], MEDIA_TYPES.ociManifest, 'the built manifest declares its type');
  delete document['mediaType'];
  const untyped = JSON.stringify(document);

  assert.equal(
    (await ecrError(['put-image', '--repository-name', repository, '--image-manifest', untyped, '--image-tag', 'bare'])).trim(),
    "An error occurred (InvalidParameterException) when calling the PutImage operation: Invalid parameter at 'ImageManifest' failed to satisfy constraint: 'Invalid JSON syntax'",
  );
  assert.deepEqual(await ecr(['list-images', '--repository-name', repository]), { imageIds: [] }, 'nothing stored');

  const typed = await ecr<{ image: Record<string, unknown> }>(['put-image', '--repository-name', repository, '--image-manifest', untyped, '--image-tag', 'bare', '--image-manifest-media-type', MEDIA_TYPES.ociManifest]);
  assert.deepEqual(typed.image, { registryId: ACCOUNT, repositoryName: repository, imageId: { imageDigest: sha256(untyped), imageTag: 'bare' }, imageManifest: untyped, imageManifestMediaType: MEDIA_TYPES.ociManifest });
  const declared = await ecr<{ image: Record<string, unknown> }>(['put-image', '--repository-name', repository, '--image-manifest', image.manifestBytes.toString(), '--image-tag', 'declared']);
  assert.equal(declared.image['imageManifestMediaType'], MEDIA_TYPES.ociManifest, 'a manifest that names its own type needs no parameter');

  // The registry API is unchanged: the same mediaType-less manifest pushed with its Content-Type.
  const viaV2 = Buffer.from(JSON.stringify({ ...document, annotations: { via: 'v2' } }));
  await pushManifest(repository, 'v2-bare', viaV2, MEDIA_TYPES.ociManifest);
  const described = await ecr<{ imageDetails: Array<{ imageManifestMediaType: string }> }>(['describe-images', '--repository-name', repository, '--image-ids', 'imageTag=v2-bare']);
  assert.equal(described.imageDetails[0]?.imageManifestMediaType, MEDIA_TYPES.ociManifest);
});
