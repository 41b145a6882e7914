// ECR's layer API — InitiateLayerUpload, UploadLayerPart, CompleteLayerUpload,
// GetDownloadUrlForLayer — over the same Uploads and Blobs use cases as the
// registry API's POST/PATCH/PUT, so a layer pushed either way is the same blob.
import { DOWNLOAD_URL_TTL_SECONDS, presignBlobDownload } from '../auth/tokens/blob-download.ts';
import { Readable } from 'node:stream';
import { isDigest, parseDigest, type Digest } from '../model/digest.ts';
import { EcrError, type EcrContext } from './ecr-context.ts';
import { requireRepository } from './repository-lookup.ts';

/** The part size ECR suggests to clients (they may send others). */
const PART_SIZE = 10 * 1024 * 1024;

function requireLayerDigest(text: unknown): Digest {
  const digest = parseDigest(String(text));
  if (!isDigest(digest)) throw new EcrError('InvalidLayerException', `Invalid layer digest: ${String(text)}`);
  return digest;
}

export async function initiateLayerUpload(context: EcrContext, input: Record<string, unknown>): Promise<object> {
  const repository = await requireRepository(context, input);
  const session = await context.registry.uploads.start(repository);
  return { uploadId: session.id, partSize: PART_SIZE };
}

export async function uploadLayerPart(context: EcrContext, input: Record<string, unknown>): Promise<object> {
  const repository = await requireRepository(context, input);
  const uploadId = String(input['uploadId']);
  const part = input['layerPartBlob'] as Buffer;
  const start = input['partFirstByte'] as number;
  const end = input['partLastByte'] as number;
  if (end - start + 1 !== part.length) {
    throw new EcrError('InvalidLayerPartException', `The part's byte range ${start}-${end} does not match its ${part.length} bytes`);
  }
  const session = await context.registry.uploads.append(repository, uploadId, { body: Readable.from([part]), range: { start, end }, length: part.length });
  return { registryId: context.accountId, repositoryName: repository, uploadId, lastByteReceived: session.offset - 1 };
}

export async function completeLayerUpload(context: EcrContext, input: Record<string, unknown>): Promise<object> {
  const repository = await requireRepository(context, input);
  const uploadId = String(input['uploadId']);
  const digests = input['layerDigests'] as string[];
  if (digests.length !== 1) throw new EcrError('InvalidParameterException', 'layerDigests must name exactly one digest');
  const digest = requireLayerDigest(digests[0]);
  await context.registry.uploads.complete(repository, uploadId, digest);
  return { registryId: context.accountId, repositoryName: repository, uploadId, layerDigest: digest.value };
}

export async function getDownloadUrlForLayer(context: EcrContext, input: Record<string, unknown>): Promise<object> {
  const repository = await requireRepository(context, input);
  const digest = requireLayerDigest(input['layerDigest']);
  const size = await context.metadata.blobs.linked(repository, digest.value);
  if (size === undefined) {
    throw new EcrError('LayersNotFoundException', `The layer '${digest.value}' does not exist in the repository with name '${repository}' in the registry with id '${context.accountId}'`);
  }
  // Where the blob store serves clients itself (S3 with redirects on), hand out its own
  // presigned URL, exactly as ECR does.
  const direct = await context.registry.blobs.redirectUrl(digest);
  if (direct !== undefined) {
    // The download then bypasses Berth: metered as the layer's bytes, as a /v2/ redirect is (docs/usage.md).
    context.registry.context.usage?.sent(repository, size);
    return { downloadUrl: direct, layerDigest: digest.value };
  }
  // Otherwise our own pre-signed /v2/ URL: it works without a login for a while, for whoever holds it.
  const query = presignBlobDownload(context.serverKey, {
    repository,
    digest: digest.value,
    accessKeyId: context.principal.accessKeyId,
    expires: Math.floor(context.now().getTime() / 1000) + DOWNLOAD_URL_TTL_SECONDS,
  });
  return { downloadUrl: `${context.scheme}://${context.registryHost}/v2/${repository}/blobs/${digest.value}?${query}`, layerDigest: digest.value };
}
