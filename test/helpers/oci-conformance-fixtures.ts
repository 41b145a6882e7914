// Content builders for the OCI distribution conformance suite (test/oci-conformance/).
// Everything here is pure: random blobs, digests and manifest documents. Nothing talks
// to a registry, so the same fixtures work against Berth or any other registry.
import { createHash, randomBytes } from 'node:crypto';

export const MEDIA = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ociEmpty: 'application/vnd.oci.empty.v1+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayer: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
} as const;

export type DigestAlgorithm = 'sha256' | 'sha512';

/** `<algorithm>:<hex>` of the given bytes. */
export function digestOf(bytes: Uint8Array | string, algorithm: DigestAlgorithm = 'sha256'): string {
  return `${algorithm}:${createHash(algorithm).update(bytes).digest('hex')}`;
}

/** A syntactically valid digest of content that no test ever uploads. */
export function unknownDigest(algorithm: DigestAlgorithm = 'sha256'): string {
  return digestOf(`never-uploaded-${randomBytes(16).toString('hex')}`, algorithm);
}

/** Short random lowercase id, valid inside repository names and tags. */
export function randomId(length = 10): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = randomBytes(length);
  let out = '';
  for (const byte of bytes) out += alphabet[byte % alphabet.length];
  return out;
}

/** One id per process: every repository this run creates carries it, so reruns never collide. */
export const RUN_ID = `${Date.now().toString(36)}${randomId(6)}`;

/**
 * A repository name unique to this test run, e.g. `oci-conformance-<run>/push/blob-upload`.
 * `label` may itself contain slashes to get multi-component names.
 */
export function uniqueRepo(label: string): string {
  return `oci-conformance-${RUN_ID}/${label}`;
}

export interface Blob {
  readonly bytes: Uint8Array;
  readonly digest: string;
  readonly size: number;
}

export function blobOf(bytes: Uint8Array | string, algorithm: DigestAlgorithm = 'sha256'): Blob {
  const data = typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes;
  return { bytes: data, digest: digestOf(data, algorithm), size: data.byteLength };
}

/** Random bytes: a stand-in for a layer (registries never look inside layers). */
export function randomBlob(size = 1024, algorithm: DigestAlgorithm = 'sha256'): Blob {
  return blobOf(new Uint8Array(randomBytes(size)), algorithm);
}

/** An image config with a random author so every call gives a distinct digest. */
export function configBlob(): Blob {
  const config = {
    architecture: 'amd64',
    os: 'linux',
    author: `conformance-${randomId(16)}`,
    rootfs: { type: 'layers', diff_ids: [] as string[] },
  };
  return blobOf(JSON.stringify(config, null, 2));
}

/** The well-known empty JSON blob `{}` used as config of artifacts. */
export function emptyJsonBlob(): Blob {
  return blobOf('{}');
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  artifactType?: string;
  annotations?: Record<string, string>;
  platform?: { architecture: string; os: string; variant?: string };
}

export function descriptorOf(blob: Blob, mediaType: string): Descriptor {
  return { mediaType, digest: blob.digest, size: blob.size };
}

/** A serialized manifest document: exactly the bytes that are PUT and must come back. */
export interface ManifestDoc {
  readonly bytes: Uint8Array;
  readonly digest: string;
  readonly size: number;
  /** The Content-Type to push it with. */
  readonly mediaType: string;
  readonly json: Record<string, unknown>;
}

/**
 * Serializes with two-space indentation and a trailing newline on purpose: a registry
 * must store the bytes as given, so a round trip through a re-encoding JSON parser
 * would change the digest and be caught.
 */
export function manifestDoc(json: Record<string, unknown>, mediaType: string, algorithm: DigestAlgorithm = 'sha256'): ManifestDoc {
  const bytes = new TextEncoder().encode(`${JSON.stringify(json, null, 2)}\n`);
  return { bytes, digest: digestOf(bytes, algorithm), size: bytes.byteLength, mediaType, json };
}

export function manifestDescriptor(doc: ManifestDoc, extra: Partial<Descriptor> = {}): Descriptor {
  return { mediaType: doc.mediaType, digest: doc.digest, size: doc.size, ...extra };
}

export interface OciManifestOptions {
  config: Descriptor;
  layers?: Descriptor[];
  subject?: Descriptor;
  artifactType?: string;
  annotations?: Record<string, string>;
  /** Leave out the `mediaType` field so the registry must rely on Content-Type. */
  omitMediaType?: boolean;
}

export function ociManifest(options: OciManifestOptions): ManifestDoc {
  const json: Record<string, unknown> = { schemaVersion: 2 };
  if (!options.omitMediaType) json.mediaType = MEDIA.ociManifest;
  if (options.artifactType) json.artifactType = options.artifactType;
  json.config = options.config;
  json.layers = options.layers ?? [];
  if (options.subject) json.subject = options.subject;
  if (options.annotations) json.annotations = options.annotations;
  return manifestDoc(json, MEDIA.ociManifest);
}

export interface OciIndexOptions {
  manifests: Descriptor[];
  subject?: Descriptor;
  artifactType?: string;
  annotations?: Record<string, string>;
  omitMediaType?: boolean;
}

export function ociIndex(options: OciIndexOptions): ManifestDoc {
  const json: Record<string, unknown> = { schemaVersion: 2 };
  if (!options.omitMediaType) json.mediaType = MEDIA.ociIndex;
  if (options.artifactType) json.artifactType = options.artifactType;
  json.manifests = options.manifests;
  if (options.subject) json.subject = options.subject;
  if (options.annotations) json.annotations = options.annotations;
  return manifestDoc(json, MEDIA.ociIndex);
}

export function dockerManifest(config: Blob, layers: Blob[]): ManifestDoc {
  return manifestDoc(
    {
      schemaVersion: 2,
      mediaType: MEDIA.dockerManifest,
      config: descriptorOf(config, MEDIA.dockerConfig),
      layers: layers.map((layer) => descriptorOf(layer, MEDIA.dockerLayer)),
    },
    MEDIA.dockerManifest,
  );
}

export function dockerManifestList(manifests: Descriptor[]): ManifestDoc {
  return manifestDoc({ schemaVersion: 2, mediaType: MEDIA.dockerManifestList, manifests }, MEDIA.dockerManifestList);
}

/** The pieces of a small runnable-looking image: one config, one layer, one manifest. */
export interface ImageFixture {
  readonly config: Blob;
  readonly layers: Blob[];
  readonly manifest: ManifestDoc;
}

export function ociImage(layerCount = 1, layerSize = 512): ImageFixture {
  const config = configBlob();
  const layers = Array.from({ length: layerCount }, () => randomBlob(layerSize));
  const manifest = ociManifest({
    config: descriptorOf(config, MEDIA.ociConfig),
    layers: layers.map((layer) => descriptorOf(layer, MEDIA.ociLayer)),
  });
  return { config, layers, manifest };
}

export function dockerImage(layerCount = 1, layerSize = 512): ImageFixture {
  const config = configBlob();
  const layers = Array.from({ length: layerCount }, () => randomBlob(layerSize));
  return { config, layers, manifest: dockerManifest(config, layers) };
}

/** Splits bytes into consecutive chunks with their inclusive `start-end` Content-Range values. */
export function chunksOf(bytes: Uint8Array, sizes: number[]): Array<{ bytes: Uint8Array; range: string; start: number; end: number }> {
  const chunks: Array<{ bytes: Uint8Array; range: string; start: number; end: number }> = [];
  let offset = 0;
  for (const size of sizes) {
    const piece = bytes.subarray(offset, offset + size);
    chunks.push({ bytes: piece, range: `${offset}-${offset + piece.byteLength - 1}`, start: offset, end: offset + piece.byteLength - 1 });
    offset += piece.byteLength;
  }
  if (offset !== bytes.byteLength) throw new Error(`chunk sizes cover ${offset} of ${bytes.byteLength} bytes`);
  return chunks;
}

/** Parses an RFC 5988 Link header and returns the target of rel="next", if any. */
export function nextLink(header: string | null): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(/,(?=\s*<)/)) {
    const match = /^\s*<([^>]*)>\s*;(.*)$/.exec(part);
    if (!match) continue;
    const params = match[2]!;
    if (/(^|;)\s*rel\s*=\s*"?next"?\s*(;|$)/i.test(params)) return match[1]!;
  }
  return undefined;
}

export const ERROR_CODES = [
  'BLOB_UNKNOWN',
  'BLOB_UPLOAD_INVALID',
  'BLOB_UPLOAD_UNKNOWN',
  'DIGEST_INVALID',
  'MANIFEST_BLOB_UNKNOWN',
  'MANIFEST_INVALID',
  'MANIFEST_UNKNOWN',
  'NAME_INVALID',
  'NAME_UNKNOWN',
  'SIZE_INVALID',
  'UNAUTHORIZED',
  'DENIED',
  'UNSUPPORTED',
  'TOOMANYREQUESTS',
] as const;
