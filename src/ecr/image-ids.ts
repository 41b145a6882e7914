// ECR's image identifiers (a tag, a digest, or both) and the per-item failures the
// batch operations report with the model's ImageFailureCode values. Checking an
// identifier is pure; resolving one reads the store.
import { isDigest, parseDigest } from '../model/digest.ts';
import { isValidTag } from '../model/reference.ts';
import type { ManifestRecord, MetadataStore } from '../storage/meta/metadata-store.ts';

export interface ImageId {
  readonly imageDigest?: string;
  readonly imageTag?: string;
}

/** The ImageFailureCode values Berth reports (UnsupportedImageType is BatchGetImage's own, see images.ts). */
export type ImageFailureCode =
  | 'InvalidImageDigest'
  | 'InvalidImageTag'
  | 'ImageTagDoesNotMatchDigest'
  | 'ImageNotFound'
  | 'MissingDigestAndTag'
  | 'ImageReferencedByManifestList';

export interface ImageFailure {
  readonly imageId: ImageId;
  readonly failureCode: ImageFailureCode | 'UnsupportedImageType';
  readonly failureReason: string;
}

export function imageFailure(imageId: ImageId, failureCode: ImageFailure['failureCode'], failureReason: string): ImageFailure {
  return { imageId, failureCode, failureReason };
}

/** The failure for an identifier that cannot name an image whatever the repository holds; undefined when it can. */
export function checkImageId(id: ImageId): ImageFailure | undefined {
  if (id.imageDigest === undefined && id.imageTag === undefined) {
    return imageFailure(id, 'MissingDigestAndTag', 'The image ID needs an imageTag, an imageDigest or both');
  }
  if (id.imageDigest !== undefined && !isDigest(parseDigest(id.imageDigest))) {
    return imageFailure(id, 'InvalidImageDigest', `Invalid image digest '${id.imageDigest}': expected sha256: or sha512: followed by the lowercase hex digest`);
  }
  if (id.imageTag !== undefined && !isValidTag(id.imageTag)) {
    return imageFailure(
      id,
      'InvalidImageTag',
      `Invalid image tag '${id.imageTag}': a tag is up to 128 letters, digits, underscores, periods and hyphens, not starting with a period or hyphen`,
    );
  }
  return undefined;
}

export type ResolvedImage = { readonly ok: true; readonly manifest: ManifestRecord } | { readonly ok: false; readonly failure: ImageFailure };

/**
 * The manifest an identifier names in the repository. A tag with a digest must point
 * at that digest (ImageTagDoesNotMatchDigest otherwise); an unknown tag or digest is
 * ImageNotFound.
 */
export async function resolveImageId(metadata: MetadataStore, repository: string, id: ImageId): Promise<ResolvedImage> {
  const invalid = checkImageId(id);
  if (invalid) return { ok: false, failure: invalid };
  const manifest = id.imageTag !== undefined ? await metadata.manifests.getByTag(repository, id.imageTag) : await metadata.manifests.get(repository, id.imageDigest!);
  if (!manifest) return { ok: false, failure: imageFailure(id, 'ImageNotFound', 'Requested image not found') };
  if (id.imageDigest !== undefined && manifest.digest !== id.imageDigest) {
    return { ok: false, failure: imageFailure(id, 'ImageTagDoesNotMatchDigest', `The image tag '${id.imageTag}' does not point at the image digest '${id.imageDigest}'`) };
  }
  return { ok: true, manifest };
}
