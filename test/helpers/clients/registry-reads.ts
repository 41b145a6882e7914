// Small helpers for assertions
// (manifests and blobs read straight from the registry).

import { httpFetch, type HttpResponse } from './http.ts';
import type { TestRegistry } from './registries.ts';

/** Docker-Content-Digest (and the sha256 of the body) of a manifest as the registry serves it. */
export const MANIFEST_ACCEPT = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
].join(', ');

export async function getManifest(registry: TestRegistry, repo: string, reference: string): Promise<HttpResponse> {
  const res = await registry.fetch(`/v2/${repo}/manifests/${reference}`, { headers: { Accept: MANIFEST_ACCEPT } });
  if (res.status !== 200) {
    throw new Error(`GET /v2/${repo}/manifests/${reference} -> ${res.status}: ${res.body.toString('utf8').slice(0, 500)}`);
  }
  return res;
}

export async function getBlob(registry: TestRegistry, repo: string, digest: string): Promise<Buffer> {
  let res = await registry.fetch(`/v2/${repo}/blobs/${digest}`);
  // Registries may redirect blob downloads (e.g. to object storage); follow one hop on loopback.
  if ((res.status === 307 || res.status === 302) && typeof res.headers.location === 'string') {
    const location = new URL(res.headers.location, registry.url);
    res = await httpFetch(location.toString(), { ca: registry.caPem });
  }
  if (res.status !== 200) throw new Error(`GET /v2/${repo}/blobs/${digest} -> ${res.status}: ${res.body.toString('utf8').slice(0, 500)}`);
  return res.body;
}
