// Turns a /v2/ request path into the resource it names. Repository names contain
// slashes, so the resource is recognised from the right-hand end of the path and
// everything before it is the name (validated against the spec grammar here).
import { isValidRepositoryName } from '../../model/repository-name.ts';

export type OciRoute =
  | { readonly kind: 'base' }
  | { readonly kind: 'catalog' }
  | { readonly kind: 'tags'; readonly name: string }
  | { readonly kind: 'manifest'; readonly name: string; readonly reference: string }
  | { readonly kind: 'blob'; readonly name: string; readonly digest: string }
  | { readonly kind: 'upload-start'; readonly name: string }
  | { readonly kind: 'upload'; readonly name: string; readonly id: string }
  | { readonly kind: 'referrers'; readonly name: string; readonly digest: string }
  | { readonly kind: 'invalid-name'; readonly name: string };

/** `path` is the URL path without the query string; undefined when it names no /v2/ resource. */
export function parseOciPath(path: string): OciRoute | undefined {
  if (path === '/v2' || path === '/v2/') return { kind: 'base' };
  if (!path.startsWith('/v2/')) return undefined;
  if (path === '/v2/_catalog') return { kind: 'catalog' };
  const segments = path.slice(4).split('/');
  const count = segments.length;
  const last = segments[count - 1]!;
  const secondLast = segments[count - 2];

  if (count >= 3 && secondLast === 'tags' && last === 'list') return named('tags', segments.slice(0, -2));
  if (count >= 3 && segments[count - 3] === 'blobs' && secondLast === 'uploads') {
    const name = segments.slice(0, -3);
    return last === '' ? named('upload-start', name) : withName(name, (valid) => ({ kind: 'upload', name: valid, id: last }));
  }
  if (count >= 3 && secondLast === 'blobs' && last === 'uploads') return named('upload-start', segments.slice(0, -2));
  if (count >= 2 && last !== '') {
    const value = decodeSegment(last);
    if (value === undefined) return undefined;
    const name = segments.slice(0, -2);
    if (secondLast === 'manifests') return withName(name, (valid) => ({ kind: 'manifest', name: valid, reference: value }));
    if (secondLast === 'blobs') return withName(name, (valid) => ({ kind: 'blob', name: valid, digest: value }));
    if (secondLast === 'referrers') return withName(name, (valid) => ({ kind: 'referrers', name: valid, digest: value }));
  }
  return undefined;
}

function named(kind: 'tags' | 'upload-start', segments: string[]): OciRoute | undefined {
  return withName(segments, (name) => ({ kind, name }));
}

function withName(segments: string[], build: (name: string) => OciRoute): OciRoute | undefined {
  if (segments.length === 0) return undefined;
  const name = segments.join('/');
  return isValidRepositoryName(name) ? build(name) : { kind: 'invalid-name', name };
}

/** References may arrive percent-encoded (`sha256%3A…`); a bad escape names nothing. */
function decodeSegment(segment: string): string | undefined {
  if (!segment.includes('%')) return segment;
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}
