// ListImages, DescribeImages and BatchGetImage over the registry's manifests, with
// ECR's shapes: an image id is a digest with, where tagged, one tag.
import type { ImageSummary, ManifestRecord } from '../storage/meta/metadata-store.ts';
import { EcrError, type EcrContext } from './ecr-context.ts';
import { requireRepository } from './repository-lookup.ts';

const DEFAULT_PAGE = 100;

export interface ImageId {
  readonly imageDigest?: string;
  readonly imageTag?: string;
}

function tagStatusOf(input: Record<string, unknown>): 'TAGGED' | 'UNTAGGED' | 'ANY' {
  const filter = input['filter'] as { tagStatus?: 'TAGGED' | 'UNTAGGED' | 'ANY' } | undefined;
  return filter?.tagStatus ?? 'ANY';
}

function keep(image: ImageSummary, status: 'TAGGED' | 'UNTAGGED' | 'ANY'): boolean {
  return status === 'ANY' || (status === 'TAGGED') === image.tags.length > 0;
}

/** One page of images after the token, filtered; the token is the last digest seen. */
async function pageOfImages(context: EcrContext, repository: string, input: Record<string, unknown>): Promise<{ images: ImageSummary[]; nextToken?: string }> {
  const limit = (input['maxResults'] as number | undefined) ?? DEFAULT_PAGE;
  const status = tagStatusOf(input);
  const token = input['nextToken'];
  let after = typeof token === 'string' && token !== '' ? Buffer.from(token, 'base64url').toString('utf8') : undefined;
  const images: ImageSummary[] = [];
  // Filtering happens after the store's page, so keep reading until the page is full.
  for (;;) {
    const batch = await context.metadata.manifests.list(repository, { limit: limit + 1, ...(after ? { after } : {}) });
    for (const image of batch) {
      if (images.length === limit) return { images, nextToken: Buffer.from(images[images.length - 1]!.digest).toString('base64url') };
      if (keep(image, status)) images.push(image);
    }
    if (batch.length <= limit) return { images };
    after = batch[batch.length - 1]!.digest;
  }
}

export async function listImages(context: EcrContext, input: Record<string, unknown>): Promise<object> {
  const repository = await requireRepository(context, input);
  const { images, nextToken } = await pageOfImages(context, repository, input);
  const imageIds = images.flatMap((image) =>
    image.tags.length === 0 ? [{ imageDigest: image.digest }] : image.tags.map((imageTag) => ({ imageDigest: image.digest, imageTag })),
  );
  return { imageIds, ...(nextToken ? { nextToken } : {}) };
}

function detail(context: EcrContext, repository: string, image: ImageSummary): object {
  return {
    registryId: context.accountId,
    repositoryName: repository,
    imageDigest: image.digest,
    ...(image.tags.length > 0 ? { imageTags: image.tags } : {}),
    imageSizeInBytes: image.blobBytes,
    imagePushedAt: image.pushedAt,
    imageManifestMediaType: image.mediaType,
    ...(image.artifactType ? { artifactMediaType: image.artifactType } : {}),
    ...(image.lastPulledAt ? { lastRecordedPullTime: image.lastPulledAt } : {}),
  };
}

export async function describeImages(context: EcrContext, input: Record<string, unknown>): Promise<object> {
  const repository = await requireRepository(context, input);
  const ids = input['imageIds'] as ImageId[] | undefined;
  if (!ids || ids.length === 0) {
    const { images, nextToken } = await pageOfImages(context, repository, input);
    return { imageDetails: images.map((image) => detail(context, repository, image)), ...(nextToken ? { nextToken } : {}) };
  }
  const details: object[] = [];
  for (const id of ids) {
    const manifest = await findManifest(context, repository, id);
    if (!manifest) throw imageNotFound(context, repository, id);
    const summary = await context.metadata.manifests.summary(repository, manifest.digest);
    if (summary) details.push(detail(context, repository, summary));
  }
  return { imageDetails: details };
}

export async function batchGetImage(context: EcrContext, input: Record<string, unknown>): Promise<object> {
  const repository = await requireRepository(context, input);
  const accepted = input['acceptedMediaTypes'] as string[] | undefined;
  const images: object[] = [];
  const failures: object[] = [];
  for (const id of input['imageIds'] as ImageId[]) {
    const manifest = await findManifest(context, repository, id);
    if (!manifest) {
      const mismatch = id.imageTag !== undefined && id.imageDigest !== undefined && (await context.metadata.manifests.getByTag(repository, id.imageTag)) !== undefined;
      failures.push({
        imageId: id,
        failureCode: mismatch ? 'ImageTagDoesNotMatchDigest' : 'ImageNotFound',
        failureReason: mismatch ? 'Invalid image digest for the requested image tag' : 'Requested image not found',
      });
    } else if (accepted && accepted.length > 0 && !accepted.includes(manifest.mediaType)) {
      failures.push({ imageId: id, failureCode: 'UnsupportedImageType', failureReason: `The image is ${manifest.mediaType}, which is not among the accepted media types` });
    } else {
      context.registry.manifests.notePull(manifest);
      images.push({
        registryId: context.accountId,
        repositoryName: repository,
        imageId: { imageDigest: manifest.digest, ...(id.imageTag !== undefined ? { imageTag: id.imageTag } : {}) },
        imageManifest: manifest.content.toString('utf8'),
        imageManifestMediaType: manifest.mediaType,
      });
    }
  }
  return { images, failures };
}

async function findManifest(context: EcrContext, repository: string, id: ImageId): Promise<ManifestRecord | undefined> {
  if (id.imageTag !== undefined) {
    const tagged = await context.metadata.manifests.getByTag(repository, id.imageTag);
    return tagged && (id.imageDigest === undefined || tagged.digest === id.imageDigest) ? tagged : undefined;
  }
  return id.imageDigest === undefined ? undefined : context.metadata.manifests.get(repository, id.imageDigest);
}

function imageNotFound(context: EcrContext, repository: string, id: ImageId): EcrError {
  const shown = [id.imageDigest !== undefined ? `imageDigest='${id.imageDigest}'` : '', id.imageTag !== undefined ? `imageTag='${id.imageTag}'` : ''].filter(Boolean).join(', ');
  return new EcrError(
    'ImageNotFoundException',
    `The image with imageId {${shown}} does not exist within the repository with name '${repository}' in the registry with id '${context.accountId}'`,
  );
}
