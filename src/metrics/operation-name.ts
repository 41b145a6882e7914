// The operation a request is labelled with in /metrics: a small, fixed set of names, so
// the label's cardinality stays bounded whatever clients send (no repository names, no
// unknown methods or targets). The layer that recognises the operation names it on the
// response; the HTTP handler reads the name when the response closes.
import type { ServerResponse } from 'node:http';

const OPERATION = Symbol('berth.operation');

type Named = ServerResponse & { [OPERATION]?: string };

export function nameOperation(res: ServerResponse, operation: string): void {
  (res as Named)[OPERATION] = operation;
}

export function operationOf(res: ServerResponse): string | undefined {
  return (res as Named)[OPERATION];
}

/** What /v2/ routes are called, per route kind and method. */
const OCI_OPERATIONS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  base: { GET: 'base.get', HEAD: 'base.head' },
  catalog: { GET: 'catalog.list' },
  tags: { GET: 'tags.list' },
  manifest: { GET: 'manifest.get', HEAD: 'manifest.head', PUT: 'manifest.put', DELETE: 'manifest.delete' },
  blob: { GET: 'blob.get', HEAD: 'blob.head', DELETE: 'blob.delete' },
  'upload-start': { POST: 'blob.upload.start' },
  upload: { GET: 'blob.upload.status', HEAD: 'blob.upload.status', PATCH: 'blob.upload.patch', PUT: 'blob.upload.put', DELETE: 'blob.upload.cancel' },
  referrers: { GET: 'referrers.list' },
};

/** A /v2/ route's operation: e.g. manifest.get, blob.upload.patch; `<kind>.other` for a method the route does not take. */
export function ociOperation(kind: string, method: string | undefined): string {
  const byMethod = OCI_OPERATIONS[kind];
  if (byMethod === undefined) return 'oci.invalid';
  return byMethod[method ?? ''] ?? `${kind === 'upload-start' ? 'blob.upload' : kind}.other`;
}

/** An ECR operation (X-Amz-Target's name), when `known` says it is one; ecr.unknown otherwise. */
export function ecrOperation(name: string, known: (name: string) => boolean): string {
  return known(name) ? `ecr.${name}` : 'ecr.unknown';
}

/** An IAM or STS Query action, when `known` says it is one; <service>.unknown otherwise. */
export function queryOperation(service: 'iam' | 'sts', action: string, known: (action: string) => boolean): string {
  return known(action) ? `${service}.${action}` : `${service}.unknown`;
}

/** The label of a request nothing named: health checks, /metrics, and what matched no route. */
export function fallbackOperation(path: string): string {
  if (path === '/healthz') return 'healthz';
  if (path === '/readyz') return 'readyz';
  if (path === '/metrics') return 'metrics';
  if (path.startsWith('/v2')) return 'oci.invalid';
  if (path === '/') return 'aws.unknown';
  return 'not-found';
}
