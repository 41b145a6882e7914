// Tags list, catalog and referrers: the read-only listings of the OCI API.
import { RegistryError } from '../../errors/registry-error.ts';
import { OCI_INDEX } from '../../model/media-types.ts';
import type { PageRequest, PageResult } from '../../registry/listings.ts';
import { methodNotAllowed, requireDigest, sendJson, type Exchange } from './exchange.ts';

function pageRequest(query: URLSearchParams): PageRequest {
  const n = query.get('n');
  const last = query.get('last');
  let size: number | undefined;
  if (n !== null && n !== '') {
    size = Number(n);
    if (!Number.isSafeInteger(size) || size < 0) throw new RegistryError('PAGINATION_INVALID', 'n must be a non-negative integer', { n });
  }
  return { ...(size !== undefined ? { n: size } : {}), ...(last ? { last } : {}) };
}

function nextLink(path: string, page: PageResult, requested: PageRequest): Record<string, string> {
  if (!page.more) return {};
  const lastItem = page.items[page.items.length - 1]!;
  const query = new URLSearchParams({ ...(requested.n !== undefined ? { n: String(requested.n) } : {}), last: lastItem });
  return { Link: `<${path}?${query.toString()}>; rel="next"` };
}

function requireRead(ex: Exchange): boolean {
  if (ex.req.method !== 'GET' && ex.req.method !== 'HEAD') throw methodNotAllowed('GET, HEAD');
  return ex.req.method === 'HEAD';
}

export async function handleTags(ex: Exchange, name: string): Promise<void> {
  const headOnly = requireRead(ex);
  const requested = pageRequest(ex.query);
  const page = await ex.registry.listings.tags(name, requested);
  sendJson(ex.res, 200, { name, tags: page.items }, 'application/json', nextLink(`/v2/${name}/tags/list`, page, requested), headOnly);
}

export async function handleCatalog(ex: Exchange): Promise<void> {
  const headOnly = requireRead(ex);
  const requested = pageRequest(ex.query);
  const page = await ex.registry.listings.catalog(requested);
  sendJson(ex.res, 200, { repositories: page.items }, 'application/json', nextLink('/v2/_catalog', page, requested), headOnly);
}

export async function handleReferrers(ex: Exchange, name: string, digestText: string): Promise<void> {
  const headOnly = requireRead(ex);
  const subject = requireDigest(digestText);
  const artifactType = ex.query.get('artifactType') ?? undefined;
  const referrers = await ex.registry.manifests.referrers(name, subject, artifactType);
  const index = { schemaVersion: 2, mediaType: OCI_INDEX, manifests: referrers };
  sendJson(ex.res, 200, index, OCI_INDEX, artifactType !== undefined ? { 'OCI-Filters-Applied': 'artifactType' } : {}, headOnly);
}
