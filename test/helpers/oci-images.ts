// Builds OCI images, indexes and artifacts from scratch into an OCI image layout
// directory (oci-layout, index.json, blobs/sha256/...), with no network and no
// container tooling: the end-to-end tests push these with real clients and compare
// the digests that come back.
//
// Layers are gzip-compressed tar archives of random bytes, written by the tiny
// ustar writer below; the image config carries rootfs.diff_ids (sha256 of each
// uncompressed tar) as real images do.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync, gunzipSync } from 'node:zlib';

export const MEDIA_TYPES = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ociLayerTar: 'application/vnd.oci.image.layer.v1.tar',
  ociEmpty: 'application/vnd.oci.empty.v1+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
} as const;

/** The OCI "empty" blob `{}` used as the config of artifacts. */
export const EMPTY_JSON = Buffer.from('{}');
export const EMPTY_JSON_DIGEST = 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a';

/** Annotation an OCI layout uses to name a manifest (what `oci:dir:NAME` refers to). */
export const REF_NAME_ANNOTATION = 'org.opencontainers.image.ref.name';

export interface Platform {
  architecture: string;
  os: string;
  variant?: string;
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  artifactType?: string;
  platform?: Platform;
  annotations?: Record<string, string>;
}

export function sha256(data: Uint8Array | string): string {
  return 'sha256:' + createHash('sha256').update(data).digest('hex');
}

// ---------------------------------------------------------------------------
// A minimal ustar writer and reader

export interface TarEntry {
  /** Path inside the archive, without a leading slash; directories end without '/'. */
  name: string;
  type: 'file' | 'dir';
  content?: Uint8Array;
  mode?: number;
}

function writeOctal(header: Buffer, offset: number, length: number, value: number): void {
  // length-1 octal digits, zero padded, then NUL
  const text = value.toString(8).padStart(length - 1, '0');
  if (text.length > length - 1) throw new Error(`tar: value ${value} does not fit in ${length} bytes`);
  header.write(text + '\0', offset, length, 'ascii');
}

function tarHeader(entry: TarEntry, size: number, mtime: number): Buffer {
  const header = Buffer.alloc(512, 0);
  let name = entry.name.replace(/^\/+/, '');
  if (entry.type === 'dir' && !name.endsWith('/')) name += '/';
  let prefix = '';
  if (Buffer.byteLength(name) > 100) {
    // split at a '/' so that name <= 100 bytes and prefix <= 155 bytes
    const cut = name.lastIndexOf('/', name.length - 2);
    prefix = name.slice(0, cut);
    name = name.slice(cut + 1);
    if (Buffer.byteLength(name) > 100 || Buffer.byteLength(prefix) > 155) {
      throw new Error(`tar: path too long: ${entry.name}`);
    }
  }
  header.write(name, 0, 100, 'utf8');
  writeOctal(header, 100, 8, entry.mode ?? (entry.type === 'dir' ? 0o755 : 0o644));
  writeOctal(header, 108, 8, 0); // uid
  writeOctal(header, 116, 8, 0); // gid
  writeOctal(header, 124, 12, size);
  writeOctal(header, 136, 12, mtime);
  header.fill(0x20, 148, 156); // checksum is computed with its own field as spaces
  header.write(entry.type === 'dir' ? '5' : '0', 156, 1, 'ascii');
  header.write('ustar\0', 257, 6, 'ascii');
  header.write('00', 263, 2, 'ascii');
  header.write('root', 265, 32, 'ascii');
  header.write('root', 297, 32, 'ascii');
  writeOctal(header, 329, 8, 0);
  writeOctal(header, 337, 8, 0);
  header.write(prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const byte of header) sum += byte;
  header.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8, 'ascii');
  return header;
}

/** Builds an uncompressed tar archive (ustar) from the given entries. */
export function createTar(entries: TarEntry[], mtime = 1_700_000_000): Buffer {
  const parts: Buffer[] = [];
  for (const entry of entries) {
    const content = entry.type === 'file' ? Buffer.from(entry.content ?? new Uint8Array()) : Buffer.alloc(0);
    parts.push(tarHeader(entry, content.length, mtime));
    if (content.length > 0) {
      parts.push(content);
      const pad = (512 - (content.length % 512)) % 512;
      if (pad) parts.push(Buffer.alloc(pad, 0));
    }
  }
  parts.push(Buffer.alloc(1024, 0)); // two zero blocks end the archive
  return Buffer.concat(parts);
}

function readTarString(block: Buffer, offset: number, length: number): string {
  const raw = block.subarray(offset, offset + length);
  const end = raw.indexOf(0);
  return raw.subarray(0, end === -1 ? raw.length : end).toString('utf8');
}

/**
 * Lists the regular files and directories of a tar archive (gzip-compressed or not).
 * Handles ustar prefixes and PAX/GNU long names, which is what the container tools write.
 */
export function readTar(archive: Uint8Array): TarEntry[] {
  let data = Buffer.from(archive);
  if (data[0] === 0x1f && data[1] === 0x8b) data = gunzipSync(data);
  const entries: TarEntry[] = [];
  let offset = 0;
  let longName: string | undefined;
  while (offset + 512 <= data.length) {
    const block = data.subarray(offset, offset + 512);
    if (block.every((b) => b === 0)) break;
    const size = parseInt(readTarString(block, 124, 12).trim() || '0', 8);
    const type = String.fromCharCode(block[156] ?? 0x30);
    const body = data.subarray(offset + 512, offset + 512 + size);
    offset += 512 + Math.ceil(size / 512) * 512;
    if (type === 'x') {
      // PAX extended header: "len key=value\n" records
      const text = body.toString('utf8');
      for (const m of text.matchAll(/\d+ ([^=]+)=([^\n]*)\n/g)) if (m[1] === 'path') longName = m[2];
      continue;
    }
    if (type === 'L') {
      longName = body.toString('utf8').replace(/\0+$/, '');
      continue;
    }
    if (type === 'g') continue;
    let name = readTarString(block, 0, 100);
    const magic = readTarString(block, 257, 6);
    const prefix = magic.startsWith('ustar') ? readTarString(block, 345, 155) : '';
    if (prefix) name = `${prefix}/${name}`;
    if (longName !== undefined) {
      name = longName;
      longName = undefined;
    }
    name = name.replace(/^\.\//, '').replace(/^\/+/, '').replace(/\/+$/, '');
    const mode = parseInt(readTarString(block, 100, 8).trim() || '0', 8);
    if (type === '5') entries.push({ name, type: 'dir', mode });
    else if (type === '0' || type === '\0' || type === '7') {
      entries.push({ name, type: 'file', mode, content: Buffer.from(body) });
    }
  }
  return entries;
}

// ---------------------------------------------------------------------------
// OCI image layout

export interface LayerSpec {
  /** Files to put in the layer; by default `count` files of random bytes. */
  files?: { path: string; content: Uint8Array }[];
  /** Total size of random content when `files` is not given (default 192 KiB). */
  randomBytes?: number;
}

export interface BuiltLayer {
  descriptor: Descriptor;
  diffId: string;
  tar: Buffer;
  gzip: Buffer;
  files: { path: string; content: Uint8Array }[];
}

export interface BuiltImage {
  /** Descriptor of the image manifest (what a tag resolves to). */
  manifest: Descriptor;
  manifestBytes: Buffer;
  config: Descriptor;
  configBytes: Buffer;
  layers: BuiltLayer[];
  platform: Platform;
}

export interface BuiltIndex {
  index: Descriptor;
  indexBytes: Buffer;
  images: BuiltImage[];
}

export interface BuiltArtifact {
  manifest: Descriptor;
  manifestBytes: Buffer;
  artifactType: string;
  subject: Descriptor;
  layers: Descriptor[];
  payloads: Buffer[];
}

export class OciLayout {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = dir;
  }

  /** Creates (or opens) a layout directory with `oci-layout` and an `index.json`. */
  static async create(dir: string): Promise<OciLayout> {
    const layout = new OciLayout(dir);
    await mkdir(join(dir, 'blobs', 'sha256'), { recursive: true });
    const exists = await stat(join(dir, 'index.json')).then(
      () => true,
      () => false,
    );
    if (!exists) {
      await writeFile(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
      await writeFile(
        join(dir, 'index.json'),
        JSON.stringify({ schemaVersion: 2, mediaType: MEDIA_TYPES.ociIndex, manifests: [] }),
      );
    }
    return layout;
  }

  blobPath(digest: string): string {
    const [algorithm, hex] = digest.split(':');
    if (!algorithm || !hex) throw new Error(`bad digest ${digest}`);
    return join(this.dir, 'blobs', algorithm, hex);
  }

  async writeBlob(data: Uint8Array, mediaType: string): Promise<Descriptor> {
    const digest = sha256(data);
    await writeFile(this.blobPath(digest), data);
    return { mediaType, digest, size: data.length };
  }

  async readBlob(digest: string): Promise<Buffer> {
    return readFile(this.blobPath(digest));
  }

  async readIndex(): Promise<{ schemaVersion: number; manifests: Descriptor[] }> {
    return JSON.parse(await readFile(join(this.dir, 'index.json'), 'utf8')) as {
      schemaVersion: number;
      manifests: Descriptor[];
    };
  }

  /** Names `descriptor` in index.json as `refName` (replacing an older entry of that name). */
  async tag(descriptor: Descriptor, refName: string): Promise<void> {
    const index = await this.readIndex();
    index.manifests = index.manifests.filter((d) => d.annotations?.[REF_NAME_ANNOTATION] !== refName);
    index.manifests.push({
      mediaType: descriptor.mediaType,
      digest: descriptor.digest,
      size: descriptor.size,
      annotations: { [REF_NAME_ANNOTATION]: refName },
    });
    await writeFile(join(this.dir, 'index.json'), JSON.stringify(index, null, 2));
  }

  /** The descriptor named `refName` in index.json, or the only entry when refName is undefined. */
  async resolve(refName?: string): Promise<Descriptor> {
    const { manifests } = await this.readIndex();
    if (refName === undefined) {
      if (manifests.length !== 1) throw new Error(`${this.dir}: expected one manifest, found ${manifests.length}`);
      return manifests[0]!;
    }
    const found = manifests.find((d) => d.annotations?.[REF_NAME_ANNOTATION] === refName);
    if (!found) throw new Error(`${this.dir}: no manifest named ${refName}`);
    return found;
  }

  async readJson<T = unknown>(digest: string): Promise<T> {
    return JSON.parse((await this.readBlob(digest)).toString('utf8')) as T;
  }

  /**
   * Walks everything reachable from `digest` (index -> manifests -> config/layers,
   * and an artifact's subject when present in the layout), checks that every blob's
   * bytes hash to its digest and have the declared size, and returns the digests seen.
   */
  async verifyTree(root: Descriptor): Promise<Map<string, Descriptor>> {
    const seen = new Map<string, Descriptor>();
    const visit = async (desc: Descriptor): Promise<void> => {
      if (seen.has(desc.digest)) return;
      const data = await this.readBlob(desc.digest);
      if (sha256(data) !== desc.digest) throw new Error(`blob ${desc.digest} has wrong content`);
      if (data.length !== desc.size) throw new Error(`blob ${desc.digest} is ${data.length} bytes, descriptor says ${desc.size}`);
      seen.set(desc.digest, desc);
      if (isIndexType(desc.mediaType)) {
        const index = JSON.parse(data.toString('utf8')) as { manifests: Descriptor[] };
        for (const m of index.manifests) await visit(m);
      } else if (isManifestType(desc.mediaType)) {
        const manifest = JSON.parse(data.toString('utf8')) as { config: Descriptor; layers?: Descriptor[] };
        await visit(manifest.config);
        for (const layer of manifest.layers ?? []) await visit(layer);
      }
    };
    await visit(root);
    return seen;
  }

  // ---- builders ----

  async addLayer(spec: LayerSpec = {}): Promise<BuiltLayer> {
    const files =
      spec.files ??
      (() => {
        const total = spec.randomBytes ?? 192 * 1024;
        const id = randomBytes(4).toString('hex');
        // a few files of different sizes, so the tar has more than one entry
        const sizes = [Math.floor(total / 2), Math.floor(total / 3)];
        sizes.push(total - sizes[0]! - sizes[1]!);
        return sizes.map((size, i) => ({ path: `data/${id}/file-${i}.bin`, content: randomBytes(size) }));
      })();
    const dirs = new Set<string>();
    for (const f of files) {
      const parts = f.path.replace(/^\/+/, '').split('/');
      for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
    }
    const entries: TarEntry[] = [
      ...[...dirs].sort().map((name) => ({ name, type: 'dir' as const })),
      ...files.map((f) => ({ name: f.path.replace(/^\/+/, ''), type: 'file' as const, content: f.content })),
    ];
    const tar = createTar(entries);
    const gzip = gzipSync(tar);
    const descriptor = await this.writeBlob(gzip, MEDIA_TYPES.ociLayerGzip);
    return { descriptor, diffId: sha256(tar), tar, gzip, files };
  }

  /** Builds a complete image (layers, config, manifest). Does not name it in index.json. */
  async addImage(
    options: {
      platform?: Platform;
      layers?: LayerSpec[];
      annotations?: Record<string, string>;
    } = {},
  ): Promise<BuiltImage> {
    const platform = options.platform ?? { architecture: 'amd64', os: 'linux' };
    const layerSpecs = options.layers ?? [{}, {}];
    const layers: BuiltLayer[] = [];
    for (const spec of layerSpecs) layers.push(await this.addLayer(spec));
    const created = '2024-01-01T00:00:00Z';
    const configJson = {
      created,
      architecture: platform.architecture,
      ...(platform.variant ? { variant: platform.variant } : {}),
      os: platform.os,
      config: {
        Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
        Cmd: ['/bin/true'],
        Labels: { 'org.example.berth.e2e': randomBytes(6).toString('hex') },
      },
      rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
      history: layers.map((_, i) => ({ created, created_by: `berth e2e layer ${i}` })),
    };
    const configBytes = Buffer.from(JSON.stringify(configJson));
    const config = await this.writeBlob(configBytes, MEDIA_TYPES.ociConfig);
    const manifestJson = {
      schemaVersion: 2,
      mediaType: MEDIA_TYPES.ociManifest,
      config,
      layers: layers.map((l) => l.descriptor),
      ...(options.annotations ? { annotations: options.annotations } : {}),
    };
    const manifestBytes = Buffer.from(JSON.stringify(manifestJson, null, 2));
    const manifest = await this.writeBlob(manifestBytes, MEDIA_TYPES.ociManifest);
    return { manifest, manifestBytes, config, configBytes, layers, platform };
  }

  /** Builds an OCI index over images for the given platforms (default linux/amd64 + linux/arm64). */
  async addIndex(
    options: { platforms?: Platform[]; layers?: LayerSpec[]; annotations?: Record<string, string> } = {},
  ): Promise<BuiltIndex> {
    const platforms = options.platforms ?? [
      { architecture: 'amd64', os: 'linux' },
      { architecture: 'arm64', os: 'linux', variant: 'v8' },
    ];
    const images: BuiltImage[] = [];
    for (const platform of platforms) images.push(await this.addImage({ platform, layers: options.layers }));
    const indexJson = {
      schemaVersion: 2,
      mediaType: MEDIA_TYPES.ociIndex,
      manifests: images.map((img) => ({ ...img.manifest, platform: img.platform })),
      ...(options.annotations ? { annotations: options.annotations } : {}),
    };
    const indexBytes = Buffer.from(JSON.stringify(indexJson, null, 2));
    const index = await this.writeBlob(indexBytes, MEDIA_TYPES.ociIndex);
    return { index, indexBytes, images };
  }

  /**
   * Builds an artifact manifest (OCI 1.1 style): artifactType, the empty config,
   * one JSON payload layer, and `subject` pointing at another manifest.
   */
  async addArtifact(options: {
    subject: Descriptor;
    artifactType?: string;
    payload?: Uint8Array;
    payloadMediaType?: string;
    annotations?: Record<string, string>;
  }): Promise<BuiltArtifact> {
    const artifactType = options.artifactType ?? 'application/vnd.example.sbom.v1';
    const config = await this.writeBlob(EMPTY_JSON, MEDIA_TYPES.ociEmpty);
    const payload = Buffer.from(
      options.payload ??
        JSON.stringify({ sbom: 'example', subject: options.subject.digest, nonce: randomBytes(8).toString('hex') }),
    );
    const layer = await this.writeBlob(payload, options.payloadMediaType ?? 'application/vnd.example.sbom.v1+json');
    const manifestJson = {
      schemaVersion: 2,
      mediaType: MEDIA_TYPES.ociManifest,
      artifactType,
      config,
      layers: [layer],
      subject: { mediaType: options.subject.mediaType, digest: options.subject.digest, size: options.subject.size },
      annotations: { 'org.opencontainers.image.created': '2024-01-01T00:00:00Z', ...options.annotations },
    };
    const manifestBytes = Buffer.from(JSON.stringify(manifestJson, null, 2));
    const manifest = await this.writeBlob(manifestBytes, MEDIA_TYPES.ociManifest);
    return {
      manifest: { ...manifest, artifactType },
      manifestBytes,
      artifactType,
      subject: manifestJson.subject,
      layers: [layer],
      payloads: [payload],
    };
  }
}

export function isIndexType(mediaType: string): boolean {
  return mediaType === MEDIA_TYPES.ociIndex || mediaType === MEDIA_TYPES.dockerManifestList;
}

export function isManifestType(mediaType: string): boolean {
  return mediaType === MEDIA_TYPES.ociManifest || mediaType === MEDIA_TYPES.dockerManifest;
}

export interface TestImageSet {
  layout: OciLayout;
  /** A single-platform image, named `single` in the layout. */
  single: BuiltImage;
  /** A linux/amd64 + linux/arm64 index, named `multi` in the layout. */
  multi: BuiltIndex;
  /** An SBOM-like artifact whose subject is `single`, named `sbom` in the layout. */
  artifact: BuiltArtifact;
}

/**
 * Writes the standard set of test images into a new layout at `dir`:
 * `single` (2 layers), `multi` (2 platforms), and `sbom` (artifact -> single).
 * Each layer holds `layerBytes` of random data (default 192 KiB).
 */
export async function buildTestImages(dir: string, options: { layerBytes?: number } = {}): Promise<TestImageSet> {
  const layout = await OciLayout.create(dir);
  const layers = [{ randomBytes: options.layerBytes }, { randomBytes: options.layerBytes }];
  const single = await layout.addImage({ layers });
  await layout.tag(single.manifest, 'single');
  const multi = await layout.addIndex({ layers: [{ randomBytes: options.layerBytes }] });
  await layout.tag(multi.index, 'multi');
  const artifact = await layout.addArtifact({ subject: single.manifest });
  await layout.tag(artifact.manifest, 'sbom');
  return { layout, single, multi, artifact };
}
