// Pure parsing and validation of pushed manifests: which media type they are,
// what they reference, and the fields the referrers API reports. No I/O.
import { RegistryError } from '../errors/registry-error.ts';
import { isDigest, parseDigest } from '../model/digest.ts';
import {
  DOCKER_MANIFEST,
  DOCKER_MANIFEST_LIST,
  OCI_INDEX,
  OCI_MANIFEST,
  MANIFEST_MEDIA_TYPES,
  bareMediaType,
  isIndexMediaType,
  isSchema1MediaType,
} from '../model/media-types.ts';

export interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly urls?: readonly string[];
}

export interface ParsedManifest {
  readonly mediaType: string;
  /** Blobs that must be in the repository: config and layers. */
  readonly blobs: readonly string[];
  /** Child manifests that must be in the repository (indexes). */
  readonly manifests: readonly string[];
  readonly subject?: string;
  readonly artifactType?: string;
  readonly annotations?: Record<string, string>;
}

/** Content types clients send when they do not name a manifest type; the body decides then. */
const GENERIC_CONTENT_TYPES = new Set(['application/json', 'application/octet-stream', 'text/plain']);

function invalid(message: string, detail?: unknown): RegistryError {
  return new RegistryError('MANIFEST_INVALID', message, detail);
}

export function parseManifest(content: Buffer, contentType: string | undefined): ParsedManifest {
  let document: unknown;
  try {
    document = JSON.parse(content.toString('utf8'));
  } catch (error) {
    throw invalid('manifest is not valid JSON', { reason: (error as Error).message });
  }
  if (!isObject(document)) throw invalid('manifest must be a JSON object');

  const declared = document.mediaType;
  if (declared !== undefined && typeof declared !== 'string') throw invalid('mediaType must be a string');
  const header = bareMediaType(contentType);
  if (document.schemaVersion === 1 || (header && isSchema1MediaType(header)) || (declared && isSchema1MediaType(declared))) {
    throw invalid('Docker image manifest schema 1 is not supported; push schema 2 or OCI manifests');
  }
  const mediaType = chooseMediaType(header, declared, document);
  if (document.schemaVersion !== 2) throw invalid('schemaVersion must be 2');

  if (isIndexMediaType(mediaType)) return parseIndex(document, mediaType);
  return parseImageManifest(document, mediaType);
}

function chooseMediaType(header: string | undefined, declared: string | undefined, document: Record<string, unknown>): string {
  if (header !== undefined && !GENERIC_CONTENT_TYPES.has(header)) {
    if (!MANIFEST_MEDIA_TYPES.includes(header)) {
      throw invalid(`unsupported manifest media type ${header}`, { mediaType: header, supported: MANIFEST_MEDIA_TYPES });
    }
    if (declared !== undefined && declared !== header) {
      throw invalid(`mediaType ${declared} in the manifest does not match Content-Type ${header}`);
    }
    return header;
  }
  if (declared !== undefined) {
    if (!MANIFEST_MEDIA_TYPES.includes(declared)) throw invalid(`unsupported manifest media type ${declared}`);
    return declared;
  }
  // Neither header nor field: OCI allows omitting mediaType, so infer from the shape.
  if (Array.isArray(document.manifests)) return OCI_INDEX;
  if (isObject(document.config)) return OCI_MANIFEST;
  throw invalid('cannot tell the manifest media type: send it as Content-Type');
}

function parseImageManifest(document: Record<string, unknown>, mediaType: string): ParsedManifest {
  if (document.manifests !== undefined) throw invalid(`an image manifest (${mediaType}) must not have manifests`);
  const config = parseDescriptor(document.config, 'config');
  if (!Array.isArray(document.layers)) throw invalid('layers must be an array');
  const layers = document.layers.map((layer, index) => parseDescriptor(layer, `layers[${index}]`));
  const subject = document.subject === undefined ? undefined : parseDescriptor(document.subject, 'subject');
  const artifactType = optionalString(document.artifactType, 'artifactType');
  const annotations = parseAnnotations(document.annotations);
  // Layers with urls are non-distributable: their bytes live elsewhere by design.
  const blobs = [config.digest, ...layers.filter((layer) => !(layer.urls && layer.urls.length > 0)).map((layer) => layer.digest)];
  return {
    mediaType,
    blobs,
    manifests: [],
    ...(subject ? { subject: subject.digest } : {}),
    // The referrers API reports config.mediaType when artifactType is absent.
    artifactType: artifactType || config.mediaType,
    ...(annotations ? { annotations } : {}),
  };
}

function parseIndex(document: Record<string, unknown>, mediaType: string): ParsedManifest {
  if (!Array.isArray(document.manifests)) throw invalid('manifests must be an array');
  const children = document.manifests.map((child, index) => parseDescriptor(child, `manifests[${index}]`));
  if (mediaType === DOCKER_MANIFEST_LIST) {
    for (const child of children) {
      if (child.mediaType !== DOCKER_MANIFEST && child.mediaType !== DOCKER_MANIFEST_LIST && !MANIFEST_MEDIA_TYPES.includes(child.mediaType)) {
        throw invalid(`manifest list entries must be manifests, not ${child.mediaType}`);
      }
    }
  }
  const subject = document.subject === undefined ? undefined : parseDescriptor(document.subject, 'subject');
  const artifactType = optionalString(document.artifactType, 'artifactType');
  const annotations = parseAnnotations(document.annotations);
  // Only entries that are manifests must exist here; an index may also point at other content.
  const manifests = children.filter((child) => MANIFEST_MEDIA_TYPES.includes(child.mediaType)).map((child) => child.digest);
  const blobs = children.filter((child) => !MANIFEST_MEDIA_TYPES.includes(child.mediaType) && !(child.urls && child.urls.length > 0)).map((child) => child.digest);
  return {
    mediaType,
    blobs,
    manifests,
    ...(subject ? { subject: subject.digest } : {}),
    ...(artifactType ? { artifactType } : {}),
    ...(annotations ? { annotations } : {}),
  };
}

function parseDescriptor(value: unknown, where: string): Descriptor {
  if (!isObject(value)) throw invalid(`${where} must be a descriptor object`);
  const { mediaType, digest, size, urls } = value;
  if (typeof mediaType !== 'string' || mediaType === '') throw invalid(`${where}.mediaType must be a non-empty string`);
  if (typeof digest !== 'string' || !isDigest(parseDigest(digest))) throw invalid(`${where}.digest is not a valid digest`, { digest });
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) throw invalid(`${where}.size must be a non-negative integer`);
  if (urls !== undefined && (!Array.isArray(urls) || !urls.every((url) => typeof url === 'string'))) {
    throw invalid(`${where}.urls must be an array of strings`);
  }
  return { mediaType, digest, size, ...(urls ? { urls: urls as string[] } : {}) };
}

function parseAnnotations(value: unknown): Record<string, string> | undefined {
  if (value === undefined) return undefined;
  if (!isObject(value) || !Object.values(value).every((entry) => typeof entry === 'string')) {
    throw invalid('annotations must be an object of strings');
  }
  return value as Record<string, string>;
}

function optionalString(value: unknown, where: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw invalid(`${where} must be a string`);
  return value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
