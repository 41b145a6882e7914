// ListImages, DescribeImages and BatchGetImage over the registry's manifests, with
// ECR's shapes: an image id is a digest with, where tagged, one tag.
import { isIndexMediaType } from '../model/media-types.ts';
import type { ImageSummary, MetadataStore } from '../storage/meta/metadata-store.ts';
import { EcrError, type EcrContext } from './ecr-context.ts';
import { imageFailure, resolveImageId, type ImageFailure, type ImageId } from './image-ids.ts';
import { decodePageToken, encodePageToken } from './page-token.ts';
import { requireRepository } from './repository-lookup.ts';

export type { ImageId } from './image-ids.ts';

const DEFAULT_PAGE = 100;
/** Most manifests read from the store at a time while filling a page. */
const STORE_BATCH = 1000;
/** How deep an index of indexes is followed to size it. */
const MAX_INDEX_DEPTH = 8;

type TagStatus = 'TAGGED' | 'UNTAGGED' | 'ANY';

interface ImageFilter {
  readonly tagStatus?: TagStatus;
  readonly imageStatus?: string;
}

/**
 * Whether an image passes the filter. Berth has no archive tier, so every image is
 * ACTIVE: imageStatus ARCHIVED or ACTIVATING selects nothing.
 */
export function keepImage(image: Pick<ImageSummary, 'tags'>, filter: ImageFilter | undefined): boolean {
  const imageStatus = filter?.imageStatus ?? 'ANY';
  if (imageStatus !== 'ACTIVE' && imageStatus !== 'ANY') return false;
  const tagStatus = filter?.tagStatus ?? 'ANY';
  return tagStatus === 'ANY' || (tagStatus === 'TAGGED') === image.tags.length > 0;
}

/** The image ids of one image: one per tag, or the digest alone when untagged. */
export function imageIdsOf(image: Pick<ImageSummary, 'digest' | 'tags'>): Array<{ imageDigest: string; imageTag?: string }> {
  return image.tags.length === 0 ? [{ imageDigest: image.digest }] : image.tags.map((imageTag) => ({ imageDigest: image.digest, imageTag }));
}

/** The repository's images in digest order after `after`, read `batchSize` at a time. */
async function* imagesAfter(metadata: MetadataStore, repository: string, after: string | undefined, batchSize: number): AsyncGenerator<ImageSummary> {
  let cursor = after;
  for (;;) {
    const batch = await metadata.manifests.list(repository, { limit: batchSize, ...(cursor !== undefined ? { after: cursor } : {}) });
    yield* batch;
    if (batch.length < batchSize) return;
    cursor = batch[batch.length - 1]!.digest;
  }
}

function pageSize(input: Record<string, unknown>): number {
  return (input['maxResults'] as number | undefined) ?? DEFAULT_PAGE;
}

/** A page and one more tell whether another page follows; filtering may need further batches. */
function batchFor(limit: number): number {
  return Math.min(limit + 1, STORE_BATCH);
}

/**
 * ListImages pages image ids, not images: an image with many tags may span pages, so
 * the token holds the last digest and tag shown ('' for an untagged image).
 */
export async function listImages(context: EcrContext, input: Record<string, unknown>): Promise<object> {
  const repository = await requireRepository(context, input);
  const filter = input['filter'] as ImageFilter | undefined;
  const limit = pageSize(input);
  const position = decodePageToken(input['nextToken'], 2);
  const imageIds: Array<{ imageDigest: string; imageTag?: string }> = [];

  if (position) {
    // The rest of the image the last page ended in.
    const [digest, tag] = position as [string, string];
    const current = tag === '' ? undefined : await context.metadata.manifests.summary(repository, digest);
    if (current && keepImage(current, filter)) imageIds.push(...imageIdsOf(current).filter((id) => id.imageTag! > tag));
  }
  for await (const image of imagesAfter(context.metadata, repository, position?.[0], batchFor(limit))) {
    if (imageIds.length > limit) break;
    if (keepImage(image, filter)) imageIds.push(...imageIdsOf(image));
  }
  return { imageIds: imageIds.slice(0, limit), ...(imageIds.length > limit ? { nextToken: tokenOf(imageIds[limit - 1]!) } : {}) };
}

function tokenOf(id: { imageDigest: string; imageTag?: string }): string {
  return encodePageToken([id.imageDigest, id.imageTag ?? '']);
}

/** ECR's size of an image: the bytes of its blobs, or for an index the size of its largest child. */
async function imageSize(metadata: MetadataStore, repository: string, image: ImageSummary, depth = 0): Promise<number> {
  if (!isIndexMediaType(image.mediaType) || depth >= MAX_INDEX_DEPTH) return image.blobBytes;
  let largest = 0;
  for (const digest of await metadata.manifests.children(repository, image.digest)) {
    const child = await metadata.manifests.summary(repository, digest);
    if (child) largest = Math.max(largest, await imageSize(metadata, repository, child, depth + 1));
  }
  return largest;
}

async function detail(context: EcrContext, repository: string, image: ImageSummary): Promise<object> {
  const lastPulledAt = context.registry.manifests.lastPullTime(repository, image.digest, image.lastPulledAt);
  return {
    registryId: context.accountId,
    repositoryName: repository,
    imageDigest: image.digest,
    ...(image.tags.length > 0 ? { imageTags: image.tags } : {}),
    imageSizeInBytes: await imageSize(context.metadata, repository, image),
    imagePushedAt: image.pushedAt,
    imageManifestMediaType: image.mediaType,
    ...(image.artifactType ? { artifactMediaType: image.artifactType } : {}),
    ...(lastPulledAt ? { lastRecordedPullTime: lastPulledAt } : {}),
    ...(image.subject ? { subjectManifestDigest: image.subject } : {}),
    imageStatus: 'ACTIVE',
  };
}

export async function describeImages(context: EcrContext, input: Record<string, unknown>): Promise<object> {
  const repository = await requireRepository(context, input);
  const ids = input['imageIds'] as ImageId[] | undefined;
  if (ids) return { imageDetails: await describeNamedImages(context, repository, ids, input) };

  const filter = input['filter'] as ImageFilter | undefined;
  const limit = pageSize(input);
  const images: ImageSummary[] = [];
  for await (const image of imagesAfter(context.metadata, repository, decodePageToken(input['nextToken'], 1)?.[0], batchFor(limit))) {
    if (images.length > limit) break;
    if (keepImage(image, filter)) images.push(image);
  }
  const shown = images.slice(0, limit);
  const imageDetails = [];
  for (const image of shown) imageDetails.push(await detail(context, repository, image));
  return { imageDetails, ...(images.length > limit ? { nextToken: encodePageToken([shown[shown.length - 1]!.digest]) } : {}) };
}

/** Details of the images named, each once; the first id that names none is the error. */
async function describeNamedImages(context: EcrContext, repository: string, ids: readonly ImageId[], input: Record<string, unknown>): Promise<object[]> {
  if (input['maxResults'] !== undefined || input['nextToken'] !== undefined) {
    throw new EcrError('InvalidParameterException', 'Invalid parameter: maxResults and nextToken cannot be used with imageIds');
  }
  const details: object[] = [];
  const seen = new Set<string>();
  for (const id of ids) {
    const resolved = await resolveImageId(context.metadata, repository, id);
    if (!resolved.ok) throw describeFailure(context, repository, resolved.failure);
    if (seen.has(resolved.manifest.digest)) continue;
    seen.add(resolved.manifest.digest);
    const summary = await context.metadata.manifests.summary(repository, resolved.manifest.digest);
    if (summary) details.push(await detail(context, repository, summary));
  }
  return details;
}

/** DescribeImages answers a bad id with an exception rather than a failure entry. */
function describeFailure(context: EcrContext, repository: string, failure: ImageFailure): EcrError {
  const { imageId } = failure;
  if (failure.failureCode !== 'ImageNotFound' && failure.failureCode !== 'ImageTagDoesNotMatchDigest') {
    return new EcrError('InvalidParameterException', `Invalid parameter at 'imageIds' failed to satisfy constraint: '${failure.failureReason}'`);
  }
  const shown = [imageId.imageDigest !== undefined ? `imageDigest='${imageId.imageDigest}'` : '', imageId.imageTag !== undefined ? `imageTag='${imageId.imageTag}'` : '']
    .filter(Boolean)
    .join(', ');
  return new EcrError(
    'ImageNotFoundException',
    `The image with imageId {${shown}} does not exist within the repository with name '${repository}' in the registry with id '${context.accountId}'`,
  );
}

export async function batchGetImage(context: EcrContext, input: Record<string, unknown>): Promise<object> {
  const repository = await requireRepository(context, input);
  const accepted = input['acceptedMediaTypes'] as string[] | undefined;
  const images: object[] = [];
  const failures: ImageFailure[] = [];
  for (const id of input['imageIds'] as ImageId[]) {
    const resolved = await resolveImageId(context.metadata, repository, id);
    if (!resolved.ok) {
      failures.push(resolved.failure);
      continue;
    }
    const { manifest } = resolved;
    if (accepted && !accepted.includes(manifest.mediaType)) {
      // Berth converts no manifest to another format (ECR only turns Docker schema 2 into schema 1).
      failures.push(imageFailure(id, 'UnsupportedImageType', `The image manifest is ${manifest.mediaType}, which is not among the accepted media types`));
      continue;
    }
    context.registry.manifests.notePull(manifest, context.principal.arn);
    images.push({
      registryId: context.accountId,
      repositoryName: repository,
      imageId: { imageDigest: manifest.digest, ...(id.imageTag !== undefined ? { imageTag: id.imageTag } : {}) },
      imageManifest: manifest.content.toString('utf8'),
      imageManifestMediaType: manifest.mediaType,
    });
  }
  return { images, failures };
}
