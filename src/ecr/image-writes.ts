// PutImage, BatchDeleteImage and BatchCheckLayerAvailability: the write side of
// ECR's image API, through the same registry use cases the /v2/ handlers call.
import { createHash } from 'node:crypto';
import { isRegistryError } from '../errors/registry-error.ts';
import { isDigest, parseDigest, type Digest } from '../model/digest.ts';
import { isValidTag } from '../model/reference.ts';
import { parseManifest, type ParsedManifest } from '../registry/manifest-parser.ts';
import { EcrError, type EcrContext } from './ecr-context.ts';
import { planImageDeletion, type DeletionTarget, type ManifestFacts } from './image-deletion.ts';
import { imageFailure, resolveImageId, type ImageFailure, type ImageId } from './image-ids.ts';
import { requireRepository } from './repository-lookup.ts';

export async function putImage(context: EcrContext, input: Record<string, unknown>): Promise<object> {
  const repository = await requireRepository(context, input);
  const manifest = Buffer.from(String(input['imageManifest']), 'utf8');
  const tag = input['imageTag'] as string | undefined;
  const expectedDigest = input['imageDigest'] as string | undefined;
  const mediaType = input['imageManifestMediaType'] as string | undefined;
  if (tag !== undefined && !isValidTag(tag)) {
    throw new EcrError('InvalidParameterException', `Invalid parameter at 'imageTag' failed to satisfy constraint: 'must be up to 128 letters, digits, underscores, periods and hyphens, not starting with a period or hyphen'`);
  }
  if (expectedDigest !== undefined && !isDigest(parseDigest(expectedDigest))) {
    throw new EcrError('InvalidParameterException', `Invalid parameter at 'imageDigest' failed to satisfy constraint: 'must be a digest such as sha256: followed by 64 hex digits'`);
  }
  if (mediaType === undefined && lacksMediaType(manifest)) {
    throw new EcrError('InvalidParameterException', "Invalid parameter at 'ImageManifest' failed to satisfy constraint: 'Invalid JSON syntax'");
  }
  const parsed = parseForPut(manifest, mediaType);
  // ECR names images by the sha256 of the manifest, whatever algorithm imageDigest uses.
  const hex = createHash('sha256').update(manifest).digest('hex');
  const computed: Digest = { algorithm: 'sha256', hex, value: `sha256:${hex}` };
  const digest = computed.value;
  if (expectedDigest !== undefined && expectedDigest !== digest) {
    throw new EcrError('ImageDigestDoesNotMatchException', `Provided digest '${expectedDigest}' does not match the digest of the image manifest, '${digest}'`);
  }
  const current = tag !== undefined ? await context.metadata.manifests.getByTag(repository, tag) : await context.metadata.manifests.get(repository, digest);
  if (current?.digest === digest) {
    const named = tag !== undefined ? `Image with digest '${digest}' and tag '${tag}'` : `Image with digest '${digest}'`;
    throw new EcrError('ImageAlreadyExistsException', `${named} already exists in the repository with name '${repository}' in registry with id '${context.accountId}'`);
  }
  try {
    await context.registry.manifests.put(repository, tag !== undefined ? { kind: 'tag', tag } : { kind: 'digest', digest: computed }, manifest, mediaType);
  } catch (error) {
    throw isRegistryError(error) && error.code === 'MANIFEST_BLOB_UNKNOWN' ? missingReferences(context, repository, parsed, error.detail) : error;
  }
  return {
    image: {
      registryId: context.accountId,
      repositoryName: repository,
      imageId: { imageDigest: digest, ...(tag !== undefined ? { imageTag: tag } : {}) },
      imageManifest: manifest.toString('utf8'),
      imageManifestMediaType: parsed.mediaType,
    },
  };
}

/**
 * Whether a manifest is a JSON object with no `mediaType` field. ECR's PutImage needs the
 * media type from the manifest or from imageManifestMediaType, and refuses a manifest
 * that gives it neither with InvalidParameterException and the message above: the one
 * ECR answers, misleading as it is (reported in aws/aws-cli#8620, aws/aws-sdk#193 and
 * aws/containers-roadmap#1873 for OCI manifests and Helm charts, which omit the field).
 * A /v2/ push is not checked: its Content-Type names the type. Text that is not JSON, or
 * not an object, and schema 1 manifests (which have no mediaType) are left to the parser,
 * whose messages say what is wrong with them.
 */
function lacksMediaType(manifest: Buffer): boolean {
  let document: unknown;
  try {
    document = JSON.parse(manifest.toString('utf8'));
  } catch {
    return false;
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document)) return false;
  return !Object.hasOwn(document, 'mediaType') && (document as Record<string, unknown>)['schemaVersion'] !== 1;
}

/** The manifest as the registry reads it; an invalid one is ECR's InvalidParameterException. */
function parseForPut(manifest: Buffer, mediaType: string | undefined): ParsedManifest {
  try {
    return parseManifest(manifest, mediaType);
  } catch (error) {
    if (isRegistryError(error) && error.code === 'MANIFEST_INVALID') {
      throw new EcrError('InvalidParameterException', `Invalid parameter at 'imageManifest' failed to satisfy constraint: '${error.message}'`);
    }
    throw error;
  }
}

/** A push refused for missing references: child manifests of an index, or layers. */
function missingReferences(context: EcrContext, repository: string, parsed: ParsedManifest, detail: unknown): EcrError {
  const missing = ((detail as { missing?: string[] } | undefined)?.missing ?? []).filter((digest) => typeof digest === 'string');
  const images = missing.filter((digest) => parsed.manifests.includes(digest));
  const layers = missing.filter((digest) => !images.includes(digest));
  if (layers.length > 0) {
    return new EcrError(
      'LayersNotFoundException',
      `Layers with digests '[${layers.join(', ')}]' required for pushing image into repository with name '${repository}' in the registry with id '${context.accountId}' do not exist`,
    );
  }
  return new EcrError(
    'ReferencedImagesNotFoundException',
    `Images with digests '[${images.join(', ')}]' referenced by the manifest list do not exist in the repository with name '${repository}' in the registry with id '${context.accountId}'`,
  );
}

export async function batchDeleteImage(context: EcrContext, input: Record<string, unknown>): Promise<object> {
  const repository = await requireRepository(context, input);
  const ids = input['imageIds'] as ImageId[];
  const results: Array<ImageFailure | DeletionTarget> = [];
  for (const id of ids) {
    const resolved = await resolveImageId(context.metadata, repository, id);
    results.push(resolved.ok ? { id, digest: resolved.manifest.digest, ...(id.imageTag !== undefined ? { tag: id.imageTag } : {}) } : resolved.failure);
  }
  const targets = results.filter((result): result is DeletionTarget => 'digest' in result);
  const facts = new Map<string, ManifestFacts>();
  for (const digest of new Set(targets.map((target) => target.digest))) {
    const summary = await context.metadata.manifests.summary(repository, digest);
    facts.set(digest, { tags: summary?.tags ?? [], parents: await context.metadata.manifests.parents(repository, digest) });
  }
  const plan = planImageDeletion(targets, facts);
  // Between planning and here another request may push an index over a planned child;
  // the window is one event-loop turn per store call, and /v2/ deletes do not check at all.
  for (const tag of plan.untag) await context.metadata.tags.delete(repository, tag);
  for (const digest of plan.deleteManifests) await context.metadata.manifests.delete(repository, digest);

  const outcomes = new Map(plan.outcomes.map((outcome) => [outcome.target, outcome]));
  const imageIds: ImageId[] = [];
  const failures: ImageFailure[] = [];
  for (const result of results) {
    if (!('digest' in result)) {
      failures.push(result);
      continue;
    }
    const outcome = outcomes.get(result)!;
    if (outcome.deleted) imageIds.push({ imageDigest: result.digest, ...(result.tag !== undefined ? { imageTag: result.tag } : {}) });
    else failures.push(imageFailure(result.id, 'ImageReferencedByManifestList', referencedReason(outcome.referencedBy)));
  }
  return { imageIds, failures };
}

function referencedReason(indexes: readonly string[]): string {
  const lists = indexes.length === 1 ? 'manifest list' : 'manifest lists';
  return `Requested image is referenced by ${lists} [${indexes.join(', ')}] in the repository; delete ${indexes.length === 1 ? 'it' : 'them'} first or in the same request`;
}

export async function batchCheckLayerAvailability(context: EcrContext, input: Record<string, unknown>): Promise<object> {
  const repository = await requireRepository(context, input);
  const layers: object[] = [];
  const failures: object[] = [];
  for (const layerDigest of input['layerDigests'] as string[]) {
    const digest = parseDigest(layerDigest);
    if (!isDigest(digest)) {
      failures.push({ layerDigest, failureCode: 'InvalidLayerDigest', failureReason: 'Invalid layer digest' });
      continue;
    }
    const size = await context.registry.blobs.available(repository, digest);
    if (size === undefined) {
      failures.push({ layerDigest, failureCode: 'MissingLayerDigest', failureReason: 'Could not find the layer in the repository' });
      continue;
    }
    layers.push({ layerDigest, layerAvailability: 'AVAILABLE', layerSize: size });
  }
  return { layers, failures };
}
