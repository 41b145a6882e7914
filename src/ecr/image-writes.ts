// PutImage, BatchDeleteImage and BatchCheckLayerAvailability: the write side of
// ECR's image API, through the same registry use cases the /v2/ handlers call.
import { isDigest, parseDigest } from '../model/digest.ts';
import { parseReference } from '../model/reference.ts';
import { EcrError, type EcrContext } from './ecr-context.ts';
import { requireRepository } from './repository-lookup.ts';

import type { ImageId } from './images.ts';

export async function putImage(context: EcrContext, input: Record<string, unknown>): Promise<object> {
  const repository = await requireRepository(context, input);
  const manifest = Buffer.from(String(input['imageManifest']), 'utf8');
  const tag = input['imageTag'] as string | undefined;
  const expectedDigest = input['imageDigest'] as string | undefined;
  const reference = parseReference(tag ?? expectedDigest ?? '');
  if (tag !== undefined && reference?.kind !== 'tag') throw new EcrError('InvalidParameterException', `Invalid parameter at 'imageTag' failed to satisfy constraint: 'must be a valid tag'`);
  const mediaType = input['imageManifestMediaType'] as string | undefined;
  if (tag !== undefined) {
    const current = await context.metadata.manifests.getByTag(repository, tag);
    const digest = context.registry.manifests.digestOf(manifest, expectedDigest);
    if (current?.digest === digest) {
      throw new EcrError(
        'ImageAlreadyExistsException',
        `Image with digest '${digest}' and tag '${tag}' already exists in the repository with name '${repository}' in registry with id '${context.accountId}'`,
      );
    }
  }
  const pushed = await context.registry.manifests.put(repository, reference ?? { kind: 'digest', digest: requireDigest(expectedDigest) }, manifest, mediaType);
  if (expectedDigest !== undefined && expectedDigest !== pushed.digest) {
    throw new EcrError('ImageDigestDoesNotMatchException', `The digest '${expectedDigest}' does not match the digest of the image manifest ('${pushed.digest}')`);
  }
  const stored = await context.metadata.manifests.get(repository, pushed.digest);
  return {
    image: {
      registryId: context.accountId,
      repositoryName: repository,
      imageId: { imageDigest: pushed.digest, ...(tag !== undefined ? { imageTag: tag } : {}) },
      imageManifest: manifest.toString('utf8'),
      imageManifestMediaType: stored?.mediaType ?? mediaType,
    },
  };
}

function requireDigest(text: string | undefined) {
  const digest = parseDigest(text ?? '');
  if (!isDigest(digest)) throw new EcrError('InvalidParameterException', 'PutImage needs an imageTag or a valid imageDigest');
  return digest;
}

export async function batchDeleteImage(context: EcrContext, input: Record<string, unknown>): Promise<object> {
  const repository = await requireRepository(context, input);
  const deleted: ImageId[] = [];
  const failures: object[] = [];
  for (const id of input['imageIds'] as ImageId[]) {
    const manifest =
      id.imageTag !== undefined ? await context.metadata.manifests.getByTag(repository, id.imageTag) : await context.metadata.manifests.get(repository, id.imageDigest ?? '');
    if (!manifest || (id.imageDigest !== undefined && manifest.digest !== id.imageDigest)) {
      failures.push({ imageId: id, failureCode: 'ImageNotFound', failureReason: 'Requested image not found' });
      continue;
    }
    const summary = await context.metadata.manifests.summary(repository, manifest.digest);
    if (id.imageTag !== undefined && summary && summary.tags.length > 1) {
      // Another tag keeps the image: only this tag goes.
      await context.metadata.tags.delete(repository, id.imageTag);
    } else {
      await context.metadata.manifests.delete(repository, manifest.digest);
    }
    deleted.push({ imageDigest: manifest.digest, ...(id.imageTag !== undefined ? { imageTag: id.imageTag } : {}) });
  }
  return { imageIds: deleted, failures };
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
    const size = await context.metadata.blobs.linked(repository, digest.value);
    if (size === undefined) {
      failures.push({ layerDigest, failureCode: 'MissingLayerDigest', failureReason: 'Could not find the layer in the repository' });
      continue;
    }
    layers.push({ layerDigest, layerAvailability: 'AVAILABLE', layerSize: size });
  }
  return { layers, failures };
}
