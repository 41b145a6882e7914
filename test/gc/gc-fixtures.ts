// Images pushed and pulled through an in-process Registry, for the garbage collection
// tests: blobs uploaded whole, a manifest over them, and a pull that reads every blob
// back and checks its digest.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { parseDigest, type Digest } from '../../src/model/digest.ts';
import type { Registry } from '../../src/registry/registry.ts';

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

export function digestOf(data: Buffer): Digest {
  return parseDigest(`sha256:${createHash('sha256').update(data).digest('hex')}`) as Digest;
}

export async function pushBlob(registry: Registry, repository: string, data: Buffer): Promise<Digest> {
  const digest = digestOf(data);
  await registry.uploads.putWhole(repository, digest, { body: Readable.from([data]), length: data.length });
  return digest;
}

export interface ImageContent {
  readonly config: Buffer;
  readonly layers: readonly Buffer[];
}

export function manifestOf(image: ImageContent): Buffer {
  const descriptor = (mediaType: string, data: Buffer) => ({ mediaType, digest: digestOf(data).value, size: data.length });
  return Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: descriptor('application/vnd.oci.image.config.v1+json', image.config),
      layers: image.layers.map((layer) => descriptor('application/vnd.oci.image.layer.v1.tar', layer)),
    }),
  );
}

/** Pushes the blobs, then the manifest under `tag`; resolves to the manifest's digest. */
export async function pushImage(registry: Registry, repository: string, tag: string, image: ImageContent): Promise<string> {
  for (const blob of [image.config, ...image.layers]) await pushBlob(registry, repository, blob);
  const pushed = await registry.manifests.put(repository, { kind: 'tag', tag }, manifestOf(image), OCI_MANIFEST);
  return pushed.digest;
}

/** Pulls the image as a client would and checks every blob's bytes against its digest. */
export async function assertPullable(registry: Registry, repository: string, reference: string, message = ''): Promise<void> {
  const parsed = parseDigest(reference);
  const manifest = await registry.manifests.get(repository, typeof parsed === 'string' ? { kind: 'tag', tag: reference } : { kind: 'digest', digest: parsed });
  const body = JSON.parse(manifest.content.toString()) as { config: { digest: string; size: number }; layers: { digest: string; size: number }[] };
  for (const descriptor of [body.config, ...body.layers]) {
    const digest = parseDigest(descriptor.digest) as Digest;
    const found = await registry.blobs.find(repository, digest);
    assert.equal(found.size, descriptor.size, `${message} ${repository}@${reference}: ${descriptor.digest} size`);
    const hash = createHash('sha256');
    for await (const piece of await registry.blobs.open(repository, digest)) hash.update(piece as Buffer);
    assert.equal(`sha256:${hash.digest('hex')}`, descriptor.digest, `${message} ${repository}@${reference}: ${descriptor.digest} bytes`);
  }
}

/** Every digest the blob store holds, sorted. */
export async function storedDigests(registry: Registry): Promise<string[]> {
  const digests: string[] = [];
  for await (const blob of registry.context.blobs.list()) digests.push(blob.digest);
  return digests.sort();
}
