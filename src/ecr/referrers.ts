// ListImageReferrers: the OCI referrers of a subject digest (what /v2/<name>/referrers/<digest>
// serves) in ECR's shape, filtered by artifact type and status and paged by digest.
// A subject nobody refers to, pushed or not, has an empty list, as on the OCI API.
import { isDigest, parseDigest } from '../model/digest.ts';
import type { ReferrerRecord } from '../storage/meta/metadata-store.ts';
import { EcrError, type EcrContext } from './ecr-context.ts';
import { decodePageToken, encodePageToken } from './page-token.ts';
import { requireRepository } from './repository-lookup.ts';

/** The model's default page when maxResults is absent. */
const DEFAULT_PAGE = 20;

export interface ReferrerQuery {
  /** Keep referrers of any of these artifact types; all when empty. */
  readonly artifactTypes: readonly string[];
  /** ACTIVE, ARCHIVED, ACTIVATING or ANY. */
  readonly artifactStatus: string;
  /** Start after this digest. */
  readonly after?: string;
  readonly limit: number;
}

export interface ReferrerPage {
  readonly referrers: readonly ReferrerRecord[];
  /** The last digest shown when more follow. */
  readonly lastShown?: string;
}

/**
 * One page of referrers, by digest. Berth has no archive tier: every image is
 * ACTIVE, so ARCHIVED and ACTIVATING select nothing.
 */
export function pageOfReferrers(all: readonly ReferrerRecord[], query: ReferrerQuery): ReferrerPage {
  if (query.artifactStatus !== 'ACTIVE' && query.artifactStatus !== 'ANY') return { referrers: [] };
  const kept = all
    .filter((referrer) => query.artifactTypes.length === 0 || (referrer.artifactType !== undefined && query.artifactTypes.includes(referrer.artifactType)))
    .filter((referrer) => query.after === undefined || referrer.digest > query.after)
    .sort((a, b) => (a.digest < b.digest ? -1 : a.digest > b.digest ? 1 : 0));
  const referrers = kept.slice(0, query.limit);
  return kept.length > query.limit ? { referrers, lastShown: referrers[referrers.length - 1]!.digest } : { referrers };
}

export async function listImageReferrers(context: EcrContext, input: Record<string, unknown>): Promise<object> {
  const repository = await requireRepository(context, input);
  const subjectText = (input['subjectId'] as { imageDigest: string }).imageDigest;
  const subject = parseDigest(subjectText);
  if (!isDigest(subject)) {
    throw new EcrError('InvalidParameterException', `Invalid parameter at 'imageDigest' failed to satisfy constraint: 'must be a digest such as sha256: followed by 64 hex digits'`);
  }
  const filter = input['filter'] as { artifactTypes?: string[]; artifactStatus?: string } | undefined;
  const after = decodePageToken(input['nextToken'], 1)?.[0];
  const page = pageOfReferrers(await context.registry.manifests.referrers(repository, subject), {
    artifactTypes: filter?.artifactTypes ?? [],
    artifactStatus: filter?.artifactStatus ?? 'ACTIVE',
    limit: (input['maxResults'] as number | undefined) ?? DEFAULT_PAGE,
    ...(after !== undefined ? { after } : {}),
  });
  return {
    referrers: page.referrers.map((referrer) => ({
      digest: referrer.digest,
      mediaType: referrer.mediaType,
      ...(referrer.artifactType !== undefined ? { artifactType: referrer.artifactType } : {}),
      size: referrer.size,
      ...(referrer.annotations !== undefined ? { annotations: referrer.annotations } : {}),
      artifactStatus: 'ACTIVE',
    })),
    ...(page.lastShown !== undefined ? { nextToken: encodePageToken([page.lastShown]) } : {}),
  };
}
