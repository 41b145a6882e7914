// The smallest image a registry takes — one config blob, no layers — pushed through
// /v2/ as a client would: a monolithic blob upload, then the manifest under a tag.
// For tests that need an image to exist (or a push to be refused), not a realistic one;
// oci-images.ts builds those.
import { createHash } from 'node:crypto';

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

export interface TinyImageOptions {
  /** The config blob. By default `{"repo":…,"tag":…}`, so every repository and tag get an image of their own. */
  readonly config?: Buffer;
}

export interface TinyImagePush {
  /** The manifest PUT's status, or the blob upload's when that failed (and no manifest was sent). */
  readonly status: number;
  /** The text of the response whose status that is. */
  readonly body: string;
  /** The manifest's digest: the image's name once the push succeeds. */
  readonly digest: string;
}

const sha256 = (data: Buffer) => `sha256:${createHash('sha256').update(data).digest('hex')}`;

/** Pushes a one-blob image to `baseUrl`'s /v2/; `authorization` is the header's value, none when undefined. */
export async function pushTinyImage(baseUrl: string, repository: string, tag: string, authorization: string | undefined, options: TinyImageOptions = {}): Promise<TinyImagePush> {
  const auth: Record<string, string> = authorization === undefined ? {} : { Authorization: authorization };
  const config = options.config ?? Buffer.from(`{"repo":"${repository}","tag":"${tag}"}`);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(config), size: config.length },
      layers: [],
    }),
  );
  const digest = sha256(manifest);
  const blob = await fetch(`${baseUrl}/v2/${repository}/blobs/uploads/?digest=${sha256(config)}`, { method: 'POST', body: config, headers: auth });
  const blobBody = await blob.text();
  if (blob.status !== 201) return { status: blob.status, body: blobBody, digest };
  const put = await fetch(`${baseUrl}/v2/${repository}/manifests/${tag}`, { method: 'PUT', body: manifest, headers: { ...auth, 'Content-Type': OCI_MANIFEST } });
  return { status: put.status, body: await put.text(), digest };
}
